"""Update operators, applied in Python to a decoded document with MongoDB's rules and errors."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from bson import Int64, Timestamp
from pymongo.errors import WriteError

from community.storage import keys
from community.storage.matching import MISSING, Predicate, compile_filter, value_matches, value_test

SUPPORTED = (
    "$set", "$unset", "$inc", "$mul", "$min", "$max", "$setOnInsert", "$currentDate",
    "$push", "$addToSet", "$pull", "$pop",
)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _type_name(value: Any) -> str:
    return {
        keys.NULL: "null", keys.NUMBER: "double" if isinstance(value, float) else "int",
        keys.STRING: "string", keys.OBJECT: "object", keys.ARRAY: "array", keys.BINARY: "binData",
        keys.OBJECTID: "objectId", keys.BOOL: "bool", keys.DATE: "date", keys.TIMESTAMP: "timestamp",
    }.get(keys.type_tag(value), "unknown")


def validate_update(update: Any) -> None:
    """PyMongo's own client-side checks (it raises ``ValueError``/``TypeError`` before sending)."""
    if isinstance(update, list):
        raise WriteError("pipeline-style updates are outside the embedded engine's subset", code=9)
    if not isinstance(update, Mapping):
        raise TypeError("update must be an instance of dict, bson.son.SON, or any other type that inherits from collections.Mapping")
    if not update:
        raise ValueError("update cannot be empty")
    if not next(iter(update)).startswith("$"):
        raise ValueError("update only works with $ operators")
    keys.check_encodable(update)


def validate_replacement(replacement: Any) -> None:
    if not isinstance(replacement, Mapping):
        raise TypeError("replacement must be an instance of dict, bson.son.SON, or any other type that inherits from collections.Mapping")
    if replacement and next(iter(replacement)).startswith("$"):
        raise ValueError("replacement can not include $ operators")
    keys.check_encodable(replacement)


def _element_test(test: Predicate) -> Callable[[Any], bool]:
    """An array filter's test of one element (its conditions are compiled against ``{"v": element}``)."""
    return lambda element: test({"v": element})


