from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from community import api, keys
from community.forums import markdown
from community.i18n import lazy_gettext
from community.profiles import directory, storage, views
from community.profiles.schemas import (
    EndorsedOut,
    Endorsement,
    HeldCompetencies,
    HeldCompetency,
    PeopleQuery,
    RecordedOut,
    Verification,
    people_page_model,
    profile_out_model,
    profile_update_model,
)
from community.profiles.verification import RULE, rule_from
from community.storage.facts import declare


def setup(app: web.Application) -> None:
    declare(storage.STORAGE)
    aiohttp_jinja2.get_env(app).filters["markdown"] = lambda source: Markup(markdown.render_html(source))
    app[RULE] = rule_from(app[keys.SETTINGS])
    directory.use_rule(app[RULE])
    app[keys.NAV].append(keys.NavItem("network", lazy_gettext("Network")))
    app[keys.USER_MENU] += [keys.NavItem("my_profile", lazy_gettext("Your profile"), weight=10),
                            keys.NavItem("profile_edit", lazy_gettext("Edit your profile"), weight=20)]
    add = app.router.add_route
    add("GET", "/network", views.network_page, name="network")
    add("GET", "/profile", views.my_profile, name="my_profile")
    add("GET", "/profile/edit", views.edit_page, name="profile_edit")
    add("POST", "/profile/edit", views.edit_submit, name="profile_save")
    add("POST", "/profile/competencies", views.competency_submit, name="profile_competency_add")
    add("POST", "/profile/competencies/{competency_id}/remove", views.competency_remove, name="profile_competency_remove")
    add("POST", "/profile/avatar", views.avatar_submit, name="profile_avatar")
    add("POST", "/profile/avatar/remove", views.avatar_remove, name="profile_avatar_remove")
    add("GET", "/people/{user_id}", views.person_page, name="person")
    add("GET", "/people/{user_id}/avatar", views.avatar_image, name="avatar")
    add("POST", "/people/{user_id}/endorse", views.endorse_submit, name="endorse")
    add("POST", "/people/{user_id}/endorsements/{competency_id}/withdraw", views.endorsement_withdraw,
        name="endorsement_withdraw")
    add("POST", "/people/{user_id}/verifications", views.verification_submit, name="record_verification")

    tag = "profiles"
    profile_out, profile_update = profile_out_model(), profile_update_model()
    api.route(app, "GET", "/people", views.api_people, summary="The Network directory of people, filtered, as the caller may see it", tag=tag,
              query=PeopleQuery, response=people_page_model())
    api.route(app, "GET", "/profiles/me", views.api_my_profile, summary="Your own profile", tag=tag, response=profile_out)
    api.route(app, "PUT", "/profiles/me", views.api_update_profile, summary="Replace your profile's fields", tag=tag,
              body=profile_update, response=profile_out)
    api.route(app, "PUT", "/profiles/me/competencies", views.api_set_competencies,
              summary="Replace the competencies you declare", tag=tag, body=HeldCompetencies, response=profile_out)
    api.route(app, "POST", "/profiles/me/competencies", views.api_declare_competency,
              summary="Declare a competency or change its level", tag=tag, body=HeldCompetency, response=profile_out)
    api.route(app, "DELETE", "/profiles/me/competencies/{competency_id}", views.api_withdraw_competency,
              summary="Withdraw a declared competency", tag=tag, status=204)
    api.route(app, "PUT", "/profiles/me/avatar", views.api_put_avatar,
              summary="Upload a profile picture (the body is a JPEG, PNG, WebP or GIF image)", tag=tag,
              body="image/*", status=204)
    api.route(app, "DELETE", "/profiles/me/avatar", views.api_delete_avatar, summary="Remove your profile picture", tag=tag,
              status=204)
    api.route(app, "GET", "/profiles/{user_id}", views.api_profile, summary="A member's profile, as the caller may see it",
              tag=tag, response=profile_out, name="api.profile")
    api.route(app, "POST", "/profiles/{user_id}/endorsements", views.api_endorse,
              summary="Endorse a member's declared competency at or below your own level", tag=tag, body=Endorsement, response=EndorsedOut, status=201,
              also={200: EndorsedOut})
    api.route(app, "DELETE", "/profiles/{user_id}/endorsements/{competency_id}", views.api_withdraw_endorsement,
              summary="Withdraw your endorsement of a member's competency", tag=tag, status=204)
    api.route(app, "POST", "/profiles/{user_id}/verifications", views.api_verify,
              summary="Record an assessment or course result (administrators)", tag=tag, body=Verification, response=RecordedOut, status=201)
