"""The rule that turns endorsements and results into a verified level, written once.

An endorsement of a competency at level L counts for a level k (k <= L) only if the endorser
holds that competency verified at level k or higher by an assessment or course result, or is an
expert in it (has the expert role and lists the competency on their profile). A level is
verified when at least ``EndorsementRule.endorsements`` counting endorsements support it, or at
least ``EndorsementRule.expert_endorsements`` counting endorsements from experts do. The verified
level is the highest such level, or the highest assessment or course result if that is higher.

A session's host who confirms its attendance as evidence vouches for everyone who attended as an
endorsement of theirs at the level they state, and counts by the same rule.

An endorser's own verified level is taken from results only, never from endorsements they
received: the rule never goes round in circles, and one endorsement cannot raise a chain of
people. Nobody may endorse above their own level (:func:`own_level`): an expert's is the level
they declare (or a higher result), anyone else's the level a result verified. Withdrawing an
endorsement needs no step of its own: the level is worked out from what is stored each time it
is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web
from bson import ObjectId

from community.config import Settings
from community.i18n import gettext as _, ngettext

RESULT_SOURCES = ("assessment", "course")
ENDORSING_SOURCES = ("endorsement", "event")
"""Evidence that vouches as a person does: an endorsement, or a session's attendance that its host
confirmed at a level (``community.events.after``); the host is then the endorser."""


@dataclass(frozen=True, slots=True)
class EndorsementRule:
    endorsements: int = 2
    """Counting endorsements that verify a level..."""
    expert_endorsements: int = 1
    """...or counting endorsements from experts in the competency that do."""


def rule_from(settings: Settings) -> EndorsementRule:
    return EndorsementRule(settings.endorsements_to_verify, settings.expert_endorsements_to_verify)


RULE: web.AppKey[EndorsementRule] = web.AppKey("endorsement_rule", EndorsementRule)


@dataclass(frozen=True, slots=True)
class Standing:
    """What an endorser holds of one competency."""

    result_level: int | None
    """The highest assessment or course result."""
    expert_level: int | None
    """The level they declare, if they are an expert who lists the competency; else ``None``."""

    @property
    def expert(self) -> bool:
        return self.expert_level is not None

    @property
    def own(self) -> int | None:
        return max((level for level in (self.result_level, self.expert_level) if level is not None), default=None)


NOBODY = Standing(None, None)


@dataclass(frozen=True, slots=True)
class Verdict:
    level: int | None
    basis: Literal["result", "endorsements", "experts"] | None
    source: str | None = None
    """For a result: ``assessment`` or ``course``."""
    count: int = 0
    """For endorsements: how many counting endorsements support the level."""
    at_least: int | None = None
    """For endorsements: the lowest own level among those endorsers."""


def counts_for(level: int, endorsed: int, standing: Standing) -> bool:
    """Whether an endorsement at ``endorsed`` by someone of ``standing`` counts for ``level``."""
    return endorsed >= level and (standing.expert or (standing.result_level or 0) >= level)


def verify(evidence: Sequence[Mapping[str, Any]], standings: Mapping[ObjectId, Standing], rule: EndorsementRule) -> Verdict:
    """The verified level of one competency from its evidence (``queries.verified_levels``) and
    each endorser's standing in that competency."""
    results = [proof for proof in evidence if proof["source"] in RESULT_SOURCES]
    best_result = max(results, key=lambda proof: proof["level"], default=None)
    endorsed = [(proof["level"], standings.get(proof["endorser_id"], NOBODY))
                for proof in evidence if proof["source"] in ENDORSING_SOURCES]
    for level in range(5, 0, -1):
        if best_result is not None and best_result["level"] >= level:
            return Verdict(best_result["level"], "result", source=best_result["source"])
        backing = [standing for given, standing in endorsed if counts_for(level, given, standing)]
        experts = [standing for standing in backing if standing.expert]
        if len(experts) >= rule.expert_endorsements and len(backing) < rule.endorsements:
            return Verdict(level, "experts", count=len(experts), at_least=min(s.own or level for s in experts))
        if len(backing) >= rule.endorsements:
            return Verdict(level, "endorsements", count=len(backing), at_least=min(s.own or level for s in backing))
    return Verdict(None, None)


def own_level(standing: Standing) -> int | None:
    """The highest level someone may endorse in a competency."""
    return standing.own


def standing_of(user: Mapping[str, Any], profile: Mapping[str, Any], results: Iterable[Mapping[str, Any]],
                competency_id: str) -> Standing:
    """A person's standing in a competency from their account (roles), profile and stored results."""
    levels = [row["level"] for row in results if row["competency_id"] == competency_id and row["source"] in RESULT_SOURCES]
    declared = next((row["level"] for row in profile.get("competencies", []) if row["competency_id"] == competency_id), None)
    expert = "expert" in user.get("roles", []) and not user.get("deleted")
    return Standing(max(levels, default=None), declared if expert else None)


def explain(verdict: Verdict) -> str:
    """The verdict in words, in the current language, as every profile shows it."""
    if verdict.level is None:
        return _("Not verified yet.")
    if verdict.basis == "result":
        return (_("Verified at level %(level)s by an assessment result.", level=verdict.level)
                if verdict.source == "assessment" else
                _("Verified at level %(level)s by a course result.", level=verdict.level))
    if verdict.basis == "experts":
        return ngettext("Verified at level %(level)s: endorsed by %(num)s expert in this competency.",
                        "Verified at level %(level)s: endorsed by %(num)s experts in this competency.",
                        verdict.count, level=verdict.level)
    return ngettext("Verified at level %(level)s: endorsed by %(num)s member holding it at level %(at_least)s or above.",
                    "Verified at level %(level)s: endorsed by %(num)s members holding it at level %(at_least)s or above.",
                    verdict.count, level=verdict.level, at_least=verdict.at_least)


def describe(rule: EndorsementRule) -> str:
    """The rule itself in words, shown beside every profile's competencies."""
    return _("A level is verified by an assessment or course result, or by %(n)s endorsements from members who "
             "hold the competency verified at that level or above (or %(experts)s from experts in it).",
             n=rule.endorsements, experts=rule.expert_endorsements)
