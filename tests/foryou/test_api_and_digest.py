"""The API (in the OpenAPI document, every answer checked against it) and the digest's For-you
section, which tells only suggestions it has not told before, to people who asked for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from community.notifications.digest import DIGEST_SECTIONS, send_due_digests
from tests.factories import bearer_token
from tests.foryou.conftest import BUDGET, TARGET, Scene
from tests.profiles.helpers import call


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


async def test_the_api_gives_the_gap_and_suggestions_and_takes_dismissals(scene: Scene) -> None:
    thread = await scene.thread(BUDGET, title="How do outcome budgets work?")
    token = await bearer_token(scene.db, scene.officer)
    status, answer = await call(scene.client, "GET", "/api/v1/for-you", token)
    assert status == 200 and answer["position"]["title"] == "Health Budget Officer" and not answer["target"]
    assert [need["short_by"] for need in answer["needs"]] == [3, 1, 0]
    [suggestion] = answer["suggestions"]
    assert suggestion["kind"] == "thread" and suggestion["id"] == thread and suggestion["reason"].startswith("You need")

    status, answer = await call(scene.client, "POST", "/api/v1/for-you/dismissals", token,
                                json={"kind": "thread", "id": thread})
    assert (status, answer) == (201, {"kind": "thread", "id": thread, "dismissed": True})
    assert (await call(scene.client, "GET", "/api/v1/for-you", token))[1]["suggestions"] == []
    status, answer = await call(scene.client, "DELETE", f"/api/v1/for-you/dismissals/thread/{thread}", token)
    assert status == 200 and not answer["dismissed"]
    assert len((await call(scene.client, "GET", "/api/v1/for-you", token))[1]["suggestions"]) == 1


async def test_an_expert_suggestion_carries_the_request_form_when_they_offer_mentoring_in_it(scene: Scene) -> None:
    mentor = await scene.expert(BUDGET, 4, name="Asha Mentor")
    await scene.offer(mentor, BUDGET, cap=2)
    plain = await scene.expert(BUDGET, 5, name="Bina Expert")
    token = await bearer_token(scene.db, scene.officer)
    status, answer = await call(scene.client, "GET", "/api/v1/for-you", token)
    assert status == 200
    experts = [item for item in answer["suggestions"] if item["kind"] == "expert"]
    assert [(item["id"], item["request_url"]) for item in experts] == [
        (str(mentor["_id"]), f"/people/{mentor['_id']}/mentoring?competency={BUDGET}"), (str(plain["_id"]), None)]
    assert experts[0]["reason"].endswith("offers mentoring in it, with 2 places left this month.")


async def test_bad_input_is_a_problem_naming_the_field(scene: Scene) -> None:
    token = await bearer_token(scene.db, scene.officer)
    for body, field in (({"kind": "poem", "id": BUDGET}, "kind"), ({"kind": "thread", "id": "x"}, "id"),
                        ({"kind": "competency", "id": "fun.no.such"}, "id"), ({"kind": "thread", "id": BUDGET}, "id")):
        status, problem = await call(scene.client, "POST", "/api/v1/for-you/dismissals", token, json=body)
        assert status == 422 and field in {error["field"] for error in problem["errors"]}, (body, problem)
    status, problem = await call(scene.client, "PUT", "/api/v1/for-you/target", token, json={"position_id": "pos.no.such"})
    assert status == 422 and problem["errors"][0]["field"] == "position_id"
    status, answer = await call(scene.client, "PUT", "/api/v1/for-you/target", token, json={"position_id": TARGET})
    assert status == 200 and answer["target"] and answer["position"]["id"] == TARGET


async def test_visitors_are_asked_to_sign_in(client: TestClient) -> None:
    status, _problem = await call(client, "GET", "/api/v1/for-you")
    assert status == 401
    status, _problem = await call(client, "POST", "/api/v1/for-you/dismissals", json={"kind": "thread", "id": "a" * 24})
    assert status == 403, "a write without a token or a form's CSRF token is refused"


async def test_the_digest_tells_new_suggestions_once_to_those_who_asked(scene: Scene, db: Any) -> None:
    sections = scene.client.app[DIGEST_SECTIONS]
    outbox, now = Outbox(), datetime.now(UTC)
    await scene.thread(BUDGET, title="How do outcome budgets work?")
    assert await send_due_digests(db, outbox, base_url="https://x.example", now=now, sections=sections) == 0
    token = await bearer_token(db, scene.officer)
    status, _answer = await call(scene.client, "PUT", "/api/v1/for-you/digest", token, json={"digest": True})
    assert status == 200
    assert await send_due_digests(db, outbox, base_url="https://x.example", now=now, sections=sections) == 1
    [(to, subject, body)] = outbox.sent
    assert to == scene.officer["email"] and "new suggestions for you" in subject
    assert "For you: new suggestions for your competency gap" in body
    assert "How do outcome budgets work?: You need Outcome budgeting at level 4" in body

    tomorrow = now + timedelta(days=1)
    assert await send_due_digests(db, outbox, base_url="https://x.example", now=tomorrow, sections=sections) == 0
    await scene.expert(BUDGET, 4, name="Asha Expert")
    assert await send_due_digests(db, outbox, base_url="https://x.example", now=tomorrow, sections=sections) == 1
    body = outbox.sent[-1][2]
    assert "Asha Expert" in body and "How do outcome budgets work?" not in body


async def test_the_digest_links_a_mentor_to_their_request_form_in_the_readers_language(scene: Scene, db: Any) -> None:
    sections = scene.client.app[DIGEST_SECTIONS]
    mentor = await scene.expert(BUDGET, 4, name="Asha Mentor")
    await scene.offer(mentor, BUDGET, cap=2)
    plain = await scene.expert(BUDGET, 5, name="Bina Expert")
    token = await bearer_token(db, scene.officer)
    assert (await call(scene.client, "PUT", "/api/v1/for-you/digest", token, json={"digest": True}))[0] == 200
    await db.users.update_one({"_id": scene.officer["_id"]}, {"$set": {"language": "hi"}})
    outbox = Outbox()
    assert await send_due_digests(db, outbox, base_url="https://x.example", now=datetime.now(UTC), sections=sections) == 1
    lines = outbox.sent[0][2].splitlines()
    [asked] = [index for index, line in enumerate(lines) if line.startswith("- Asha Mentor:")]
    assert lines[asked].endswith("इस पते पर मार्गदर्शन का अनुरोध करें:")
    assert lines[asked + 1] == f"  https://x.example/people/{mentor['_id']}/mentoring?competency={BUDGET}"
    [profile] = [index for index, line in enumerate(lines) if line.startswith("- Bina Expert:")]
    assert lines[profile + 1] == f"  https://x.example/people/{plain['_id']}", "no offer: the profile, as before"
