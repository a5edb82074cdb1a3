"""Competency names and themes in the reader's language.

The dictionary is written in English; ``data/names.<locale>.json`` holds, per competency id, the
name of each shipped competency in another language (Hindi: ``names.hi.json``). A translation is
used only while the stored English name is still the one shipped in ``data/frac.json``: once an
administrator renames a competency, its shipped translation no longer says the same thing and
the stored name is shown instead, until the file is brought up to date. Themes have no ids:
``data/themes.<locale>.json`` is keyed by the shipped English theme, so a renamed theme, like a
new one, is shown as stored.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from community.competencies.dictionary import DEFAULT_PATH, load_dictionary
from community.i18n import current_locale

DATA = Path(__file__).parent / "data"


# Cached per process: the files are the package's own, the same for every app.
@cache
def _shipped() -> dict[str, str]:
    return {competency.id: competency.name for competency in load_dictionary(DEFAULT_PATH).competencies}


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    found: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return found


@cache
def translations(locale: str) -> dict[str, str]:
    """Competency id -> name in ``locale``, as shipped; empty for English and for a language without a file."""
    return _read(DATA / f"names.{locale}.json")


@cache
def theme_translations(locale: str) -> dict[str, str]:
    """Shipped English theme -> the theme in ``locale``; empty for English and for a language without a file."""
    return _read(DATA / f"themes.{locale}.json")


def theme_in(theme: str, locale: str | None = None) -> str:
    """A competency theme in ``locale`` (the reader's language when not given)."""
    return theme_translations(locale or current_locale.get()).get(theme, theme)


def name_in(competency_id: str, name: str, locale: str | None = None) -> str:
    """The name of competency ``competency_id``, stored in English as ``name``, in ``locale`` (the
    reader's language when not given)."""
    translated = translations(locale or current_locale.get()).get(competency_id)
    return translated if translated and _shipped().get(competency_id) == name else name


def localized(row: dict[str, Any]) -> dict[str, Any]:
    """A stored competency (``_id``, ``name``, ``theme``, ...) with its name and theme in the
    reader's language, and the stored English name as ``name_en`` when it differs, so a filter can
    match either."""
    name, theme = name_in(row["_id"], row.get("name", "")), theme_in(row.get("theme", ""))
    shown = {**row, "name": name, "name_en": row.get("name", "")} if name != row.get("name") else row
    return {**shown, "theme": theme} if "theme" in row and theme != row["theme"] else shown
