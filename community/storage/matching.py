"""Query filters: compiled once into predicates with MongoDB's matching semantics.

Paths are dotted and walk through arrays of sub-documents; a field holding an array matches
when the array itself or any element matches; ``null`` matches a missing field. Values are
compared through ``keys.encode`` so that equality and order are MongoDB's (``1 == 1.0``,
``True != 1``, comparison operators only match within one canonical type).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from bson import ObjectId, Regex
from pymongo.errors import OperationFailure

from community.storage import keys

Predicate = Callable[[Any], bool]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def resolve(value: Any, parts: list[str], start: int = 0) -> Iterator[Any]:
    """Every value a dotted path reaches, ``MISSING`` where a branch ends early.

    An array on the way is walked element by element (sub-documents only) unless the next
    part is a numeric index; an array at the end is yielded whole (callers expand it). A path
    that only meets arrays of non-documents yields nothing at all.
    """
    index = start
    while index < len(parts):
        part = parts[index]
        if isinstance(value, dict):
            if part not in value:
                yield MISSING
                return
            value = value[part]
            index += 1
        elif isinstance(value, list):
            if part.isdigit():
                position = int(part)
                if position < len(value):
                    yield from resolve(value[position], parts, index + 1)
                else:
                    yield MISSING
                return
            # Like MongoDB, elements that are not documents yield nothing (not even "missing").
            for element in value:
                if isinstance(element, dict):
                    yield from resolve(element, parts, index)
            return
        else:
            yield MISSING
            return
    yield value


def _is_operator_doc(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and next(iter(value)).startswith("$")


def _regex(pattern: Any, options: str = "") -> re.Pattern[str]:
    if isinstance(pattern, re.Pattern):
        if options:
            return re.compile(pattern.pattern, pattern.flags | _flags(options))
        return pattern
    if isinstance(pattern, Regex):
        flags = pattern.flags if isinstance(pattern.flags, str) else keys._regex_flags(pattern.flags)
        return re.compile(pattern.pattern, _flags(flags + options))
    if not isinstance(pattern, str):
        raise OperationFailure("$regex has to be a string", code=2)
    return re.compile(pattern, _flags(options))


def _flags(options: str) -> int:
    flags = 0
    table = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0}
    for letter in options:
        if letter not in table:
            raise OperationFailure(f"invalid flag in regex options: {letter}", code=51108)
        flags |= table[letter]
    return flags


def _equals(operand: Any) -> Callable[[list[Any]], bool]:
    """A test on a path's reached values (unexpanded) for ``{path: operand}``."""
    if isinstance(operand, (re.Pattern, Regex)):
        pattern = _regex(operand)
        return lambda found: any(
            isinstance(leaf, str) and pattern.search(leaf) is not None for leaf in _expand(found)
        )
    if operand is None:
        return lambda found: any(
            leaf is MISSING or leaf is None for leaf in _expand(found)
        )
    if isinstance(operand, str):
        # A string equals only a string, and its key encoding is one-to-one: compared as text,
        # without encoding every value the filter meets.
        return lambda found: any(isinstance(leaf, str) and leaf == operand for leaf in _expand(found))
    target = keys.encode(operand)
    return lambda found: any(
        leaf is not MISSING and keys.encode(leaf) == target for leaf in _expand(found)
    )


def _expand(found: list[Any]) -> Iterator[Any]:
    for item in found:
        yield item
        if isinstance(item, list):
            yield from item


_RANGE = {"$gt": (1,), "$gte": (0, 1), "$lt": (-1,), "$lte": (-1, 0)}


def _compare(op: str, operand: Any) -> Callable[[list[Any]], bool]:
    if operand is None:
        if op in ("$gte", "$lte"):
            return _equals(None)
        return lambda found: False
    if isinstance(operand, (re.Pattern, Regex)):
        raise OperationFailure(f"Can't have RegEx as arg to predicate over field: {op}", code=2)
    target = keys.encode(operand)
    tag = keys.type_tag(operand)
    wanted = _RANGE[op]

    def test(found: list[Any]) -> bool:
        for leaf in _expand(found):
            if leaf is MISSING or keys.type_tag(leaf) != tag:
                continue
            key = keys.encode(leaf)
            sign = (key > target) - (key < target)
            if sign in wanted:
                return True
        return False

    return test