class Updater:
    """One parsed update document, applied to one document at a time."""

    def __init__(self, update: Mapping[str, Any], array_filters: list[Mapping[str, Any]] | None,
                 query: Mapping[str, Any] | None) -> None:
        self.ops: list[tuple[str, list[tuple[str, Any]]]] = []
        self.query = query or {}
        seen: list[str] = []
        for op, fields in update.items():
            if op not in SUPPORTED:
                if op.startswith("$"):
                    raise WriteError(
                        f"Unknown modifier: {op}. Expected a valid update modifier (outside the embedded engine's subset)",
                        code=9,
                    )
                raise WriteError(f"Unknown modifier: {op}", code=9)
            if not isinstance(fields, Mapping):
                raise WriteError(
                    f"Modifiers operate on fields but we found type {_type_name(fields)} instead. "
                    f"For example: {{$mod: {{<field>: ...}}}} not {{{op}: {fields!r}}}",
                    code=9,
                )
            if not fields:
                continue
            for path in fields:
                if not path or path.startswith(".") or path.endswith(".") or ".." in path:
                    raise WriteError(f"The update path '{path}' contains an empty field name, which is not allowed.", code=56)
                for other in seen:
                    short, long = sorted((path, other), key=len)
                    if long == short or long.startswith(short + "."):
                        raise WriteError(
                            f"Updating the path '{path}' would create a conflict at '{short}'", code=40
                        )
                seen.append(path)
            # MongoDB (5.0+) applies each operator's fields in lexicographic order.
            self.ops.append((op, sorted(fields.items(), key=lambda item: item[0])))
        self.array_filters: dict[str, Callable[[Any], bool]] = {}
        for spec in array_filters or []:
            names = {key.split(".", 1)[0] for key in spec}
            if len(names) != 1:
                raise WriteError("Error parsing array filter: expected a single top-level field name", code=9)
            name = names.pop()
            if name in self.array_filters:
                raise WriteError(f"Found multiple array filters with the same top-level field name {name}", code=9)
            test = compile_filter({("v" + key[len(name):]): cond for key, cond in spec.items()})
            self.array_filters[name] = _element_test(test)
        used = {part[2:-1] for path in seen for part in path.split(".") if part.startswith("$[") and part != "$[]"}
        for name in self.array_filters:
            if name not in used:
                raise WriteError(f"The array filter for identifier '{name}' was not used in the update {dict(update)!r}", code=9)
        for name in used:
            if name not in self.array_filters:
                raise WriteError(f"No array filter found for identifier '{name}' in path", code=2)

    def apply(self, doc: dict[str, Any], *, inserting: bool = False) -> dict[str, Any]:
        """A new document with the update applied (``doc`` is left untouched)."""
        result = clone(doc)
        for op, fields in self.ops:
            if op == "$setOnInsert" and not inserting:
                continue
            for path, argument in fields:
                for parts in self._expand(result, path.split(".")):
                    _APPLY[op](self, result, parts, argument, doc)
        if "_id" in doc and ("_id" not in result or keys.encode(result["_id"]) != keys.encode(doc["_id"])):
            raise WriteError(
                "Performing an update on the path '_id' would modify the immutable field '_id'", code=66
            )
        return result

    def _expand(self, doc: Any, parts: list[str]) -> list[list[str]]:
        """Concrete paths for a path with ``$``, ``$[]`` or ``$[name]`` parts."""
        if not any(part.startswith("$") for part in parts):
            return [parts]
        out: list[list[str]] = [[]]
        for part in parts:
            if not part.startswith("$"):
                out = [prefix + [part] for prefix in out]
                continue
            expanded: list[list[str]] = []
            for prefix in out:
                array = _get(doc, prefix)
                if part == "$":
                    expanded.append(prefix + [str(self._positional(doc, prefix))])
                    continue
                if array is MISSING or not isinstance(array, list):
                    raise WriteError(
                        f"The path '{'.'.join(prefix)}' must exist in the document in order to apply array updates.",
                        code=2,
                    )
                if part == "$[]":
                    expanded.extend(prefix + [str(i)] for i in range(len(array)))
                else:
                    test = self.array_filters[part[2:-1]]
                    expanded.extend(prefix + [str(i)] for i, element in enumerate(array) if test(element))
            out = expanded
        return out

    def _positional(self, doc: dict[str, Any], prefix: list[str]) -> int:
        """The index of the first element of the array at ``prefix`` that the query matched."""
        array = _get(doc, prefix)
        array_path = ".".join(prefix)
        conditions: list[tuple[str, Any]] = []

        def collect(query: Mapping[str, Any]) -> None:
            for key, cond in query.items():
                if key == "$and":
                    for clause in cond:
                        collect(clause)
                elif key == array_path:
                    conditions.append(("", cond))
                elif key.startswith(array_path + "."):
                    conditions.append((key[len(array_path) + 1:], cond))

        collect(self.query)
        if isinstance(array, list) and conditions:
            for position, element in enumerate(array):
                if all(_element_matches(element, sub, cond) for sub, cond in conditions):
                    return position
        raise WriteError("The positional operator did not find the match needed from the query.", code=2)


def _element_matches(element: Any, subpath: str, cond: Any) -> bool:
    if not subpath:
        if isinstance(cond, dict) and set(cond) == {"$elemMatch"}:
            return isinstance(element, dict) and compile_filter(cond["$elemMatch"])(element) or value_matches(element, cond["$elemMatch"])
        return value_matches(element, cond)
    return isinstance(element, dict) and compile_filter({subpath: cond})(element)


def clone(value: Any) -> Any:
    """A copy of a decoded document: containers copied, leaf values (all immutable) shared."""
    kind = type(value)
    if kind is dict:
        return {name: clone(item) for name, item in value.items()}
    if kind is list:
        return [clone(item) for item in value]
    return value


