"""BigBlueButton's checksums, against the examples of its API documentation, and signed join links."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlsplit

from community.events import places

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
"""The shared secret of the documentation's examples (docs.bigbluebutton.org, API Reference: Usage)."""


def test_the_documentations_create_example_gives_its_checksum() -> None:
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    assert places.checksum("create", query, SECRET) == "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"


def test_a_signed_call_encodes_spaces_as_the_documentation_does_and_appends_the_checksum() -> None:
    url = places.signed_call("https://bbb.example.gov.in/bigbluebutton", "create",
                             {"name": "Test Meeting", "meetingID": "abc123", "attendeePW": "111222",
                              "moderatorPW": "333444"}, SECRET)
    assert url == ("https://bbb.example.gov.in/bigbluebutton/api/create?name=Test+Meeting&meetingID=abc123"
                   "&attendeePW=111222&moderatorPW=333444&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17")


def test_sha256_is_the_same_string_under_another_digest() -> None:
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    assert places.checksum("create", query, SECRET, "sha256") == hashlib.sha256(
        ("create" + query + SECRET).encode()).hexdigest()
    assert len(places.checksum("create", query, SECRET, "sha256")) == 64


def test_a_join_link_is_signed_over_its_own_query_and_hosts_join_as_moderators() -> None:
    url = places.bbb_join_url("https://bbb.example.gov.in/bigbluebutton", SECRET, meeting_id="karmayogi-1",
                              full_name="Asha Rao", user_id="u1", moderator=True)
    parts = urlsplit(url)
    query, signature = parts.query.rsplit("&checksum=", 1)
    assert parts.path.endswith("/api/join")
    assert places.checksum("join", query, SECRET) == signature
    assert dict(parse_qsl(query))["role"] == "MODERATOR" and dict(parse_qsl(query))["fullName"] == "Asha Rao"
    viewer = places.bbb_join_url("https://bbb.example.gov.in/bigbluebutton", SECRET, meeting_id="karmayogi-1",
                                 full_name="Asha Rao", user_id="u1", moderator=False)
    assert dict(parse_qsl(urlsplit(viewer).query))["role"] == "VIEWER"
