"""Order-preserving byte encoding of BSON values, following MongoDB's cross-type sort order.

``encode(a) < encode(b)`` (as bytes) exactly when MongoDB orders ``a`` before ``b``, and
``encode(a) == encode(b)`` exactly when MongoDB considers them equal (``1 == 1.0 ==
Int64(1)``, ``-0.0 == 0.0``, but ``True != 1``). The same bytes are the keys of the SQLite
index tables, so an equality, a range or a sort is a B-tree range scan, and the Python side
(filters, ``$min``/``$max``, in-memory sorts) compares through this one function too: the
engine cannot disagree with its own indexes.

Every encoding is prefix-free (fixed width, a length prefix, or an escaped and terminated
body), so a compound key is the concatenation of its parts and a descending part is its
bytes inverted.
"""

from __future__ import annotations

import datetime
import re
import struct
from typing import Any

import bson
from bson import Binary, Code, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
from pymongo.errors import OperationFailure

# One tag per MongoDB canonical type, in MongoDB's comparison order.
MINKEY = 0x01
EMPTY_ARRAY = 0x03  # how an index (and a sort) sees ``[]``: MongoDB's "undefined", below null
NULL = 0x05
NUMBER = 0x10
STRING = 0x14
OBJECT = 0x18
ARRAY = 0x1C
BINARY = 0x20
OBJECTID = 0x24
BOOL = 0x28
DATE = 0x2C
TIMESTAMP = 0x30
REGEX = 0x34
MAXKEY = 0x7F

_EPOCH = datetime.datetime(1970, 1, 1)
_SIGN = 1 << 63
_MASK64 = (1 << 64) - 1
_NULL_BYTES = bytes([NULL])


def check_encodable(part: Any) -> None:
    """Raise what PyMongo raises (``OverflowError: MongoDB can only handle up to 8-byte ints``,
    ``bson.errors.InvalidDocument``) for a filter, update, document or pipeline it could not
    encode, so MongoDB never sees: an integer beyond 64 bits is refused, never compared."""
    bson.encode({"": part})


def datetime_ms(value: datetime.datetime) -> int:
    """Milliseconds since the epoch, truncated as BSON truncates (aware values converted to UTC)."""
    if value.tzinfo is not None:
        offset = value.utcoffset()
        value = value.replace(tzinfo=None) - (offset or datetime.timedelta())
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _escape(raw: bytes) -> bytes:
    return raw.replace(b"\x00", b"\x00\xff") + b"\x00\x00"


_DOUBLE = struct.Struct(">d")
_NAN_KEY = bytes([NUMBER]) + b"\x00" * 8 + b"\x80\x00"
_EXACT = b"\x80\x00"


def _double_bits(approx: float) -> bytes:
    bits = int.from_bytes(_DOUBLE.pack(approx), "big")
    bits = (bits ^ _MASK64) if bits & _SIGN else (bits | _SIGN)
    return bits.to_bytes(8, "big")


def _float(value: float) -> bytes:
    if value != value:
        return _NAN_KEY
    return b"\x10" + _double_bits(value if value != 0 else 0.0) + _EXACT


def _int(value: int) -> bytes:
    if -(1 << 53) <= value <= (1 << 53):
        return b"\x10" + _double_bits(float(value)) + _EXACT
    approx = float(value)
    # A 64-bit integer and the double nearest to it share the first 8 bytes; the remainder
    # (|r| <= 1024 for int64) orders them exactly.
    remainder = value - int(approx)
    return b"\x10" + _double_bits(approx) + (remainder + 0x8000).to_bytes(2, "big")


_TAGS: dict[type, int] = {
    type(None): NULL, bool: BOOL, int: NUMBER, Int64: NUMBER, float: NUMBER, str: STRING, dict: OBJECT,
    list: ARRAY, tuple: ARRAY, bytes: BINARY, Binary: BINARY, ObjectId: OBJECTID, datetime.datetime: DATE,
    Timestamp: TIMESTAMP, Regex: REGEX, re.Pattern: REGEX, MinKey: MINKEY, MaxKey: MAXKEY,
}
"""The tag of each exact type (a lookup, where the checks below cost a call each); subclasses
(a ``SON``, an ``OrderedDict``) go through the checks."""


def type_tag(value: Any) -> int:
    """The canonical-type tag MongoDB compares first (comparison operators match within one)."""
    tag = _TAGS.get(type(value))
    if tag is not None:
        return tag
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, dict):
        return OBJECT
    if isinstance(value, (list, tuple)):
        return ARRAY
    if isinstance(value, (bytes, Binary)):
        return BINARY
    if isinstance(value, ObjectId):
        return OBJECTID
    if isinstance(value, datetime.datetime):
        return DATE
    if isinstance(value, Timestamp):
        return TIMESTAMP
    if isinstance(value, (Regex, re.Pattern)):
        return REGEX
    if isinstance(value, MinKey):
        return MINKEY
    if isinstance(value, MaxKey):
        return MAXKEY
    raise _unsupported(value)


