"""Invitations to an invitation-only event: an edit keeps the people invited unless the host
removes someone by name, the API's change keeps them when it names nobody, whoever is removed
loses the event and their seat, and whoever is invited is told once the event is published."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions
from community.errors import Invalid
from community.events import service
from community.events.queries import EVENTS, RSVPS
from tests.conftest import post_form
from tests.events.conftest import as_actor, event_in, local
from tests.factories import act, bearer_token, make_user, sign_in

FORM = {"title": "Cabinet note drafting", "description": "", "start": local(timedelta(days=2)),
        "end": local(timedelta(days=2, hours=1)), "zone": "Asia/Kolkata", "capacity": "5", "audience": "invitation",
        "place": "link", "link": "https://meet.example.gov.in/notes", "language": "en", "cohosts": "",
        "rsvp_closes": ""}


async def _invited(db: Any, event_id: ObjectId) -> list[ObjectId]:
    return list((await db[EVENTS].find_one({"_id": event_id}))["invited_ids"])


async def _guests(db: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return (await make_user(db, name="Anita Rao", email="anita@example.gov.in"),
            await make_user(db, name="Vikram Singh", email="vikram@example.gov.in"))


async def _published_by_form(client: TestClient, db: Any) -> tuple[dict[str, Any], ObjectId]:
    host = await make_user(db, roles=("expert",))
    await sign_in(client, host)
    created = await post_form(client, "/events/new", {**FORM, "invite": "anita@example.gov.in, vikram@example.gov.in"},
                              from_page="/events/new", allow_redirects=False)
    assert created.status == 303, await created.text()
    event_id = ObjectId(created.headers["Location"].rsplit("/", 1)[1])
    await post_form(client, f"/events/{event_id}/publish", {}, from_page=f"/events/{event_id}")
    return host, event_id


async def test_the_edit_form_names_the_people_invited_and_saving_it_keeps_them(client: TestClient, db: Any) -> None:
    anita, vikram = await _guests(db)
    _host, event_id = await _published_by_form(client, db)
    edit = await (await client.get(f"/events/{event_id}/edit")).text()
    assert "Remove Anita Rao" in edit and "Remove Vikram Singh" in edit
    assert f'name="uninvite" value="{anita["_id"]}">' in edit, "each kept unless ticked"
    saved = await post_form(client, f"/events/{event_id}/edit", {**FORM, "title": "Cabinet note drafting clinic",
                                                                 "invite": ""},
                            from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert saved.status == 303, await saved.text()
    event = await db[EVENTS].find_one({"_id": event_id})
    assert event["title"] == "Cabinet note drafting clinic" and event["invited_ids"] == [anita["_id"], vikram["_id"]]


async def test_ticking_one_person_removes_only_them_and_they_lose_the_event(client: TestClient, db: Any) -> None:
    anita, vikram = await _guests(db)
    host, event_id = await _published_by_form(client, db)
    saved = await post_form(client, f"/events/{event_id}/edit", {**FORM, "invite": "", "uninvite": str(vikram["_id"])},
                            from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert saved.status == 303, await saved.text()
    assert await _invited(db, event_id) == [anita["_id"]]
    edit = await (await client.get(f"/events/{event_id}/edit")).text()
    assert "Remove Anita Rao" in edit and "Vikram Singh" not in edit
    for guest, status in ((anita, 200), (vikram, 404)):
        client.session.cookie_jar.clear()
        await sign_in(client, guest)
        assert (await client.get(f"/events/{event_id}")).status == status


async def test_a_refused_edit_shows_the_people_invited_again_with_the_ticks_as_sent(client: TestClient, db: Any) -> None:
    anita, vikram = await _guests(db)
    _host, event_id = await _published_by_form(client, db)
    refused = await post_form(client, f"/events/{event_id}/edit", {**FORM, "invite": "nobody@example.gov.in",
                                                                   "uninvite": str(vikram["_id"])},
                              from_page=f"/events/{event_id}/edit")
    text = await refused.text()
    assert refused.status == 422 and 'id="invite-error"' in text
    assert f'value="{vikram["_id"]}" checked' in text and f'value="{anita["_id"]}">' in text
    assert await _invited(db, event_id) == [anita["_id"], vikram["_id"]]


async def test_the_api_change_keeps_the_people_invited_unless_it_withdraws_one(client: TestClient, db: Any) -> None:
    anita, vikram = await _guests(db)
    host = await make_user(db, roles=("expert",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, host)}"}
    body: dict[str, Any] = {**{k: v for k, v in FORM.items() if k not in ("cohosts", "rsvp_closes")}, "capacity": 5}
    created = await client.post("/api/v1/events", json={**body, "invite": ["anita@example.gov.in", "vikram@example.gov.in"]},
                                headers=headers)
    assert created.status == 201, await created.text()
    event_id = (await created.json())["id"]
    changed = await client.put(f"/api/v1/events/{event_id}", json={**body, "title": "Renamed"}, headers=headers)
    assert changed.status == 200, await changed.text()
    assert (await changed.json())["invited_ids"] == [str(anita["_id"]), str(vikram["_id"])]
    withdrawn = await client.put(f"/api/v1/events/{event_id}", json={**body, "uninvite": [str(anita["_id"])]},
                                 headers=headers)
    assert (await withdrawn.json())["invited_ids"] == [str(vikram["_id"])]
    guest = {"Authorization": f"Bearer {await bearer_token(client, vikram)}"}
    await client.post(f"/api/v1/events/{event_id}/publish", headers=headers)
    seen = await client.get(f"/api/v1/events/{event_id}", headers=guest)
    assert seen.status == 200 and (await seen.json())["invited_ids"] is None, "only the hosts learn who is invited"
    bad = await client.put(f"/api/v1/events/{event_id}", json={**body, "uninvite": ["not-an-id-of-24-characters"]},
                           headers=headers)
    assert bad.status == 422 and bad.content_type == "application/problem+json"
    assert await _invited(db, ObjectId(event_id)) == [vikram["_id"]]


async def test_whoever_is_removed_gives_up_their_seat_to_the_first_waiting(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    guests = [await make_user(bare_db, email=f"guest{n}@example.gov.in") for n in range(3)]
    data = event_in(audience="invitation", capacity=1, invite=[guest["email"] for guest in guests])
    event_id = await act(bare_db, as_actor(host), service.create, data)
    await act(bare_db, as_actor(host), service.publish, event_id)
    for guest in guests[:2]:
        await act(bare_db, as_actor(guest), service.rsvp, event_id, "going")
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    kept = data.model_copy(update={"start": event["start_at"].replace(tzinfo=UTC),
                                   "end": event["end_at"].replace(tzinfo=UTC), "invite": []})
    with actions.capture() as captured:
        await act(bare_db, as_actor(host), service.update, event_id,
                  kept.model_copy(update={"uninvite": [str(guests[0]["_id"])]}))
    assert await _invited(bare_db, event_id) == [guests[1]["_id"], guests[2]["_id"]]
    assert await bare_db[RSVPS].find_one({"user_id": guests[0]["_id"]}) is None
    assert (await bare_db[RSVPS].find_one({"user_id": guests[1]["_id"]}))["status"] == "going"
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    assert (event["going"], event["waitlisted"]) == (1, 0)
    assert [(n["kind"], n["to"]["args"]["user_id"]) for n in captured.notifications] == [("event_promoted", guests[1]["_id"])]


async def test_the_invited_are_told_at_publishing_and_those_added_later_when_added(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    first, later = await make_user(bare_db, email="first@example.gov.in"), await make_user(bare_db, email="later@example.gov.in")
    data = event_in(audience="invitation", invite=["first@example.gov.in"])
    event_id = await act(bare_db, as_actor(host), service.create, data)
    with actions.capture() as captured:
        await act(bare_db, as_actor(host), service.publish, event_id)
    assert [(n["kind"], n["to"]["set"]) for n in captured.notifications] == [("event_invited", "event_invited")]
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    added = data.model_copy(update={"start": event["start_at"].replace(tzinfo=UTC),
                                   "end": event["end_at"].replace(tzinfo=UTC), "invite": ["later@example.gov.in"]})
    with actions.capture() as captured:
        await act(bare_db, as_actor(host), service.update, event_id, added)
    assert [(n["kind"], n["to"]["args"]["user_id"]) for n in captured.notifications] == [("event_invited", later["_id"])]
    assert await _invited(bare_db, event_id) == [first["_id"], later["_id"]]


async def test_a_new_event_withdraws_no_invitation(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    with pytest.raises(Invalid) as refused:
        await act(bare_db, as_actor(host), service.create, event_in(audience="invitation", uninvite=[str(ObjectId())]))
    assert "uninvite" in refused.value.errors
    assert await bare_db[EVENTS].count_documents({}) == 0


async def test_the_picker_invites_by_id_shows_its_choice_again_and_refuses_who_is_no_member(client: TestClient,
                                                                                             db: Any) -> None:
    anita, vikram = await _guests(db)
    gone = await make_user(db, name="Erased Person", deleted=True)
    _host, event_id = await _published_by_form(client, db)
    new = await (await client.get("/events/new")).text()
    assert 'id="invite-picker" hidden' in new and 'data-people-lookup="/api/v1/forums/mentions"' in new
    refused = await post_form(client, f"/events/{event_id}/edit", {**FORM, "invite": "", "uninvite": str(anita["_id"]),
                                                                   "invite_ids": str(gone["_id"])},
                              from_page=f"/events/{event_id}/edit")
    assert refused.status == 422 and "Choose the people to invite from the list." in await refused.text()
    third = await make_user(db, name="Kavita Menon")
    echoed = await post_form(client, f"/events/{event_id}/edit", {**FORM, "invite": "nobody@example.gov.in",
                                                                  "invite_ids": str(third["_id"])},
                             from_page=f"/events/{event_id}/edit")
    assert echoed.status == 422
    assert f'name="invite_ids" value="{third["_id"]}" checked> Invite Kavita Menon' in await echoed.text()
    saved = await post_form(client, f"/events/{event_id}/edit", {**FORM, "invite": "", "invite_ids": str(third["_id"])},
                            from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert saved.status == 303, await saved.text()
    assert await _invited(db, event_id) == [anita["_id"], vikram["_id"], third["_id"]]
