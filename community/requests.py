"""Request helpers: who is asking and what the app holds, the one JSON body reader, the one form
reader, the one redirect and the one redirect-target rule.

Handlers take the request's person, database, emitter and settings through :func:`actor_of`,
:func:`db_of`, :func:`emitter_of` and :func:`settings_of`, and answer a form with
:func:`see_other`: a redirect is always *returned* (never raised), so what a handler answers is
what it returns, and middlewares see it as a response like any other.

Every handler reads its body through these, so crafted input meets the same limits everywhere
and is refused with a problem naming what is wrong, never a server error:

- JSON (:func:`read_json`): ``Content-Type`` ``application/json`` (or a ``+json`` type), UTF-8,
  at most :data:`MAX_JSON_BYTES`, nested at most :data:`MAX_JSON_DEPTH` deep, no ``NaN`` or
  ``Infinity``, integers that fit 64 bits (what MongoDB can store), and an object at the top.
- Forms (:func:`read_form`): UTF-8 (the only charset our pages send), well-formed multipart;
  :func:`form_fields` is the form's text fields without the CSRF token, as services take them.
- Redirects (:func:`local_target`): only a path on this site.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDictProxy

from community import keys
from community.errors import BadRequest, Invalid, PayloadTooLarge, UnsupportedMediaType
from community.i18n import gettext as _
from community.policy import ANONYMOUS, Actor, Member, require, require_member
from community.storage.api import Database

if TYPE_CHECKING:
    from community.config import Settings
    from community.realtime.emitter import Emitter

MAX_JSON_BYTES = 1024 * 1024
"""The largest JSON body: well above any form of the API (a forum post is at most 20,000
characters), far below the 8 MiB an avatar or a CSV import may take."""

MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects in a JSON body: the API's bodies nest a few levels,
and Python's parser recurses once per level until it fails, near a thousand."""

INT64 = range(-(2**63), 2**63)
"""The integers BSON stores; a larger one could not be saved, so it is refused on the way in."""

UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def actor_of(request: web.Request) -> Actor:
    """Who is asking: the person the session or bearer token names, else :data:`ANONYMOUS`."""
    return request.get(keys.ACTOR, ANONYMOUS)


def signed_in(request: web.Request, message: str | None = None) -> Member:
    """The asking person, who must be signed in (else the sign-in problem, with ``message``)."""
    actor = actor_of(request)
    require(actor, actor.is_authenticated, message)
    return require_member(actor)


def db_of(request: web.Request) -> Database:
    """The app's database."""
    return request.app[keys.DB]


def emitter_of(request: web.Request) -> Emitter | None:
    """The app's live-update emitter; ``None`` in an app run without sockets."""
    return request.app.get(keys.EMITTER)


def settings_of(request: web.Request) -> Settings:
    return request.app[keys.SETTINGS]


def add_form_page(router: web.UrlDispatcher, path: str, handler: keys.Handler, *, name: str) -> None:
    """A page whose form posts back to it: GET (and HEAD, as for every page) shows it, POST sends
    it, and no other method reaches ``handler``. A route for every method would hand a ``TRACE``
    or ``OPTIONS`` to the handler's writing branch, and the CSRF check lets those through as
    methods that change nothing."""
    resource = router.add_resource(path, name=name)
    resource.add_route("GET", handler)
    resource.add_route("POST", handler)


def see_other(location: str) -> web.Response:
    """The answer to a submitted form: go to ``location`` (303, so the browser follows with GET)."""
    return web.Response(status=303, headers={"Location": location})


def url_for(request: web.Request, name: str, query: dict[str, str] | None = None, **parts: str) -> str:
    """The path of the route ``name`` with ``parts`` filled in and ``query`` appended."""
    built = request.app.router[name].url_for(**parts)
    return str(built.with_query(query) if query else built)


class _Unreadable(ValueError):
    """A JSON body that parses but holds something the API refuses (a huge integer, ``NaN``)."""


def _int64(text: str) -> int:
    value = int(text)
    if value not in INT64:
        raise _Unreadable(_("Numbers must fit in 64 bits."))
    return value


def _no_constant(name: str) -> Any:
    raise _Unreadable(_("%(name)s is not a JSON number.", name=name))


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects in a parsed JSON ``value`` nest more than ``limit`` deep, found
    level by level without recursion (each element is looked at once)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [child for container in level for child in (container.values() if isinstance(container, dict) else container)
                 if isinstance(child, (dict, list))]
    return False


