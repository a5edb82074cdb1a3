from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.conftest import csrf_token
from tests.test_translations import used_messages


async def test_home_page_is_complete_html_with_landmarks(client: TestClient) -> None:
    response = await client.get("/")
    assert response.status == 200
    html = await response.text()
    for landmark in ('<main id="main"', '<nav class="primary"', 'class="skip-link" href="#main"', '<html lang="en">'):
        assert landmark in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_health_and_readiness(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    body = await ready.json()
    assert ready.status == 200 and body["checks"]["storage"]["ok"] is True


async def test_language_switch_shows_hindi(client: TestClient) -> None:
    token = await csrf_token(client)
    response = await client.post("/language", data={"lang": "hi", "next": "/", "csrf_token": token}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"
    page = await client.get("/")
    html = await page.text()
    assert '<html lang="hi">' in html
    assert "मुख्य सामग्री पर जाएँ" in html  # "Skip to main content" from the Hindi catalogue


async def test_language_switch_never_redirects_off_site(client: TestClient) -> None:
    token = await csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = await client.post("/language", data={"lang": "hi", "next": target, "csrf_token": token}, allow_redirects=False)
        assert response.headers["Location"] == "/"


async def test_accept_language_picks_hindi_without_a_cookie(client: TestClient) -> None:
    html = await (await client.get("/", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"})).text()
    assert '<html lang="hi">' in html


async def test_state_change_without_csrf_token_is_refused(client: TestClient) -> None:
    await client.get("/")
    response = await client.post("/language", data={"lang": "hi"}, allow_redirects=False)
    assert response.status == 403
    assert "lang" not in {cookie.key for cookie in client.session.cookie_jar}


async def test_forged_token_and_foreign_origin_are_refused(client: TestClient) -> None:
    token = await csrf_token(client)
    forged = await client.post("/language", data={"lang": "hi", "csrf_token": token[:-2] + "00"}, allow_redirects=False)
    assert forged.status == 403
    foreign = await client.post("/language", data={"lang": "hi", "csrf_token": token},
                                headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert foreign.status == 403


async def test_unknown_api_route_is_problem_json(client: TestClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    body = await response.json(content_type=None)
    assert body["status"] == 404 and body["type"].endswith("/not-found")


async def test_unknown_page_is_an_html_page(client: TestClient) -> None:
    response = await client.get("/nothing-here")
    assert response.status == 404 and response.content_type == "text/html"
    assert "<main" in await response.text()


REFUSALS = (
    "This request came from another site and was refused.",
    "The form has expired or did not come from this site. Reload the page and try again.",
    "Please wait %(num)d second and try again.",
    "You are not allowed to do that.",
    "Please sign in to continue.",
    "There is no such picture.",
)


def test_refusal_messages_go_through_the_catalogue() -> None:
    """Extraction finds them, so translators see them and they are shown in the person's language."""
    assert set(REFUSALS) <= used_messages()


async def test_refusals_speak_the_language_of_the_request(client: TestClient) -> None:
    """Error pages and problems are rendered while the request's language is in force."""
    await client.get("/")
    hindi = {"Accept-Language": "hi"}
    page = await client.post("/language", data={"lang": "hi"}, headers=hindi, allow_redirects=False)
    assert page.status == 403 and "अनुमति नहीं है" in await page.text()  # "Not allowed"
    problem = await client.get("/api/v1/me", headers=hindi)
    body = await problem.json(content_type=None)
    assert problem.status == 401 and body["title"] == "साइन इन आवश्यक है"  # "Sign-in required"
    assert body["detail"] == "जारी रखने के लिए कृपया साइन इन करें।"  # "Please sign in to continue."