def _get(doc: Any, parts: list[str]) -> Any:
    value = doc
    for part in parts:
        if isinstance(value, dict):
            if part not in value:
                return MISSING
            value = value[part]
        elif isinstance(value, list) and part.isdigit():
            position = int(part)
            if position >= len(value):
                return MISSING
            value = value[position]
        else:
            return MISSING
    return value


def _describe(value: Any) -> str:
    return repr(value)


def _parent(doc: dict[str, Any], parts: list[str], *, create: bool) -> Any:
    """The container holding the last part (created on the way when ``create``); MISSING if absent."""
    value: Any = doc
    for depth, part in enumerate(parts[:-1]):
        if isinstance(value, dict):
            if part not in value:
                if not create:
                    return MISSING
                value[part] = {}
            value = value[part]
        elif isinstance(value, list):
            if not part.isdigit():
                if not create:
                    return MISSING
                raise WriteError(
                    f"Cannot create field '{part}' in element {{{parts[depth - 1] if depth else ''}: {_describe(value)}}}",
                    code=28,
                )
            position = int(part)
            if position >= len(value):
                if not create:
                    return MISSING
                value.extend([None] * (position + 1 - len(value)))
            if value[position] is None and create:
                value[position] = {}
            value = value[position]
        else:
            if not create:
                return MISSING
            raise WriteError(
                f"Cannot create field '{part}' in element {{{parts[depth - 1] if depth else ''}: {_describe(value)}}}",
                code=28,
            )
    if not isinstance(value, (dict, list)):
        if not create:
            return MISSING
        raise WriteError(
            f"Cannot create field '{parts[-1]}' in element {{{parts[-2] if len(parts) > 1 else ''}: {_describe(value)}}}",
            code=28,
        )
    return value


def _read(parent: Any, part: str) -> Any:
    if isinstance(parent, dict):
        return parent.get(part, MISSING)
    if isinstance(parent, list) and part.isdigit() and int(part) < len(parent):
        return parent[int(part)]
    return MISSING


def _write(parent: Any, part: str, value: Any) -> None:
    if isinstance(parent, dict):
        parent[part] = value
        return
    if not part.isdigit():
        raise WriteError(f"Cannot create field '{part}' in element {{{_describe(parent)}}}", code=28)
    position = int(part)
    if position >= len(parent):
        parent.extend([None] * (position + 1 - len(parent)))
    parent[position] = value


def _op_set(self: Updater, doc: dict[str, Any], parts: list[str], value: Any, original: dict[str, Any]) -> None:
    _write(_parent(doc, parts, create=True), parts[-1], clone(value))


def _op_unset(self: Updater, doc: dict[str, Any], parts: list[str], value: Any, original: dict[str, Any]) -> None:
    parent = _parent(doc, parts, create=False)
    if parent is MISSING:
        return
    if isinstance(parent, dict):
        parent.pop(parts[-1], None)
    elif parts[-1].isdigit() and int(parts[-1]) < len(parent):
        parent[int(parts[-1])] = None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arith(op: str, name: str) -> Callable[..., None]:
    def apply(self: Updater, doc: dict[str, Any], parts: list[str], operand: Any, original: dict[str, Any]) -> None:
        path = ".".join(parts)
        if not _is_number(operand):
            verb = "increment" if op == "$inc" else "multiply"
            raise WriteError(f"Cannot {verb} with non-numeric argument: {{{path}: {_describe(operand)}}}", code=14)
        parent = _parent(doc, parts, create=True)
        current = _read(parent, parts[-1])
        if current is MISSING:
            result: Any = operand if op == "$inc" else (0.0 if isinstance(operand, float) else type(operand)(0))
        elif not _is_number(current):
            raise WriteError(
                f"Cannot apply {op} to a value of non-numeric type. {{_id: {_describe(original.get('_id'))}}} "
                f"has the field '{parts[-1]}' of non-numeric type {_type_name(current)}",
                code=14,
            )
        else:
            result = current + operand if op == "$inc" else current * operand
            if isinstance(result, int):
                if not _INT64_MIN <= result <= _INT64_MAX:
                    raise WriteError(
                        f"Failed to apply {op} operations to current value ({current!r}) for document "
                        f"{{_id: {_describe(original.get('_id'))}}}",
                        code=2,
                    )
                if isinstance(current, Int64) or isinstance(operand, Int64):
                    result = Int64(result)
        _write(parent, parts[-1], result)

    return apply


