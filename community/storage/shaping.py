"""Projections, sorts and the aggregation stages of the subset, over decoded documents."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pymongo.errors import OperationFailure

from community.storage import keys
from community.storage.matching import MISSING, compile_filter, resolve

SortSpec = list[tuple[str, int]]


def normalize_sort(key_or_list: Any, direction: Any = None) -> SortSpec:
    """PyMongo's accepted sort shapes: ``"field"``, ``("field", dir)`` lists, or a mapping."""
    if key_or_list is None:
        return []
    if isinstance(key_or_list, str):
        pairs = [(key_or_list, 1 if direction is None else direction)]
    elif isinstance(key_or_list, Mapping):
        pairs = list(key_or_list.items())
    else:
        pairs = []
        for item in key_or_list:
            if isinstance(item, str):
                pairs.append((item, 1))
            else:
                field, way = item
                pairs.append((field, way))
    spec: SortSpec = []
    for field, way in pairs:
        if isinstance(way, bool) or way not in (1, -1):
            raise OperationFailure(
                f"bad sort specification for {field!r}: {way!r} (the embedded engine sorts by 1 or -1 only)", code=2
            )
        spec.append((field, int(way)))
    return spec


def sort_value(doc: Any, parts: list[str], descending: bool) -> bytes:
    """MongoDB's key for sorting ``doc`` on a path: smallest (or largest) element of arrays,
    an empty array below null, a missing field as null."""
    found: list[bytes] = []
    for item in resolve(doc, parts):
        if item is MISSING:
            found.append(keys.encode(None))
        elif isinstance(item, list):
            if item:
                found.extend(keys.encode(element) for element in item)
            else:
                found.append(bytes([keys.EMPTY_ARRAY]))
        else:
            found.append(keys.encode(item))
    if not found:
        return keys.encode(None)
    return max(found) if descending else min(found)


def sort_docs(docs: list[dict[str, Any]], spec: SortSpec) -> list[dict[str, Any]]:
    for field, way in reversed(spec):
        parts = field.split(".")
        descending = way == -1
        docs.sort(key=lambda doc: sort_value(doc, parts, descending), reverse=descending)
    return docs


def compile_projection(spec: Any) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    if spec is None:
        return None
    if isinstance(spec, (list, tuple)):
        spec = {name: 1 for name in spec}
    if not isinstance(spec, Mapping):
        raise TypeError("projection must be a mapping or a list of field names")
    include_id = True
    including: list[str] = []
    excluding: list[str] = []
    for field, flag in spec.items():
        if isinstance(flag, dict) or isinstance(flag, str) or field.endswith(".$") or field.startswith("$"):
            name = next(iter(flag)) if isinstance(flag, dict) and flag else field if "$" in field else repr(flag)
            raise OperationFailure(
                f"projection of {field!r} uses {name}, which is outside the embedded engine's subset", code=2
            )
        if field == "_id":
            include_id = bool(flag)
            continue
        (including if flag else excluding).append(field)
    if including and excluding:
        raise OperationFailure(
            f"Cannot do exclusion on field {excluding[0]} in inclusion projection", code=31254
        )
    if including:
        tree = _tree(including)
        if include_id:
            tree.setdefault("_id", True)
        if all(sub is True for sub in tree.values()):  # top-level fields only: what _include does, in one pass
            names = frozenset(tree)
            return lambda doc: {name: value for name, value in doc.items() if name in names}
        return lambda doc: _include(doc, tree)
    if not include_id:
        excluding.append("_id")
    if not excluding:
        return lambda doc: {"_id": doc["_id"]} if "_id" in doc else {}
    tree = _tree(excluding)
    return lambda doc: _exclude(doc, tree)


