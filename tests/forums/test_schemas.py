"""Every input field of the forums, tried with bad values: each is refused with a message for that field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from community.errors import Invalid
from community.forums import schemas
from community.forums.limits import ForumLimits, limits_from_env
from community.config import ConfigError, Settings
from community.validation import form_values, validate

GOOD_THREAD = {"title": "Single bid on GeM for laptops", "body": "What do you do when only one bid arrives?",
               "kind": "question", "tags": ["gem", "gfr-2017"],
               "competency_tags": ["fun.public-procurement-gfr.procurement-mgmt-through-gem"]}
GOOD_CATEGORY = {"name": "Public procurement", "slug": "public-procurement", "description": "Tenders and GeM",
                 "parent_id": "", "org_id": "", "moderator_ids": [], "competency_tags": [], "position": 3}

BAD: list[tuple[type[Any], dict[str, Any], str, Any]] = [
    (schemas.ThreadIn, GOOD_THREAD, "title", ""),
    (schemas.ThreadIn, GOOD_THREAD, "title", "short"),
    (schemas.ThreadIn, GOOD_THREAD, "title", "x" * 151),
    (schemas.ThreadIn, GOOD_THREAD, "title", "Line one\nline two"),
    (schemas.ThreadIn, GOOD_THREAD, "title", "Hidden \u202e reversal trick"),
    (schemas.ThreadIn, GOOD_THREAD, "title", 12345678),
    (schemas.ThreadIn, GOOD_THREAD, "body", ""),
    (schemas.ThreadIn, GOOD_THREAD, "body", "too short"),
    (schemas.ThreadIn, GOOD_THREAD, "body", "x" * 20_001),
    (schemas.ThreadIn, GOOD_THREAD, "body", "null byte \x00 inside the body"),
    (schemas.ThreadIn, GOOD_THREAD, "body", ["not", "text"]),
    (schemas.ThreadIn, GOOD_THREAD, "kind", "poll"),
    (schemas.ThreadIn, GOOD_THREAD, "kind", ""),
    (schemas.ThreadIn, GOOD_THREAD, "tags", ["a", "b", "c", "d", "e", "f"]),
    (schemas.ThreadIn, GOOD_THREAD, "tags", "gem, gfr-2017"),
    (schemas.ThreadIn, GOOD_THREAD, "tags", ["<script>"]),
    (schemas.ThreadIn, GOOD_THREAD, "tags", ["x" * 31]),
    (schemas.ThreadIn, GOOD_THREAD, "tags", 7),
    (schemas.ThreadIn, GOOD_THREAD, "competency_tags", ["public procurement"]),
    (schemas.ThreadIn, GOOD_THREAD, "competency_tags", ["xyz.not-a-kind"]),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "body", ""),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "body", "x"),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "body", "x" * 20_001),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "body", "bell \x07 character"),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "reply_to", "abc"),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "reply_to", "2"),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "reply_to", False),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "reply_to", 0),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "reply_to", -3),
    (schemas.ReplyIn, {"body": "Thanks, that helped."}, "reply_to", 10**12),
    (schemas.EditIn, {"body": "Edited text"}, "body", ""),
    (schemas.EditIn, {"body": "Edited text"}, "title", "tiny"),
    (schemas.EditIn, {"body": "Edited text"}, "reason", "r" * 201),
    (schemas.FlagIn, {"reason": "spam"}, "reason", "i-dislike-it"),
    (schemas.FlagIn, {"reason": "spam"}, "reason", ""),
    (schemas.FlagIn, {"reason": "other", "note": "why"}, "note", ""),
    (schemas.FlagIn, {"reason": "spam"}, "note", "n" * 501),
    (schemas.ReasonIn, {"reason": "Off topic"}, "reason", ""),
    (schemas.ReasonIn, {"reason": "Off topic"}, "reason", "no"),
    (schemas.ReasonIn, {"reason": "Off topic"}, "reason", "r" * 301),
    (schemas.MoveIn, {"reason": "Belongs elsewhere", "category_id": "0123456789abcdef01234567"}, "category_id", ""),
    (schemas.MoveIn, {"reason": "Belongs elsewhere", "category_id": "0123456789abcdef01234567"}, "category_id", "nope"),
    (schemas.SuspendIn, {"reason": "Repeated abuse", "days": 7}, "days", 0),
    (schemas.SuspendIn, {"reason": "Repeated abuse", "days": 7}, "days", 366),
    (schemas.SuspendIn, {"reason": "Repeated abuse", "days": 7}, "days", "a week"),
    (schemas.SuspendIn, {"reason": "Repeated abuse", "days": 7}, "days", "7"),
    (schemas.SuspendIn, {"reason": "Repeated abuse", "days": 7}, "days", True),
    (schemas.SuspendIn, {"reason": "Repeated abuse", "days": 7}, "reason", ""),
    (schemas.AcceptIn, {"number": 2}, "number", 1),
    (schemas.AcceptIn, {"number": 2}, "number", "two"),
    (schemas.ResolveFlagIn, {"outcome": "hide", "reason": "Abusive"}, "outcome", "ban"),
    (schemas.ResolveFlagIn, {"outcome": "hide", "reason": "Abusive"}, "reason", ""),
    (schemas.CategoryIn, GOOD_CATEGORY, "name", "x"),
    (schemas.CategoryIn, GOOD_CATEGORY, "name", "n" * 81),
    (schemas.CategoryIn, GOOD_CATEGORY, "slug", "Has Spaces"),
    (schemas.CategoryIn, GOOD_CATEGORY, "slug", "double--hyphen"),
    (schemas.CategoryIn, GOOD_CATEGORY, "slug", "-leading"),
    (schemas.CategoryIn, GOOD_CATEGORY, "description", "d" * 501),
    (schemas.CategoryIn, GOOD_CATEGORY, "parent_id", "not-an-id"),
    (schemas.CategoryIn, GOOD_CATEGORY, "org_id", "12345"),
    (schemas.CategoryIn, GOOD_CATEGORY, "moderator_ids", ["0123456789abcdef01234567", "nope"]),
    (schemas.CategoryIn, GOOD_CATEGORY, "moderator_ids", "0123456789abcdef01234567"),
    (schemas.CategoryIn, GOOD_CATEGORY, "competency_tags", ["Not A Tag"]),
    (schemas.CategoryIn, GOOD_CATEGORY, "position", -1),
    (schemas.CategoryIn, GOOD_CATEGORY, "position", "3"),
    (schemas.CategoryIn, GOOD_CATEGORY, "position", "first"),
    (schemas.ListQuery, {}, "sort", "hot"),
    (schemas.ListQuery, {}, "period", "year"),
    (schemas.ListQuery, {}, "tag", "<b>"),
]


@pytest.mark.parametrize(("model", "good", "field", "value"), BAD,
                         ids=[f"{m.__name__}.{f}={v!r}"[:60] for m, _, f, v in BAD])
def test_bad_value_is_refused_for_that_field(model: type[Any], good: dict[str, Any], field: str, value: Any) -> None:
    validate(model, good)
    with pytest.raises(Invalid) as raised:
        validate(model, {**good, field: value})
    assert any(name == field or name.startswith(field + ".") for name in raised.value.errors), raised.value.errors
    assert all(message for message in raised.value.errors.values())


def test_good_thread_is_normalised() -> None:
    form = validate(schemas.ThreadIn, {**GOOD_THREAD, "tags": ["GeM", "GeM", "ई-ऑफ़िस ", " gfr 2017"]})
    assert form.tags == ["gem", "ई-ऑफ़िस", "gfr-2017"]
    assert form.kind is schemas.Kind.QUESTION


def test_a_form_sends_comma_separated_text_and_numbers_as_text() -> None:
    thread = form_values(schemas.ThreadIn, {**GOOD_THREAD, "tags": "GeM, ई-ऑफ़िस ,  gfr 2017", "competency_tags": ""})
    assert validate(schemas.ThreadIn, thread).tags == ["gem", "ई-ऑफ़िस", "gfr-2017"]
    category = validate(schemas.CategoryIn, form_values(schemas.CategoryIn, {
        **GOOD_CATEGORY, "moderator_ids": "0123456789abcdef01234567", "competency_tags": "", "position": " 3 "}))
    assert (category.position, [str(i) for i in category.moderator_ids]) == (3, ["0123456789abcdef01234567"])
    assert validate(schemas.ReplyIn, form_values(schemas.ReplyIn, {"body": "Thanks, that helped.", "reply_to": ""})).reply_to is None
    with pytest.raises(Invalid) as raised:
        validate(schemas.ReplyIn, form_values(schemas.ReplyIn, {"body": "Thanks, that helped.", "reply_to": "first"}))
    assert list(raised.value.errors) == ["reply_to"]


def test_limits_come_from_the_environment_and_karma_points_from_the_settings(settings: Settings) -> None:
    assert limits_from_env(settings, {}) == ForumLimits()
    assert limits_from_env(settings, {"FORUM_FLOOD_SECONDS": "0", "FORUM_POSTS_PER_HOUR": "9"}).posts_per_hour == 9
    with pytest.raises(ConfigError, match="FORUM_FLOOD_SECONDS"):
        limits_from_env(settings, {"FORUM_FLOOD_SECONDS": "soon"})
    richer = replace(settings, accepted_answer_points=30, upvote_points=5, upvote_points_per_day=50)
    limits = limits_from_env(richer, {"FORUM_UPVOTE_POINTS": "1"})
    assert (limits.accepted_answer_points, limits.upvote_points, limits.upvote_points_per_day) == (30, 5, 50)
