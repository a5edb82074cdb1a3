"""``community.accounts.people``: what other features may learn of a person, and nothing more."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from community.accounts import people
from tests.factories import make_user


async def test_people_by_id_reads_many_at_once_without_credentials_or_contact_details(bare_db: Any) -> None:
    asha, ravi = await make_user(bare_db, name="Asha"), await make_user(bare_db, name="Ravi", mobile="9876543210")
    erased = await make_user(bare_db, deleted=True)
    found = await people.people_by_id(bare_db, [asha["_id"], ravi["_id"], erased["_id"], None, ObjectId()])
    assert set(found) == {asha["_id"], ravi["_id"], erased["_id"]}, "unknown ids and None are left out"
    assert found[asha["_id"]]["name"] == "Asha" and found[asha["_id"]]["org_id"] == asha["org_id"]
    assert found[erased["_id"]]["deleted"] and people.shown_name(found[erased["_id"]]) is None
    for person in found.values():
        assert not {"email", "mobile", "password_hash"} & set(person), "a Person carries no credentials or contacts"


async def test_members_carry_contacts_and_leave_erased_accounts_out(bare_db: Any) -> None:
    ravi = await make_user(bare_db, name="Ravi", mobile="9876543210")
    erased = await make_user(bare_db, deleted=True)
    members = await people.members_by_id(bare_db, [ravi["_id"], erased["_id"]])
    assert list(members) == [ravi["_id"]]
    assert members[ravi["_id"]]["email"] == ravi["email"] and members[ravi["_id"]]["mobile"] == "9876543210"


async def test_mail_goes_only_to_a_verified_address_of_a_live_account(bare_db: Any) -> None:
    verified, unverified = await make_user(bare_db, name="Meera"), await make_user(bare_db, verified=False)
    erased = await make_user(bare_db, deleted=True)
    recipient = await people.mail_recipient(bare_db, verified["_id"])
    assert recipient is not None and recipient["email"] == verified["email"] and recipient["name"] == "Meera"
    assert await people.mail_recipient(bare_db, unverified["_id"]) is None
    assert await people.mail_recipient(bare_db, erased["_id"]) is None
