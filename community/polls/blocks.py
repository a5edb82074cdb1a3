"""Poll blocks in Markdown, as Discourse writes them::

    [poll name=lunch type=multiple min=1 max=2 results=on_vote public=true close=2026-12-31T18:00+05:30]
    - Idli
    - Poha
    - Paratha
    [/poll]

A block is recognised only at the top level of a text, on lines of its own. Inside a quote or a
list item it is not a poll: it renders as the words written (a quoted post's poll is a quotation
of it, not a second poll). :func:`plugin` teaches a markdown-it parser the block, and renders each
as an empty ``<div class="poll-slot" data-poll-name="...">``, which the page showing the text
fills with the poll as its viewer may see it. :func:`parse` reads the blocks of a text and refuses
a bad one with a message that says what to change.

Attributes: ``name`` (letters, digits, ``-`` and ``_``; default ``poll``), ``type`` (``single``,
``multiple`` or ``number``), ``min`` and ``max`` (how many choices for ``multiple``; the range
of a ``number`` rating), ``results`` (``always``, ``on_vote``, ``on_close``, ``staff_only``),
``public`` (``true`` lists voters per option) and ``close`` (a future ISO 8601 time with its
offset). A ``number`` poll takes no list: its options are the numbers from min to max.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from community.i18n import gettext as _
from community.validation import plausible_year

KINDS = ("single", "multiple", "number")
RESULTS = ("always", "on_vote", "on_close", "staff_only")
MIN_OPTIONS = 2
MAX_OPTIONS = 50
MAX_POLLS = 10
MAX_OPTION_LENGTH = 200
NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
OPEN = re.compile(r"^\[poll(?:\s+([^\]]*))?\]\s*$")
CLOSE = re.compile(r"^\[/poll\]\s*$")
ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
SLOT = re.compile(r'<div class="poll-slot" data-poll-name="([A-Za-z0-9_-]{1,40})"></div>')
"""A rendered block's placeholder, as it comes out of the sanitiser."""


class BlockError(ValueError):
    """A poll that cannot be made as asked; the message says why, in the reader's language, and
    ``field`` names the setting at fault (for a form, which shows the message next to it)."""

    def __init__(self, message: str, field: str = "options") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class PollSpec:
    """What one block asks for."""

    name: str
    kind: str
    options: tuple[str, ...]
    min: int
    max: int
    results: str
    public: bool
    close_at: datetime | None


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


def _poll_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.level != 0 or state.sCount[start] - state.blkIndent >= 4:
        return False
    opening = OPEN.match(_line(state, start))
    if opening is None:
        return False
    if silent:
        return True
    line, closed = start + 1, False
    while line < end:
        if CLOSE.match(_line(state, line)):
            closed = True
            break
        line += 1
    token = state.push("poll", "", 0)
    token.meta = {"attrs": opening.group(1) or "", "lines": [_line(state, n) for n in range(start + 1, line)],
                  "closed": closed, "source": "\n".join(_line(state, n) for n in range(start, min(line + 1, end)))}
    token.map = [start, line + 1]
    state.line = line + 1
    return True


