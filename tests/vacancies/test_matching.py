"""The match rule: the README's worked examples, and its properties."""

from __future__ import annotations

from hypothesis import given, strategies as st

from community.vacancies.matching import Held, match, score

X, Y, Z = "fun.x", "fun.y", "dom.z"
REQUIRED = [{"competency": X, "level": 3, "essential": True}, {"competency": Y, "level": 2, "essential": False}]


def test_example_1_verified_essential_and_declared_desirable() -> None:
    found = match({X: Held(verified=3, declared=3), Y: Held(declared=2)}, REQUIRED)
    assert found.score == 88
    assert [(row.outcome, row.basis) for row in found.rows] == [("meets", "verified"), ("meets", "declared")]
    assert found.essentials_met


def test_example_2_essential_short_by_a_level_and_desirable_missing() -> None:
    found = match({X: Held(verified=2, declared=2)}, REQUIRED)
    assert found.score == 50
    assert [(row.outcome, row.short_by) for row in found.rows] == [("short", 1), ("missing", 2)]
    assert not found.essentials_met


def test_example_3_a_declared_essential_meets_but_counts_half() -> None:
    found = match({X: Held(declared=4), Y: Held(verified=2)}, REQUIRED)
    assert found.score == 63
    assert (found.rows[0].outcome, found.rows[0].basis, found.rows[0].held) == ("meets", "declared", 4)
    assert found.essentials_met


def test_example_4_nothing_held_and_everything_verified() -> None:
    assert match({}, REQUIRED).score == 0
    assert match({X: Held(verified=5), Y: Held(verified=2)}, REQUIRED).score == 100


def test_example_5_four_of_five_with_one_essential_short_by_a_level() -> None:
    required = [{"competency": c, "level": 2, "essential": True} for c in ("a", "b", "c")] + [
        {"competency": c, "level": 2, "essential": False} for c in ("d", "e")]
    held = {"a": Held(verified=2), "b": Held(verified=2), "c": Held(verified=1), "d": Held(verified=2), "e": Held(verified=2)}
    found = match(held, required)
    assert found.met == 4 and [row.competency for row in found.essentials_short] == ["c"]
    assert found.score == 86


levels = st.integers(min_value=0, max_value=5)
held_levels = st.fixed_dictionaries({X: st.builds(Held, levels, levels), Y: st.builds(Held, levels, levels),
                                     Z: st.builds(Held, levels, levels)})
requirement = st.lists(st.tuples(st.sampled_from([X, Y, Z]), st.integers(1, 5), st.booleans()), min_size=1, max_size=3,
                       unique_by=lambda item: item[0])


@given(held_levels, requirement)
def test_the_score_is_between_0_and_100(held: dict[str, Held], required: list[tuple[str, int, bool]]) -> None:
    found = match(held, [{"competency": c, "level": level, "essential": e} for c, level, e in required])
    assert 0 <= found.score <= 100
    assert len(found.rows) == len(required)


@given(held_levels, requirement, st.sampled_from([X, Y, Z]), st.booleans())
def test_a_higher_level_never_lowers_the_score(held: dict[str, Held], required: list[tuple[str, int, bool]],
                                               raised: str, verified: bool) -> None:
    wanted = [{"competency": c, "level": level, "essential": e} for c, level, e in required]
    before = held[raised]
    after = Held(min(5, before.verified + 1), before.declared) if verified else Held(before.verified, min(5, before.declared + 1))
    assert match({**held, raised: after}, wanted).score >= match(held, wanted).score


@given(st.dictionaries(st.sampled_from([X, Y, Z]), st.builds(Held, levels, levels)), requirement)
def test_the_ranking_score_is_the_match_score(held: dict[str, Held], required: list[tuple[str, int, bool]]) -> None:
    """Lists rank thousands of vacancies by ``score`` and show a page of ``match``: one number."""
    wanted = [{"competency": c, "level": level, "essential": e} for c, level, e in required]
    assert score(held, wanted) == match(held, wanted).score
