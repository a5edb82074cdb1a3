"""Demo step: a few conversations between demo people who are connected, a group, and message
requests from people who are not. Written directly, in the shapes the services write (the flood
limit would rightly refuse a script). Runs after the network step; it does nothing when any
conversation exists, so running the demo twice adds nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community.accounts import people as accounts_people
from community.config import Settings
from community.forums.markdown import render
from community.messages.queries import CONVERSATIONS, MEMBERS, MESSAGES, member_key, pair_hash
from community.network import queries as network
from community.storage.api import Database

SCRIPTS = [
    ["Did you get the revised **GFR 2017** circular on services procurement?",
     "Yes, this morning. Rule 177 changed more than I expected.",
     "Could we go through it before Thursday's review?", "Sure, 4 pm works for me."],
    ["क्या आप अगले सप्ताह के iGOT पाठ्यक्रम में शामिल हो रहे हैं?", "हाँ, मैंने पंजीकरण कर लिया है।",
     "बढ़िया, वहीं मिलते हैं।"],
    ["Thanks for the note on the CPGRAMS escalation matrix.", "Happy to help. The appeal timeline is the tricky part.",
     "Would you share the template you use?"],
    ["Your post on zero-based budgeting helped our district team a lot.", "Glad to hear it! Which step was hardest?",
     "Getting every section to justify its base, of course."],
]
GROUP = ["Shall we compare notes on the GeM reverse auctions before the workshop?", "Good idea. I have two cases.",
         "I can bring the bid evaluation sheet.", "Let us meet on Friday, then."]
REQUESTS = ["Hello, I read your thread on tender evaluation. May I ask you about a case?",
            "नमस्ते, क्या आप मेरे विभाग की ई-ऑफिस समस्या पर सलाह दे सकते हैं?"]
DIRECT_CONVERSATIONS = 8


def _conversation(kind: str, members: list[ObjectId], at: datetime, title: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {"_id": ObjectId(), "kind": kind, "title": title, "member_ids": members,
                             "created_by": members[0], "created_at": at, "last_at": at}
    if kind == "direct":
        found["pair"] = pair_hash(members[0], members[1])
    return found


async def _write(db: Database, conversation: dict[str, Any], lines: list[str], states: dict[ObjectId, str],
                 start: datetime) -> None:
    members = conversation["member_ids"]
    at = start
    unread = dict.fromkeys(members, 0)
    last_read: dict[ObjectId, datetime | None] = dict.fromkeys(members, None)
    rows = []
    for index, line in enumerate(lines):
        author = members[index % len(members)] if states[members[1]] == "active" else members[0]
        at += timedelta(minutes=7 + index * 3)
        rows.append({"_id": ObjectId(), "conversation_id": conversation["_id"], "author_id": author, "body": line,
                     "html": render(line).html, "created_at": at, "edited_at": None, "deleted": False})
        for member in members:
            if member == author:
                unread[member], last_read[member] = 0, at
            else:
                unread[member] += 1
    unread[members[0]] = 0
    await db[MESSAGES].insert_many(rows)
    conversation["last_at"] = at
    await db[CONVERSATIONS].insert_one(conversation)
    await db[MEMBERS].insert_many([{"_id": member_key(conversation["_id"], member), "conversation_id": conversation["_id"],
                                    "user_id": member, "state": states[member], "unread": unread[member],
                                    "read_at": last_read[member], "last_at": at} for member in members])


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    if await db[CONVERSATIONS].find_one({}, {"_id": 1}) is not None:
        return
    members = [member["_id"] for member in await accounts_people.live_people(db)]
    if len(members) < 4:
        return
    now = datetime.now(UTC)
    pairs = await network.accepted_pairs(db, limit=200)
    rng.shuffle(pairs)
    used: set[str] = set()
    for a, b in pairs[:DIRECT_CONVERSATIONS]:
        if pair_hash(a, b) in used:
            continue
        used.add(pair_hash(a, b))
        start = now - timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 12))
        await _write(db, _conversation("direct", [a, b], start), rng.choice(SCRIPTS), {a: "active", b: "active"}, start)
    if len(pairs) >= 2:
        group = list(dict.fromkeys([pairs[0][0], pairs[0][1], pairs[1][0], pairs[1][1]]))
        start = now - timedelta(days=2)
        await _write(db, _conversation("group", group, start, title="GeM reverse auctions"), GROUP,
                     dict.fromkeys(group, "active"), start)
    for line in REQUESTS:
        for _attempt in range(20):
            sender, recipient = rng.sample(members, 2)
            if pair_hash(sender, recipient) not in used and not await network.is_connected(db, sender, recipient):
                used.add(pair_hash(sender, recipient))
                start = now - timedelta(hours=rng.randint(2, 30))
                await _write(db, _conversation("direct", [sender, recipient], start), [line],
                             {sender: "active", recipient: "request"}, start)
                break
