"""The kinds of notification a person can tune, and what each preference means.

``in_app``: listed and pushed live. ``email_digest``: that, and also in the daily e-mail.
``off``: not recorded at all. A kind not listed here (a feature added later) is in-app.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from community.i18n import lazy_gettext


class Delivery(StrEnum):
    IN_APP = "in_app"
    EMAIL_DIGEST = "email_digest"
    OFF = "off"


DEFAULT_DELIVERY = Delivery.IN_APP

KINDS: dict[str, Any] = {
    "reply": lazy_gettext("Replies to your posts and threads you follow"),
    "mention": lazy_gettext("Mentions of you"),
    "accepted_answer": lazy_gettext("Your answer was accepted"),
    "new_thread": lazy_gettext("New threads in categories you follow"),
    "event_reminder": lazy_gettext("Reminders of live events you registered for"),
    "event_update": lazy_gettext("Changes to live events you registered for"),
    "connection": lazy_gettext("Connection requests and acceptances"),
    "mentoring": lazy_gettext("Mentoring requests and answers"),
    "endorsement": lazy_gettext("Endorsements of your competencies"),
    "vacancy": lazy_gettext("Vacancies that match your competencies"),
    "application": lazy_gettext("Updates on your applications"),
    "moderation": lazy_gettext("Moderation decisions about your posts"),
    "membership": lazy_gettext("Requests to join your organisation, and answers to yours"),
}
"""Labels shown on the preferences page, in the order shown."""

KIND_PATTERN = re.compile(r"^[a-z][a-z_]{0,39}$")
