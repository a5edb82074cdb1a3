"""The embedded engine's query planner: which index, which key ranges, which direction.

``choose_plan`` turns a filter and a sort into a ``Plan`` over one index's keys (``keys.py``
encodings), or a collection scan. Whatever a plan selects is re-checked by the Python filter,
so a plan only narrows the work, never changes an answer.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import bson
from pymongo.errors import OperationFailure

from community.storage import keys
from community.storage.catalog import CollInfo, IndexInfo
from community.storage.shaping import SortSpec

MAX_RANGES = 1000
"""An ``$in`` (or a product of several) expanding to more index ranges than this scans instead."""

SCALAR_TYPES = frozenset({str, int, float, bool, type(None), bson.ObjectId, datetime.datetime, bson.Int64})
"""Types whose index key is one encoding of the value itself (no arrays, no sub-documents)."""


def _key_value(value: Any) -> bool:
    """A value whose key stands for it alone: a scalar, not null (a missing field is indexed as null)."""
    return type(value) in SCALAR_TYPES and value is not None


@dataclass(slots=True)
class Bounds:
    """What a filter says about one field: a set of points, or a range (ascending key space)."""

    points: list[bytes] | None = None
    low: tuple[bytes, bool] | None = None  # (key, inclusive)
    high: tuple[bytes, bool] | None = None
    allows_null: bool = False
    single: Bounds | None = None
    """For a range merged from several conditions, the first of them alone: on a multikey
    index each condition may be met by a different element, so only one may bound the scan."""


@dataclass(slots=True)
class Plan:
    index: IndexInfo | None = None
    ranges: list[tuple[bytes, bytes]] = field(default_factory=list)
    backward: bool = False
    sorts: bool = False
    point: bool = False
    """At most one document can match: full-key equality on a unique index."""
    exact: bool = False
    """Each range is one full key of a unique index (equality or ``$in``): at most one document each."""
    decides: bool = False
    """The index's keys alone decide the filter: it names only the fields of a unique index that
    never held an array, each compared for equality with scalars (not null). A document found
    under one of its keys matches (equal keys are equal values as MongoDB compares them), so no
    filter need be compiled or checked."""
    covered: bool = False
    """The index holds every field the query reads (``needed_fields``): its keys answer it, a
    document is read only for a key that does not give its values back (``keys.decode_exact``)."""


def _point_ok(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return False
    if isinstance(value, dict):
        return not (value and next(iter(value)).startswith("$"))
    try:
        return keys.type_tag(value) != keys.REGEX
    except OperationFailure:
        return False


def _field_bounds(condition: Any) -> Bounds | None:
    if not (isinstance(condition, dict) and condition and next(iter(condition)).startswith("$")):
        if not _point_ok(condition):
            return None
        return Bounds(points=[keys.encode(condition)], allows_null=condition is None)
    result: Bounds | None = None
    for op, operand in condition.items():
        bound: Bounds | None = None
        if op == "$eq" and _point_ok(operand):
            bound = Bounds(points=[keys.encode(operand)], allows_null=operand is None)
        elif op == "$in" and isinstance(operand, (list, tuple)) and all(_point_ok(v) for v in operand):
            # An empty $in matches nothing: no points, so the index scan reads no range at all.
            bound = Bounds(points=sorted({keys.encode(v) for v in operand}), allows_null=any(v is None for v in operand))
        elif op in ("$gt", "$gte", "$lt", "$lte") and operand is not None and _point_ok(operand) and not isinstance(operand, dict):
            low_bracket, high_bracket = keys.bracket(keys.type_tag(operand))
            key = keys.encode(operand)
            if op in ("$gt", "$gte"):
                bound = Bounds(low=(key, op == "$gte"), high=(high_bracket, False))
            else:
                bound = Bounds(low=(low_bracket, True), high=(key, op == "$lte"))
        if bound is None:
            continue
        result = bound if result is None else _intersect(result, bound)
    return result


def _intersect(a: Bounds, b: Bounds) -> Bounds:
    if a.points is not None:
        return a
    if b.points is not None:
        return b
    low = max(x for x in (a.low, b.low) if x is not None) if (a.low or b.low) else None
    if a.low and b.low and a.low[0] == b.low[0]:
        low = (a.low[0], a.low[1] and b.low[1])
    high = None
    if a.high or b.high:
        high = min((x for x in (a.high, b.high) if x is not None), key=lambda x: (x[0], x[1]))
        if a.high and b.high and a.high[0] == b.high[0]:
            high = (a.high[0], a.high[1] and b.high[1])
    return Bounds(low=low, high=high, single=a.single or a)


def _collect(filter_: Mapping[str, Any], out: dict[str, Bounds]) -> None:
    for key, condition in filter_.items():
        if key == "$and" and isinstance(condition, list):
            for clause in condition:
                if isinstance(clause, Mapping):
                    _collect(clause, out)
        elif not key.startswith("$"):
            bound = _field_bounds(condition)
            if bound is not None:
                out[key] = bound if key not in out else _intersect(out[key], bound)


def _component(bound: Bounds, direction: int) -> tuple[list[bytes] | None, tuple[bytes, bool] | None, tuple[bytes, bool] | None]:
    if bound.points is not None:
        points = [keys.invert(p) for p in bound.points] if direction == -1 else bound.points
        return sorted(points), None, None
    low, high = bound.low, bound.high
    if direction == -1:
        low, high = (
            (keys.invert(high[0]), high[1]) if high else None,
            (keys.invert(low[0]), low[1]) if low else None,
        )
    return None, low, high


def _filter_fields(filter_: Mapping[str, Any], out: set[str]) -> bool:
    for key, condition in filter_.items():
        if key == "$and" and isinstance(condition, list) and all(isinstance(clause, Mapping) for clause in condition):
            if not all(_filter_fields(clause, out) for clause in condition):
                return False
        elif key.startswith("$") or "." in key:
            return False
        else:
            out.add(key)
    return True


def needed_fields(filter_: Any, projection: Any, sort: SortSpec) -> frozenset[str] | None:
    """Every field a ``find`` reads, when an index holding them all could answer it from its keys
    alone: an inclusion projection of top-level fields (``_id`` among them unless excluded), a
    filter on top-level fields (or an ``$and`` of such) and a sort on them. ``None`` otherwise."""
    if isinstance(projection, (list, tuple)):
        projection = {name: 1 for name in projection}
    if not isinstance(projection, Mapping) or not isinstance(filter_, Mapping):
        return None
    fields = {"_id"} if projection.get("_id", True) else set()
    for name, flag in projection.items():
        if name == "_id":
            continue
        if not flag or isinstance(flag, (dict, str)) or "." in name or name.startswith("$"):
            return None
        fields.add(name)
    if not fields or not _filter_fields(filter_, fields):  # {"_id": 0} alone: everything but the id
        return None
    if any("." in name for name, _ in sort):
        return None
    return frozenset(fields | {name for name, _ in sort})


def covers(index: IndexInfo, needed: frozenset[str] | None) -> bool:
    """Whether ``index``'s keys give back every field of ``needed``: all of them in its key, all
    ascending, none ever holding an array (a document would stand under a key per element)."""
    return (needed is not None and not index.arrays and all(direction == 1 for _, direction in index.key)
            and needed <= {path for path, _ in index.key})


def choose_plan(info: CollInfo, filter_: Mapping[str, Any], sort: SortSpec,
                needed: frozenset[str] | None = None) -> Plan:
    point = _unique_point(info, filter_)
    if point is not None:
        return point
    bounds: dict[str, Bounds] = {}
    _collect(filter_, bounds)
    best: tuple[tuple[int, ...], Plan] | None = None
    for index in info.indexes:
        first = bounds.get(index.key[0][0])
        if index.sparse and (first is None or first.allows_null):
            continue
        prefixes: list[bytes] = [b""]
        depth = 0
        ranged = False
        ranges: list[tuple[bytes, bytes]] = []
        for position, (path, direction) in enumerate(index.key):
            bound = bounds.get(path)
            if bound is None:
                break
            if index.arrays >> position & 1 and bound.single is not None:
                bound = bound.single
            points, low, high = _component(bound, direction)
            if points is not None:
                if len(prefixes) * len(points) > MAX_RANGES:
                    break
                prefixes = [p + point for p in prefixes for point in points]
                depth += 1
                continue
            for prefix in prefixes:
                start = prefix if low is None else (prefix + low[0] if low[1] else keys.successor(prefix + low[0]))
                stop = keys.successor(prefix) if high is None else (keys.successor(prefix + high[0]) if high[1] else prefix + high[0])
                if start < stop:
                    ranges.append((start, stop))
            ranged = True
            break
        if not ranged:
            ranges = [(p, keys.successor(p)) if p else (b"", b"\xff" * 9) for p in prefixes]
        ranges.sort()
        sorts, backward = _sort_order(index, depth, len(prefixes), sort)
        used = depth > 0 or ranged
        if not used and not sorts:
            continue
        if not used and index.sparse:
            continue
        covered = covers(index, needed)
        score = (int(used), depth, int(ranged), int(sorts), int(covered), int(index.unique), -len(index.key))
        if best is None or score > best[0]:
            exact = index.unique and depth == len(index.key)
            best = (score, Plan(index=index, ranges=ranges, backward=backward, sorts=sorts,
                                point=exact and len(prefixes) == 1, exact=exact, covered=covered,
                                decides=exact and _decides(index, filter_)))
    return best[1] if best else Plan()


def _unique_point(info: CollInfo, filter_: Mapping[str, Any]) -> Plan | None:
    """The plan for a filter that names a scalar (not null) for every field of a unique index,
    ``{_id: x, deleted: {$ne: true}}`` or ``{poll_id: p, user_id: u}`` among them: no plan reads
    fewer keys, at most one document matches (so any sort holds), and the rest of the filter is
    checked on that document. Found without weighing every index, which a read by its id would
    otherwise do on every call."""
    for index in info.indexes:
        if not index.unique:
            continue
        parts: list[bytes] = []
        for path, direction in index.key:
            value = filter_.get(path)
            if not _key_value(value):
                break
            part = keys.encode(value)
            parts.append(keys.invert(part) if direction == -1 else part)
        else:
            key = b"".join(parts)
            return Plan(index=index, ranges=[(key, keys.successor(key))], sorts=True, point=True, exact=True,
                        decides=len(filter_) == len(index.key) and not index.arrays)
    return None


def _decides(index: IndexInfo, filter_: Mapping[str, Any]) -> bool:
    """Whether ``filter_`` is ``{path: {"$in": [...]}}`` (or ``$eq``) over scalars, not null, on
    ``index``, a unique index of that one field that never held an array (``Plan.decides``)."""
    if len(index.key) != 1 or index.arrays or len(filter_) != 1:
        return False
    path = index.key[0][0]
    condition = filter_.get(path)
    if not isinstance(condition, dict) or len(condition) != 1:
        return False
    op, operand = next(iter(condition.items()))
    values = operand if op == "$in" and isinstance(operand, (list, tuple)) else [operand] if op == "$eq" else None
    return values is not None and all(_key_value(value) for value in values)


def counting_index(info: CollInfo, filter_: Mapping[str, Any]) -> tuple[IndexInfo, bytes] | None:
    """An index that counts ``filter_``'s matches by its keys alone, and the key prefix to count:
    one whose leading fields are exactly the filter's, each compared for equality with one scalar
    that is not null (a missing field is indexed as null), none of them ever holding an array (a
    document would then stand under a key per element). Equal keys are equal values as MongoDB
    compares them (1 and 1.0, times to the millisecond), so no document need be read."""
    if not filter_ or any(path.startswith("$") or not _key_value(value)
                          for path, value in filter_.items()):
        return None
    fields = len(filter_)
    for index in info.indexes:
        lead = index.key[:fields]
        if len(lead) < fields or {path for path, _ in lead} != filter_.keys() or index.arrays & ((1 << fields) - 1):
            continue
        parts = (keys.encode(filter_[path]) for path, _ in lead)
        return index, b"".join(keys.invert(part) if direction == -1 else part
                               for part, (_, direction) in zip(parts, lead))
    return None


def _sort_order(index: IndexInfo, depth: int, prefixes: int, sort: SortSpec) -> tuple[bool, bool]:
    """Whether scanning ``index`` yields ``sort``'s order, and in which direction.

    A field that has held an array has a key per element, so a scan meets a document once for
    each; only where every such field is fixed by one equality (one value of the array, in the
    first ``depth`` fields) does the scan meet each document once and in the order of the rest."""
    if not sort:
        return False, False
    if index.arrays >> depth or prefixes > 1:
        return False, False
    rest = index.key[depth:depth + len(sort)]
    if len(rest) < len(sort) or any(path != field_ for (path, _), (field_, _) in zip(rest, sort, strict=True)):
        return False, False
    if all(d == s for (_, d), (_, s) in zip(rest, sort, strict=True)):
        return True, False
    if all(d == -s for (_, d), (_, s) in zip(rest, sort, strict=True)):
        return True, True
    return False, False
