"""Search documents as the document builders produce them, with keyword-only overrides."""

from __future__ import annotations

from typing import Any

from search.filters import PUBLIC


def thread(doc_id: str, title: str, body: str = "", *, kind: str = "thread", access: tuple[str, ...] = (PUBLIC,),
           hidden: bool = False, **fields: Any) -> dict[str, Any]:
    return {"id": doc_id, "kind": kind, "title": title, "body": body, "access": list(access),
            "hidden": hidden, **fields}


def person(doc_id: str, name: str, *, access: tuple[str, ...] = ("members",), hidden: bool = False,
           **fields: Any) -> dict[str, Any]:
    return {"id": doc_id, "kind": "person", "name": name, "access": list(access), "hidden": hidden, **fields}


def event(doc_id: str, title: str, *, access: tuple[str, ...] = (PUBLIC,), **fields: Any) -> dict[str, Any]:
    return {"id": doc_id, "kind": "event", "title": title, "access": list(access), "hidden": False, **fields}


def vacancy(doc_id: str, title: str, *, access: tuple[str, ...] = (PUBLIC,), **fields: Any) -> dict[str, Any]:
    return {"id": doc_id, "kind": "vacancy", "title": title, "access": list(access), "hidden": False, **fields}


def ids(result: Any) -> list[str]:
    return [hit.id for hit in result.hits]