def _extreme(op: str) -> Callable[..., None]:
    def apply(self: Updater, doc: dict[str, Any], parts: list[str], operand: Any, original: dict[str, Any]) -> None:
        parent = _parent(doc, parts, create=True)
        current = _read(parent, parts[-1])
        if current is not MISSING:
            ordered = keys.encode(operand) < keys.encode(current)
            if (op == "$min") != ordered:
                return
        _write(parent, parts[-1], clone(operand))

    return apply


def _now() -> datetime.datetime:
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _op_current_date(self: Updater, doc: dict[str, Any], parts: list[str], spec: Any, original: dict[str, Any]) -> None:
    if spec is True:
        value: Any = _now()
    elif isinstance(spec, dict) and spec == {"$type": "date"}:
        value = _now()
    elif isinstance(spec, dict) and spec == {"$type": "timestamp"}:
        value = Timestamp(int(datetime.datetime.now(datetime.timezone.utc).timestamp()), 1)
    else:
        raise WriteError(
            f"{'.'.join(parts)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({{$type: 'timestamp/date'}}).",
            code=2,
        )
    _write(_parent(doc, parts, create=True), parts[-1], value)


def _array_at(op: str, doc: dict[str, Any], parts: list[str], original: dict[str, Any], *, create: bool) -> tuple[Any, Any]:
    parent = _parent(doc, parts, create=create)
    if parent is MISSING:
        return MISSING, MISSING
    current = _read(parent, parts[-1])
    if current is not MISSING and not isinstance(current, list):
        raise WriteError(
            f"The field '{'.'.join(parts)}' must be an array but is of type {_type_name(current)} in document "
            f"{{_id: {_describe(original.get('_id'))}}}",
            code=2,
        )
    return parent, current


def _op_push(self: Updater, doc: dict[str, Any], parts: list[str], spec: Any, original: dict[str, Any]) -> None:
    parent, current = _array_at("$push", doc, parts, original, create=True)
    items = [spec]
    position: int | None = None
    slice_: int | None = None
    if isinstance(spec, dict) and "$each" in spec:
        for modifier, argument in spec.items():
            if modifier == "$each":
                if not isinstance(argument, list):
                    raise WriteError(f"The argument to $each in $push must be an array but it was of type: {_type_name(argument)}", code=2)
                items = argument
            elif modifier == "$position":
                if not isinstance(argument, int) or isinstance(argument, bool):
                    raise WriteError("The value for $position must be an integer value", code=2)
                position = argument
            elif modifier == "$slice":
                if not isinstance(argument, int) or isinstance(argument, bool):
                    raise WriteError("The value for $slice must be an integer value", code=2)
                slice_ = argument
            else:
                raise WriteError(f"Unrecognized clause in $push: {modifier} (outside the embedded engine's subset)", code=2)
    array = [] if current is MISSING else current
    items = clone(items)
    if position is None:
        array.extend(items)
    else:
        at = position if position >= 0 else max(len(array) + position, 0)
        array[at:at] = items
    if slice_ is not None:
        array[:] = array[:slice_] if slice_ >= 0 else array[slice_:] if slice_ else []
    _write(parent, parts[-1], array)


