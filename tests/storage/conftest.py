"""Fixtures: a fresh embedded store per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from community.storage import connect


@pytest.fixture
async def client() -> AsyncIterator[Any]:
    store = connect("sqlite:///:memory:")
    yield store
    await store.close()


@pytest.fixture
def db(client: Any) -> Any:
    return client["test"]
