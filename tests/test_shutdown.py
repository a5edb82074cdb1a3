"""SIGTERM stops the real server process cleanly: exit status 0 and a log line saying so."""

from __future__ import annotations

import json
import os
import signal
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
        return probe.getsockname()[1]


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


def test_sigterm_stops_the_server_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "INFO"}
    process = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_serving(port, process)
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert took < 5, f"an idle server took {took:.1f}s to stop"
    assert "Traceback" not in stderr
    logged = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert logged[-1]["logger"] == "community" and logged[-1]["message"] == "stopped"
