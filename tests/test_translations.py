"""Every interface string has a Hindi translation, and the catalogue matches the code."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}


def used_messages() -> set[str]:
    found: set[str] = set()
    for folder, method in (("community", "python"), ("search", "python"), ("templates", "jinja2")):
        options = {"**.html": {"extensions": "jinja2.ext.i18n"}} if method == "jinja2" else None
        pattern = "**.html" if method == "jinja2" else "**.py"
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[(pattern, method)], options_map=options, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def hindi_catalogue() -> dict[str, object]:
    with (ROOT / "community/locale/hi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="hi")
    return {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id and not m.fuzzy}


def test_every_string_in_the_code_has_a_hindi_translation() -> None:
    catalogue = hindi_catalogue()
    missing = sorted(
        message for message in used_messages()
        if not catalogue.get(message) or (isinstance(catalogue[message], tuple) and not all(catalogue[message]))
    )
    assert not missing, f"{len(missing)} strings lack a Hindi translation, e.g. {missing[:10]}"


def test_translations_keep_their_placeholders() -> None:
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    for message, translated in hindi_catalogue().items():
        texts = translated if isinstance(translated, tuple) else (translated,)
        for text in texts:
            if text:
                assert set(placeholder.findall(text)) == set(placeholder.findall(message)), message