def _op_add_to_set(self: Updater, doc: dict[str, Any], parts: list[str], spec: Any, original: dict[str, Any]) -> None:
    parent, current = _array_at("$addToSet", doc, parts, original, create=True)
    items = [spec]
    if isinstance(spec, dict) and "$each" in spec:
        if set(spec) != {"$each"}:
            extra = sorted(set(spec) - {"$each"})[0]
            raise WriteError(f"Found unexpected fields after $each in $addToSet: {extra}", code=2)
        if not isinstance(spec["$each"], list):
            raise WriteError("The argument to $each in $addToSet must be an array", code=2)
        items = spec["$each"]
    array = [] if current is MISSING else current
    present = {keys.encode(item) for item in array}
    for item in items:
        key = keys.encode(item)
        if key not in present:
            present.add(key)
            array.append(clone(item))
    _write(parent, parts[-1], array)


def _op_pull(self: Updater, doc: dict[str, Any], parts: list[str], spec: Any, original: dict[str, Any]) -> None:
    parent = _parent(doc, parts, create=False)
    if parent is MISSING:
        return
    current = _read(parent, parts[-1])
    if current is MISSING:
        return
    if not isinstance(current, list):
        raise WriteError("Cannot apply $pull to a non-array value", code=2)
    if isinstance(spec, dict) and spec and next(iter(spec)).startswith("$") and next(iter(spec)) not in ("$and", "$or", "$nor"):
        test = value_test(spec)
    elif isinstance(spec, dict):
        doc_test = compile_filter(spec)
        test = lambda element: isinstance(element, dict) and doc_test(element)  # noqa: E731
    else:
        test = value_test(spec)
    current[:] = [element for element in current if not test(element)]


def _op_pop(self: Updater, doc: dict[str, Any], parts: list[str], spec: Any, original: dict[str, Any]) -> None:
    if spec not in (1, -1) or isinstance(spec, bool):
        raise WriteError(f"$pop expects 1 or -1, found: {_describe(spec)}", code=9)
    parent = _parent(doc, parts, create=False)
    if parent is MISSING:
        return
    current = _read(parent, parts[-1])
    if current is MISSING:
        return
    if not isinstance(current, list):
        raise WriteError(
            f"Path '{'.'.join(parts)}' contains an element of non-array type '{_type_name(current)}'", code=14
        )
    if current:
        current.pop(-1 if spec == 1 else 0)


_APPLY: dict[str, Callable[..., None]] = {
    "$set": _op_set,
    "$setOnInsert": _op_set,
    "$unset": _op_unset,
    "$inc": _arith("$inc", "increment"),
    "$mul": _arith("$mul", "multiply"),
    "$min": _extreme("$min"),
    "$max": _extreme("$max"),
    "$currentDate": _op_current_date,
    "$push": _op_push,
    "$addToSet": _op_add_to_set,
    "$pull": _op_pull,
    "$pop": _op_pop,
}


def upsert_seed(query: Mapping[str, Any]) -> dict[str, Any]:
    """The document an upsert starts from: the query's equality conditions."""
    seed: dict[str, Any] = {}
    _seed_from(seed, query)
    return seed


def _seed_from(seed: dict[str, Any], filter_: Mapping[str, Any]) -> None:
    """A function of its own, not a closure calling itself: that closure is a reference cycle
    each upsert would leave for the garbage collector."""
    for key, cond in filter_.items():
        if key == "$and":
            for clause in cond:
                _seed_from(seed, clause)
        elif key.startswith("$"):
            continue
        elif isinstance(cond, dict) and cond and next(iter(cond)).startswith("$"):
            if "$eq" in cond:
                _set_seed(seed, key, cond["$eq"])
        else:
            _set_seed(seed, key, cond)


def _set_seed(seed: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = seed
    for part in parts[:-1]:
        nxt = target.setdefault(part, {})
        if not isinstance(nxt, dict):
            return
        target = nxt
    target[parts[-1]] = clone(value)

