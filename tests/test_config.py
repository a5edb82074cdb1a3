from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from community.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_need_no_configuration(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path / "d")})
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.storage_url == f"sqlite:///{tmp_path / 'd' / 'community.db'}"
    assert settings.meilisearch_url is None and settings.redis_url is None and settings.smtp is None
    assert not settings.secure_cookies
    assert settings.session_idle_minutes == 120
    assert (settings.accepted_answer_points, settings.upvote_points, settings.upvote_points_per_day) == (15, 2, 40)


def test_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings({"DATA_DIR": str(tmp_path)})
    second = load_settings({"DATA_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.secret_key not in repr(first)


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"MONGODB_URI": "postgres://x"}, "MONGODB_URI"),
        ({"MEILISEARCH_URL": "ftp://search"}, "MEILISEARCH_URL"),
        ({"MEILISEARCH_URL": "http://localhost:7700"}, "MEILISEARCH_KEY"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SMTP_HOST": "mail.local"}, "SMTP_FROM"),
        ({"SMTP_HOST": "mail.local", "SMTP_FROM": "a@b.in", "SMTP_PORT": "x"}, "SMTP_PORT"),
        ({"BASE_URL": "example.org"}, "BASE_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TRUSTED_PROXIES": "10.0.0.1,proxy.internal"}, "TRUSTED_PROXIES"),
        ({"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"),
        ({"SESSION_IDLE_MINUTES": "soon"}, "SESSION_IDLE_MINUTES"),
        ({"SESSION_IDLE_MINUTES": "4"}, "SESSION_IDLE_MINUTES"),
        ({"SESSION_IDLE_MINUTES": str(15 * 24 * 60)}, "SESSION_IDLE_MINUTES"),
        ({"FORUM_ACCEPTED_ANSWER_POINTS": "many"}, "FORUM_ACCEPTED_ANSWER_POINTS"),
        ({"FORUM_UPVOTE_POINTS": "-1"}, "FORUM_UPVOTE_POINTS"),
        ({"FORUM_UPVOTE_POINTS_PER_DAY": "2.5"}, "FORUM_UPVOTE_POINTS_PER_DAY"),
        ({"JOBS_POLL_SECONDS": "0"}, "JOBS_POLL_SECONDS"),
    ],
)
def test_bad_setting_is_named(tmp_path: Path, env: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"DATA_DIR": str(tmp_path), **env})
    assert caught.value.setting == setting
    assert str(caught.value).startswith(f"{setting}: ")


def test_https_base_url_makes_cookies_secure(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path), "BASE_URL": "https://community.example.gov.in/"})
    assert settings.secure_cookies and settings.base_url == "https://community.example.gov.in"


def test_run_py_reports_bad_configuration_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path), "PORT": "not-a-port"}
    done = subprocess.run([sys.executable, "run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["configuration error: PORT: must be a whole number, got 'not-a-port'"]
    assert "Traceback" not in done.stderr


def test_trusted_proxies_are_addresses_and_networks(tmp_path: Path) -> None:
    assert load_settings({"DATA_DIR": str(tmp_path)}).trusted_proxies == ()
    settings = load_settings({"DATA_DIR": str(tmp_path), "TRUSTED_PROXIES": " 10.0.0.5 , 172.16.0.0/12,::1"})
    assert settings.trusted_proxies == (ipaddress.ip_network("10.0.0.5/32"), ipaddress.ip_network("172.16.0.0/12"),
                                        ipaddress.ip_network("::1/128"))


def run_server(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "DATA_DIR": str(tmp_path), **env}
    return subprocess.run([sys.executable, "run.py"], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)


def problems(stderr: str) -> list[str]:
    """What run.py printed on stderr besides its JSON log lines."""
    return [line for line in stderr.strip().splitlines() if not line.startswith("{")]


def test_a_bad_forum_setting_stops_start_up_in_one_line(tmp_path: Path) -> None:
    done = run_server(tmp_path, FORUM_FLOOD_SECONDS="abc")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "configuration error: FORUM_FLOOD_SECONDS: must be a whole number of 0 or more, got 'abc'"]


def test_a_port_in_use_stops_start_up_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_server(tmp_path, HOST="127.0.0.1", PORT=str(port))
    assert done.returncode == 2
    assert problems(done.stderr) == [f"configuration error: PORT: 127.0.0.1:{port} is already in use"]
    assert "Traceback" not in done.stderr
