"""The match of a person and a vacancy: one function for both sides, written once.

For each competency the vacancy requires at level ``r`` (1-5), the person's *credit* is the
larger of the verified level and ``DECLARED_FACTOR`` times the self-declared level, each capped at
``r``, divided by ``r``: a verified level counts fully, a declared one at half its worth, and
going beyond the required level earns nothing more. The score is the weighted mean of the
credits, ``ESSENTIAL_WEIGHT`` for an essential competency and ``DESIRABLE_WEIGHT`` for a
desirable one, as a whole number from 0 to 100 (halves round up). Every competency gets one row
saying whether it meets the level (on a verified or a declared level), falls short by some levels
or is missing; ``essentials_met`` says whether every essential one meets its level on either.
The README works through examples; ``tests/vacancies/test_matching.py`` asserts them.

Eligibility (mode, state, pay level) is a filter of the lists, never part of the score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

DECLARED_FACTOR = 0.5
ESSENTIAL_WEIGHT = 3
DESIRABLE_WEIGHT = 1

Outcome = Literal["meets", "short", "missing"]
Basis = Literal["verified", "declared"]


@dataclass(frozen=True, slots=True)
class Held:
    """What a person holds of one competency: the verified level (0 when none) and the level they declare."""

    verified: int = 0
    declared: int = 0


@dataclass(frozen=True, slots=True)
class Row:
    competency: str
    required: int
    essential: bool
    outcome: Outcome
    basis: Basis | None
    """On what the level that met, or came closest, rests; ``None`` when missing."""
    held: int
    """The best level held on any basis (0 when missing)."""
    short_by: int
    credit: float


@dataclass(frozen=True, slots=True)
class Match:
    score: int
    rows: tuple[Row, ...]
    essentials_met: bool

    @property
    def met(self) -> int:
        return sum(row.outcome == "meets" for row in self.rows)

    @property
    def essentials_short(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.essential and row.outcome != "meets")


def _credit(held: Held, required: int) -> float:
    return max(min(held.verified, required), DECLARED_FACTOR * min(held.declared, required)) / required


def _score(earned: float, total: int) -> int:
    return min(100, math.floor(100 * earned / total + 0.5 + 1e-9)) if total else 0


def _row(competency: str, required: int, essential: bool, held: Held) -> Row:
    credit = _credit(held, required)
    if held.verified >= required:
        return Row(competency, required, essential, "meets", "verified", held.verified, 0, credit)
    if held.declared >= required:
        return Row(competency, required, essential, "meets", "declared", held.declared, 0, credit)
    best = max(held.verified, held.declared)
    if best == 0:
        return Row(competency, required, essential, "missing", None, 0, required, credit)
    basis: Basis = "verified" if held.verified >= held.declared else "declared"
    return Row(competency, required, essential, "short", basis, best, required - best, credit)


def match(held: Mapping[str, Held], required: Sequence[Mapping[str, Any]]) -> Match:
    """The match of a person holding ``held`` (competency id to :class:`Held`) against a vacancy's
    ``required`` competencies (``{competency, level, essential}``, at least one)."""
    rows = tuple(_row(item["competency"], item["level"], bool(item["essential"]), held.get(item["competency"], Held()))
                 for item in required)
    weights = [ESSENTIAL_WEIGHT if row.essential else DESIRABLE_WEIGHT for row in rows]
    earned = sum(weight * row.credit for weight, row in zip(weights, rows))
    return Match(_score(earned, sum(weights)), rows, all(row.outcome == "meets" for row in rows if row.essential))


def score(held: Mapping[str, Held], required: Sequence[Mapping[str, Any]]) -> int:
    """``match(held, required).score`` without the rows, for ranking thousands of vacancies of
    which a page is shown: the same credits and weights, none of the objects."""
    earned = 0.0
    total = 0
    for item in required:
        weight = ESSENTIAL_WEIGHT if item["essential"] else DESIRABLE_WEIGHT
        total += weight
        found = held.get(item["competency"])
        if found is not None:
            earned += weight * _credit(found, item["level"])
    return _score(earned, total)
