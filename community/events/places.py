"""Where an event happens: a link, a Jitsi Meet room embedded on the event page, a
BigBlueButton meeting whose join links this server signs, or a venue (a room, an address).

BigBlueButton's API authenticates a call by its checksum: the hex digest (SHA-1 by default,
SHA-256 where the server is configured for it) of the call's name, its query string and the secret
shared with the server, appended as ``checksum``. No BigBlueButton server runs beside this one in
development or in the tests: the signing is tested against the examples of BigBlueButton's API
documentation, and a join link only works once ``BBB_URL`` and ``BBB_SECRET`` name a real server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote_plus, urlencode

Digest = Literal["sha1", "sha256"]

def checksum(call: str, query: str, secret: str, digest: Digest = "sha1") -> str:
    return hashlib.new(digest, (call + query + secret).encode()).hexdigest()


def signed_call(base_url: str, call: str, params: Mapping[str, str], secret: str, digest: Digest = "sha1") -> str:
    """The full URL of an API call, its query encoded as BigBlueButton expects (spaces as ``+``)."""
    query = urlencode(list(params.items()), quote_via=quote_plus)
    return f"{base_url.rstrip('/')}/api/{call}?{query}&checksum={checksum(call, query, secret, digest)}"


def bbb_join_url(base_url: str, secret: str, *, meeting_id: str, full_name: str, user_id: str, moderator: bool) -> str:
    """A person's signed link into the event's meeting: hosts join as moderators."""
    return signed_call(base_url, "join", {"fullName": full_name, "meetingID": meeting_id,
                                          "role": "MODERATOR" if moderator else "VIEWER", "userID": user_id,
                                          "redirect": "true"}, secret)


def jitsi_url(base_url: str, room: str) -> str:
    return f"{base_url.rstrip('/')}/{room}"


def describe(place: Mapping[str, Any]) -> str:
    """The place as one line for calendars and notifications (never a signed link: those are per person)."""
    if place["kind"] == "link":
        return str(place["url"])
    if place["kind"] == "jitsi":
        return "Jitsi Meet"
    if place["kind"] == "venue":
        return str(place["address"])
    return "BigBlueButton"
