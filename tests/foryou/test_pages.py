"""The page and the home section without JavaScript: each part degrades alone, dismissals are
forms with CSRF that say what they did, and what was dismissed does not come back."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from community.foryou.queries import DISMISSALS
from tests.conftest import post_form
from tests.factories import make_user, sign_in
from tests.foryou.conftest import BUDGET, HEALTH, TARGET, Scene


def home_part(page: str) -> str:
    """The For-you section of the home page."""
    start = page.index('id="home-foryou"')
    return page[start:page.index("</section>", start)]


async def test_without_a_position_page_and_home_prompt_for_one(client: TestClient, db: Any) -> None:
    person = await make_user(db, name="No Position")
    await sign_in(client, person)
    for path in ("/for-you", "/"):
        page = await (await client.get(path)).text()
        assert "Set your position on your profile" in page and "Pick a position you want to move to" in page
        assert "Threads to read" not in page and "Your competency gap" not in page


async def test_a_part_with_nothing_to_suggest_is_left_out(scene: Scene) -> None:
    await scene.expert(BUDGET, 4, name="Asha Expert")
    await sign_in(scene.client, scene.officer)
    page = await (await scene.client.get("/for-you")).text()
    assert "Your competency gap" in page and "Experts to meet" in page and "Asha Expert" in page
    assert "This expert holds it verified at level 4." in page and "Ask for mentoring" not in page
    for heading in ("Threads to read", "Events to attend", "Vacancies that fit"):
        assert heading not in page


async def test_a_mentor_s_card_links_to_the_request_form_and_their_profile(scene: Scene) -> None:
    mentor = await scene.expert(BUDGET, 4, name="Asha Mentor")
    await scene.offer(mentor, BUDGET)
    await scene.expert(BUDGET, 5, name="Bina Expert")
    await sign_in(scene.client, scene.officer)
    page = await (await scene.client.get("/for-you")).text()
    card = page[page.index(f'id="suggestion-expert-{mentor["_id"]}"'):]
    card = card[:card.index("</li>")]
    request_form = f"/people/{mentor['_id']}/mentoring?competency={BUDGET}"
    assert f'href="/people/{mentor["_id"]}"' in card and f'href="{request_form}"' in card
    assert "Ask for mentoring" in card and "offers mentoring in it, with 3 places left this month." in card
    assert page.count("Ask for mentoring") == 1, "the expert without an offer has no request link"
    form = await scene.client.get(request_form)
    assert form.status == 200 and f'value="{BUDGET}" selected' in await form.text()
    hindi = await (await scene.client.get("/for-you", headers={"Accept-Language": "hi"})).text()
    assert "मार्गदर्शन का अनुरोध करें" in hindi and "वे इसमें मार्गदर्शन देते हैं; इस महीने 3 स्थान शेष हैं।" in hindi


async def test_the_home_page_opens_with_the_top_of_for_you(scene: Scene) -> None:
    await scene.thread(BUDGET, title="How do outcome budgets work?")
    await sign_in(scene.client, scene.officer)
    page = await (await scene.client.get("/")).text()
    assert page.index('id="home-foryou"') < page.index('id="home-latest"')
    assert "Outcome budgeting (level 4 needed, you hold 1)" in page
    assert "How do outcome budgets work?" in home_part(page) and "Everything suggested for you" in page


async def test_a_dismissed_suggestion_does_not_come_back(scene: Scene) -> None:
    thread = await scene.thread(BUDGET, title="How do outcome budgets work?")
    await sign_in(scene.client, scene.officer)
    refused = await scene.client.post("/for-you/dismiss", data={"kind": "thread", "id": thread})
    assert refused.status == 403
    done = await post_form(scene.client, "/for-you/dismiss", {"kind": "thread", "id": thread, "back": "home"},
                           from_page="/for-you", allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == "/"
    home = await (await scene.client.get("/")).text()
    assert "Dismissed: it will not be suggested again." in home
    assert "How do outcome budgets work?" not in home_part(home)
    assert "How do outcome budgets work?" not in await (await scene.client.get("/for-you")).text()
    assert await scene.db[DISMISSALS].count_documents({"user_id": scene.officer["_id"]}) == 1


async def test_a_competency_put_aside_stops_its_suggestions_until_restored(scene: Scene) -> None:
    await scene.thread(BUDGET, title="How do outcome budgets work?")
    await scene.thread(HEALTH, title="Running a district health mission")
    await sign_in(scene.client, scene.officer)
    put_aside = await post_form(scene.client, "/for-you/dismiss", {"kind": "competency", "id": BUDGET},
                                from_page="/for-you")
    page = await put_aside.text()
    assert "Put aside: nothing more is suggested for that competency for now." in page
    assert "How do outcome budgets work?" not in page and "Running a district health mission" in page
    assert "Put aside for now" in page
    assert [need.competency_id for need in (await scene.suggestions()).short] == [HEALTH]
    restored = await post_form(scene.client, "/for-you/restore", {"kind": "competency", "id": BUDGET},
                               from_page="/for-you")
    assert "That competency is suggested for again." in await restored.text()
    assert "How do outcome budgets work?" in await (await scene.client.get("/for-you")).text()


async def test_choosing_a_target_position_and_a_bad_one(scene: Scene) -> None:
    await sign_in(scene.client, scene.officer)
    bad = await post_form(scene.client, "/for-you/target", {"position_id": "pos.test.no-such"}, from_page="/for-you")
    assert bad.status == 422 and "There is no such position in the dictionary." in await bad.text()
    crafted = await post_form(scene.client, "/for-you/target", {"position_id": "<script>"}, from_page="/for-you")
    assert crafted.status == 422 and "<script>" not in await crafted.text()
    chosen = await post_form(scene.client, "/for-you/target", {"position_id": TARGET}, from_page="/for-you")
    page = await chosen.text()
    assert "Your target position was saved." in page and "Suggestions for your move to Finance Director" in page
    back = await post_form(scene.client, "/for-you/target", {"position_id": ""}, from_page="/for-you")
    assert "Suggestions for your position, Health Budget Officer" in await back.text()


async def test_a_visitor_is_asked_to_sign_in(client: TestClient) -> None:
    response = await client.get("/for-you", allow_redirects=False)
    assert response.status in (302, 303, 401)
    home = await (await client.get("/")).text()
    assert 'id="home-foryou"' not in home
