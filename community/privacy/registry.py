"""Where a person's data lives: the personal-data rules every feature declared.

The data-rights services (export and erasure) never guess: they read the rules each feature's
``storage.py`` declares on its collections (``community.storage.facts.Personal``), naming the
field that holds the person's id and what erasure does there:

- ``"delete"``: the documents are removed (profiles, private messages, applications, sessions);
- ``"anonymise"``: the documents stay (a forum post, a Karma entry) and the listed
  ``replacements`` are applied, so the post is shown as from a deleted member;
- ``"keep"``: retained unchanged because the law requires it (the audit log); exported, not erased.

``secret_fields`` are never exported (password hashes, session tokens): they are credentials,
not information about the person.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from community.storage.facts import ERASURE_HOOKS, COLLECTIONS, ErasureHook, Personal

__all__ = ["ERASURE_HOOKS", "ErasureHook", "PersonalData", "entries"]


@dataclass(frozen=True, slots=True)
class PersonalData(Personal):
    """A declared rule together with the collection it applies to."""

    collection: str = ""
    label: str = ""
    """The collection's plain-language label (``Collection.label``), in English."""


def entries() -> list[PersonalData]:
    """Every declared rule; deletions run last so anonymising rules still find their documents."""
    order = {"keep": 0, "anonymise": 1, "delete": 2}
    found = [PersonalData(collection=collection.name, label=collection.label,
                          **{f.name: getattr(rule, f.name) for f in fields(rule)})
             for collection in COLLECTIONS.values() for rule in collection.personal]
    return sorted(found, key=lambda entry: (order[entry.action], entry.collection, entry.field))
