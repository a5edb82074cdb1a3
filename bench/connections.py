"""Benchmark: connections, follows and the endorsement rule, on the embedded store.

    .venv/bin/python bench/connections.py                   # 5,000 members
    .venv/bin/python bench/connections.py --members 20000 --hub 2000

A fresh embedded store (SQLite in a temporary folder) gets the shipped dictionary, the demo
profiles and the demo network (``community.network.demo``) for the members, and one "hub" person
with ``--hub`` connections, as many followers and ten endorsements of one competency. Timed,
in-process, with every declared index in place:

1. a request and its acceptance (two actions, each one transaction with its job and notice);
2. where the viewer stands with a person (what the profile page's buttons need);
3. the hub's profile as a member sees it, the rule applied to ten endorsers' standings;
4. the first page (50) of the hub's connections list, with every list's count;
5. the hub's followers, as the notifier expands them for a new thread (less the category's).

Reported: the median and 95th-percentile milliseconds of each.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedded import fresh_store, percentiles, timed  # noqa: E402  (bench/embedded.py, beside this file)
from community import actions, keys  # noqa: E402
from community.app import utc_now  # noqa: E402
from community.network import connections, lists, queries  # noqa: E402
from community.network import demo as network_demo  # noqa: E402
from community.network.rules import RULES, rules_from  # noqa: E402
from community.network.schemas import ConnectionRequestIn  # noqa: E402
from community.notifications.intents import RECIPIENT_SETS  # noqa: E402
from community.policy import Actor, Role  # noqa: E402
from community.profiles import demo as profiles_demo  # noqa: E402
from community.profiles.show import visible_profile  # noqa: E402
from community.profiles.verification import rule_from as endorsement_rule  # noqa: E402


def officer(user: dict[str, Any]) -> Actor:
    return Actor(user_id=user["_id"], org_id=user["org_id"], roles=frozenset({Role.OFFICER}))


async def members(db: Any, count: int) -> list[dict[str, Any]]:
    orgs = [ObjectId() for _ in range(20)]
    await db.organisations.insert_many([{"_id": org, "name": f"Ministry {n}"} for n, org in enumerate(orgs)])
    people = [{"_id": ObjectId(), "name": f"Member {n:06d}", "email": f"member{n}@example.gov.in", "email_verified": True,
               "mobile": None, "org_id": orgs[n % len(orgs)], "designation": "Under Secretary",
               "roles": ["officer", "expert"] if n % 10 == 0 else ["officer"], "suspended_until": None,
               "password_hash": "x", "created_at": datetime.now(UTC), "deleted": False} for n in range(count)]
    for start in range(0, len(people), 1000):
        await db.users.insert_many(people[start:start + 1000])
    return people


async def hub_of(db: Any, people: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """A person with ``size`` connections and followers and ten endorsements of one competency."""
    hub, now = people[1], datetime.now(UTC)
    others = [person["_id"] for person in people[2:size + 2]]
    await db[queries.CONNECTIONS].delete_many({"$or": [{"a": hub["_id"]}, {"b": hub["_id"]}]})
    await db[queries.CONNECTIONS].insert_many([{
        "_id": queries.pair_key(hub["_id"], other), "a": other, "b": hub["_id"], "status": "accepted", "note": "",
        "requested_at": now, "accepted_at": now, "expires_at": None, "request_id": ObjectId()} for other in others])
    await db[queries.FOLLOWS].insert_many([{"_id": queries.follow_key(other, hub["_id"]), "follower_id": other,
                                            "followed_id": hub["_id"], "at": now} for other in others
                                           if not await queries.is_following(db, other, hub["_id"])])
    competency = (await db.competencies.find_one({}))["_id"]
    await db.profiles.update_one({"_id": hub["_id"]}, {"$set": {"competencies": [{"competency_id": competency, "level": 3}]}})
    experts = [person["_id"] for person in people if "expert" in person["roles"] and person["_id"] != hub["_id"]][:10]
    for expert in experts:
        await db.profiles.update_one({"_id": expert}, {"$push": {"competencies": {"competency_id": competency, "level": 4}}})
        await db.endorsements.insert_one({"user_id": hub["_id"], "competency_id": competency, "endorser_id": expert,
                                          "level": 3, "at": now})
    return hub


async def main(arguments: argparse.Namespace) -> None:
    async with fresh_store() as (settings, db):
        people = await members(db, arguments.members)
        started = time.perf_counter()
        rng = random.Random(1)
        await profiles_demo.fill_demo(db, settings, rng, arguments.members)
        await network_demo.fill_demo(db, settings, rng, arguments.members)
        hub = await hub_of(db, people, arguments.hub)
        print(f"set-up: {arguments.members} members, {await db[queries.CONNECTIONS].count_documents({})} connections, "
              f"{await db[queries.FOLLOWS].count_documents({})} follows, a hub of {arguments.hub}, "
              f"in {time.perf_counter() - started:.1f} s")
        app = {keys.DB: db, keys.CLOCK: utc_now, keys.SETTINGS: settings, RULES: rules_from(settings)}
        strangers = people[arguments.hub + 2:]

        async def ask_and_accept(n: int) -> None:
            asker, other = strangers[2 * n], strangers[2 * n + 1]
            await actions.run(app, officer(asker), connections.request_connection, other["_id"], ConnectionRequestIn())
            await actions.run(app, officer(other), connections.accept, asker["_id"])

        viewer, rule = people[-1], endorsement_rule(settings)
        print(f"request and acceptance: {percentiles(await timed(arguments.runs, ask_and_accept))}")
        print("relation for the profile buttons: "
              + percentiles(await timed(arguments.runs, lambda n: connections.relation(db, officer(viewer), hub["_id"]))))
        print("hub's profile with the rule over 10 endorsers: "
              + percentiles(await timed(arguments.runs, lambda n: visible_profile(db, officer(viewer), hub["_id"], rule))))
        print(f"hub's connections, first page and counts ({arguments.hub} connections): "
              + percentiles(await timed(arguments.runs, lambda n: lists.network_list(db, hub["_id"], "connections"))))
        followers, category = RECIPIENT_SETS["forum.author_followers"], ObjectId()
        print(f"hub's followers expanded ({arguments.hub}): " + percentiles(await timed(
            arguments.runs, lambda n: followers(db, author_id=hub["_id"], category_id=category, as_of=datetime.now(UTC)))))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--hub", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
