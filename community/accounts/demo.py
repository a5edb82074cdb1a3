"""Demo step: organisations (central ministries with their departments and offices, and State
departments) and a few hundred officers and experts with Indian names in several scripts.

Runs first; later steps (profiles, forums, ...) use these people. Running it twice adds
nothing. Every demo person signs in with the password ``DEMO_PASSWORD``; the demo platform
administrator is ``DEMO_ADMIN_EMAIL``.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from community.organisations.queries import names as organisation_names
from community.accounts.passwords import hash_password
from community.config import Settings
from community.organisations import queries as org_queries
from community.storage.api import Database

log = logging.getLogger("community.demo")

DEMO_PASSWORD = "karmayogi demo"
DEMO_ADMIN_EMAIL = "admin@demo.karmayogi.example"

# (name, short name, kind, children); a tree per top-level organisation.
Tree = tuple[str, str, str, tuple[Any, ...]]
CENTRAL: tuple[Tree, ...] = (
    ("Ministry of Personnel, Public Grievances and Pensions", "MoPPGP", "ministry", (
        ("Department of Personnel and Training", "DoPT", "department", (
            ("Lal Bahadur Shastri National Academy of Administration", "LBSNAA", "office", ()),
            ("Institute of Secretariat Training and Management", "ISTM", "office", ()),
        )),
        ("Department of Administrative Reforms and Public Grievances", "DARPG", "department", ()),
        ("Department of Pension and Pensioners' Welfare", "DoPPW", "department", ()),
    )),
    ("Ministry of Finance", "MoF", "ministry", (
        ("Department of Revenue", "DoR", "department", (
            ("Central Board of Direct Taxes", "CBDT", "office", ()),
            ("Central Board of Indirect Taxes and Customs", "CBIC", "office", ()),
        )),
        ("Department of Expenditure", "DoE", "department", (
            ("Controller General of Accounts", "CGA", "office", ()),
        )),
    )),
    ("Ministry of Railways", "MoR", "ministry", (
        ("Railway Board", "RB", "department", (
            ("Research Designs and Standards Organisation", "RDSO", "office", ()),
        )),
    )),
    ("Ministry of Health and Family Welfare", "MoHFW", "ministry", (
        ("Department of Health and Family Welfare", "DoHFW", "department", (
            ("Directorate General of Health Services", "DGHS", "office", ()),
        )),
        ("Department of Health Research", "DHR", "department", (
            ("Indian Council of Medical Research", "ICMR", "office", ()),
        )),
    )),
    ("Ministry of Education", "MoE", "ministry", (
        ("Department of School Education and Literacy", "DoSEL", "department", (
            ("National Council of Educational Research and Training", "NCERT", "office", ()),
        )),
        ("Department of Higher Education", "DoHE", "department", (
            ("University Grants Commission", "UGC", "office", ()),
        )),
    )),
    ("Ministry of Electronics and Information Technology", "MeitY", "ministry", (
        ("National Informatics Centre", "NIC", "office", ()),
    )),
    ("Ministry of Home Affairs", "MHA", "ministry", (
        ("Department of Border Management", "DoBM", "department", ()),
        ("National Disaster Management Authority", "NDMA", "office", ()),
    )),
)
STATE: dict[str, tuple[Tree, ...]] = {
    "Kerala": (("Health and Family Welfare Department, Kerala", "HFWD-KL", "department", (
                   ("Directorate of Health Services, Kerala", "DHS-KL", "office", ()),)),
               ("General Administration Department, Kerala", "GAD-KL", "department", (
                   ("Institute of Management in Government", "IMG", "office", ()),))),
    "Tamil Nadu": (("Revenue and Disaster Management Department, Tamil Nadu", "RDMD-TN", "department", (
                       ("Commissionerate of Revenue Administration", "CRA-TN", "office", ()),)),
                   ("Personnel and Administrative Reforms Department, Tamil Nadu", "PARD-TN", "department", (
                       ("Anna Institute of Management", "AIM", "office", ()),))),
    "Maharashtra": (("Revenue and Forest Department, Maharashtra", "RFD-MH", "department", (
                        ("Collectorate, Pune", "COLL-PUNE", "office", ()),)),
                    ("General Administration Department, Maharashtra", "GAD-MH", "department", (
                        ("Yashwantrao Chavan Academy of Development Administration", "YASHADA", "office", ()),))),
    "Uttar Pradesh": (("Revenue Department, Uttar Pradesh", "RD-UP", "department", (
                          ("Board of Revenue, Uttar Pradesh", "BOR-UP", "office", ()),)),
                      ("Appointment and Personnel Department, Uttar Pradesh", "APD-UP", "department", (
                          ("Uttar Pradesh Academy of Administration and Management", "UPAAM", "office", ()),))),
    "West Bengal": (("Health and Family Welfare Department, West Bengal", "HFWD-WB", "department", (
                        ("Directorate of Health Services, West Bengal", "DHS-WB", "office", ()),)),),
    "Karnataka": (("Department of Personnel and Administrative Reforms, Karnataka", "DPAR-KA", "department", (
                      ("Administrative Training Institute, Mysuru", "ATI-MYS", "office", ()),)),),
    "Assam": (("Personnel Department, Assam", "PD-AS", "department", (
                  ("Assam Administrative Staff College", "AASC", "office", ()),)),),
}

# Given names and surnames as (in their script, romanised for the e-mail address).
NAMES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "hindi": ((("अनु\u200dराधा", "anuradha"), ("राजेश", "rajesh"), ("सुनीता", "sunita"), ("विकास", "vikas"),
               ("प्रियंका", "priyanka"), ("आलोक", "alok"), ("नेहा", "neha"), ("संजय", "sanjay"), ("अमित", "amit"),
               ("पूजा", "pooja"), ("रवि", "ravi"), ("अंजलि", "anjali"), ("मनोज", "manoj"), ("रश्मि", "rashmi"),
               ("दीपक", "deepak"), ("सविता", "savita")),
              (("शर्मा", "sharma"), ("वर्मा", "verma"), ("मिश्रा", "mishra"), ("यादव", "yadav"), ("त्रिपाठी", "tripathi"),
               ("गुप्ता", "gupta"), ("श्रीवास्तव", "srivastava"), ("चौहान", "chauhan"), ("पांडेय", "pandey"), ("सिंह", "singh"))),
    "marathi": ((("स्नेहा", "sneha"), ("अमोल", "amol"), ("माधुरी", "madhuri"), ("श्रीकांत", "shrikant")),
                (("देशपांडे", "deshpande"), ("कुलकर्णी", "kulkarni"), ("पाटील", "patil"), ("जोशी", "joshi"))),
    "tamil": ((("கலைச்செல்வி", "kalaiselvi"), ("முருகன்", "murugan"), ("தமிழ்செல்வன்", "tamilselvan"), ("மீனாட்சி", "meenakshi"),
               ("செந்தில்", "senthil"), ("வள்ளி", "valli")),
              (("சுப்பிரமணியன்", "subramanian"), ("ராஜேந்திரன்", "rajendran"), ("கிருஷ்ணன்", "krishnan"), ("நடராஜன்", "natarajan"),
               ("வேலு", "velu"))),
    "malayalam": ((("ലക്ഷ്മി", "lakshmi"), ("അനൂപ്", "anoop"), ("ദിവ്യ", "divya"), ("ശ്രീജിത്ത്", "sreejith"), ("അരുൺ", "arun"),
                   ("മീര", "meera")),
                  (("നായർ", "nair"), ("മേനോൻ", "menon"), ("പിള്ള", "pillai"), ("കുര്യൻ", "kurian"), ("വർഗീസ്", "varghese"))),
    "bengali": ((("সৌমিত্র", "soumitra"), ("অনন্যা", "ananya"), ("দেবাশীষ", "debashish"), ("মৌমিতা", "moumita"),
                 ("অরিজিৎ", "arijit")),
                (("চট্টোপাধ্যায়", "chattopadhyay"), ("বন্দ্যোপাধ্যায়", "bandyopadhyay"), ("দত্ত", "dutta"), ("বসু", "basu"),
                 ("সেন", "sen"))),
    "kannada": ((("ಶ್ರೀನಿವಾಸ", "srinivasa"), ("ಕಾವ್ಯ", "kavya"), ("ಮಂಜುನಾಥ", "manjunatha")),
                (("ಗೌಡ", "gowda"), ("ಹೆಗಡೆ", "hegde"), ("ರಾವ್", "rao"))),
    "assamese": ((("প্ৰাঞ্জল", "pranjal"), ("জুৰি", "juri"), ("দীপাংকৰ", "dipankar")),
                 (("বৰুৱা", "baruah"), ("গগৈ", "gogoi"), ("শইকীয়া", "saikia"))),
    "telugu": ((("వెంకటేశ్", "venkatesh"), ("లావణ్య", "lavanya"), ("శ్రీనివాస్", "srinivas"), ("రమేష్", "ramesh"),
                ("స్వాతి", "swathi")),
               (("రెడ్డి", "reddy"), ("నాయుడు", "naidu"), ("శర్మ", "sarma"), ("రాజు", "raju"))),
    "punjabi": ((("ਗੁਰਪ੍ਰੀਤ", "gurpreet"), ("ਹਰਜੀਤ", "harjeet"), ("ਮਨਪ੍ਰੀਤ", "manpreet"), ("ਸਿਮਰਨ", "simran"),
                 ("ਜਸਪ੍ਰੀਤ", "jaspreet")),
                (("ਕੌਰ", "kaur"), ("ਸਿੰਘ", "singh"), ("ਗਿੱਲ", "gill"), ("ਸੰਧੂ", "sandhu"), ("ਢਿੱਲੋਂ", "dhillon"))),
    "urdu": ((("محمد عارف", "mohammad.arif"), ("زینب", "zainab"), ("فرحان", "farhan"), ("عائشہ", "ayesha"),
              ("سلمان", "salman")),
             (("خان", "khan"), ("قریشی", "qureshi"), ("انصاری", "ansari"), ("صدیقی", "siddiqui"), ("حسین", "hussain"))),
    "english": ((("Meera", "meera"), ("Arjun", "arjun"), ("Kavita", "kavita"), ("Rohan", "rohan"), ("Fatima", "fatima"),
                 ("Joseph", "joseph"), ("Renée", "renee"), ("Aditi", "aditi"), ("Vikram", "vikram"), ("Sarah", "sarah"),
                 ("Nikhil", "nikhil"), ("Ayesha", "ayesha"), ("Karan", "karan"), ("Priya", "priya")),
                (("Iyer", "iyer"), ("D'Souza", "dsouza"), ("Bhattacharya", "bhattacharya"), ("Menon", "menon"),
                 ("Thomas", "thomas"), ("Ahluwalia", "ahluwalia"), ("Kapoor", "kapoor"), ("Fernandes", "fernandes"),
                 ("Chatterjee", "chatterjee"), ("Mathew", "mathew"))),
}
SCRIPTS_BY_STATE = {"Kerala": ("malayalam", "english"), "Tamil Nadu": ("tamil", "english"),
                    "Maharashtra": ("marathi", "english"), "Uttar Pradesh": ("hindi",), "West Bengal": ("bengali", "english"),
                    "Karnataka": ("kannada", "english"), "Assam": ("assamese", "english")}
CENTRAL_SCRIPTS = ("english", "english", "hindi", "hindi", "tamil", "telugu", "punjabi", "urdu", "bengali", "malayalam")
DESIGNATIONS = ("Under Secretary", "Deputy Secretary", "Director", "Joint Secretary", "Section Officer",
                "Assistant Section Officer", "Deputy Collector", "District Collector", "Sub-Divisional Magistrate",
                "Senior Divisional Engineer", "Medical Officer", "Professor", "Faculty, Training Institute",
                "Assistant Commissioner", "Data Analyst", "उप सचिव", "निदेशक")


async def _insert_tree(db: Database, tree: Tree, parent: dict[str, Any] | None, level: str, state: str | None,
                       now: datetime, out: list[dict[str, Any]]) -> None:
    name, short_name, kind, children = tree
    org: dict[str, Any] = {"_id": ObjectId(), "name": name, "short_name": short_name, "kind": kind, "level": level, "state": state,
           "parent_id": parent["_id"] if parent else None, "path": [*parent["path"], parent["_id"]] if parent else [],
           "created_at": now}
    await org_queries.insert(db, org)
    await org_queries.claim(db, demo_domain(org), org["_id"], now)
    out.append(org)
    for child in children:
        await _insert_tree(db, child, org, level, state, now, out)


async def _organisations(db: Database, now: datetime) -> list[dict[str, Any]]:
    existing = await org_queries.oldest(db)
    if existing:
        return existing
    made: list[dict[str, Any]] = []
    for tree in CENTRAL:
        await _insert_tree(db, tree, None, "central", None, now, made)
    for state, trees in STATE.items():
        for tree in trees:
            await _insert_tree(db, tree, None, "state", state, now, made)
    return made


def demo_domain(org: dict[str, Any]) -> str:
    """Each demo organisation claims the domain of its demo members' addresses, so a newcomer who
    registers at it with such an address joins directly, and anyone else waits for approval."""
    return org["short_name"].lower().replace(" ", "-") + ".demo.karmayogi.example"


def _script_for(org: dict[str, Any], rng: random.Random) -> str:
    return rng.choice(SCRIPTS_BY_STATE.get(org.get("state") or "", CENTRAL_SCRIPTS))


Name = tuple[tuple[str, str], tuple[str, str]]


def _unused_name(script: str, used: set[str], rng: random.Random) -> Name:
    """A given and a family name in ``script`` that no demo person has yet, or in the next script
    that has one left (a community where every third officer shares a name helps nobody tell
    people apart); only once every script is spent does a name repeat."""
    for candidate in (script, *dict.fromkeys(CENTRAL_SCRIPTS), *NAMES):
        given, family = NAMES[candidate]
        free = [(g, f) for g in given for f in family if f"{g[0]} {f[0]}" not in used]
        if free:
            return rng.choice(free)
    return rng.choice(NAMES[script][0]), rng.choice(NAMES[script][1])


SAMPLE_ROLES = (("an officer", ["officer"]), ("an expert", ["expert", "officer"]),
                ("a department administrator", ["mdo_admin", "officer"]), ("a moderator", ["moderator", "officer"]))
"""The demo accounts the start-up message names, one of each kind a newcomer would try."""


async def _sample_rows(db: Database) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for kind, roles in SAMPLE_ROLES:
        row = await db.users.find_one({"demo": True, "roles": roles}, {"email": 1, "org_id": 1}, sort=[("email", 1)])
        if row is not None:
            found.append((kind, row))
    return found


async def sample_accounts(db: Database) -> list[tuple[str, str, str]]:
    """One demo account of each kind in ``SAMPLE_ROLES``: (kind, e-mail address, organisation)."""
    rows = await _sample_rows(db)
    names = await organisation_names(db, [row["org_id"] for _kind, row in rows])
    return [(kind, row["email"], names.get(row["org_id"], "")) for kind, row in rows]


async def sample_people(db: Database) -> dict[str, ObjectId]:
    """The ids of the accounts ``sample_accounts`` names, by kind: other demo steps give them
    something to find at once."""
    return {kind: row["_id"] for kind, row in await _sample_rows(db)}


async def fill_demo(db: Database, settings: Settings, rng: random.Random, people: int) -> None:
    now = datetime.now(UTC)
    orgs = await _organisations(db, now)
    if await db.users.find_one({"demo": True}, {"_id": 1}) is not None:
        return
    password_hash = await hash_password(DEMO_PASSWORD)
    taken = {row["email"] async for row in db.users.find({}, {"email": 1})}
    tops = [org for org in orgs if org["parent_id"] is None]
    users: list[dict[str, Any]] = []
    used: set[str] = set()

    def person(org: dict[str, Any], roles: list[str], *, name: str | None = None, email: str | None = None) -> dict[str, Any]:
        (given, given_latin), (family, family_latin) = _unused_name(_script_for(org, rng), used, rng)
        used.add(f"{given} {family}")
        domain = demo_domain(org)
        address = email or f"{given_latin}.{family_latin}@{domain}"
        number = 1
        while address in taken:
            number += 1
            address = f"{given_latin}.{family_latin}{number}@{domain}"
        taken.add(address)
        joined = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1440))
        return {"_id": ObjectId(), "name": name or f"{given} {family}",
                "email": address, "email_verified": True,
                "mobile": f"+919{rng.randint(100000000, 999999999)}" if rng.random() < 0.5 else None,
                "org_id": org["_id"], "designation": rng.choice(DESIGNATIONS), "roles": sorted({"officer", *roles}),
                "suspended_until": None, "password_hash": password_hash, "created_at": joined, "deleted": False,
                "demo": True}

    if DEMO_ADMIN_EMAIL not in taken:
        users.append(person(tops[0], ["admin"], name="Demo Administrator", email=DEMO_ADMIN_EMAIL))
    for org in tops:
        users.append(person(org, ["mdo_admin"]))
    for _ in range(2):
        users.append(person(rng.choice(orgs), ["moderator"]))
    while len(users) < max(people, len(users)):
        users.append(person(rng.choice(orgs), ["expert"] if rng.random() < 0.12 else []))
    if not any("expert" in user["roles"] for user in users):
        users[-1]["roles"] = ["expert", "officer"]  # a small demo still has an expert to sign in as
    await db.users.insert_many(users)
    log.info("demo people created", extra={"people": len(users), "organisations": len(orgs)})
