"""Avatar uploads: only real images, re-encoded without metadata, and refused clearly otherwise."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from bson import ObjectId
from PIL import Image

from tests.conftest import csrf_token
from tests.factories import bearer_token, make_user, sign_in
from tests.profiles.helpers import auth, call, image_bytes


def noisy_png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (120, 120), random.Random(7).randbytes(120 * 120 * 3)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "Asha at home in Kochi"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (9.0, 58.0, 0.0), 3: "E", 4: (76.0, 16.0, 0.0)}  # GPS
    return image_bytes("JPEG", (1200, 900), exif=exif.tobytes())


async def test_upload_is_reencoded_small_and_without_metadata(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    token = await bearer_token(db, user)
    original = jpeg_with_location()
    assert b"Kochi" in original
    status, _ = await call(client, "PUT", "/api/v1/profiles/me/avatar", token, data=original,
                           headers={**auth(token), "Content-Type": "image/jpeg"})
    assert status == 204
    response = await client.get(f"/people/{user['_id']}/avatar", headers=auth(token))
    assert response.status == 200 and response.content_type == "image/webp"
    body = await response.read()
    assert b"Kochi" not in body
    image = Image.open(io.BytesIO(body))
    assert image.format == "WEBP" and max(image.size) == 256 and not image.getexif()


def bomb() -> bytes:
    """A valid PNG of 20000 x 20000 pixels (400 million) that is about 50 kB on the wire: all zeros."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    side = 20000
    rows = zlib.compress(b"\0" * ((side // 8 + 1) * side), 9)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("make", "declared", "says"), [
    (lambda: b"%PDF-1.7 not an image at all", "image/png", "not a JPEG, PNG, WebP or GIF"),
    (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image/svg+xml", "not a JPEG, PNG"),
    (lambda: image_bytes("PNG"), "image/jpeg", "says it is image/jpeg but it is image/png"),
    (lambda: noisy_png()[:4000], "image/png", "damaged"),
    (lambda: b"", "image/png", "Choose an image"),
    (bomb, "image/png", "too large in pixels"),
    (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024 + 1), "image/png", "larger than 2 MB"),
], ids=["pdf", "svg", "lying-type", "truncated", "empty", "decompression-bomb", "too-big"])
async def test_bad_uploads_are_refused_and_nothing_is_stored(client: TestClient, db: Any, make: Callable[[], bytes],
                                                             declared: str, says: str) -> None:
    data = make()
    user = await make_user(db)
    token = await bearer_token(db, user)
    status, problem = await call(client, "PUT", "/api/v1/profiles/me/avatar", token, data=io.BytesIO(data),
                                 headers={**auth(token), "Content-Type": declared})
    assert status == 422 and problem["errors"][0]["field"] == "avatar"
    assert says in problem["errors"][0]["message"]
    assert await db.avatars.count_documents({}) == 0


async def test_form_upload_and_error_without_javascript(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    await sign_in(client, user)
    form = FormData()
    form.add_field("csrf_token", await csrf_token(client, "/profile/edit"))
    form.add_field("avatar", b"GIF89a but not really", filename="me.gif", content_type="image/gif")
    response = await client.post("/profile/avatar", data=form)
    assert response.status == 422 and 'id="avatar-error"' in await response.text()
    form = FormData()
    form.add_field("csrf_token", await csrf_token(client, "/profile/edit"))
    form.add_field("avatar", image_bytes("GIF", (64, 64)), filename="me.gif", content_type="image/gif")
    response = await client.post("/profile/avatar", data=form, allow_redirects=False)
    assert response.status == 303
    stored = await db.avatars.find_one({"_id": user["_id"]})
    assert stored["content_type"] == "image/webp" and bytes(stored["data"])[8:12] == b"WEBP"
    remove = await client.post("/profile/avatar/remove", data={"csrf_token": await csrf_token(client, "/profile/edit")},
                               allow_redirects=False)
    assert remove.status == 303 and await db.avatars.count_documents({}) == 0


async def test_uploads_are_rate_limited(client: TestClient, db: Any) -> None:
    user = await make_user(db)
    token = await bearer_token(db, user)
    picture = image_bytes("GIF", (8, 8))
    for _ in range(20):
        status, _ = await call(client, "PUT", "/api/v1/profiles/me/avatar", token, data=picture,
                               headers={**auth(token), "Content-Type": "image/gif"})
        assert status == 204
    response = await client.put("/api/v1/profiles/me/avatar", data=picture,
                                headers={**auth(token), "Content-Type": "image/gif"})
    assert response.status == 429 and int(response.headers["Retry-After"]) > 0


async def test_without_a_visible_avatar_the_picture_is_the_persons_initials(client: TestClient, db: Any) -> None:
    asha = await make_user(db, name="Asha Kumari Verma")
    sita = await make_user(db, name="सीता राम")
    crafted = await make_user(db, name="<script>alert(1)</script> Rao")
    viewer = await make_user(db)
    token = await bearer_token(db, viewer)
    first = await client.get(f"/people/{asha['_id']}/avatar", headers=auth(token))
    assert first.status == 200 and first.content_type == "image/svg+xml"
    assert first.headers["Cache-Control"] == "private, max-age=300", "only the viewer's browser keeps it, briefly"
    svg = await first.text()
    assert ">AV</text>" in svg, "the first and the last name"
    assert await (await client.get(f"/people/{asha['_id']}/avatar", headers=auth(token))).text() == svg, \
        "one colour per person, every time"
    assert ">सर</text>" in await (await client.get(f"/people/{sita['_id']}/avatar", headers=auth(token))).text()
    shown = await (await client.get(f"/people/{crafted['_id']}/avatar", headers=auth(token))).text()
    assert ">R</text>" in shown and "<script" not in shown
    assert (await client.get(f"/people/{ObjectId()}/avatar", headers=auth(token))).status == 404