def _in(operand: Any, op: str) -> Callable[[list[Any]], bool]:
    if not isinstance(operand, (list, tuple)):
        raise OperationFailure(f"{op} needs an array", code=2)
    patterns = []
    texts: set[str] = set()
    others: set[bytes] = set()
    null = False
    for item in operand:
        if _is_operator_doc(item):
            raise OperationFailure(f"cannot nest $ under {op}", code=2)
        if isinstance(item, str):
            texts.add(item)
        elif item is None:
            null = True
        elif isinstance(item, (re.Pattern, Regex)):
            patterns.append(_equals(item))
        else:
            others.add(keys.encode(item))

    def listed(found: list[Any]) -> bool:
        """Whether a reached value is one of the listed values: a set lookup per value, where a
        test per listed value made a filter of n values over an array of m cost n × m encodings.
        A listed ``None`` is met by a missing field or a null, as ``_equals(None)`` is."""
        if len(found) == 1:
            leaf = found[0]
            if type(leaf) is not list:
                if leaf is MISSING or leaf is None:
                    return null
                if isinstance(leaf, str):
                    return leaf in texts
                return bool(others) and keys.encode(leaf) in others
            if not others:
                # An array, no listed value that is not text or null: only its elements can be
                # listed (the array itself is neither text nor null).
                for element in leaf:
                    if element is None:
                        if null:
                            return True
                    elif isinstance(element, str) and element in texts:
                        return True
                return False
        for leaf in _expand(found):
            if leaf is MISSING or leaf is None:
                if null:
                    return True
                continue
            if isinstance(leaf, str):
                if leaf in texts:
                    return True
            elif others and keys.encode(leaf) in others:
                return True
        return False

    if not patterns:
        return listed
    return lambda found: listed(found) or any(test(found) for test in patterns)


def _field_test(op: str, operand: Any, spec: Mapping[str, Any]) -> Callable[[list[Any]], bool]:
    """One operator applied to the values a path reached."""
    if op == "$eq":
        return _equals(operand)
    if op == "$ne":
        if isinstance(operand, (re.Pattern, Regex)):
            raise OperationFailure("Can't have regex as arg to $ne.", code=2)
        eq = _equals(operand)
        return lambda found: not eq(found)
    if op in _RANGE:
        return _compare(op, operand)
    if op == "$in":
        return _in(operand, op)
    if op == "$nin":
        inner = _in(operand, op)
        return lambda found: not inner(found)
    if op == "$exists":
        wanted = bool(operand)
        return lambda found: any(item is not MISSING for item in found) == wanted
    if op == "$size":
        if isinstance(operand, bool) or not isinstance(operand, (int, float)) or operand != int(operand) or operand < 0:
            raise OperationFailure("$size needs a non-negative whole number", code=2)
        size = int(operand)
        return lambda found: any(isinstance(item, list) and len(item) == size for item in found)
    if op == "$all":
        if not isinstance(operand, (list, tuple)):
            raise OperationFailure("$all needs an array", code=2)
        parts = []
        for item in operand:
            if isinstance(item, dict) and set(item) == {"$elemMatch"}:
                parts.append(_elem_match(item["$elemMatch"]))
            elif _is_operator_doc(item):
                raise OperationFailure("no $ expressions in $all", code=2)
            else:
                parts.append(_equals(item))
        if not parts:
            return lambda found: False
        return lambda found: all(part(found) for part in parts)
    if op == "$elemMatch":
        return _elem_match(operand)
    if op == "$regex":
        options = spec.get("$options", "")
        if not isinstance(options, str):
            raise OperationFailure("$options has to be a string", code=2)
        return _equals(_regex(operand, options))
    if op == "$options":
        if "$regex" not in spec:
            raise OperationFailure("$options needs a $regex", code=2)
        return lambda found: True
    if op == "$not":
        if isinstance(operand, (re.Pattern, Regex)):
            inner = _equals(operand)
        elif isinstance(operand, dict) and operand and _is_operator_doc(operand):
            inner = _operators(operand)
        else:
            raise OperationFailure("$not needs a regex or a document", code=2)
        return lambda found: not inner(found)
    raise OperationFailure(f"unknown operator: {op} (outside the embedded engine's query subset)", code=2)


