"""Reading poll blocks from Markdown: what becomes a poll, and the message for each bad block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from community.forums.markdown import render
from community.polls.blocks import BlockError, parse

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def block(attrs: str = "", options: tuple[str, ...] = ("Idli", "Poha")) -> str:
    items = "".join(f"- {option}\n" for option in options)
    return f"[poll{' ' + attrs if attrs else ''}]\n{items}[/poll]\n"


def test_a_multiple_choice_block_with_every_setting() -> None:
    [spec] = parse("Lunch?\n\n" + block("name=lunch type=multiple min=1 max=2 results=on_vote public=true "
                                        "close=2026-12-31T18:00+05:30", ("Idli", "Poha", "Paratha")), NOW)
    assert (spec.name, spec.kind, spec.options, spec.min, spec.max) == ("lunch", "multiple", ("Idli", "Poha", "Paratha"), 1, 2)
    assert spec.results == "on_vote" and spec.public
    assert spec.close_at == datetime(2026, 12, 31, 18, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))


def test_defaults_are_a_single_choice_anonymous_poll_with_results_always() -> None:
    [spec] = parse(block(), NOW)
    assert (spec.name, spec.kind, spec.min, spec.max, spec.results, spec.public, spec.close_at) == (
        "poll", "single", 1, 1, "always", False, None)


def test_a_number_poll_takes_its_options_from_its_range() -> None:
    [spec] = parse("[poll type=number min=1 max=5]\n[/poll]\n", NOW)
    assert spec.options == ("1", "2", "3", "4", "5")


def test_several_named_polls_in_one_post() -> None:
    specs = parse(block("name=a") + "\nand\n\n" + block("name=b", ("Yes", "No")), NOW)
    assert [spec.name for spec in specs] == ["a", "b"]


@pytest.mark.parametrize(("source", "message"), [
    ("[poll]\n[/poll]\n", "needs options"),
    (block(options=("Only",)), "at least two"),
    (block(options=tuple(f"Option {n}" for n in range(100))), "at most 50"),
    (block(options=("Idli", "idli ")), "different"),
    (block("type=multiple min=3 max=2", ("a", "b", "c")), "min is above its max"),
    (block("type=multiple max=5", ("a", "b", "c")), "between 1 and"),
    (block("close=2026-11-30T10:00+05:30"), "has passed"),
    (block("close=2026-12-30T10:00"), "offset"),
    (block("close=9999-12-31T23:59-05:00"), "between the years"),  # past the end of Python's calendar in UTC
    (block("close=tomorrow"), "2026-12-31T18:00+05:30"),
    (block("type=ranked"), "single, multiple or number"),
    (block("results=sometimes"), "always, on_vote"),
    (block("colour=red"), "no setting called colour"),
    (block("name=a") + block("name=a"), "its own name"),
    ("[poll]\n- a\n- b\n", "must end with [/poll]"),
    ("[poll]\n- a\nplain words\n- b\n[/poll]\n", "list item"),
    ("[poll type=number min=1 max=100]\n[/poll]\n", "at most 50 numbers"),
    ("[poll type=number]\n- a\n- b\n[/poll]\n", "takes no list"),
])
def test_bad_blocks_are_refused_with_a_message_saying_what_to_change(source: str, message: str) -> None:
    with pytest.raises(BlockError, match=message.replace("[", r"\[").replace("+", r"\+")):
        parse(source, NOW)


def test_a_block_inside_a_quote_or_a_list_is_not_a_poll_and_renders_as_written() -> None:
    quoted = "> " + block().replace("\n", "\n> ").rstrip("> ")
    assert parse(quoted, NOW) == []
    html = render(quoted).html
    assert "<blockquote>" in html and "[poll]" in html and "poll-slot" not in html
    assert parse("- item\n\n  " + block().replace("\n", "\n  "), NOW) == []
    assert parse("    " + block().replace("\n", "\n    "), NOW) == []  # an indented code block


def test_the_forum_renderer_leaves_one_slot_per_poll_and_nothing_else_can_write_one() -> None:
    html = render("Before\n\n" + block("name=lunch") + "\nAfter").html
    assert '<div class="poll-slot" data-poll-name="lunch"></div>' in html
    assert "Idli" not in html
    forged = render('<div class="poll-slot" data-poll-name="x"></div>').html
    assert "<div" not in forged
