"""Each collection is named only by the feature that owns it; every other feature calls the owner's
functions (people: ``community.accounts.people``). Read from the source with ``ast``, so a new
``db.users.find`` or ``db[THREADS]`` in the wrong package fails here, before review."""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Iterator
from pathlib import Path

from community.storage.facts import COLLECTIONS, StorageFacts

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def owners() -> dict[str, str]:
    """Collection -> the package whose ``storage.py`` declares it in its ``STORAGE`` (or the
    shared module, such as ``community.audit``, that declares a ``STORAGE`` of its own)."""
    found: dict[str, str] = {}
    for module, tree in _sources().items():
        if any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "STORAGE" for t in node.targets)
               for node in tree.body):
            facts = importlib.import_module(module).STORAGE
            assert isinstance(facts, StorageFacts), module
            found.update(dict.fromkeys((c.name for c in facts.collections), module.removesuffix(".storage")))
    return found


NOT_YET_OWNED = {
    ("community.realtime.queries", "events"): "live events are a feature still to come; its package will own them",
}
"""Accesses outside the owner that are known and have a reason; each must still happen (so the
list cannot go stale once the access moves)."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, ast.Module]:
    paths = [*(ROOT / "community").rglob("*.py"), *(ROOT / "search").rglob("*.py"), ROOT / "run.py"]
    return {_module(path): ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in paths}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"``."""
    found = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            found[node.targets[0].id] = node.value.value
    return found


def _is_database(node: ast.expr) -> bool:
    """``db`` or ``<anything>.db``: how every module here holds the database."""
    return (isinstance(node, ast.Name) and node.id == "db") or (isinstance(node, ast.Attribute) and node.attr == "db")


def collections_named(module: str, tree: ast.Module, constants: dict[str, dict[str, str]]) -> Iterator[tuple[str, int]]:
    """``(collection, line)`` for each ``db.<name>``, ``db["name"]``, ``db[NAME]`` and
    ``db[module.NAME]`` in the module, constants resolved through its imports."""
    names = dict(constants[module])
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in constants:
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                elif alias.name in constants.get(node.module, {}):
                    names[alias.asname or alias.name] = constants[node.module][alias.name]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in constants:
                    modules[alias.asname or alias.name] = alias.name

    def resolve(key: ast.expr) -> str | None:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        if isinstance(key, ast.Name):
            return names.get(key.id)
        if isinstance(key, ast.Attribute) and isinstance(key.value, ast.Name) and key.value.id in modules:
            return constants[modules[key.value.id]].get(key.attr)
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_database(node.value) and node.attr in owners():
            yield node.attr, node.lineno
        elif isinstance(node, ast.Subscript) and _is_database(node.value):
            name = resolve(node.slice)
            if name is not None:
                yield name, node.lineno


def _owned_by(module: str, owner: str) -> bool:
    return module == owner or module.startswith(owner + ".")


def _accesses() -> list[tuple[str, str, int]]:
    sources = _sources()
    constants = {module: _constants(tree) for module, tree in sources.items()}
    return [(module, name, line) for module, tree in sources.items()
            for name, line in collections_named(module, tree, constants)]


def test_each_collection_is_named_only_by_its_owner() -> None:
    strays = sorted(f"{module}:{line} names {name!r}, owned by {owners().get(name, 'nobody')}"
                    for module, name, line in _accesses()
                    if (module, name) not in NOT_YET_OWNED and not _owned_by(module, owners().get(name, module)))
    assert not strays, "call the owner's functions instead:\n" + "\n".join(strays)


def test_the_known_exceptions_still_happen() -> None:
    seen = {(module, name) for module, name, _line in _accesses()}
    assert set(NOT_YET_OWNED) <= seen, f"no longer needed, remove from NOT_YET_OWNED: {set(NOT_YET_OWNED) - seen}"


def test_every_declared_collection_is_declared_in_a_storage_constant() -> None:
    """The registry the app fills and the owners read from the source agree, so the scan above
    knows every collection."""
    assert set(COLLECTIONS) == set(owners()), set(COLLECTIONS) ^ set(owners())


def test_the_users_collection_is_named_only_in_accounts() -> None:
    """The rule above, for people: it catches each form of access (a guard against the scan
    going blind)."""
    tree = ast.parse("async def f(db, tx):\n"
                     "    await db.users.find_one({})\n"
                     "    await tx.db['users'].find_one({})\n"
                     "    await db[USERS].find_one({})\n"
                     "USERS = 'users'\n")
    constants = {"community.forums.example": _constants(tree)}
    assert [name for name, _line in collections_named("community.forums.example", tree, constants)] == ["users"] * 3
    assert all(_owned_by(module, "community.accounts") for module, name, _line in _accesses() if name == "users")