def _tree(paths: Iterable[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if child is True:
                break
            if child is None:
                child = node[part] = {}
            node = child
        else:
            node[parts[-1]] = True
    return tree


def _include(value: Any, tree: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_include(item, tree) for item in value if isinstance(item, (dict, list))]
    out: dict[str, Any] = {}
    for name, item in value.items():
        sub = tree.get(name)
        if sub is True:
            out[name] = item
        elif sub is not None and isinstance(item, (dict, list)):
            out[name] = _include(item, sub)
    return out


def _exclude(value: Any, tree: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_exclude(item, tree) if isinstance(item, (dict, list)) else item for item in value]
    out: dict[str, Any] = {}
    for name, item in value.items():
        sub = tree.get(name)
        if sub is True:
            continue
        out[name] = _exclude(item, sub) if sub is not None and isinstance(item, (dict, list)) else item
    return out


# Aggregation -------------------------------------------------------------------------------

ACCUMULATORS = ("$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$addToSet")


def _field_path(doc: Any, path: str) -> Any:
    """``"$a.b"`` as an aggregation expression: an array through arrays, MISSING if absent."""
    value = doc
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part, MISSING)
        elif isinstance(value, list):
            value = [sub for item in value if isinstance(item, dict)
                     for sub in [item.get(part, MISSING)] if sub is not MISSING]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def evaluate(doc: Any, expr: Any) -> Any:
    if isinstance(expr, str) and expr.startswith("$"):
        if expr.startswith("$$"):
            raise OperationFailure(f"variable {expr} is outside the embedded engine's subset", code=2)
        return _field_path(doc, expr[1:])
    if isinstance(expr, dict):
        if len(expr) == 1 and next(iter(expr)) == "$literal":
            return expr["$literal"]
        out = {}
        for name, sub in expr.items():
            if name.startswith("$"):
                raise OperationFailure(
                    f"Unrecognized expression '{name}' (outside the embedded engine's subset)", code=168
                )
            value = evaluate(doc, sub)
            if value is not MISSING:
                out[name] = value
        return out
    if isinstance(expr, list):
        return [None if (v := evaluate(doc, item)) is MISSING else v for item in expr]
    return expr


def _stage_project(docs: list[dict[str, Any]], spec: Any) -> list[dict[str, Any]]:
    if not isinstance(spec, dict) or not spec:
        raise OperationFailure("$project specification must be an object with at least one field", code=51272)
    plain = {k: v for k, v in spec.items() if isinstance(v, (bool, int, float)) and not isinstance(v, dict)}
    computed = {k: v for k, v in spec.items() if k not in plain}
    if not computed:
        projector = compile_projection(plain)
        return [projector(doc) for doc in docs] if projector else docs
    if any(not flag for name, flag in plain.items() if name != "_id"):
        raise OperationFailure("Invalid $project :: caused by :: Cannot use expression other than $meta in exclusion projection", code=31310)
    projector = compile_projection({**plain, **{name: 1 for name in computed}}) if plain else None
    out = []
    for doc in docs:
        shaped = projector(doc) if projector else ({"_id": doc["_id"]} if "_id" in doc else {})
        for name, expr in computed.items():
            value = evaluate(doc, expr)
            _put(shaped, name, value)
        out.append(shaped)
    return out


def _put(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = doc
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    if value is MISSING:
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Accumulator:
    def __init__(self, op: str, expr: Any) -> None:
        self.op = op
        self.expr = expr
        self.values: list[Any] = []
        self.seen: set[bytes] = set()
        self.started = False
        self.result: Any = None

    def add(self, doc: dict[str, Any]) -> None:
        value = evaluate(doc, self.expr)
        op = self.op
        if op in ("$sum", "$avg"):
            if _is_number(value):
                self.values.append(value)
        elif op in ("$min", "$max"):
            if value is MISSING or value is None:
                return
            if self.started:
                key, current = keys.encode(value), keys.encode(self.result)
                if not (key < current if op == "$min" else key > current):
                    return
            self.result = value
            self.started = True
        elif op == "$first":
            if not self.started:
                self.result = None if value is MISSING else value
                self.started = True
        elif op == "$last":
            self.result = None if value is MISSING else value
        elif op == "$push":
            if value is not MISSING:
                self.values.append(value)
        elif op == "$addToSet":
            if value is not MISSING:
                key = keys.encode(value)
                if key not in self.seen:
                    self.seen.add(key)
                    self.values.append(value)

    def value(self) -> Any:
        if self.op == "$sum":
            total: Any = 0
            for item in self.values:
                total += item
            return total
        if self.op == "$avg":
            return sum(self.values) / len(self.values) if self.values else None
        if self.op in ("$push", "$addToSet"):
            return self.values
        return self.result


def _stage_group(docs: list[dict[str, Any]], spec: Any) -> list[dict[str, Any]]:
    if not isinstance(spec, dict) or "_id" not in spec:
        raise OperationFailure("a group specification must include an _id", code=15955)
    fields: dict[str, tuple[str, Any]] = {}
    for name, acc in spec.items():
        if name == "_id":
            continue
        if not isinstance(acc, dict) or len(acc) != 1:
            raise OperationFailure(f"The field '{name}' must be an accumulator object", code=40234)
        op, expr = next(iter(acc.items()))
        if op not in ACCUMULATORS:
            raise OperationFailure(f"Unknown group operator '{op}' (outside the embedded engine's subset)", code=15952)
        fields[name] = (op, expr)
    groups: dict[bytes, tuple[Any, dict[str, _Accumulator]]] = {}
    for doc in docs:
        key_value = evaluate(doc, spec["_id"])
        if key_value is MISSING:
            key_value = None
        key = keys.encode(key_value)
        if key not in groups:
            groups[key] = (key_value, {name: _Accumulator(op, expr) for name, (op, expr) in fields.items()})
        for acc in groups[key][1].values():
            acc.add(doc)
    return [{"_id": key_value, **{name: acc.value() for name, acc in accs.items()}} for key_value, accs in groups.values()]


def _stage_unwind(docs: list[dict[str, Any]], spec: Any) -> list[dict[str, Any]]:
    options = {"path": spec} if isinstance(spec, str) else spec
    if not isinstance(options, dict) or not isinstance(options.get("path"), str) or not options["path"].startswith("$"):
        raise OperationFailure("$unwind requires a path starting with '$'", code=28812)
    for option in options:
        if option not in ("path", "preserveNullAndEmptyArrays", "includeArrayIndex"):
            raise OperationFailure(f"unrecognized option to $unwind stage: {option}", code=28811)
    path = options["path"][1:]
    preserve = bool(options.get("preserveNullAndEmptyArrays", False))
    index_field = options.get("includeArrayIndex")
    out = []
    for doc in docs:
        value = _field_path(doc, path) if "." not in path else _nested_get(doc, path)
        if isinstance(value, list) and value:
            for position, element in enumerate(value):
                item = copy.deepcopy(doc)
                _put(item, path, element)
                if index_field:
                    _put(item, index_field, position)
                out.append(item)
        elif isinstance(value, list) or value is MISSING or value is None:
            if preserve:
                item = copy.deepcopy(doc)
                if isinstance(value, list):
                    _put(item, path, MISSING)
                if index_field:
                    _put(item, index_field, None)
                out.append(item)
        else:
            item = copy.deepcopy(doc)
            if index_field:
                _put(item, index_field, None)
            out.append(item)
    return out


def _nested_get(doc: Any, path: str) -> Any:
    value = doc
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _whole_number(stage: str, value: Any) -> int:
    if isinstance(value, bool) or not _is_number(value) or value != int(value) or value < 0:
        raise OperationFailure(f"invalid argument to {stage} stage: {value!r}", code=15958)
    return int(value)


def run_pipeline(docs: list[dict[str, Any]], pipeline: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    for stage in pipeline:
        if not isinstance(stage, Mapping) or len(stage) != 1:
            raise OperationFailure("A pipeline stage specification object must contain exactly one field.", code=40323)
        name, spec = next(iter(stage.items()))
        if name == "$match":
            test = compile_filter(spec)
            docs = [doc for doc in docs if test(doc)]
        elif name == "$sort":
            if not isinstance(spec, Mapping) or not spec:
                raise OperationFailure("$sort stage must have at least one sort key", code=15976)
            docs = sort_docs(list(docs), normalize_sort(spec))
        elif name == "$skip":
            docs = docs[_whole_number(name, spec):]
        elif name == "$limit":
            count = _whole_number(name, spec)
            if count == 0:
                raise OperationFailure("the limit must be positive", code=15958)
            docs = docs[:count]
        elif name == "$project":
            docs = _stage_project(docs, spec)
        elif name == "$group":
            docs = _stage_group(docs, spec)
        elif name == "$unwind":
            docs = _stage_unwind(docs, spec)
        elif name == "$count":
            if not isinstance(spec, str) or not spec or spec.startswith("$") or "." in spec:
                raise OperationFailure("the count field must be a non-empty string without '$' or '.'", code=40156)
            docs = [{spec: len(docs)}] if docs else []
        else:
            raise OperationFailure(
                f"Unrecognized pipeline stage name: '{name}' (outside the embedded engine's subset)", code=40324
            )
    return docs
