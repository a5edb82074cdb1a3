"""SIGTERM stops the real server process cleanly: exit status 0 and a log line saying so."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from tests.processes import free_port, start_run_py, wait_until_serving


def test_sigterm_stops_the_server_cleanly(tmp_path: Path) -> None:
    port = free_port()
    process = start_run_py(tmp_path, port)
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
