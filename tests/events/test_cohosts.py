"""An event's co-hosts: an edit keeps them unless a host removes one by name, the API's change
keeps them when it names nobody, whoever is removed loses the host's rights at once, nobody
removes the host, and whoever is made a co-host is told."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from bson import ObjectId

from community import actions
from community.errors import Invalid
from community.events import service
from community.events.queries import EVENTS
from community.events.schemas import COHOSTS_MAX
from tests.conftest import post_form
from tests.events.conftest import as_actor, event_in, local
from tests.factories import act, bearer_token, make_user, sign_in

FORM = {"title": "Budget basics", "description": "", "start": local(timedelta(days=2)),
        "end": local(timedelta(days=2, hours=1)), "zone": "Asia/Kolkata", "capacity": "5", "audience": "everyone",
        "place": "link", "link": "https://meet.example.gov.in/budget", "language": "en", "invite": "",
        "cohosts": "", "rsvp_closes": ""}


async def _cohost_ids(db: Any, event_id: ObjectId) -> list[ObjectId]:
    return list((await db[EVENTS].find_one({"_id": event_id}))["cohost_ids"])


async def _cohosts(db: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return (await make_user(db, name="Anita Rao", email="anita@example.gov.in"),
            await make_user(db, name="Vikram Singh", email="vikram@example.gov.in"))


async def _published_by_form(client: TestClient, db: Any) -> tuple[dict[str, Any], ObjectId]:
    host = await make_user(db, name="Meera Host", roles=("expert",))
    await sign_in(client, host)
    created = await post_form(client, "/events/new", {**FORM, "cohosts": "anita@example.gov.in, vikram@example.gov.in"},
                              from_page="/events/new", allow_redirects=False)
    assert created.status == 303, await created.text()
    event_id = ObjectId(created.headers["Location"].rsplit("/", 1)[1])
    await post_form(client, f"/events/{event_id}/publish", {}, from_page=f"/events/{event_id}")
    return host, event_id


async def _as(client: TestClient, user: dict[str, Any]) -> None:
    client.session.cookie_jar.clear()
    await sign_in(client, user)


async def test_the_edit_form_names_the_cohosts_and_saving_it_keeps_them(client: TestClient, db: Any) -> None:
    anita, vikram = await _cohosts(db)
    _host, event_id = await _published_by_form(client, db)
    edit = await (await client.get(f"/events/{event_id}/edit")).text()
    assert "Remove Anita Rao" in edit and "Remove Vikram Singh" in edit and "Remove Meera Host" not in edit
    assert f'name="remove_cohost_ids" value="{anita["_id"]}">' in edit, "each kept unless ticked"
    assert "anita@example.gov.in" not in edit, "the form names co-hosts, not their addresses"
    saved = await post_form(client, f"/events/{event_id}/edit", {**FORM, "title": "Budget basics, revised"},
                            from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert saved.status == 303, await saved.text()
    event = await db[EVENTS].find_one({"_id": event_id})
    assert event["title"] == "Budget basics, revised" and event["cohost_ids"] == [anita["_id"], vikram["_id"]]


async def test_a_cohost_saving_the_form_stays_a_cohost_with_the_others(client: TestClient, db: Any) -> None:
    anita, vikram = await _cohosts(db)
    _host, event_id = await _published_by_form(client, db)
    await _as(client, vikram)
    saved = await post_form(client, f"/events/{event_id}/edit", {**FORM, "title": "Budget basics: a typo fixed"},
                            from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert saved.status == 303, await saved.text()
    assert await _cohost_ids(db, event_id) == [anita["_id"], vikram["_id"]]
    assert (await client.get(f"/events/{event_id}/edit")).status == 200, "still a co-host"


async def test_ticking_one_cohost_removes_only_them_and_they_lose_the_hosts_rights(client: TestClient, db: Any) -> None:
    anita, vikram = await _cohosts(db)
    _host, event_id = await _published_by_form(client, db)
    saved = await post_form(client, f"/events/{event_id}/edit", {**FORM, "remove_cohost_ids": str(vikram["_id"])},
                            from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert saved.status == 303, await saved.text()
    assert await _cohost_ids(db, event_id) == [anita["_id"]]
    edit = await (await client.get(f"/events/{event_id}/edit")).text()
    assert "Remove Anita Rao" in edit and "Vikram Singh" not in edit
    await _as(client, vikram)
    assert (await client.get(f"/events/{event_id}/edit")).status == 403
    refused = await post_form(client, f"/events/{event_id}/edit", {**FORM, "title": "Taken back"},
                              from_page=f"/events/{event_id}")
    assert refused.status == 403
    assert (await db[EVENTS].find_one({"_id": event_id}))["title"] == "Budget basics"
    await _as(client, anita)
    assert (await client.get(f"/events/{event_id}/edit")).status == 200


async def test_a_cohost_cannot_remove_the_host_and_a_refused_edit_writes_nothing(client: TestClient, db: Any) -> None:
    anita, vikram = await _cohosts(db)
    host, event_id = await _published_by_form(client, db)
    before = await db[EVENTS].find_one({"_id": event_id})
    await _as(client, anita)
    refused = await post_form(client, f"/events/{event_id}/edit", {
        **FORM, "title": "Mine now", "remove_cohost_ids": str(host["_id"])}, from_page=f"/events/{event_id}/edit")
    assert refused.status == 422
    assert "The event&#39;s host cannot be removed; only its co-hosts can." in await refused.text()
    assert await db[EVENTS].find_one({"_id": event_id}) == before
    refused = await post_form(client, f"/events/{event_id}/edit", {**FORM, "cohosts": "nobody@example.gov.in",
                                                                   "remove_cohost_ids": str(vikram["_id"])},
                              from_page=f"/events/{event_id}/edit")
    text = await refused.text()
    assert refused.status == 422 and 'id="cohosts-error"' in text
    assert f'value="{vikram["_id"]}" checked' in text and f'value="{anita["_id"]}">' in text, "the ticks as sent"
    assert await db[EVENTS].find_one({"_id": event_id}) == before


async def test_the_picker_adds_cohosts_by_id_shows_its_choice_again_and_refuses_who_is_no_member(client: TestClient,
                                                                                                 db: Any) -> None:
    anita, vikram = await _cohosts(db)
    gone = await make_user(db, name="Erased Person", deleted=True)
    _host, event_id = await _published_by_form(client, db)
    new = await (await client.get("/events/new")).text()
    assert 'id="cohost-picker" hidden' in new and 'data-field="add_cohost_ids"' in new
    refused = await post_form(client, f"/events/{event_id}/edit", {**FORM, "add_cohost_ids": str(gone["_id"])},
                              from_page=f"/events/{event_id}/edit")
    assert refused.status == 422 and "Choose the co-hosts from the list." in await refused.text()
    third = await make_user(db, name="Kavita Menon")
    echoed = await post_form(client, f"/events/{event_id}/edit", {**FORM, "cohosts": "nobody@example.gov.in",
                                                                  "add_cohost_ids": str(third["_id"])},
                             from_page=f"/events/{event_id}/edit")
    assert echoed.status == 422
    assert f'name="add_cohost_ids" value="{third["_id"]}" checked> Make Kavita Menon a co-host' in await echoed.text()
    saved = await post_form(client, f"/events/{event_id}/edit", {**FORM, "add_cohost_ids": str(third["_id"])},
                            from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert saved.status == 303, await saved.text()
    assert await _cohost_ids(db, event_id) == [anita["_id"], vikram["_id"], third["_id"]]


async def test_the_api_change_keeps_the_cohosts_unless_it_removes_one(client: TestClient, db: Any) -> None:
    anita, vikram = await _cohosts(db)
    third = await make_user(db, name="Kavita Menon")
    host = await make_user(db, roles=("expert",))
    headers = {"Authorization": f"Bearer {await bearer_token(client, host)}"}
    body: dict[str, Any] = {**{k: v for k, v in FORM.items() if k not in ("invite", "cohosts", "rsvp_closes")},
                            "capacity": 5}
    created = await client.post("/api/v1/events", json={**body, "cohosts": ["anita@example.gov.in", "vikram@example.gov.in"]},
                                headers=headers)
    assert created.status == 201, await created.text()
    event_id = (await created.json())["id"]
    changed = await client.put(f"/api/v1/events/{event_id}", json={**body, "title": "Renamed"}, headers=headers)
    assert changed.status == 200, await changed.text()
    assert (await changed.json())["cohost_ids"] == [str(anita["_id"]), str(vikram["_id"])]
    cohost = {"Authorization": f"Bearer {await bearer_token(client, vikram)}"}
    added = await client.put(f"/api/v1/events/{event_id}", json={**body, "add_cohost_ids": [str(third["_id"])]},
                             headers=cohost)
    assert (await added.json())["cohost_ids"] == [str(anita["_id"]), str(vikram["_id"]), str(third["_id"])]
    removed = await client.put(f"/api/v1/events/{event_id}", json={**body, "title": "Kept", "remove_cohost_ids": [str(vikram["_id"])]},
                               headers=headers)
    assert (await removed.json())["cohost_ids"] == [str(anita["_id"]), str(third["_id"])]
    lost = await client.put(f"/api/v1/events/{event_id}", json={**body, "title": "Taken back"}, headers=cohost)
    assert lost.status == 404 and lost.content_type == "application/problem+json", "a draft only its hosts see"
    for refused_body in ({"remove_cohost_ids": ["not-an-id-of-24-characters"]},
                         {"remove_cohost_ids": [str(host["_id"])]}, {"add_cohost_ids": [str(ObjectId())]}):
        bad = await client.put(f"/api/v1/events/{event_id}", json={**body, "title": "Refused", **refused_body},
                               headers={"Authorization": f"Bearer {await bearer_token(client, anita)}"})
        assert bad.status == 422 and bad.content_type == "application/problem+json", refused_body
    event = await db[EVENTS].find_one({"_id": ObjectId(event_id)})
    assert event["title"] == "Kept" and event["cohost_ids"] == [anita["_id"], third["_id"]]


async def test_whoever_is_made_a_cohost_is_told_once_and_whoever_is_removed_leaves_its_rooms(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",), email="host@example.gov.in")
    first, later = await make_user(bare_db, email="first@example.gov.in"), await make_user(bare_db, email="later@example.gov.in")
    data = event_in(cohosts=["first@example.gov.in", "host@example.gov.in"])
    with actions.capture() as captured:
        event_id = await act(bare_db, as_actor(host), service.create, data)
    assert [(n["kind"], n["to"]["args"]["user_id"]) for n in captured.notifications] == [("event_cohost_added", first["_id"])]
    assert await _cohost_ids(bare_db, event_id) == [first["_id"]], "the host is no co-host of their own event"
    event = await bare_db[EVENTS].find_one({"_id": event_id})
    kept = data.model_copy(update={"start": event["start_at"].replace(tzinfo=UTC),
                                   "end": event["end_at"].replace(tzinfo=UTC), "cohosts": []})
    with actions.capture() as captured:
        await act(bare_db, as_actor(first), service.update, event_id, kept.model_copy(update={"cohosts": ["later@example.gov.in"]}))
    assert [(n["kind"], n["to"]["args"]["user_id"]) for n in captured.notifications] == [("event_cohost_added", later["_id"])]
    with actions.capture() as captured:
        await act(bare_db, as_actor(host), service.update, event_id,
                  kept.model_copy(update={"remove_cohost_ids": [str(first["_id"])]}))
    assert captured.notifications == [] and await _cohost_ids(bare_db, event_id) == [later["_id"]]
    assert captured.removed_from_rooms == [(str(first["_id"]), f"event:{event_id}")], (
        "their sockets leave the draft's page at once; a draft has no live room")
    assert captured.hung_up == []


async def test_a_refused_cohost_change_leaves_nothing(bare_db: Any) -> None:
    host = await make_user(bare_db, roles=("expert",))
    crowd = [await make_user(bare_db, email=f"cohost{n}@example.gov.in") for n in range(COHOSTS_MAX + 1)]
    data = event_in(cohosts=[person["email"] for person in crowd[:COHOSTS_MAX]])
    event_id = await act(bare_db, as_actor(host), service.create, data)
    before = await bare_db[EVENTS].find_one({"_id": event_id})
    kept = data.model_copy(update={"start": before["start_at"].replace(tzinfo=UTC),
                                   "end": before["end_at"].replace(tzinfo=UTC), "cohosts": [], "title": "Changed"})
    with actions.capture() as captured:
        with pytest.raises(Invalid) as refused:
            await act(bare_db, as_actor(host), service.update, event_id,
                      kept.model_copy(update={"add_cohost_ids": [str(crowd[-1]["_id"])]}))
        assert "cohosts" in refused.value.errors
        with pytest.raises(Invalid) as refused:
            await act(bare_db, as_actor(crowd[0]), service.update, event_id,
                      kept.model_copy(update={"remove_cohost_ids": [str(host["_id"])]}))
        assert "remove_cohost_ids" in refused.value.errors
        with pytest.raises(Invalid) as refused:
            await act(bare_db, as_actor(host), service.create, event_in(remove_cohost_ids=[str(crowd[0]["_id"])]))
        assert "remove_cohost_ids" in refused.value.errors
    assert captured.notifications == [] and captured.reindexed == [] and captured.removed_from_rooms == []
    assert await bare_db[EVENTS].find_one({"_id": event_id}) == before
    assert await bare_db[EVENTS].count_documents({}) == 1


async def test_a_cohost_who_leaves_a_draft_lands_among_their_events_told_so(client: TestClient, db: Any) -> None:
    anita, vikram = await _cohosts(db)
    await sign_in(client, await make_user(db, name="Meera Host", roles=("expert",)))
    created = await post_form(client, "/events/new", {**FORM, "cohosts": "anita@example.gov.in, vikram@example.gov.in"},
                              from_page="/events/new", allow_redirects=False)
    event_id = ObjectId(created.headers["Location"].rsplit("/", 1)[1])
    await _as(client, vikram)
    left = await post_form(client, f"/events/{event_id}/edit", {**FORM, "remove_cohost_ids": str(vikram["_id"])},
                           from_page=f"/events/{event_id}/edit", allow_redirects=False)
    assert left.status == 303 and left.headers["Location"] == "/events?when=mine", "not the draft they no longer see"
    landed = await client.get(left.headers["Location"])
    assert landed.status == 200
    assert "The event is saved, and you are no longer one of its co-hosts." in await landed.text()
    assert await _cohost_ids(db, event_id) == [anita["_id"]]
    body: dict[str, Any] = {**{k: v for k, v in FORM.items() if k not in ("invite", "cohosts", "rsvp_closes")},
                            "capacity": 5}
    answered = await client.put(f"/api/v1/events/{event_id}", json={**body, "remove_cohost_ids": [str(anita["_id"])]},
                                headers={"Authorization": f"Bearer {await bearer_token(client, anita)}"})
    assert answered.status == 204, await answered.text()
    assert await _cohost_ids(db, event_id) == []


async def test_a_cohost_who_leaves_a_published_event_stays_on_its_page_told_so(client: TestClient, db: Any) -> None:
    anita, vikram = await _cohosts(db)
    _host, event_id = await _published_by_form(client, db)
    await _as(client, vikram)
    left = await post_form(client, f"/events/{event_id}/edit", {**FORM, "remove_cohost_ids": str(vikram["_id"])},
                           from_page=f"/events/{event_id}/edit")
    assert left.status == 200 and str(left.url.path) == f"/events/{event_id}"
    assert "The event is saved, and you are no longer one of its co-hosts." in await left.text()
    body: dict[str, Any] = {**{k: v for k, v in FORM.items() if k not in ("invite", "cohosts", "rsvp_closes")},
                            "capacity": 5}
    answered = await client.put(f"/api/v1/events/{event_id}", json={**body, "remove_cohost_ids": [str(anita["_id"])]},
                                headers={"Authorization": f"Bearer {await bearer_token(client, anita)}"})
    assert answered.status == 200 and (await answered.json())["cohost_ids"] == []
