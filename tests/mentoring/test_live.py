"""Mentoring's socket events: a request received, accepted, declined, withdrawn, or a mentorship
ended reaches the mentor's and the mentee's own rooms after the commit, so their /mentoring and
/mentoring/<id> pages update; a third person hears nothing, and a refused step sends nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from community import actions
from community.accounts.sessions import actor_for_user
from community.errors import Forbidden, NotFound
from community.mentoring import service
from community.mentoring.live import CHANGED
from community.mentoring.schemas import AnswerIn
from tests.factories import act, bearer_token, make_user, sign_in
from tests.mentoring.helpers import accepted, ask, mentor_with_offer
from tests.realtime.probe import SocketProbe, server_url

Probes = Callable[[], SocketProbe]


async def _sockets(client: TestClient, db: Any, probes: Probes, *people: dict[str, Any]) -> list[SocketProbe]:
    return [await probes().connect(server_url(client), token=await bearer_token(db, person)) for person in people]


async def _both_hear(sockets: list[SocketProbe], mentorship_id: Any, status: str) -> None:
    for probe in sockets:
        assert await probe.next(CHANGED) == {"mentorship_id": str(mentorship_id), "status": status}


async def test_the_two_hear_each_step_of_a_mentorship_and_a_third_person_nothing(client: TestClient, db: Any,
                                                                                 probes: Probes) -> None:
    mentor = await mentor_with_offer(client.app, db, cap=3)
    mentee, outsider = await make_user(db), await make_user(db)
    *pair, third = await _sockets(client, db, probes, mentor, mentee, outsider)

    mentorship_id = await ask(client.app, mentee, mentor)
    await _both_hear(pair, mentorship_id, "requested")
    await act(client.app, actor_for_user(mentor), service.accept, mentorship_id, AnswerIn(note="Yes"))
    await _both_hear(pair, mentorship_id, "accepted")
    await act(client.app, actor_for_user(mentee), service.end, mentorship_id)
    await _both_hear(pair, mentorship_id, "ended")

    declined = await ask(client.app, mentee, mentor)
    await _both_hear(pair, declined, "requested")
    await act(client.app, actor_for_user(mentor), service.decline, declined, AnswerIn(note="Not this month"))
    await _both_hear(pair, declined, "declined")
    withdrawn = await ask(client.app, mentee, mentor)
    await _both_hear(pair, withdrawn, "requested")
    await act(client.app, actor_for_user(mentee), service.withdraw, withdrawn)
    await _both_hear(pair, withdrawn, "withdrawn")

    await third.nothing(CHANGED)
    ack = await third.call("join", {"room": f"user:{mentor['_id']}"})
    assert ack["ok"] is False, "nobody joins another person's room"


async def test_a_refused_step_sends_nothing(client: TestClient, db: Any, probes: Probes,
                                            captured_effects: actions.Effects) -> None:
    mentor = await mentor_with_offer(client.app, db)
    mentee, outsider = await make_user(db), await make_user(db)
    mentorship_id = await accepted(client.app, mentee, mentor)
    sockets = await _sockets(client, db, probes, mentor, mentee)
    before = len(captured_effects.events)
    with pytest.raises(NotFound):
        await act(client.app, actor_for_user(outsider), service.end, mentorship_id)
    with pytest.raises(Forbidden):
        await act(client.app, actor_for_user(mentor), service.withdraw, mentorship_id)
    assert len(captured_effects.events) == before
    for probe in sockets:
        await probe.nothing(CHANGED)


async def test_the_pages_work_without_javascript_and_name_what_the_script_refreshes(client: TestClient,
                                                                                    db: Any) -> None:
    mentor = await mentor_with_offer(client.app, db)
    mentee = await make_user(db)
    mentorship_id = await ask(client.app, mentee, mentor)
    await sign_in(client, mentor)
    listing = await (await client.get("/mentoring")).text()
    assert '<div id="mentoring-live" data-mentoring-live="list">' in listing and "js/mentoring.js" in listing
    assert f"/mentoring/{mentorship_id}" in listing
    page = await (await client.get(f"/mentoring/{mentorship_id}")).text()
    assert f'<div id="mentoring-live" data-mentoring-live="{mentorship_id}">' in page
    assert f'action="/mentoring/{mentorship_id}/accept"' in page, "the answer is a form, JavaScript or not"
