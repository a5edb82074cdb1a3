"""BSON types round-trip exactly, and the key encoding orders values as MongoDB does."""

from __future__ import annotations

import datetime
from typing import Any

from bson import Binary, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community.storage import keys


async def test_every_type_round_trips(db: Any) -> None:
    oid = ObjectId()
    doc = {
        "_id": oid,
        "int32": 7,
        "int64": Int64(7),
        "big": 2**62,
        "float": 0.1,
        "true": True,
        "none": None,
        "text": "नमस्ते",
        "bytes": b"\x00\xff",
        "binary": Binary(b"\x01", 4),
        "when": datetime.datetime(2024, 2, 29, 23, 59, 59, 999999),
        "nested": {"list": [1, "two", {"three": [3.0]}], "empty": {}},
    }
    await db.t.insert_one(dict(doc))
    back = await db.t.find_one({"_id": oid})
    assert back is not None
    assert list(back) == list(doc)
    assert type(back["int32"]) is int and type(back["int64"]) is Int64 and type(back["big"]) is Int64
    assert type(back["float"]) is float and back["true"] is True and back["none"] is None
    assert back["bytes"] == b"\x00\xff" and back["binary"] == Binary(b"\x01", 4)
    # MongoDB stores milliseconds, UTC, and PyMongo hands back naive UTC datetimes.
    assert back["when"] == datetime.datetime(2024, 2, 29, 23, 59, 59, 999000)
    assert back["nested"] == doc["nested"]


async def test_aware_datetimes_are_stored_as_utc(db: Any) -> None:
    ist = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    await db.t.insert_one({"_id": 1, "at": datetime.datetime(2024, 1, 1, 5, 30, tzinfo=ist)})
    assert (await db.t.find_one({"_id": 1}))["at"] == datetime.datetime(2024, 1, 1, 0, 0)
    assert await db.t.count_documents({"at": datetime.datetime(2024, 1, 1, 0, 0, 0, 400)}) == 1


def test_cross_type_order() -> None:
    ordered = [
        MinKey(), None, float("nan"), -(2**63), -1.5, 0, 1, 2**53, 2**53 + 1, float("inf"),
        "", "A", "a", "ab", "b", {}, {"a": 1}, {"a": 1, "b": 0}, {"b": 0}, [], [1], [1, 2], [2],
        b"", b"\xff", b"\x00\x00", ObjectId("000000000000000000000000"), ObjectId("ffffffffffffffffffffffff"),
        False, True, datetime.datetime(1969, 12, 31), datetime.datetime(2024, 1, 1), Timestamp(0, 1),
        Regex("a"), MaxKey(),
    ]
    encoded = [keys.encode(v) for v in ordered]
    assert encoded == sorted(encoded)
    assert len(set(encoded)) == len(encoded)


def test_equal_values_share_a_key() -> None:
    assert keys.encode(1) == keys.encode(1.0) == keys.encode(Int64(1))
    assert keys.encode(-0.0) == keys.encode(0)
    assert keys.encode(True) != keys.encode(1)
    assert keys.encode(datetime.datetime(2024, 1, 1, 0, 0, 0, 999)) == keys.encode(datetime.datetime(2024, 1, 1))


numbers = st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(a=numbers, b=numbers)
def test_numbers_order_by_exact_value(a: float, b: float) -> None:
    from fractions import Fraction

    def exact(x: float) -> Any:
        return x if x in (float("inf"), float("-inf")) else Fraction(x)

    ka, kb = keys.encode(a), keys.encode(b)
    ea, eb = exact(a), exact(b)
    assert (ka < kb) == (ea < eb) and (ka == kb) == (ea == eb)


@settings(max_examples=200, deadline=None)
@given(a=st.text(), b=st.text(), c=st.text())
def test_strings_order_by_code_point_and_compound_keys_stay_ordered(a: str, b: str, c: str) -> None:
    assert (keys.encode(a) < keys.encode(b)) == (a.encode("utf-8", "surrogatepass") < b.encode("utf-8", "surrogatepass"))
    assert (keys.encode(a) + keys.encode(c) < keys.encode(b) + keys.encode(c)) == (keys.encode(a) < keys.encode(b)) or a == b
    inverted = keys.invert(keys.encode(a)), keys.invert(keys.encode(b))
    assert (inverted[0] < inverted[1]) == (keys.encode(b) < keys.encode(a))


def test_each_value_has_the_type_tag_mongodb_compares_first() -> None:
    """Exact types are looked up, subclasses checked: a bool is not a number, an ``Int64`` is,
    a ``SON`` or an ``OrderedDict`` is a document, a compiled pattern a regular expression."""
    from collections import OrderedDict

    from bson import SON, Decimal128
    from pymongo.errors import OperationFailure
    import re

    class Name(str):
        pass

    expected = [
        (None, keys.NULL), (True, keys.BOOL), (1, keys.NUMBER), (Int64(1), keys.NUMBER), (1.5, keys.NUMBER),
        ("a", keys.STRING), (Name("a"), keys.STRING), ({}, keys.OBJECT), (SON(), keys.OBJECT),
        (OrderedDict(), keys.OBJECT), ([], keys.ARRAY), ((), keys.ARRAY), (b"x", keys.BINARY),
        (Binary(b"x", 4), keys.BINARY), (ObjectId(), keys.OBJECTID), (datetime.datetime(2026, 12, 7), keys.DATE),
        (Timestamp(1, 1), keys.TIMESTAMP), (Regex("a"), keys.REGEX), (re.compile("a"), keys.REGEX),
        (MinKey(), keys.MINKEY), (MaxKey(), keys.MAXKEY),
    ]
    assert [(value, keys.type_tag(value)) for value, _ in expected] == expected
    for unsupported in (Decimal128("1.5"), {1, 2}):
        with pytest.raises(OperationFailure):
            keys.type_tag(unsupported)
