from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from tests.realtime.probe import SocketProbe


@pytest.fixture
async def probes() -> AsyncIterator[Callable[[], SocketProbe]]:
    """Make socket clients; every one is disconnected when the test ends."""
    made: list[SocketProbe] = []

    def make() -> SocketProbe:
        probe = SocketProbe()
        made.append(probe)
        return probe

    yield make
    for probe in made:
        await probe.close()
