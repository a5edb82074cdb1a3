"""Competency names in the reader's language: every shipped competency has a Hindi name, and a
Hindi page shows it wherever a competency is named, while files and the API keep the English."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient
from bson import ObjectId

from community.competencies import names
from community.competencies.dictionary import load_dictionary
from community.i18n import current_locale
from community.mentoring import notices as mentoring_notices
from community.notifications import kinds
from community.profiles import notices as profile_notices
from tests.factories import make_user, sign_in

SELF_ANALYSIS = "beh.self-awareness.self-analysis"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def test_every_shipped_competency_has_a_hindi_name_and_no_other_id_does() -> None:
    shipped = {competency.id: competency.name for competency in load_dictionary().competencies}
    hindi = names.translations("hi")
    assert set(hindi) == set(shipped)
    assert all(DEVANAGARI.search(name) and name != shipped[cid] for cid, name in hindi.items())


def test_every_shipped_theme_has_a_hindi_name() -> None:
    shipped = {competency.theme for competency in load_dictionary().competencies}
    assert set(names.theme_translations("hi")) == shipped
    assert all(DEVANAGARI.search(theme) for theme in names.theme_translations("hi").values())
    assert names.theme_in("Self-Awareness", "hi") == "आत्म-जागरूकता" and names.theme_in("A new theme", "hi") == "A new theme"


def test_the_name_follows_the_locale_and_a_renamed_competency_keeps_its_new_name() -> None:
    assert names.name_in(SELF_ANALYSIS, "Self-Analysis", "hi") == "आत्म-विश्लेषण"
    assert names.name_in(SELF_ANALYSIS, "Self-Analysis", "en") == "Self-Analysis"
    assert names.name_in(SELF_ANALYSIS, "Knowing oneself", "hi") == "Knowing oneself", \
        "the shipped Hindi translates the shipped English, not an administrator's new name"
    assert names.name_in("fun.test.unknown", "Unknown", "hi") == "Unknown"


async def test_hindi_pages_show_the_hindi_name_and_files_and_the_api_the_english(client: TestClient, db: Any) -> None:
    client.session.cookie_jar.update_cookies({"lang": "hi"})
    page = await (await client.get(f"/competencies/{SELF_ANALYSIS}")).text()
    assert "<h1>आत्म-विश्लेषण</h1>" in page and "व्यवहारात्मक · आत्म-जागरूकता" in page, "the kind and theme in Hindi too"
    assert f">{SELF_ANALYSIS}<" not in page, "no raw id on the page"
    listing = await (await client.get("/competencies?kind=behavioural")).text()
    assert f'<a href="/competencies/{SELF_ANALYSIS}">आत्म-विश्लेषण</a>' in listing and ">Self-Analysis<" not in listing
    position = load_dictionary().positions[0]
    needed = next(iter(position.requirements()))
    shown = await (await client.get(f"/positions/{position.id}")).text()
    assert f'<a href="/competencies/{needed}">{names.translations("hi")[needed]}</a>' in shown
    api = await (await client.get(f"/api/v1/competencies/{SELF_ANALYSIS}")).json()
    assert api["name"] == "Self-Analysis"
    await sign_in(client, await make_user(db, roles=("expert",)))
    client.session.cookie_jar.update_cookies({"lang": "hi"})
    form = await (await client.get("/events/new")).text()
    assert re.search(r'value="' + re.escape(SELF_ANALYSIS) + r'"> आत्म-विश्लेषण <span class="meta"><span lang="en">Self-Analysis</span>',
                     form), "the picker lists the Hindi name and keeps the English one for its filter"
    client.session.cookie_jar.update_cookies({"lang": "en"})
    english = await (await client.get(f"/competencies/{SELF_ANALYSIS}")).text()
    assert "<h1>Self-Analysis</h1>" in english


def test_notifications_name_the_competency_in_the_readers_language() -> None:
    endorsed = profile_notices.endorsement_params(ObjectId(), SELF_ANALYSIS, "Self-Analysis", 3)
    asked = mentoring_notices.params_of({"_id": ObjectId(), "competency_id": SELF_ANALYSIS, "competency": "Self-Analysis"})
    token = current_locale.set("hi")
    try:
        assert "आत्म-विश्लेषण" in kinds.kind("endorsement").text(endorsed, "Dr Meera Iyer")
        assert "आत्म-विश्लेषण" in kinds.kind("mentoring_request").text(asked, "Dr Meera Iyer")
        older = {key: value for key, value in asked.items() if key != "competency_id"}
        assert "Self-Analysis" in kinds.kind("mentoring_request").text(older, "Dr Meera Iyer")
    finally:
        current_locale.reset(token)
    assert "Self-Analysis" in kinds.kind("endorsement").text(endorsed, "Dr Meera Iyer")
