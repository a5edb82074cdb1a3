"""Avatar uploads: accept only real, reasonably sized images and store a clean re-encoding.

The upload is never stored as sent. It is decoded by Pillow, checked against what the browser
claimed it to be, refused if its declared pixel count could exhaust memory (a decompression
bomb is small on the wire and huge once decoded), then re-encoded as a 256x256-bounded WebP.
Re-encoding drops every piece of metadata (EXIF with GPS position, comments, ICC profiles) and
any payload hidden after the image data.
"""

from __future__ import annotations

import hashlib
import html
import io
import warnings
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from PIL import Image, ImageOps, UnidentifiedImageError

from community import ratelimit
from community.errors import Invalid
from community.i18n import gettext as _
from community.storage.api import Database

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
SIDE = 256
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
STORED_TYPE = "image/webp"
COLLECTION = "avatars"


def _refuse(message: str) -> Invalid:
    return Invalid({"avatar": message})


def reencode(data: bytes, declared_type: str | None) -> bytes:
    """The WebP bytes to store for an upload, or :class:`Invalid` naming what is wrong with it."""
    if not data:
        raise _refuse(_("Choose an image file to upload."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("The image is larger than 2 MB. Choose a smaller one."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=list(ACCEPTED))
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(_("The image is too large in pixels. Use one at most 4096 by 4096."))
            real_type = ACCEPTED[image.format or ""]
            if declared_type and declared_type not in ("application/octet-stream", real_type):
                raise _refuse(_("This file says it is %(declared)s but it is %(real)s. Upload the file as it is.",
                                declared=declared_type, real=real_type))
            image.seek(0)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("The image is too large in pixels. Use one at most 4096 by 4096.")) from None
    except UnidentifiedImageError:
        raise _refuse(_("This file is not a JPEG, PNG, WebP or GIF image.")) from None
    except (OSError, SyntaxError, ValueError):
        raise _refuse(_("This image file is damaged and cannot be read.")) from None
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    image.thumbnail((SIDE, SIDE))
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=85)
    return out.getvalue()


UPLOADS_PER_HOUR = 20


async def save(db: Database, user_id: ObjectId, data: bytes, declared_type: str | None) -> None:
    """Decoding images costs CPU, so uploads are counted (failed ones too) before any decoding."""
    await ratelimit.hit(db, f"avatar:{user_id}", limit=UPLOADS_PER_HOUR, window_seconds=3600)
    webp = reencode(data, declared_type)
    await db[COLLECTION].replace_one(
        {"_id": user_id}, {"_id": user_id, "content_type": STORED_TYPE, "data": webp, "updated_at": datetime.now(UTC)},
        upsert=True,
    )


async def load(db: Database, user_id: ObjectId) -> dict[str, Any] | None:
    return await db[COLLECTION].find_one({"_id": user_id})


async def remove(db: Database, user_id: ObjectId) -> bool:
    return (await db[COLLECTION].delete_one({"_id": user_id})).deleted_count == 1


def initials_svg(user_id: ObjectId, name: str) -> bytes:
    """The picture shown for someone without a visible avatar: their initials on a colour
    derived from their id, so each person keeps one colour everywhere. White on a colour of
    this darkness passes WCAG AA contrast for any hue."""
    words = [word for word in name.split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in (words[:1] + words[1:][-1:])).upper() or "?"
    hue = int(hashlib.sha256(user_id.binary).hexdigest()[:4], 16) % 360
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" role="img">'
            f'<rect width="64" height="64" fill="hsl({hue},55%,30%)"/>'
            f'<text x="32" y="33" fill="#fff" font-family="Noto Sans,Arial,sans-serif" font-size="26" '
            f'text-anchor="middle" dominant-baseline="central">{html.escape(letters)}</text></svg>').encode()