def _render_slot(renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    try:
        name = _attributes(token.meta["attrs"]).get("name", "poll")
    except BlockError:
        name = ""
    if not token.meta["closed"] or not NAME.match(name):
        return f"<p>{html.escape(token.meta['source'])}</p>\n"
    return f'<div class="poll-slot" data-poll-name="{name}"></div>\n'


def plugin(md: MarkdownIt) -> None:
    """Recognise poll blocks in ``md`` and render each as its slot."""
    md.block.ruler.before("reference", "poll", _poll_rule, {"alt": ["paragraph"]})
    md.add_render_rule("poll", _render_slot)


_md = MarkdownIt("commonmark")
_md.enable(["table", "strikethrough"])
plugin(_md)


def _attributes(raw: str) -> dict[str, str]:
    try:
        words = shlex.split(raw)
    except ValueError:
        raise BlockError(_("A poll's settings have an unclosed quotation mark.")) from None
    found: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise BlockError(_("Write each poll setting as name=value (%(word)s is not).", word=word[:40]))
        if key not in ("name", "type", "min", "max", "results", "public", "close"):
            raise BlockError(_("A poll has no setting called %(key)s.", key=key[:40]))
        if key in found:
            raise BlockError(_("The poll setting %(key)s is given twice.", key=key))
        found[key] = value
    return found


def _number(attrs: dict[str, str], key: str) -> int | None:
    raw = attrs.get(key)
    if raw is None:
        return None
    if not re.fullmatch(r"-?\d{1,6}", raw):
        raise BlockError(_("The poll setting %(key)s must be a whole number.", key=key), key)
    return int(raw)


def _close_at(raw: str | None, now: datetime, kept: frozenset[datetime]) -> datetime | None:
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise BlockError(_("Write the closing time as 2026-12-31T18:00+05:30.")) from None
    if when.utcoffset() is None:
        raise BlockError(_("Give the closing time with its offset from UTC, such as +05:30."))
    try:
        plausible_year(when)
    except ValueError as error:
        raise BlockError(str(error)) from None
    if when <= now and when not in kept:
        raise BlockError(_("The closing time has passed: choose a time in the future."))
    return when


def _options(lines: list[str]) -> tuple[str, ...]:
    options: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        item = ITEM.match(text)
        if item is None or not item.group(1).strip():
            raise BlockError(_("Write each poll option as a list item, starting with “- ”."))
        options.append(item.group(1))
    return tuple(options)


def _spec(meta: dict[str, Any], now: datetime, kept: frozenset[datetime]) -> PollSpec:
    if not meta["closed"]:
        raise BlockError(_("A poll that starts with [poll] must end with [/poll] on a line of its own."))
    attrs = _attributes(meta["attrs"])
    public = attrs.get("public", "false")
    if public not in ("true", "false"):
        raise BlockError(_("A poll's public setting is true or false."), "public")
    close_at = _close_at(attrs.get("close"), now, kept)
    options = _options(meta["lines"])
    kind = attrs.get("type", "single")
    if kind == "number" and options:
        raise BlockError(_("A number poll takes no list: its options are the numbers from min to max."))
    if kind in ("single", "multiple") and not options:
        raise BlockError(_("A poll needs options: write them as a list between [poll] and [/poll]."))
    return build(name=attrs.get("name", "poll"), kind=kind, options=options, low=_number(attrs, "min"),
                 high=_number(attrs, "max"), results=attrs.get("results", "always"), public=public == "true",
                 close_at=close_at)


def build(*, name: str, kind: str, options: Sequence[str], low: int | None, high: int | None, results: str,
          public: bool, close_at: datetime | None = None) -> PollSpec:
    """A poll as asked, checked: from a block in a text (:func:`parse`) or from a form (a live
    room's host); :class:`BlockError` naming the field at fault. ``options`` are the options'
    texts (blank ones are skipped, inner spaces folded); a ``number`` poll takes none, and its
    ``low`` and ``high`` (default 1 and 10) are its range."""
    if not NAME.match(name):
        raise BlockError(_("A poll's name may hold only letters, digits, - and _ (at most 40)."), "name")
    if kind not in KINDS:
        raise BlockError(_("A poll's type is single, multiple or number."), "kind")
    if results not in RESULTS:
        raise BlockError(_("A poll's results setting is always, on_vote, on_close or staff_only."), "results")
    texts = tuple(" ".join(option.split()) for option in options if option.strip())
    if any(len(text) > MAX_OPTION_LENGTH for text in texts):
        raise BlockError(_("Keep each poll option under %(n)s characters.", n=MAX_OPTION_LENGTH))
    if kind == "number":
        if texts:
            raise BlockError(_("A rating poll takes no options: it runs from its min to its max."))
        low, high = 1 if low is None else low, 10 if high is None else high
        if low > high:
            raise BlockError(_("The poll's min is above its max."), "min")
        if low < 0 or high - low + 1 > MAX_OPTIONS:
            raise BlockError(_("A number poll runs from 0 upwards over at most %(n)s numbers.", n=MAX_OPTIONS), "max")
        if high - low + 1 < MIN_OPTIONS:
            raise BlockError(_("A poll needs at least two options."), "max")
        return PollSpec(name, kind, tuple(str(value) for value in range(low, high + 1)), low, high, results, public,
                        close_at)
    if len(texts) < MIN_OPTIONS:
        raise BlockError(_("A poll needs at least two options."))
    if len(texts) > MAX_OPTIONS:
        raise BlockError(_("A poll may have at most %(n)s options.", n=MAX_OPTIONS))
    folded = [text.casefold() for text in texts]
    if len(set(folded)) != len(folded):
        raise BlockError(_("Each poll option must be different from the others."))
    if kind == "single":
        if low is not None or high is not None:
            raise BlockError(_("min and max are for multiple-choice and number polls."), "min")
        return PollSpec(name, kind, texts, 1, 1, results, public, close_at)
    low, high = 1 if low is None else low, len(texts) if high is None else high
    if low > high:
        raise BlockError(_("The poll's min is above its max."), "min")
    if low < 1 or high > len(texts):
        raise BlockError(_("A multiple-choice poll's min and max lie between 1 and its number of options."), "max")
    return PollSpec(name, kind, texts, low, high, results, public, close_at)


def parse(source: str, now: datetime, kept: frozenset[datetime] = frozenset()) -> list[PollSpec]:
    """The polls a text holds, in order; :class:`BlockError` for the first bad one. A closing
    time must lie in the future unless it is one of ``kept`` (an edited text's polls keep the
    times they had, so a poll that has closed does not stop its post being edited)."""
    specs: list[PollSpec] = []
    if "[poll" not in source:  # every block opens with it (OPEN): most texts hold none and need no parse
        return specs
    for token in _md.parse(source):
        if token.type == "poll":
            specs.append(_spec(token.meta, now, kept))
    if len(specs) > MAX_POLLS:
        raise BlockError(_("A post may hold at most %(n)s polls.", n=MAX_POLLS))
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise BlockError(_("Give each poll in a post its own name (name=...)."))
    return specs
