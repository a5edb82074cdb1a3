"""For you: the page, its part of the home page, its forms, its API and its digest section."""

from __future__ import annotations

from aiohttp import web

from community import api, keys
from community.foryou import storage, views
from community.foryou.digest import digest_section
from community.foryou.schemas import DigestIn, DismissalIn, DismissalOut, ForYouOut, TargetIn
from community.i18n import lazy_gettext
from community.notifications.digest import DIGEST_SECTIONS
from community.profiles.verification import RULE
from community.storage.facts import declare


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    app[keys.HOME_SECTIONS].append(keys.HomeSection("foryou/partials/home.html", views.home_section, weight=5))
    app[keys.USER_MENU].append(keys.NavItem("foryou", lazy_gettext("For you"), weight=15))
    app[DIGEST_SECTIONS].append(digest_section(app[RULE]))
    add = app.router.add_route
    add("GET", "/for-you", views.page, name="foryou")
    add("POST", "/for-you/target", views.target_submit, name="foryou_target")
    add("POST", "/for-you/dismiss", views.dismiss_submit, name="foryou_dismiss")
    add("POST", "/for-you/restore", views.restore_submit, name="foryou_restore")
    add("POST", "/for-you/digest", views.digest_submit, name="foryou_digest")

    tag = "for you"
    api.route(app, "GET", "/for-you", views.api_for_you, tag=tag, response=ForYouOut,
              summary="Your competency gap and, for what falls short, threads, experts, events and vacancies with their reasons")
    api.route(app, "PUT", "/for-you/target", views.api_target, tag=tag, body=TargetIn, response=ForYouOut,
              summary="Choose the position you want to move to (null: the one on your profile)")
    api.route(app, "PUT", "/for-you/digest", views.api_digest, tag=tag, body=DigestIn, response=DigestIn,
              summary="Choose whether new suggestions come in your e-mail digest")
    api.route(app, "POST", "/for-you/dismissals", views.api_dismiss, tag=tag, body=DismissalIn, response=DismissalOut,
              status=201, summary="Dismiss a suggestion, or put a whole competency aside (not for you now)")
    api.route(app, "DELETE", "/for-you/dismissals/{kind}/{id}", views.api_restore, tag=tag, response=DismissalOut,
              summary="Take a dismissal back")
