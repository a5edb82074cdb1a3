"""What each feature declares about its storage, and the registries its ``setup(app)`` fills.

A feature's ``storage.py`` holds one :class:`StorageFacts`: its collections (each with its
indexes and the personal data it holds), the search documents built from them, and erasure
steps that a collection rule cannot express. ``setup(app)`` hands it to :func:`declare`; the
shared code then iterates what was declared and names no feature itself:

- ``community.storage.indexes.ensure_indexes`` creates every declared index at start-up;
- ``community.privacy.registry`` gives export and erasure every declared personal-data rule;
- ``search.documents`` loads search documents through the declared builders;
- the test suite fails a test that wrote to a collection no feature declared
  (:func:`undeclared`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bson import ObjectId
from pymongo import IndexModel
from community.storage.api import Database

if TYPE_CHECKING:
    from search.documents import Changes

Action = Literal["delete", "anonymise", "keep"]
Key = Literal["id", "email", "id_in_text"]


@dataclass(frozen=True, slots=True)
class Personal:
    """One field of a collection that holds a person's id (or e-mail address), and what erasure
    does there (see ``community.privacy.registry``)."""

    field: str
    action: Action
    purpose: str = ""
    """Why the data is held, shown in the person's export (DPDP Act 2023, s. 5)."""
    replacements: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """For ``anonymise``: field -> new value; a callable is called with no arguments for a fresh
    value per person (for fields under a unique index)."""
    secret_fields: tuple[str, ...] = ()
    """Never exported (password hashes, session tokens): credentials, not information about the person."""
    private_fields: tuple[str, ...] = ()
    """Exported to the person only: an administrator's audited view of their data leaves these
    out (what they wrote in direct messages, which only a conversation's participants read)."""
    key: Key = "id"
    """What ``field`` holds: the person's id; their e-mail address (mail kept before an account
    exists); or a text key with the id, or ending in the e-mail address, inside it (rate-limit
    counters, which for sign-in count by address before anyone knows whose it is)."""

    def match(self, user_id: ObjectId, email: str | None) -> dict[str, Any] | None:
        """The filter selecting this person's documents, or None when there is nothing to match on."""
        if self.key == "email":
            return {self.field: email} if email else None
        if self.key == "id_in_text":
            pattern = re.escape(str(user_id)) + (f"|:{re.escape(email)}$" if email else "")
            return {self.field: {"$regex": pattern}}
        return {self.field: user_id}


@dataclass(frozen=True, slots=True)
class Collection:
    """A collection a feature owns: its indexes and the personal data it holds."""

    name: str
    indexes: tuple[IndexModel, ...] = ()
    personal: tuple[Personal, ...] = ()
    label: str = ""
    """What a person calls the data held here ("Forum threads and posts"), marked with ``N_`` and
    translated where shown; one label may name several collections, which "Your data" then shows
    as one kind of record. A collection with personal data has one."""
    retired: tuple[str, ...] = ()
    """Names of indexes an earlier version declared and no query uses any more: dropped at start
    where a store still has them, since every write would keep maintaining them."""


Loader = Callable[[Any, str], Awaitable["Changes"]]
"""``async def load(db, doc_id) -> Changes``: what the index must hold for one document id."""


@dataclass(frozen=True, slots=True)
class SearchDocuments:
    """How one search index is filled from storage (``search.documents``)."""

    index: str
    load: Loader
    sources: tuple[tuple[str, Mapping[str, Any]], ...]
    """(collection, query) pairs whose ids, passed to ``load``, rebuild the whole index."""


ErasureHook = Callable[[Any, ObjectId, Any], Awaitable[None]]
"""``async def hook(db, user_id, session)`` for erasure steps a collection rule cannot express
(e.g. telling the search index to drop a document)."""


@dataclass(frozen=True, slots=True)
class StorageFacts:
    """Everything one feature declares about its storage."""

    collections: tuple[Collection, ...]
    search: tuple[SearchDocuments, ...] = ()
    erasure_hooks: tuple[ErasureHook, ...] = ()


COLLECTIONS: dict[str, Collection] = {}
SEARCH: dict[str, SearchDocuments] = {}
ERASURE_HOOKS: dict[str, ErasureHook] = {}


def _claim(registry: dict[str, Any], name: str, item: Any, what: str) -> None:
    if registry.setdefault(name, item) is not item:
        raise ValueError(f"{what} {name!r} is declared twice; one feature owns it")


def declare(facts: StorageFacts) -> None:
    """Hand a feature's facts to the shared registries.

    Every app a process builds declares again, which changes nothing; a collection or search
    index that another declaration already owns is an error, so each has one owner."""
    for collection in facts.collections:
        _claim(COLLECTIONS, collection.name, collection, "collection")
    for documents in facts.search:
        _claim(SEARCH, documents.index, documents, "search index")
    for hook in facts.erasure_hooks:
        _claim(ERASURE_HOOKS, f"{hook.__module__}.{hook.__qualname__}", hook, "erasure hook")


async def undeclared(db: Database) -> set[str]:
    """Collections in ``db`` that no feature declared: something wrote where nobody owns it."""
    return set(await db.list_collection_names()) - set(COLLECTIONS)
