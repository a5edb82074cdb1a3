"""Structured logs: one JSON object a line, extra fields kept, secrets never written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from community.config import load_settings
from community.logs import JsonFormatter


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing through the real formatter into a buffer, as the server's stderr handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("community.test-logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_its_extra_fields(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("digests sent", extra={"count": 3, "org": "मंत्रालय"})
    logger.warning("two\nlines in one message")
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("unhandled error", extra={"incident": "abc123"})
    first, second, third = lines(stream)
    assert {key: first[key] for key in ("level", "logger", "message", "count", "org")} == {
        "level": "INFO", "logger": "community.test-logs", "message": "digests sent", "count": 3, "org": "मंत्रालय"}
    assert "time" in first and second["message"] == "two\nlines in one message"
    assert third["level"] == "ERROR" and third["incident"] == "abc123" and "ValueError: boom" in str(third["exception"])


def test_secret_fields_are_redacted(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("oops", extra={"password": "hunter2 hunter2", "api_token": "tok-123", "Authorization": "Bearer x",
                               "smtp_password": "mail-secret", "to": "asha@example.gov.in"})
    written = stream.getvalue()
    for secret in ("hunter2", "tok-123", "Bearer x", "mail-secret"):
        assert secret not in written
    entry = lines(stream)[0]
    assert entry["password"] == entry["api_token"] == "[redacted]" and entry["to"] == "asha@example.gov.in"


def test_the_start_up_line_holds_no_secret_setting(tmp_path: Path, captured: tuple[logging.Logger, io.StringIO]) -> None:
    """run.py logs the settings at start; every secret the environment can hold stays out of it."""
    secrets = ("k" * 40, "smtp-pass-42", "meili-key-42", "mongo-pass-42", "redis-pass-42")
    settings = load_settings({
        "DATA_DIR": str(tmp_path), "SECRET_KEY": secrets[0], "SMTP_HOST": "mail.internal", "SMTP_FROM": "no-reply@x.in",
        "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": secrets[1], "MEILISEARCH_URL": "http://search.internal:7700",
        "MEILISEARCH_KEY": secrets[2], "MONGODB_URI": f"mongodb://admin:{secrets[3]}@db.internal/?replicaSet=rs0",
        "REDIS_URL": f"redis://:{secrets[4]}@cache.internal:6379/0",
    })
    logger, stream = captured
    logger.info("starting", extra={"settings": repr(settings)})
    assert lines(stream)[0]["settings"].startswith("Settings(")
    for secret in secrets:
        assert secret not in stream.getvalue()