def _unsupported(value: Any) -> OperationFailure:
    kind = "Decimal128" if isinstance(value, Decimal128) else "Code" if isinstance(value, Code) else type(value).__name__
    return OperationFailure(f"the embedded engine does not support values of type {kind}", code=2)


def _str(value: str) -> bytes:
    return b"\x14" + _escape(value.encode("utf-8", "surrogatepass"))


def _object_id(value: ObjectId) -> bytes:
    return b"\x24" + value.binary


def _date(value: datetime.datetime) -> bytes:
    return b"\x2c" + ((datetime_ms(value) + _SIGN) & _MASK64).to_bytes(8, "big")


def _dict(value: dict[str, Any]) -> bytes:
    parts = [b"\x18"]
    for name, item in value.items():
        body = encode(item)
        parts.append(body[:1] + _escape(str(name).encode("utf-8", "surrogatepass")) + body[1:])
    parts.append(b"\x00")
    return b"".join(parts)


def _list(value: list[Any] | tuple[Any, ...]) -> bytes:
    return b"\x1c" + b"".join(encode(item) for item in value) + b"\x00"


def _binary(value: bytes) -> bytes:
    subtype = value.subtype if isinstance(value, Binary) else 0
    return bytes([BINARY]) + len(value).to_bytes(4, "big") + bytes([subtype]) + bytes(value)


def _bool(value: bool) -> bytes:
    return b"\x28\x01" if value else b"\x28\x00"


_ENCODERS: dict[type, Any] = {
    str: _str, int: _int, Int64: _int, float: _float, bool: _bool, type(None): lambda v: _NULL_BYTES,
    ObjectId: _object_id, datetime.datetime: _date, dict: _dict, list: _list, tuple: _list,
    bytes: _binary, Binary: _binary,
}


def scalar_encoders() -> dict[type, Any]:
    """Encoders of the exact scalar types (no containers, no None), for hot paths."""
    return {kind: encoder for kind, encoder in _ENCODERS.items() if kind not in (dict, list, tuple, type(None))}


def encode(value: Any) -> bytes:
    """The order-preserving key of one value (the whole value: arrays are not expanded here)."""
    encoder = _ENCODERS.get(type(value))
    if encoder is not None:
        return encoder(value)
    return _encode_other(value)


def _encode_other(value: Any) -> bytes:
    if isinstance(value, bool):
        return _bool(value)
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _str(value)
    if isinstance(value, dict):
        return _dict(value)
    if isinstance(value, (list, tuple)):
        return _list(value)
    if isinstance(value, (bytes, Binary)):
        return _binary(value)
    if isinstance(value, ObjectId):
        return _object_id(value)
    if isinstance(value, datetime.datetime):
        return _date(value)
    if isinstance(value, Timestamp):
        return bytes([TIMESTAMP]) + value.time.to_bytes(4, "big") + value.inc.to_bytes(4, "big")
    if isinstance(value, (Regex, re.Pattern)):
        flags = value.flags if isinstance(value.flags, str) else _regex_flags(value.flags)
        return bytes([REGEX]) + _escape(value.pattern.encode()) + _escape(flags.encode())
    if isinstance(value, MinKey):
        return bytes([MINKEY])
    if isinstance(value, MaxKey):
        return bytes([MAXKEY])
    raise _unsupported(value)


def _regex_flags(flags: int) -> str:
    letters = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}
    return "".join(letter for bit, letter in letters.items() if flags & bit)


_INVERT = bytes(range(255, -1, -1))


def invert(key: bytes) -> bytes:
    return key.translate(_INVERT)


def successor(prefix: bytes) -> bytes:
    """The smallest byte string greater than every string that starts with ``prefix``."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return b"\xff" * (len(prefix) + 1)
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def bracket(tag: int) -> tuple[bytes, bytes]:
    """The [low, high) key range holding every value of one canonical type."""
    return bytes([tag]), bytes([tag + 1])


def decode_exact(key: bytes, names: tuple[str, ...]) -> dict[str, Any] | None:
    """The values an ascending compound key was made of, by field name, when each is one whose
    key gives it back exactly: a string, an ObjectId or a boolean. ``None`` for any other: a
    number's key does not say whether it was an int or a float, nor null's whether the field
    was missing, and a container's was expanded or nested."""
    out: dict[str, Any] = {}
    position = 0
    for name in names:
        tag = key[position]
        if tag == STRING:
            end = key.index(b"\x00\x00", position + 1)  # a body's NUL is escaped as \x00\xff: the first pair ends it
            out[name] = key[position + 1:end].replace(b"\x00\xff", b"\x00").decode("utf-8", "surrogatepass")
            position = end + 2
        elif tag == OBJECTID:
            out[name] = ObjectId(key[position + 1:position + 13])
            position += 13
        elif tag == BOOL:
            out[name] = key[position + 1] == 1
            position += 2
        else:
            return None
    return out
