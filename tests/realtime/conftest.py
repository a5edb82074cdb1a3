from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from tests.processes import free_port

REDIS_SERVER = "/usr/bin/redis-server"


@pytest.fixture
async def redis_url(tmp_path: Path) -> AsyncIterator[str]:
    """A real redis-server of this test's own, on a free port; skipped (failed under CI=true) without it."""
    if not shutil.which(REDIS_SERVER):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REDIS_SERVER} is missing; CI must install Debian's redis-server")
        pytest.skip("install Debian's redis-server to run the multi-process tests")
    port = free_port()
    server = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = aioredis.from_url(url)
        try:
            for _ in range(100):
                try:
                    await client.ping()
                    break
                except (aioredis.ConnectionError, OSError):
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("redis-server did not start")
        finally:
            await client.aclose()
        yield url
    finally:
        server.terminate()
        server.wait(10)
