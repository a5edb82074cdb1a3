"""``python -m tests.rooms.serve``: ``run.py`` with the tests' room subject kind registered, for
the browser journey (the app itself registers no subject; live events will)."""

from __future__ import annotations

import sys

import run
from community.rooms import subjects
from community.storage import facts
from tests.rooms.conftest import KIND, SESSIONS, resolve

if __name__ == "__main__":
    facts.declare(facts.StorageFacts(collections=(facts.Collection(SESSIONS),)))
    subjects.register(KIND, resolve)
    sys.exit(run.main())
