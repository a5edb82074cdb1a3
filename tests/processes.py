"""Real server processes for tests: a free loopback port, and ``run.py`` started and awaited."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_run_py(data_dir: Path, port: int, **env: str) -> subprocess.Popen[str]:
    """``python run.py`` on ``data_dir`` and ``port``, its log (stderr) piped for the test to read."""
    settings = {**os.environ, "DATA_DIR": str(data_dir), "HOST": "127.0.0.1", "PORT": str(port),
                "LOG_LEVEL": "INFO", **env}
    return subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=settings, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_serving(port: int, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited early: {process.communicate()[1]}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz in time")
