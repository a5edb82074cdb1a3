"""Demo step: discussion categories and a few hundred threads with replies, in English and Hindi.

Runs after the accounts step has created the people. Threads are written directly (in bulk,
with the same document shapes and rendering the services produce) because the services'
flood control would, rightly, refuse hundreds of posts a second from one person; the Karma
Points their votes and accepted answers earn are then awarded through the ledger. Running the
demo twice adds nothing: it does nothing once any category exists.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community.accounts import people
from community.accounts.people import Person
from community.config import Settings
from community.forums.abuse import body_hash
from community.forums.accept import award_accepted
from community.forums.create_thread import new_post
from community.forums.limits import ForumLimits, limits_from_env
from community.forums.markdown import render
from community.forums.queries import CATEGORIES, FOLLOWS, POSTS, THREADS, VOTES, vote_id
from community.forums.vote import UPVOTE_REASON
from community.karma import service as karma
from community.organisations import queries as org_queries
from community.storage.api import Database

CATEGORIES_SPEC: list[dict[str, Any]] = [
    {"slug": "public-procurement", "name": "Public procurement",
     "description": "GFR 2017, tenders, GeM, contract management and vendor disputes.",
     "competency_tags": ["fun.public-procurement-gfr.procurement-of-services-goods-works"]},
    {"slug": "gem", "name": "GeM (Government e-Marketplace)", "parent": "public-procurement",
     "description": "Buying on GeM: bids, reverse auctions, direct purchase, seller ratings.",
     "competency_tags": ["fun.public-procurement-gfr.procurement-mgmt-through-gem"]},
    {"slug": "grievance-redressal", "name": "Grievance redressal",
     "description": "CPGRAMS, appeals, timelines and closing the loop with citizens.",
     "competency_tags": ["fun.grievance-redressal.public-grievance-handling"]},
    {"slug": "schemes-delivery", "name": "Schemes and service delivery",
     "description": "Designing, running and monitoring schemes; DBT; last-mile delivery.",
     "competency_tags": ["fun.government-program-formulation.scheme-program-design"]},
    {"slug": "noting-drafting", "name": "टिप्पणी और प्रारूपण (Noting and drafting)",
     "description": "फ़ाइल पर टिप्पणी, मसौदा पत्र, कार्यालय ज्ञापन। Notes, drafts and office memoranda.",
     "competency_tags": ["fun.office-management.noting-drafting-of-official-communications"]},
    {"slug": "data-and-digital", "name": "Data and digital governance",
     "description": "e-Office, dashboards, data-led decisions and digital public infrastructure.",
     "competency_tags": ["fun.data-analytics.data-led-decision-making"]},
    {"slug": "budget-finance", "name": "Budget and public finance",
     "description": "Budget formulation, re-appropriation, outcome budgets and audit paras.",
     "competency_tags": ["fun.financial-management.budget-formulation-implementation"]},
]

# (title, kind, category slug): a thread is asked where it belongs.
TOPICS_EN = [
    ("How do you handle a single-bid situation on GeM for {item}?", "question", "gem"),
    ("Limited tender vs open tender for {item}: what thresholds do you follow?", "question", "public-procurement"),
    ("Experience with reverse auction for {item}", "discussion", "gem"),
    ("Closing CPGRAMS grievances about {subject} within 30 days", "question", "grievance-redressal"),
    ("Citizens keep reopening grievances on {subject}: what worked for you?", "discussion", "grievance-redressal"),
    ("Designing the monitoring framework for a {scheme} scheme", "discussion", "schemes-delivery"),
    ("DBT failures in {scheme}: Aadhaar seeding and bank account issues", "question", "schemes-delivery"),
    ("Drafting an office memorandum on {subject}", "question", "noting-drafting"),
    ("Moving our section fully to e-Office: lessons on {subject}", "discussion", "data-and-digital"),
    ("A district dashboard for {scheme}: which indicators matter?", "discussion", "data-and-digital"),
    ("Re-appropriation of funds for {scheme} late in the financial year", "question", "budget-finance"),
    ("Replying to an audit para on {item} procurement", "question", "budget-finance"),
    ("Outcome budget indicators for the {scheme} scheme: how do you set them?", "discussion", "budget-finance"),
    ("Good practice: weekly review meetings on {subject}", "discussion", "grievance-redressal"),
    ("Contract management after award: {item} vendor missing milestones", "question", "public-procurement"),
]
TOPICS_HI = [
    ("{item} की ख़रीद में केवल एक बोली आई, आगे क्या करें?", "question", "gem"),
    ("{subject} से जुड़ी शिकायतों का समय पर निपटारा कैसे करें", "discussion", "grievance-redressal"),
    ("{scheme} योजना में लाभार्थियों के सत्यापन का अनुभव", "discussion", "schemes-delivery"),
    ("{subject} पर कार्यालय ज्ञापन का मसौदा: सुझाव चाहिए", "question", "noting-drafting"),
    ("ई-ऑफ़िस में {subject} की फ़ाइलें: आपके अनुभव", "discussion", "data-and-digital"),
]
ITEMS = ["laptops", "office furniture", "CCTV systems", "consultancy services", "vehicles on hire", "printing",
         "cloud hosting", "medical equipment", "housekeeping services", "training venues"]
ITEMS_HI = ["लैपटॉप", "कार्यालय फ़र्नीचर", "सीसीटीवी", "परामर्श सेवाओं", "किराये के वाहनों"]
SUBJECTS = ["pension delays", "land records", "scholarship payments", "ration cards", "passport verification",
            "transfer postings", "RTI replies", "leave encashment", "property tax", "water supply"]
SUBJECTS_HI = ["पेंशन में देरी", "भूमि अभिलेख", "छात्रवृत्ति भुगतान", "राशन कार्ड", "स्थानांतरण"]
SCHEMES = ["crop insurance", "housing", "maternity benefit", "skill development", "drinking water", "school meals"]
SCHEMES_HI = ["फ़सल बीमा", "आवास", "मातृत्व लाभ", "कौशल विकास", "पेयजल"]

OPENINGS_EN = [
    "We are facing this in our department and I would like to know how others have handled it.",
    "Sharing what we tried over the last quarter, and asking for better ideas.\n\n"
    "- what went wrong: files moved slowly\n- what we want: a clear checklist",
    "Has anyone dealt with this recently? The guidelines are silent on a few points.",
]
OPENINGS_PROCUREMENT = [
    "We are facing this in our department and I would like to know how others have handled it.\n\n"
    "Relevant rule: **GFR 2017, Rule {rule}**. Our current practice is to {practice}.",
    "Sharing what we tried over the last quarter, and asking for better ideas.\n\n"
    "- what we did: {practice}\n- what went wrong: files moved slowly\n- what we want: a clear checklist",
    "Has anyone dealt with this recently? The guidelines are silent on a few points, especially {point}.",
]
PROCUREMENT = {"public-procurement", "gem", "budget-finance"}
OPENINGS_HI = [
    "हमारे विभाग में यह समस्या बार-बार आ रही है। कृपया अपने अनुभव साझा करें।\n\n"
    "हमने अभी तक यह किया है: {practice_hi}।",
    "पिछले तीन महीनों में हमने कुछ प्रयोग किए। क्या किसी के पास बेहतर तरीका है?",
]
PRACTICES = ["re-tender after extending the bid period", "record reasons on file and go ahead",
             "seek approval of the competent financial authority", "consult the integrated finance division"]
PRACTICES_HI = ["बोली की अवधि बढ़ाकर पुनः निविदा", "फ़ाइल पर कारण दर्ज करके आगे बढ़ना", "सक्षम प्राधिकारी से अनुमोदन"]
POINTS = ["the timeline for clarifications", "who signs the comparative statement", "splitting of orders"]
REPLIES_EN = [
    "Please record the reasons on file before proceeding; audit will ask for them.",
    "In our ministry we issued a standing order on this; I can share the format.",
    "We set up a weekly review and the pendency came down by half in two months.",
    "Do involve the nodal officer early; it saves a round of file movement.",
    "This worked for us, but only after we trained the dealing hands on the portal.",
    "Could you share the circular you mentioned? We are drafting ours now.",
    "Same experience here. What finally helped was a named owner for each step and a date.",
]
REPLIES_PROCUREMENT = [
    "We faced the same issue last year. Extending the bid period by a week brought in two more bidders.",
    "Rule {rule} allows this with the approval of the competent authority. Attach the market survey.",
    "A checklist helped us a lot:\n\n1. market survey\n2. justification note\n3. IFD concurrence",
    "Agree with the above. Also check the latest OM from the Department of Expenditure.",
]
REPLIES_HI = [
    "हमारे यहाँ भी यही हुआ था। बोली की अवधि बढ़ाने से दो और बोलीदाता आए।",
    "आगे बढ़ने से पहले फ़ाइल पर कारण अवश्य दर्ज करें, लेखा परीक्षा में पूछा जाता है।",
    "हमने साप्ताहिक समीक्षा बैठक शुरू की, इससे लंबित मामले आधे हो गए।",
    "नोडल अधिकारी को शुरुआत में ही शामिल करें।",
    "इस विषय पर व्यय विभाग का नवीनतम कार्यालय ज्ञापन भी देख लें।",
]
TAGS = ["gfr-2017", "gem", "cpgrams", "e-office", "dbt", "audit", "rti", "checklist", "ई-ऑफ़िस", "शिकायत"]


def _thread_text(rng: random.Random, slug: str) -> tuple[str, str, str]:
    """A title, an opening and a kind for a thread in the category ``slug`` (an organisation's
    internal space, whose slug no topic names, takes any topic)."""
    hindi = [topic for topic in TOPICS_HI if topic[2] == slug] or (TOPICS_HI if slug.startswith("internal-") else [])
    if hindi and rng.random() < 0.25:
        title, kind, _ = rng.choice(hindi)
        title = title.format(item=rng.choice(ITEMS_HI), subject=rng.choice(SUBJECTS_HI), scheme=rng.choice(SCHEMES_HI))
        body = rng.choice(OPENINGS_HI).format(practice_hi=rng.choice(PRACTICES_HI))
    else:
        title, kind, _ = rng.choice([topic for topic in TOPICS_EN if topic[2] == slug] or TOPICS_EN)
        title = title.format(item=rng.choice(ITEMS), subject=rng.choice(SUBJECTS), scheme=rng.choice(SCHEMES))
        body = rng.choice(OPENINGS_PROCUREMENT if slug in PROCUREMENT else OPENINGS_EN).format(
            rule=rng.randint(144, 194), practice=rng.choice(PRACTICES), point=rng.choice(POINTS))
    return title, body, kind


def _reply_text(rng: random.Random, hindi: bool, slug: str, mention: tuple[str, ObjectId] | None) -> str:
    choices = REPLIES_HI if hindi else REPLIES_EN + (REPLIES_PROCUREMENT if slug in PROCUREMENT else [])
    text = rng.choice(choices).format(rule=rng.randint(144, 194))
    if mention and rng.random() < 0.1:
        text = f"@[{mention[0]}]({mention[1]}) {text}"
    return text


def _reply_times(rng: random.Random, started: datetime, now: datetime, count: int) -> list[datetime]:
    """When ``count`` replies came, in order: a few minutes to ten hours apart, as people answer,
    but squeezed into the time since ``started`` so that none lies in the future."""
    gaps = [rng.uniform(3, 600) for _ in range(count)]
    scale = min(1.0, (now - started).total_seconds() / 60 / (sum(gaps) or 1))
    times, at = [], started
    for gap in gaps:
        at = at + timedelta(minutes=gap * scale)
        times.append(at)
    return times


def _votes(rng: random.Random, post: dict[str, Any], pool: list[Person], wanted: int) -> list[dict[str, Any]]:
    """Up to ``wanted`` upvotes on ``post``, as ``set_vote`` stores them: one per person, never the author's own."""
    others = [member for member in pool if member["_id"] != post["author_id"]]
    return [{"_id": vote_id(post["_id"], voter["_id"]), "post_id": post["_id"], "user_id": voter["_id"],
             "thread_id": post["thread_id"], "at": post["created_at"]}
            for voter in rng.sample(others, k=min(len(others), wanted))]