def parse_json(text: str) -> Any:
    """Parse untrusted JSON text under the limits above; ``BadRequest`` names what is wrong.

    The C parser recurses once per level and raises ``RecursionError`` near a thousand levels,
    cleanly; that and anything deeper than :data:`MAX_JSON_DEPTH` are refused alike."""
    too_deep = BadRequest({"body": _("JSON may nest at most %(n)s levels deep.", n=MAX_JSON_DEPTH)})
    try:
        value = json.loads(text, parse_int=_int64, parse_constant=_no_constant)
    except _Unreadable as error:
        raise BadRequest({"body": str(error)}) from None
    except RecursionError:
        raise too_deep from None
    except ValueError:
        raise BadRequest({"body": _("The body is not valid JSON.")}) from None
    if nests_deeper_than(value, MAX_JSON_DEPTH):
        raise too_deep
    return value


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (content_type.startswith("application/") and content_type.endswith("+json"))


async def read_json(request: web.Request, *, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object. With ``optional``, a request without a body reads as ``{}``."""
    if optional and not request.body_exists:
        return {}
    if not _is_json(request.content_type):
        raise UnsupportedMediaType({"Content-Type": _("Send the body as application/json.")})
    if request.charset is not None and request.charset.lower() not in UTF8_NAMES:
        raise UnsupportedMediaType({"Content-Type": _("Send JSON in UTF-8.")})
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise _too_large()
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _too_large() from None
    except (web.RequestPayloadError, HttpProcessingError):
        raise _undecodable() from None
    if len(raw) > MAX_JSON_BYTES:
        raise _too_large()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest({"body": _("The body is not valid UTF-8.")}) from None
    body = parse_json(text)
    if not isinstance(body, dict):
        raise Invalid({"body": _("Send a JSON object.")})
    return body


def _undecodable() -> BadRequest:
    """A body its ``Content-Encoding`` (gzip, deflate) says is compressed that does not decompress."""
    return BadRequest({"Content-Encoding": _("The body could not be decompressed: send it as its "
                                             "Content-Encoding says, or uncompressed.")})


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge({"body": _("Send at most %(n)s KiB of JSON.", n=MAX_JSON_BYTES // 1024)})


async def read_form(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | web.FileField]:
    """The submitted form; ``BadRequest`` when its bytes or its ``Content-Type`` cannot be read.

    aiohttp decodes with whatever charset the request names and raises on bytes that do not
    decode; our pages always submit UTF-8, so anything else is refused before any handler runs
    (the CSRF check reads the form through this too)."""
    if request.charset is not None and request.charset.lower() not in UTF8_NAMES:
        raise BadRequest({"Content-Type": _("Send the form in UTF-8.")})
    try:
        form = await request.post()
    except UnicodeDecodeError:
        raise BadRequest({"body": _("The form is not valid UTF-8.")}) from None
    except (web.RequestPayloadError, HttpProcessingError):
        raise _undecodable() from None
    except (ValueError, LookupError, AssertionError):
        raise BadRequest({"body": _("The form could not be read.")}) from None
    if request.content_type == "application/x-www-form-urlencoded" and any(
            isinstance(value, str) and "\ufffd" in value for value in form.values()):
        # aiohttp decodes percent-escapes that are not UTF-8 (``%ED%A0%80``) into U+FFFD, which
        # would be stored as if typed; reading the body strictly tells them from a typed U+FFFD.
        try:
            parse_qsl((await request.read()).decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise BadRequest({"body": _("The form is not valid UTF-8.")}) from None
    return form


async def form_fields(request: web.Request, names: Iterable[str] | None = None, *,
                      lists: Iterable[str] = ()) -> dict[str, str]:
    """The submitted form's text fields, the CSRF token left out (the middleware has checked it);
    with ``names``, only those (absent ones stay absent, so they read as missing). Each field of
    ``lists`` (a list of checkboxes) holds all its values joined by commas, as
    ``validation.form_values`` reads a list, and is empty when nothing was ticked."""
    form = await read_form(request)
    if names is not None:
        fields = {name: value for name in names if isinstance(value := form.get(name), str)}
    else:
        fields = {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}
    for name in lists:
        fields[name] = ",".join(value for value in form.getall(name, []) if isinstance(value, str))
    return fields


MAX_TARGET = 2000
"""The longest redirect target kept: a longer one would make a ``Location`` header that proxies
and clients refuse (aiohttp's reads at most 8,190 bytes a header)."""


def local_target(target: object, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``: what a redirect may go to.

    A path that starts with one ``/`` and holds no backslash and no control, space or invisible
    character, checked as sent and once percent-decoded (so ``/%5Cevil.example`` and
    ``/%09/evil.example`` fall back too): browsers read ``/\\evil.example`` and ``/<tab>/evil.example``
    as another host, and a control character would break the ``Location`` header. The one
    exception is an encoded space (``%20``), which a search query's address carries and which no
    browser decodes into a host."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > MAX_TARGET:
        return default
    decoded = unquote(target).replace(" ", "")
    for seen in (target, decoded):
        if seen.startswith("//") or "\\" in seen or any(_unsafe(char) for char in seen):
            return default
    return target


def _unsafe(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")
