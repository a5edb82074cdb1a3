"""Job kinds and their handlers, registered by the features that schedule them.

A handler is ``async def handler(run: JobRun) -> None`` (``community.jobs.runner.JobRun``). A
recurring kind also says when it is next due after a given moment; the runner keeps exactly one
job of it under the fixed key ``recurring:<kind>``, so several processes never multiply it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_.]{0,59}$")

Handler = Callable[[Any], Awaitable[None]]
NextDue = Callable[[datetime], datetime]


@dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    handler: Handler
    label: str
    """What the work is, in words for the administrators' page of jobs (marked with ``N_``)."""
    next_due: NextDue | None = None
    """For recurring work: when the next run is due, given the moment this one finished."""


JOBS: dict[str, JobKind] = {}


def register(name: str, handler: Handler, *, label: str, next_due: NextDue | None = None) -> JobKind:
    if not KIND_PATTERN.match(name):
        raise ValueError(f"job kind must be a short dotted snake_case name, got {name!r}")
    if name in JOBS:
        raise ValueError(f"job kind {name!r} is registered twice")
    JOBS[name] = job = JobKind(name, handler, label, next_due)
    return job


def job_kind(name: str) -> JobKind:
    found = JOBS.get(name)
    if found is None:
        raise ValueError(f"unknown job kind {name!r}: register it with community.jobs.registry.register")
    return found


def recurring_key(name: str) -> str:
    return f"recurring:{name}"
