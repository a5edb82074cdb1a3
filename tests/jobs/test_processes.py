"""Jobs across real processes: a runner killed with SIGKILL mid-way through 1,000 jobs, and two runners on one store."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from community.jobs.schedule import JOBS
from community.storage import connect
from tests.processes import ROOT

JOBS_DUE = 1000


def _spawn(db_file: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.jobs.worker", str(db_file), *args], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _go(*processes: subprocess.Popen[str]) -> None:
    """Wait until each runner is ready, then start them together."""
    for process in processes:
        _lines_until(process, "ready")
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def _lines_until(process: subprocess.Popen[str], wanted: str, times: int = 1) -> int:
    """Read the worker's lines until ``wanted`` was seen ``times`` times; returns how many ``ran`` lines there were."""
    assert process.stdout is not None
    seen = ran = 0
    while seen < times:
        line = process.stdout.readline()
        assert line, f"worker ended before printing {wanted!r}"
        ran += line.strip() == "ran"
        seen += line.strip() == wanted
    return ran


async def _state(db_file: Path) -> tuple[int, int, int]:
    """(effects, distinct jobs with an effect, jobs left)."""
    client = connect(f"sqlite:///{db_file}")
    try:
        db = client["community"]
        effects = await db.effects.find({}, {"job": 1}).to_list(None)
        return len(effects), len({row["job"] for row in effects}), await db[JOBS].count_documents({})
    finally:
        await client.close()


def _finish(process: subprocess.Popen[str]) -> int:
    ran = _lines_until(process, "idle")
    process.communicate(timeout=30)
    return ran


@pytest.mark.slow
async def test_a_runner_killed_in_the_middle_of_1000_jobs_leaves_each_effect_exactly_once(tmp_path: Path) -> None:
    db_file = tmp_path / "community.db"
    seeder = _spawn(db_file, "seed", str(JOBS_DUE))
    await asyncio.to_thread(_lines_until, seeder, "seeded")
    seeder.communicate(timeout=30)
    killed = _spawn(db_file, "run")
    await asyncio.to_thread(_go, killed)
    await asyncio.to_thread(_lines_until, killed, "ran", 300)
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=10)
    effects, distinct, left = await _state(db_file)
    assert effects == distinct and 300 <= effects < JOBS_DUE and left > 0, "killed part-way, nothing doubled"

    restarted = _spawn(db_file, "run")
    await asyncio.to_thread(_go, restarted)
    await asyncio.to_thread(_finish, restarted)
    assert await _state(db_file) == (JOBS_DUE, JOBS_DUE, 0), "after the restart every effect exists exactly once"


@pytest.mark.slow
async def test_two_runner_processes_share_the_jobs_without_doubling(tmp_path: Path) -> None:
    db_file = tmp_path / "community.db"
    seeder = _spawn(db_file, "seed", str(JOBS_DUE))
    await asyncio.to_thread(_lines_until, seeder, "seeded")
    seeder.communicate(timeout=30)
    first, second = _spawn(db_file, "run"), _spawn(db_file, "run")
    await asyncio.to_thread(_go, first, second)
    ran = await asyncio.gather(asyncio.to_thread(_finish, first), asyncio.to_thread(_finish, second))
    assert sum(ran) == JOBS_DUE and min(ran) > 0, f"both processes took a share: {ran}"
    assert await _state(db_file) == (JOBS_DUE, JOBS_DUE, 0)
