"""Mentoring's notifications: a request (to the mentor), its answer, a session scheduled, the
mentorship ended and feedback given (to the other person). Each holds the mentorship's id and the
competency's name; the words are rendered when shown, in the reader's language, with the
actor's current name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId

from community import policy
from community.competencies.names import name_in
from community.i18n import gettext as _, lazy_gettext
from community.mentoring import queries
from community.notifications import kinds
from community.notifications.intents import subject_type
from community.storage.api import Database

SUBJECT = "mentorship"


def _someone(name: str) -> str:
    return name or _("A member")


def _url(params: Mapping[str, Any]) -> str:
    return f"/mentoring/{params['mentorship_id']}"


def params_of(mentorship: Mapping[str, Any]) -> dict[str, Any]:
    return {"mentorship_id": str(mentorship["_id"]), "competency_id": mentorship["competency_id"],
            "competency": mentorship["competency"]}


def _competency(params: Mapping[str, Any]) -> str:
    """The competency in the reader's language (notifications stored before the id was kept show the stored name)."""
    return name_in(params.get("competency_id", ""), params["competency"])


kinds.register("mentoring_request", label=lazy_gettext("Mentoring requests"), url=_url,
               text=lambda p, actor: _("%(person)s asked you for mentoring in %(competency)s.",
                                       person=_someone(actor), competency=_competency(p)))
kinds.register("mentoring_answer", label=lazy_gettext("Answers to your mentoring requests"), url=_url,
               text=lambda p, actor: (_("%(person)s accepted your request for mentoring in %(competency)s.",
                                        person=_someone(actor), competency=_competency(p)) if p.get("accepted") else
                                      _("%(person)s declined your request for mentoring in %(competency)s.",
                                        person=_someone(actor), competency=_competency(p))))
kinds.register("mentoring_session", label=lazy_gettext("Mentoring sessions scheduled"), url=_url,
               text=lambda p, actor: _("%(person)s scheduled a mentoring session in %(competency)s.",
                                       person=_someone(actor), competency=_competency(p)))
kinds.register("mentoring_ended", label=lazy_gettext("Mentorships ended and feedback"), url=_url,
               text=lambda p, actor: (_("%(person)s gave feedback on your mentorship in %(competency)s.",
                                        person=_someone(actor), competency=_competency(p)) if p.get("feedback") else
                                      _("%(person)s ended your mentorship in %(competency)s: say how it went.",
                                        person=_someone(actor), competency=_competency(p))))


@subject_type(SUBJECT)
async def _the_two(db: Database, mentorship_id: ObjectId, people: Sequence[ObjectId]) -> Sequence[ObjectId]:
    """Only the mentor and the mentee of a mentorship still stored are told of it."""
    found = await queries.mentorship(db, mentorship_id)
    if found is None:
        return []
    return [person for person in people if policy.takes_part_in_mentorship(policy.Actor(user_id=person), found)]
