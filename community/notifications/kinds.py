"""The kinds of notification, registered by the features that send them, and how each is shown.

A feature registers each kind it sends (``register``) with the label of its preference and a
renderer: the renderer turns the stored ``{kind, params}`` into words when the notification is
shown (page, API, socket, e-mail), in the language current at that moment, so every reader
gets their own language and a renamed person's new name. Only registered kinds are offered on
the preferences page, and notifying with an unregistered kind is refused at once.

Deliveries: ``in_app``: listed and pushed live. ``email_digest``: that, and also in the daily
e-mail. ``off``: not recorded at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Delivery(StrEnum):
    IN_APP = "in_app"
    EMAIL_DIGEST = "email_digest"
    OFF = "off"


DEFAULT_DELIVERY = Delivery.IN_APP

KIND_PATTERN = re.compile(r"^[a-z][a-z_]{0,39}$")

Render = Callable[[Mapping[str, Any], str], str]
"""``(params, actor_name) -> text`` in the current language (``community.i18n.gettext``)."""
RenderMany = Callable[[Mapping[str, Any], int, Sequence[str]], str]
"""``(params, count, latest actors' names) -> text`` for a notification that stands for ``count``
occurrences about one subject (five replies in one thread), the names newest first, no repeats."""
Link = Callable[[Mapping[str, Any]], str]
"""``params -> site-relative URL``."""


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    label: Any
    """The preference's label, a ``lazy_gettext`` string."""
    text: Render
    url: Link
    text_many: RenderMany | None = None
    """How it reads once several occurrences are folded into it; ``text`` (with a count badge
    beside it) when None."""


KINDS: dict[str, Kind] = {}
"""Registered kinds, in the order the preferences page shows them."""


def register(name: str, *, label: Any, text: Render, url: Link, text_many: RenderMany | None = None) -> Kind:
    if not KIND_PATTERN.match(name):
        raise ValueError(f"notification kind must be a short snake_case word, got {name!r}")
    if name in KINDS:
        raise ValueError(f"notification kind {name!r} is registered twice")
    KINDS[name] = kind = Kind(name, label, text, url, text_many)
    return kind


def kind(name: str) -> Kind:
    found = KINDS.get(name)
    if found is None:
        raise ValueError(f"unknown notification kind {name!r}: register it with community.notifications.kinds.register")
    return found
