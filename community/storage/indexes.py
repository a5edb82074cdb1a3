"""Every collection's indexes, declared in one place, and ``ensure_indexes`` to create them.

Each feature adds its own block to ``INDEXES`` (collection name -> list of ``IndexModel``).
``ensure_indexes(db)`` creates them on whichever engine ``db`` belongs to; creating an index
that already exists with the same keys and options does nothing, so it runs at every start.
"""

from __future__ import annotations


from pymongo import IndexModel

from community.storage.api import Database

INDEXES: dict[str, list[IndexModel]] = {}


def declare(collection: str, *models: IndexModel) -> None:
    """Add index models for a collection (features call this in their own block below)."""
    INDEXES.setdefault(collection, []).extend(models)


async def ensure_indexes(db: Database) -> None:
    for collection, models in INDEXES.items():
        if models:
            await db[collection].create_indexes(models)


# Feature blocks (each helper appends its own, below this line) ---------------------------------

# --- notifications (issue 6) ---
declare(
    "notifications",
    IndexModel([("user_id", 1), ("read", 1), ("updated_at", -1)]),  # unread count; unread list
    IndexModel([("user_id", 1), ("updated_at", -1), ("_id", -1)]),  # the list, newest activity first
    IndexModel([("open_key", 1)], unique=True, sparse=True),  # one open entry per person, kind and subject
    IndexModel([("digest_pending", 1)], sparse=True),  # the digest job's due work
)

# --- forums (issue 7) ---
declare(
    "forum_categories",
    IndexModel([("slug", 1)], unique=True),
    IndexModel([("org_id", 1), ("position", 1)]),  # the categories a reader may see, in order
)
declare(
    "forum_threads",
    IndexModel([("category_id", 1), ("last_activity_at", -1), ("_id", -1)]),  # sort: latest activity
    IndexModel([("category_id", 1), ("created_at", -1), ("_id", -1)]),  # sort: newest, unanswered
    IndexModel([("category_id", 1), ("votes", -1), ("_id", -1)]),  # sort: top
    IndexModel([("category_id", 1), ("pinned", 1)]),  # pinned threads head the first page
    IndexModel([("category_id", 1), ("tags", 1)]),
)
declare(
    "forum_posts",
    IndexModel([("thread_id", 1), ("number", 1)], unique=True),  # a thread's pages; permalinks
    IndexModel([("author_id", 1), ("body_hash", 1), ("created_at", -1)]),  # duplicate-post detection
)
declare("forum_revisions", IndexModel([("post_id", 1), ("number", -1)], unique=True))
declare("forum_votes", IndexModel([("post_id", 1)]), IndexModel([("user_id", 1), ("post_id", 1)]))
declare("forum_follows", IndexModel([("target_type", 1), ("target_id", 1)]))
declare("forum_reads", IndexModel([("user_id", 1), ("thread_id", 1)]))
declare(
    "forum_flags",
    IndexModel([("status", 1), ("category_id", 1), ("created_at", 1)]),  # the moderation queue
    IndexModel([("post_id", 1), ("reporter_id", 1), ("status", 1)]),
)

# --- accounts, organisations, audit (issue 3) ---
declare(
    "users",
    IndexModel([("email", 1)], unique=True),  # sign-in, duplicate registration
    IndexModel([("org_id", 1), ("_id", -1)]),  # an organisation's people, newest first (admin list)
)
declare("sessions", IndexModel([("user_id", 1)]), IndexModel([("expires_at", 1)], expireAfterSeconds=0))
declare("api_tokens", IndexModel([("user_id", 1)]), IndexModel([("expires_at", 1)], expireAfterSeconds=0))
declare(
    "one_time_codes",
    IndexModel([("user_id", 1), ("purpose", 1)], unique=True),  # one live code per person and purpose
    IndexModel([("purge_at", 1)], expireAfterSeconds=0),  # kept a day past expiry to say "expired"
)
declare(
    "organisations",
    IndexModel([("parent_id", 1), ("name", 1)], unique=True),  # children of one parent; no twin siblings
    IndexModel([("name", 1), ("_id", 1)]),  # the alphabetical API pages
    IndexModel([("path", 1)]),  # everything under an organisation
)
declare("organisation_domains", IndexModel([("org_id", 1), ("_id", 1)]))  # an organisation's claims, in order
declare(
    "membership_requests",
    IndexModel([("org_id", 1), ("status", 1), ("_id", 1)]),  # an organisation's queue, oldest first
    IndexModel([("user_id", 1), ("status", 1)]),  # a person's open request
    IndexModel([("decided_by", 1)], sparse=True),  # decisions an administrator made, for export and erasure
)
declare(
    "audit_log",
    IndexModel([("target_type", 1), ("target_id", 1), ("_id", -1)]),  # one person's or organisation's history
    IndexModel([("actor_id", 1), ("_id", -1)]),
)
declare("dev_outbox", IndexModel([("at", -1)]))
declare("rate_limits", IndexModel([("expires_at", 1)], expireAfterSeconds=0))  # community.ratelimit's windows (login, codes, reset)

# --- competencies, profiles, data rights (issue 4) ---
declare("competencies", IndexModel([("kind", 1), ("theme", 1), ("name", 1)]))  # browse and filter pages
declare("positions", IndexModel([("organisation", 1), ("title", 1)]),
        IndexModel([("roles.activities.competencies.competency", 1)]))  # positions requiring a competency
declare(
    "profiles",
    IndexModel([("competencies.competency_id", 1)]),  # holders of a competency (directory, delete check)
    IndexModel([("position_id", 1)], sparse=True),
)
declare(
    "users",
    IndexModel([("roles", 1), ("name", 1), ("_id", 1)]),  # the expert directory in name order
)
declare(
    "endorsements",
    IndexModel([("user_id", 1), ("competency_id", 1), ("endorser_id", 1)], unique=True),  # one per expert
    IndexModel([("endorser_id", 1)]),  # endorsements given, for export and erasure
)
declare("verifications", IndexModel([("user_id", 1), ("competency_id", 1)]), IndexModel([("recorded_by", 1)]))
declare("connections", IndexModel([("a", 1), ("b", 1)]), IndexModel([("b", 1), ("a", 1)]))

# --- karma points (issue 4) ---
declare(
    "karma_ledger",
    IndexModel([("key", 1), ("seq", 1)], unique=True),  # the append-only numbering that makes awards idempotent
    IndexModel([("user_id", 1), ("at", -1)]),  # a person's total and daily caps
    IndexModel([("at", -1), ("user_id", 1)]),  # leaderboards for a period
    IndexModel([("org_id", 1), ("at", -1)]),  # an organisation's leaderboard
)

# --- search outbox (issue 5) ---
declare("search_outbox", IndexModel([("next_attempt_at", 1), ("_id", 1)]))  # the indexer's due entries, oldest first

# --- notification intents and jobs (issue 13) ---
declare("notification_intents", IndexModel([("next_attempt_at", 1), ("_id", 1)]),  # the notifier's due intents
        IndexModel([("created_at", 1)]))  # readiness: the oldest and the overdue
declare("notifications", IndexModel([("open_key", 1), ("intents", 1)], sparse=True))  # replays find their intent
declare("jobs", IndexModel([("claimable_at", 1)], sparse=True),  # due and lease-expired jobs, soonest first
        IndexModel([("status", 1), ("kind", 1), ("due_at", 1)]))  # the administrators' page
declare("job_effects", IndexModel([("expires_at", 1)], expireAfterSeconds=0))