def _operators(spec: Mapping[str, Any]) -> Callable[[list[Any]], bool]:
    tests = []
    for op, operand in spec.items():
        if not op.startswith("$"):
            raise OperationFailure(f"unknown operator: {op}", code=2)
        tests.append(_field_test(op, operand, spec))
    if len(tests) == 1:
        return tests[0]
    return lambda found: all(test(found) for test in tests)


def _elem_match(spec: Any) -> Callable[[list[Any]], bool]:
    if not isinstance(spec, dict):
        raise OperationFailure("$elemMatch needs an Object", code=2)
    if _is_operator_doc(spec) and next(iter(spec)) not in ("$and", "$or", "$nor"):
        value_test = _operators(spec)

        def element_ok(element: Any) -> bool:
            return value_test([element])
    else:
        doc_test = compile_filter(spec)

        def element_ok(element: Any) -> bool:
            return isinstance(element, dict) and doc_test(element)

    return lambda found: any(
        isinstance(item, list) and any(element_ok(element) for element in item) for item in found
    )


_EXACT_TYPES = (str, int, ObjectId)
"""Types whose Python equality is MongoDB's equality when both sides have exactly that type."""


def _path_test(path: str, condition: Any) -> Predicate:
    parts = path.split(".")
    if _is_operator_doc(condition):
        test = _operators(condition)
    else:
        test = _equals(condition)
    if len(parts) == 1 and type(condition) in _EXACT_TYPES:
        name, kind = parts[0], type(condition)

        def exact(doc: Any) -> bool:
            value = doc.get(name, MISSING)
            if type(value) is kind:
                return bool(value == condition)
            return test([value])

        return exact
    if len(parts) == 1:
        name = parts[0]
        return lambda doc: test([doc[name]] if isinstance(doc, dict) and name in doc else [MISSING])
    return lambda doc: test(list(resolve(doc, parts)))


def _every(parts: list[Predicate]) -> Predicate:
    def every(doc: Any) -> bool:
        for part in parts:
            if not part(doc):
                return False
        return True
    return every


def _some(parts: list[Predicate]) -> Predicate:
    return lambda doc: any(p(doc) for p in parts)


def _none_of(parts: list[Predicate]) -> Predicate:
    return lambda doc: not any(p(doc) for p in parts)


def _clauses(op: str, operand: Any) -> list[Predicate]:
    if not isinstance(operand, (list, tuple)) or not operand:
        raise OperationFailure(f"{op} must be a nonempty array", code=2)
    out = []
    for clause in operand:
        if not isinstance(clause, dict):
            raise OperationFailure(f"{op} argument's entries must be objects", code=2)
        out.append(compile_filter(clause))
    return out


def compile_filter(filter_: Mapping[str, Any] | None) -> Predicate:
    """A predicate for ``filter_``; raises ``OperationFailure`` naming anything outside the subset."""
    if filter_ is None:
        return lambda doc: True
    if not isinstance(filter_, Mapping):
        raise TypeError("filter must be an instance of dict, bson.son.SON, or any other type that inherits from collections.Mapping")
    tests: list[Predicate] = []
    for key, condition in filter_.items():
        if key.startswith("$"):
            if key == "$and":
                tests.append(_every(_clauses(key, condition)))
            elif key == "$or":
                tests.append(_some(_clauses(key, condition)))
            elif key == "$nor":
                tests.append(_none_of(_clauses(key, condition)))
            else:
                raise OperationFailure(
                    f"unknown top level operator: {key} (outside the embedded engine's query subset)", code=2
                )
        else:
            tests.append(_path_test(key, condition))
    if not tests:
        return lambda doc: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda doc: first(doc) and second(doc)
    return _every(tests)


def value_test(condition: Any) -> Callable[[Any], bool]:
    """A test of bare values (array elements) against a condition written for a field, compiled
    once for all the elements."""
    test = compile_filter({"v": condition})
    return lambda value: test({"v": value})


def value_matches(value: Any, condition: Any) -> bool:
    """Whether a bare value (an array element) satisfies a condition written for a field."""
    return value_test(condition)(value)
