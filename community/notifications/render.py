"""Words for stored notifications, made when they are shown, in the language current then.

The page and the API render in the request's language; the socket push and the e-mail digest
in the reader's stored language (``in_language``). The actors' names are read when shown, so a
renamed or erased person appears as they are now. A notification that several occurrences were
folded into (``count``) reads as its kind's ``text_many`` when it has one ("5 new replies in
..."), naming the latest actors it remembers (``actors``, oldest first).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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


NAMED_ACTORS = 3
"""How many of the latest actors a folded notification names."""


def counted(row: Mapping[str, Any]) -> bool:
    """Whether the row's text says how many occurrences it stands for (no count badge needed)."""
    kind = KINDS.get(row["kind"])
    return kind is not None and kind.text_many is not None and int(row.get("count", 1)) > 1


def latest_names(row: Mapping[str, Any], names: Mapping[Any, str]) -> list[str]:
    """The names of the row's latest actors, newest first, each once, at most ``NAMED_ACTORS``."""
    shown: list[str] = []
    for actor_id in reversed(row.get("actors") or [row.get("actor_id")]):
        name = names.get(actor_id)
        if name and name not in shown:
            shown.append(name)
    return shown[:NAMED_ACTORS]


def text_of(row: Mapping[str, Any], names: Mapping[Any, str]) -> str:
    """The row's words; ``names`` maps actor ids to names (``actor_names``)."""
    kind = KINDS.get(row["kind"])
    if kind is None:  # a kind no feature registers any more: the row's own text, if it has one
        return str(row.get("text", ""))
    params = row.get("params") or {}
    if kind.text_many is not None and counted(row):
        return kind.text_many(params, int(row["count"]), latest_names(row, names))
    return kind.text(params, names.get(row.get("actor_id"), ""))


async def actor_names(db: Database, rows: Sequence[Mapping[str, Any]]) -> dict[Any, str]:
    return await people.names_by_id(db, (actor for row in rows for actor in (row.get("actor_id"), *row.get("actors", ()))))


async def with_text(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, each with its ``text`` in the current language and ``counted`` (see there)."""
    names = await actor_names(db, rows)
    for row in rows:
        row["text"] = text_of(row, names)
        row["counted"] = counted(row)
    return rows
