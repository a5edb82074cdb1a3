"""The For-you page, its part of the home page, its forms and its API: each reads the one
computation (``suggest.for_you``) and renders it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from community import actions, api, confirmations, keys
from community.competencies import queries as dictionary
from community.errors import Invalid
from community.foryou import queries, service
from community.foryou.schemas import DigestIn, DismissalIn, TargetIn
from community.foryou.suggest import KINDS, ForYou, for_you
from community.i18n import gettext as _
from community.i18n import lazy_gettext
from community.profiles.verification import RULE
from community.requests import actor_of, db_of, read_form, read_json, signed_in, url_for
from community.validation import validate

HOME_NEEDS = 3
"""The short competencies the home page names."""

DISMISSED = confirmations.register("foryou_dismissed", lazy_gettext("Dismissed: it will not be suggested again."))
PUT_ASIDE = confirmations.register("foryou_put_aside",
                                   lazy_gettext("Put aside: nothing more is suggested for that competency for now."))
RESTORED = confirmations.register("foryou_restored", lazy_gettext("That competency is suggested for again."))
TARGET_SET = confirmations.register("foryou_target_set", lazy_gettext("Your target position was saved."))
TARGET_CLEARED = confirmations.register("foryou_target_cleared",
                                        lazy_gettext("Suggestions follow the position on your profile again."))
DIGEST_ON = confirmations.register("foryou_digest_on", lazy_gettext("New suggestions will come in your e-mail digest."))
DIGEST_OFF = confirmations.register("foryou_digest_off", lazy_gettext("Suggestions will no longer come by e-mail."))


def part_headings() -> dict[str, str]:
    return {"thread": _("Threads to read"), "expert": _("Experts to meet"), "event": _("Events to attend"),
            "vacancy": _("Vacancies that fit")}


async def _computed(request: web.Request) -> ForYou:
    return await for_you(db_of(request), actor_of(request), request.app[RULE], request.app[keys.CLOCK]())


async def _page_context(request: web.Request, errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = signed_in(request, _("Sign in to see what is suggested for you."))
    db = db_of(request)
    choices = await queries.choices(db, me.user_id)
    positions = [("", _("The position on my profile"))] + [
        (row["_id"], f"{row['title']} ({row['organisation']})") for row in await dictionary.positions(db)]
    return {"foryou": await _computed(request), "headings": part_headings(), "kinds": KINDS, "positions": positions,
            "values": {"position_id": choices.get("target_position_id") or ""}, "digest": bool(choices.get("digest")),
            "errors": errors or {}}


@aiohttp_jinja2.template("foryou/page.html")
async def page(request: web.Request) -> dict[str, Any]:
    return await _page_context(request)


async def home_section(request: web.Request) -> dict[str, Any] | None:
    """The top of the For-you page, first on a signed-in person's home page."""
    if not actor_of(request).is_authenticated:
        return None
    found = await _computed(request)
    firsts = [found.parts[kind][0] for kind in KINDS if kind in found.parts]
    return {"foryou": found, "needs": found.short[:HOME_NEEDS], "suggestions": firsts}


def _back(request: web.Request, form: Any) -> str:
    return url_for(request, "home") if form.get("back") == "home" else url_for(request, "foryou")


async def target_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    chosen = str(form.get("position_id", "")).strip()
    try:
        data = validate(TargetIn, {"position_id": chosen or None})
        await actions.run(request.app, actor_of(request), service.choose_target, data)
    except Invalid as error:
        context = await _page_context(request, error.errors)
        context["values"] = {"position_id": chosen}
        return aiohttp_jinja2.render_template("foryou/page.html", request, context, status=422)
    return confirmations.confirmed(request, url_for(request, "foryou"), TARGET_SET if chosen else TARGET_CLEARED)


async def dismiss_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    data = validate(DismissalIn, {"kind": form.get("kind", ""), "id": form.get("id", "")})
    await actions.run(request.app, actor_of(request), service.dismiss, data)
    return confirmations.confirmed(request, _back(request, form), PUT_ASIDE if data.kind == "competency" else DISMISSED)


async def restore_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    data = validate(DismissalIn, {"kind": form.get("kind", ""), "id": form.get("id", "")})
    await actions.run(request.app, actor_of(request), service.restore, data)
    return confirmations.confirmed(request, url_for(request, "foryou"), RESTORED)


async def digest_submit(request: web.Request) -> web.Response:
    form = await read_form(request)
    data = DigestIn(digest=form.get("digest") == "on")
    await actions.run(request.app, actor_of(request), service.set_digest, data)
    return confirmations.confirmed(request, url_for(request, "foryou"), DIGEST_ON if data.digest else DIGEST_OFF)


# --- API ------------------------------------------------------------------------------------


async def _answer(request: web.Request) -> web.Response:
    me = signed_in(request, _("Sign in to see what is suggested for you."))
    found = await _computed(request)
    choices = await queries.choices(db_of(request), me.user_id)
    return api.json_response({
        "position": found.position, "target": found.target, "digest": bool(choices.get("digest")),
        "needs": [asdict(need) for need in found.needs],
        "suggestions": [{"kind": item.kind, "id": item.ref, "competency_id": item.competency_id, "title": item.title,
                         "url": item.url, "reason": item.reason, "detail": item.detail,
                         "request_url": item.request_url or None} for item in found.suggestions()],
    })


async def api_for_you(request: web.Request) -> web.Response:
    return await _answer(request)


async def api_target(request: web.Request) -> web.Response:
    data = validate(TargetIn, await read_json(request))
    await actions.run(request.app, actor_of(request), service.choose_target, data)
    return await _answer(request)


async def api_digest(request: web.Request) -> web.Response:
    data = validate(DigestIn, await read_json(request))
    await actions.run(request.app, actor_of(request), service.set_digest, data)
    return api.json_response({"digest": data.digest})


async def api_dismiss(request: web.Request) -> web.Response:
    data = validate(DismissalIn, await read_json(request))
    await actions.run(request.app, actor_of(request), service.dismiss, data)
    return api.json_response({"kind": data.kind, "id": data.id, "dismissed": True}, status=201)


async def api_restore(request: web.Request) -> web.Response:
    data = validate(DismissalIn, {"kind": request.match_info["kind"], "id": request.match_info["id"]})
    await actions.run(request.app, actor_of(request), service.restore, data)
    return api.json_response({"kind": data.kind, "id": data.id, "dismissed": False})
