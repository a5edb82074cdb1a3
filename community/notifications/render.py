"""Words for stored notifications, made when they are shown, in the language current then.

The page and the API render in the request's language; the socket push and the e-mail digest
in the reader's stored language (``in_language``). The actor's name is read when shown, so a
renamed or erased person appears as they are now.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from community.accounts import people
from community.i18n import LOCALES, current_locale
from community.notifications.kinds import KINDS
from community.storage.api import Database


@contextmanager
def in_language(locale: str | None) -> Iterator[None]:
    """Render in ``locale`` (a known one; anything else: the default) inside the block."""
    token = current_locale.set(locale if locale in LOCALES else "en")
    try:
        yield
    finally:
        current_locale.reset(token)


def text_of(row: dict[str, Any], actor_name: str) -> str:
    kind = KINDS.get(row["kind"])
    if kind is None:  # a kind no feature registers any more: the row's own text, if it has one
        return str(row.get("text", ""))
    return kind.text(row.get("params") or {}, actor_name)


async def actor_names(db: Database, rows: Sequence[dict[str, Any]]) -> dict[Any, str]:
    return await people.names_by_id(db, (row.get("actor_id") for row in rows))


async def with_text(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, each with its ``text`` in the current language."""
    names = await actor_names(db, rows)
    for row in rows:
        row["text"] = text_of(row, names.get(row.get("actor_id"), ""))
    return rows