async def fill_forums(db: Database, rng: random.Random, *, threads: int, replies: int, big_thread_replies: int = 0,
                      now: datetime | None = None) -> dict[str, Any]:
    """Create the categories and ``threads`` threads sharing ``replies`` replies (at least one
    thread, the first, gets ``big_thread_replies``). Returns ``{"categories", "big_thread_id"}``."""
    now = now or datetime.now(UTC)
    members = await people.live_people(db)
    if not members:
        raise RuntimeError("the forums demo needs people: run the accounts demo step first")
    moderators = [m["_id"] for m in members if "moderator" in m.get("roles", [])][:2]
    by_slug: dict[str, dict[str, Any]] = {}
    categories: list[dict[str, Any]] = []
    for position, spec in enumerate(CATEGORIES_SPEC):
        parent = by_slug.get(spec.get("parent", ""))
        category = {
            "_id": ObjectId(), "slug": spec["slug"], "name": spec["name"], "description": spec["description"],
            "parent_id": parent["_id"] if parent else None, "path": [parent["_id"]] if parent else [],
            "org_id": None, "moderator_ids": moderators, "competency_tags": spec["competency_tags"],
            "position": position, "thread_count": 0, "post_count": 0, "last_activity_at": None, "created_at": now,
        }
        by_slug[spec["slug"]] = category
        categories.append(category)
    organisations = await org_queries.oldest(db, 2)
    for index, org in enumerate(organisations):
        categories.append({
            "_id": ObjectId(), "slug": f"internal-{index + 1}", "name": f"{org.get('short_name') or org['name']}: internal",
            "description": "A private space for this organisation's own officers.", "parent_id": None, "path": [],
            "org_id": org["_id"], "moderator_ids": [], "competency_tags": [], "position": 100 + index,
            "thread_count": 0, "post_count": 0, "last_activity_at": None, "created_at": now,
        })
    await db[CATEGORIES].insert_many(categories)

    rest = max(0, replies - big_thread_replies)
    counts = [big_thread_replies] + [0] * (threads - 1)
    for _ in range(rest):
        counts[rng.randrange(1, threads) if threads > 1 else 0] += 1
    totals: dict[ObjectId, list[Any]] = {c["_id"]: [0, 0, None] for c in categories}
    big_thread_id = None
    thread_docs: list[dict[str, Any]] = []
    post_docs: list[dict[str, Any]] = []
    vote_docs: list[dict[str, Any]] = []
    follow_docs: list[dict[str, Any]] = []
    for index, reply_count in enumerate(counts):
        category = categories[0] if index == 0 else rng.choice(categories)
        pool = [m for m in members if category["org_id"] is None or m.get("org_id") == category["org_id"]] or members
        author = rng.choice(pool)
        title, body, kind = _thread_text(rng, category["slug"])
        started = now - timedelta(days=rng.uniform(0.5, 120))
        thread_id = ObjectId()
        big_thread_id = big_thread_id or thread_id
        rendered = render(body)
        opening = new_post(thread_id=thread_id, category=category, number=1, author_id=author["_id"], body=body,
                           html=rendered.html, digest=body_hash(body), now=started)
        post_docs.append(opening)
        hindi = any("\u0900" <= ch <= "\u097f" for ch in title)
        at = started
        last_poster = author["_id"]
        accepted = None
        for number, at in enumerate(_reply_times(rng, started, now, reply_count), start=2):
            replier = rng.choice(pool)
            mention = (author["name"] or "", author["_id"]) if replier["_id"] != author["_id"] else None
            text = _reply_text(rng, hindi, category["slug"], mention)
            reply_to = rng.randint(1, number - 1) if number > 2 and rng.random() < 0.3 else None
            post = new_post(thread_id=thread_id, category=category, number=number, author_id=replier["_id"], body=text,
                            html=render(text).html, digest=body_hash(text), now=at, reply_to=reply_to)
            votes = _votes(rng, post, pool, rng.choice((0, 0, 0, 1, 1, 2, 3, 5)))
            vote_docs += votes
            post["votes"] = len(votes)
            post_docs.append(post)
            last_poster = replier["_id"]
            if kind == "question" and accepted is None and number > 2 and rng.random() < 0.15:
                accepted = post
        if accepted is not None:
            accepted["accepted"] = True
        votes = _votes(rng, opening, pool, rng.randint(0, 6))
        vote_docs += votes
        opening["votes"] = len(votes)
        follow_docs.append({"_id": f"{author['_id']}|thread|{thread_id}", "user_id": author["_id"],
                            "target_type": "thread", "target_id": thread_id, "at": started})
        thread_docs.append({
            "_id": thread_id, "category_id": category["_id"], "org_id": category["org_id"], "author_id": author["_id"],
            "title": title, "kind": kind, "tags": rng.sample(TAGS, k=rng.randint(0, 3)),
            "competency_tags": list(category["competency_tags"]), "first_post_id": opening["_id"],
            "created_at": started, "last_activity_at": at, "last_poster_id": last_poster,
            "last_number": reply_count + 1, "reply_count": reply_count, "votes": opening["votes"],
            "accepted_post_id": accepted["_id"] if accepted else None,
            "pinned": index % 97 == 5, "locked": False, "hidden": False, "deleted": False, "version": 0,
        })
        total = totals[category["_id"]]
        total[0] += 1
        total[1] += reply_count + 1
        total[2] = max(total[2] or at, at)
        if len(post_docs) >= 5000:
            await db[POSTS].insert_many(post_docs)
            post_docs = []
    if post_docs:
        await db[POSTS].insert_many(post_docs)
    await db[THREADS].insert_many(thread_docs)
    if vote_docs:
        await db[VOTES].insert_many(vote_docs)
    await db[FOLLOWS].insert_many(follow_docs)
    for category_id, (thread_count, post_count, last) in totals.items():
        await db[CATEGORIES].update_one({"_id": category_id}, {"$set": {
            "thread_count": thread_count, "post_count": post_count, "last_activity_at": last}})
    return {"categories": categories, "big_thread_id": big_thread_id}


async def award_karma(db: Database, limits: ForumLimits) -> None:
    """The Karma Points the forum's votes and accepted answers earn, with the reasons, points and
    award keys ``set_vote`` and ``set_accepted`` use (so withdrawing a demo vote takes its points
    back). The daily upvote cap does not apply: the demo's votes are spread over months."""
    authors = {post["_id"]: post["author_id"] async for post in db[POSTS].find({}, {"author_id": 1})}
    async for vote in db[VOTES].find({}, {"post_id": 1}):
        await karma.award(db, user_id=authors[vote["post_id"]], points=limits.upvote_points, reason=UPVOTE_REASON,
                          object_type="forum_vote", object_id=vote["_id"])
    askers = {thread["_id"]: thread async for thread in db[THREADS].find({"accepted_post_id": {"$ne": None}},
                                                                         {"author_id": 1})}
    async for post in db[POSTS].find({"accepted": True}, {"author_id": 1, "thread_id": 1}):
        await award_accepted(db, limits, post, askers[post["thread_id"]])


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    if await db[CATEGORIES].find_one({}, {"_id": 1}) is not None:
        return
    await fill_forums(db, rng, threads=300, replies=3000, big_thread_replies=60)
    await award_karma(db, limits_from_env(settings))
