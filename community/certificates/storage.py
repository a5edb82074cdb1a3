"""Certificates' storage facts: one collection, personal data of the person it was issued to.

Erasure keeps the certificate (its code may be printed somewhere) but removes the name and
revokes it (the rule, then the hook :func:`~community.certificates.service.revoke_erased`, in
the same transaction), so its verification page says it is revoked and names nobody.
"""

from __future__ import annotations

from pymongo import IndexModel

from community.certificates.service import CERTIFICATES, revoke_erased
from community.i18n import N_
from community.storage.facts import Collection, Personal, StorageFacts

STORAGE = StorageFacts(collections=(
    Collection(CERTIFICATES, label=N_("Certificates"), indexes=(
        IndexModel([("code", 1)], unique=True),  # the verification page
        IndexModel([("person_id", 1), ("kind", 1), ("subject_id", 1)], unique=True),  # one per person and subject
        IndexModel([("person_id", 1), ("held_at", -1)]),  # a person's certificates
    ), personal=(
        Personal("person_id", "anonymise", replacements={"name": None},
                 purpose=N_("Certificates of attendance issued to you, with your name as they print it.")),
    )),
), erasure_hooks=(revoke_erased,))
