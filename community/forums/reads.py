"""What the pages, the API and the live updates show: one read per use case, each returning a
typed result that the page renders, the API serializes and the socket sends.

- :func:`category_index`: the categories a person may read (:class:`CategoryIndex`);
- :func:`category_page`: one category's thread list (:class:`ThreadList`);
- :func:`thread_page`: one page of a thread (:class:`ThreadPage`);
- :func:`post_by_number`, :func:`post_by_id`, :func:`new_post`: one post as its thread shows it (:class:`PostView`);
- :func:`post_history`: a post's earlier versions (:class:`PostHistory`);
- :func:`moderation_queue`: the open flags a moderator deals with (:class:`ModerationQueue`);
- :func:`threads_to_read`: a competency's best threads for one reader (the For-you page);
- :func:`thread_companions`: who else posted in the threads a person posted in lately (people you may know);
- :class:`ThreadActivity`: what a category page updates live when a thread moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from community import api, policy
from community.accounts.people import Person, shown_name
from community.competencies import queries as dictionary
from community.errors import Invalid, NotFound
from community.forums import cache, moderate, queries, unread
from community.forums.access import (access_category, access_history, access_post, access_post_by_number,
                                     access_thread)
from community.forums.rendering import Viewer
from community.forums.schemas import ListQuery, Sort
from community.forums.urls import category_path, post_path, thread_path
from community.i18n import gettext as _
from community.policy import Actor
from community.storage.api import Database
from community.validation import validate

Doc = dict[str, Any]


def _author(people: Mapping[ObjectId, Person], person_id: ObjectId | None) -> dict[str, Any]:
    person = people.get(person_id) if person_id else None
    if person is None or person["deleted"]:
        return {"id": None, "name": None, "designation": None}
    return {"id": str(person_id), "name": person["name"], "designation": person["designation"]}


@dataclass(slots=True)
class ThreadPage:
    thread: Doc
    category: Doc
    posts: list[Doc]
    """Each post carries ``author``, ``voted``, ``can_edit`` and ``can_vote`` for the viewer."""
    accepted: Doc | None
    """The accepted answer, shown first on the first page."""
    next_cursor: str | None
    first_page: bool
    last_read: int | None
    """The viewer's read position before this visit (None: first visit or signed out)."""
    following: bool
    can_reply: bool
    can_moderate: bool
    can_accept: bool
    breadcrumbs: list[Doc] = field(default_factory=list)
    move_targets: list[Doc] = field(default_factory=list)
    """For moderators: the other categories they moderate, where the thread may be moved."""
    competencies: dict[str, str] = field(default_factory=dict)
    """The thread's competency ids with their names in the dictionary (a removed one is left out)."""

    @property
    def shown(self) -> list[Doc]:
        """Every post the page shows: its posts and the accepted answer."""
        return self.posts + ([self.accepted] if self.accepted else [])

    @property
    def in_order(self) -> list[Doc]:
        """The posts as the API lists them: on the first page the opening post, the accepted
        answer, then the replies; on a later page its replies."""
        if not self.first_page:
            return self.posts
        return self.posts[:1] + ([self.accepted] if self.accepted else []) + self.posts[1:]


def decorate_posts(posts: list[Doc], people: Mapping[ObjectId, Person], voted: set[ObjectId], actor: Actor, thread: Doc,
              category: Doc) -> None:
    """Add each post's author, permalink and what the viewer may do with it (``viewer``)."""
    can_reply = policy.can_post(actor, category, thread)
    can_accept = policy.can_accept_answer(actor, category, thread)
    can_moderate = policy.can_moderate_category(actor, category)
    for post in posts:
        post["author"] = _author(people, post["author_id"])
        post["url"] = post_path(thread["_id"], post["number"])
        post["voted"] = post["_id"] in voted
        post["can_edit"] = policy.can_edit_post(actor, category, thread, post)
        post["viewer"] = Viewer(
            signed_in=actor.is_authenticated, is_author=actor.is_authenticated and post["author_id"] == actor.user_id,
            voted=post["voted"], can_edit=post["can_edit"], can_vote=policy.can_vote(actor, category, post),
            can_reply=can_reply, can_accept=can_accept, can_moderate=can_moderate)


async def thread_page(db: Database, actor: Actor, thread_id: ObjectId, *, cursor: str | None, limit: int,
                      mark_read: bool = True, loaded: tuple[Doc, Doc] | None = None) -> ThreadPage:
    """One page of a thread in post-number order. The cursor is the number of the last post
    shown; the accepted answer is lifted to the top of the first page and left out of the rest."""
    thread, category = loaded or await access_thread(db, actor, thread_id)
    position = api.decode_cursor(cursor)
    after = 0
    if position is not None:
        number = position.get("n")
        if not isinstance(number, int) or number < 0:
            raise Invalid({"cursor": _("This cursor is not valid; start again from the first page.")})
        after = number
    moderator = policy.can_moderate_category(actor, category)
    accepted_id = thread.get("accepted_post_id")
    key = (thread_id, thread.get("version", 0), after, limit, moderator)
    rows_cache = cache.of_store(db).thread_rows
    cached = rows_cache.get(key)
    if cached is None:
        rows = await queries.posts_after(db, thread_id, after, limit + 1, include_hidden=moderator, exclude=accepted_id)
        accepted = None
        if after == 0 and accepted_id is not None:
            accepted = await queries.post(db, accepted_id)
            if accepted is not None and accepted["hidden"] and not moderator:
                accepted = None
        shown = rows[:limit] + ([accepted] if accepted else [])
        people = await queries.people(db, [p["author_id"] for p in shown] + [thread["author_id"]])
        cached = (rows, accepted, people)
        rows_cache.put(key, cached)
    rows, accepted, people = [dict(row) for row in cached[0]], dict(cached[1]) if cached[1] else None, cached[2]
    more = len(rows) > limit
    posts = rows[:limit]
    shown = posts + ([accepted] if accepted else [])
    voted: set[ObjectId] = set()
    last_read = None
    following = False
    if actor.user_id is not None:
        voted = await queries.voted_posts(db, actor.user_id, [p["_id"] for p in shown])
        last_read = await queries.read_position(db, actor.user_id, thread_id)
        following = await queries.is_following(db, actor.user_id, "thread", thread_id)
        if mark_read and posts and (last_read is None or last_read < posts[-1]["number"]):
            await unread.mark_read(db, actor.user_id, thread_id, posts[-1]["number"])
    decorate_posts(shown, people, voted, actor, thread, category)
    thread["author"] = _author(people, thread["author_id"])
    return ThreadPage(
        thread=thread, category=category, posts=posts, accepted=accepted,
        next_cursor=api.encode_cursor({"n": posts[-1]["number"]}) if more else None,
        first_page=after == 0, last_read=last_read, following=following,
        can_reply=policy.can_post(actor, category, thread), can_moderate=moderator,
        can_accept=policy.can_accept_answer(actor, category, thread),
        breadcrumbs=await breadcrumbs(db, category),
        move_targets=[c for c in await queries.categories(db, policy.readable_category_orgs(actor))
                      if c["_id"] != category["_id"] and policy.can_moderate_category(actor, c)] if moderator else [],
        competencies=await dictionary.names_of(db, thread.get("competency_tags", [])),
    )



async def breadcrumbs(db: Database, category: Doc) -> list[Doc]:
    key = ("breadcrumbs", category["_id"])
    categories_cache = cache.of_store(db).categories
    ancestors = categories_cache.get(key)
    if ancestors is None:
        found = {c["_id"]: c async for c in db[queries.CATEGORIES].find({"_id": {"$in": category.get("path", [])}},
                                                                         {"name": 1, "slug": 1})}
        ancestors = [found[i] for i in category.get("path", []) if i in found]
        categories_cache.put(key, ancestors)
    return [*ancestors, category]


@dataclass(slots=True)
class ThreadList:
    category: Doc | None
    threads: list[Doc]
    pinned_count: int
    """How many of ``threads`` (at the start) are pinned."""
    next_cursor: str | None
    query: ListQuery
    previous_visit: datetime | None
    following: bool
    can_post: bool
    subcategories: list[Doc]
    breadcrumbs: list[Doc]
    competencies: dict[str, str] = field(default_factory=dict)
    """The category's default competency ids with their names (a removed one is left out)."""


def _thread_cursor(thread: Doc, order: list[tuple[str, int]]) -> str:
    position = {}
    for name, _direction in order:
        value = thread[name]
        position[name] = {"$oid": str(value)} if isinstance(value, ObjectId) else \
            {"$date": value.isoformat()} if isinstance(value, datetime) else value
    return api.encode_cursor(position)


def _decode_thread_cursor(cursor: str | None, order: list[tuple[str, int]]) -> dict[str, Any] | None:
    position = api.decode_cursor(cursor)
    if position is None:
        return None
    decoded: dict[str, Any] = {}
    try:
        for name, _direction in order:
            value = position[name]
            if isinstance(value, dict) and "$oid" in value:
                decoded[name] = ObjectId(value["$oid"])
            elif isinstance(value, dict) and "$date" in value:
                decoded[name] = datetime.fromisoformat(value["$date"])
            elif isinstance(value, int) and not isinstance(value, bool):
                decoded[name] = value
            else:
                raise ValueError(name)
    except (KeyError, ValueError, TypeError):
        raise Invalid({"cursor": _("This cursor is not valid; start again from the first page.")}) from None
    return decoded


def decorate_threads(threads: list[Doc], people: Mapping[ObjectId, Person], reads: Mapping[ObjectId, int],
                     signed_in: bool, previous_visit: datetime | None) -> None:
    for thread in threads:
        thread["author"] = _author(people, thread["author_id"])
        thread["last_poster"] = _author(people, thread.get("last_poster_id"))
        thread["url"] = thread_path(thread["_id"])
        last_read = reads.get(thread["_id"])
        thread["last_read"] = last_read
        thread["unread"] = max(0, thread["last_number"] - last_read) if last_read is not None else None
        thread["is_new"] = signed_in and last_read is None and (
            previous_visit is None or thread["created_at"].replace(tzinfo=UTC) > previous_visit.replace(tzinfo=UTC))


async def category_page(db: Database, actor: Actor, slug: str, params: Mapping[str, str], *, cursor: str | None,
                        limit: int) -> ThreadList:
    found = await queries.category_by_slug(db, slug)
    if found is None:
        raise NotFound(_("We could not find that category."))
    category = await access_category(db, actor, found["_id"])
    query = validate(ListQuery, params)
    moderator = policy.can_moderate_category(actor, category)
    children = [c for c in await readable_categories(db, actor) if c.get("parent_id") == category["_id"]]
    filter_, order = queries.thread_list_query(category_ids=[category["_id"]], org_ids=None, sort=query.sort,
                                               period=query.period, tag=query.tag, include_hidden=moderator)
    position = _decode_thread_cursor(cursor, order)
    pinned: list[Doc] = []
    if query.sort is Sort.LATEST:
        if position is None:
            pinned = await queries.threads(db, {**filter_, "pinned": True}, order, 20)
        filter_["pinned"] = False
    if position is not None:
        filter_ = {"$and": [filter_, queries.after_cursor(order, position)]}
    rows = await queries.threads(db, filter_, order, limit + 1)
    more = len(rows) > limit
    unpinned = rows[:limit]
    threads = pinned + unpinned
    people = await queries.people(db, [t["author_id"] for t in threads] + [t.get("last_poster_id") for t in threads])
    reads: dict[ObjectId, int] = {}
    previous_visit = None
    following = False
    if actor.user_id is not None:
        reads = await queries.read_positions(db, actor.user_id, [t["_id"] for t in threads])
        following = await queries.is_following(db, actor.user_id, "category", category["_id"])
        if cursor is None:
            previous_visit = await unread.mark_category_visit(db, actor.user_id, category["_id"], datetime.now(UTC))
    decorate_threads(threads, people, reads, actor.is_authenticated, previous_visit)
    return ThreadList(
        category=category, threads=threads, pinned_count=len(pinned),
        next_cursor=_thread_cursor(unpinned[-1], order) if more and unpinned else None,
        query=query, previous_visit=previous_visit, following=following,
        can_post=policy.can_post(actor, category), subcategories=children,
        breadcrumbs=await breadcrumbs(db, category),
        competencies=await dictionary.names_of(db, category.get("competency_tags", [])),
    )


THREADS_LOOKED_AT = 4
"""``threads_to_read`` ranks this many times the threads it returns, of the most recently active."""


async def threads_to_read(db: Database, actor: Actor, competency_id: str, limit: int) -> list[Doc]:
    """Threads tagged with the competency in spaces the actor may read, started by someone else:
    answered first, then the best voted, then the most recently active. Each has its ``url``."""
    readable = [c["_id"] for c in await readable_categories(db, actor)]
    rows = await queries.threads_tagged(db, competency_id, readable, limit * THREADS_LOOKED_AT)
    rows = [row for row in rows if row["author_id"] != actor.user_id]
    rows.sort(key=lambda row: (row.get("accepted_post_id") is None, -row["votes"]))
    for row in rows:
        row["url"] = thread_path(row["_id"])
        row["answered"] = row.get("accepted_post_id") is not None
    return rows[:limit]


COMPANION_POSTS = 30
"""``thread_companions`` looks at the threads of a person's this many latest posts, and in each of
those threads at the authors of this many latest posts: reads of at most 32 rows in an index's
order, which the embedded engine answers on the event loop (``storage.runtime.INLINE_ROWS``)."""


async def thread_companions(db: Database, actor: Actor) -> dict[ObjectId, int]:
    """Who else took part in the threads the actor posted in most recently: person -> in how many
    of those threads. Only threads still shown in spaces the actor may read, and posts still
    shown, count; the actor is left out. Bounded whatever the person's history: their
    ``COMPANION_POSTS`` latest posts, and as many of the latest posts of each of those threads."""
    if actor.user_id is None:
        return {}
    mine = await queries.recent_posts_by(db, actor.user_id, COMPANION_POSTS)
    thread_ids = list(dict.fromkeys(row["thread_id"] for row in mine))
    if not thread_ids:
        return {}
    readable = {c["_id"] for c in await readable_categories(db, actor)}
    counted: dict[ObjectId, int] = {}
    for thread in await queries.live_threads(db, thread_ids):
        if thread["category_id"] not in readable:
            continue
        for person_id in set(await queries.latest_posters(db, thread["_id"], COMPANION_POSTS)) - {actor.user_id}:
            counted[person_id] = counted.get(person_id, 0) + 1
    return counted


@dataclass(slots=True)
class CategoryIndex:
    tree: list[Doc]
    """Top-level categories the actor may read, each with its readable ``children``."""
    can_moderate: bool
    """Whether the actor has a moderation queue: they moderate one of these or suspend members."""

    @property
    def flat(self) -> list[Doc]:
        """Each top-level category followed by its children, as the API lists them."""
        return [c for top in self.tree for c in [top, *top["children"]]]


async def readable_categories(db: Database, actor: Actor) -> list[Doc]:
    """Every category the actor may read, in order."""
    return [c for c in await queries.categories(db, policy.readable_category_orgs(actor))
            if policy.can_read_category(actor, c)]


async def category_index(db: Database, actor: Actor) -> CategoryIndex:
    rows = await readable_categories(db, actor)
    for row in rows:
        row["url"] = category_path(row["slug"])
        row["children"] = [c for c in rows if c.get("parent_id") == row["_id"]]
    tree = [row for row in rows if row.get("parent_id") is None or row["parent_id"] not in {r["_id"] for r in rows}]
    return CategoryIndex(tree=tree, can_moderate=bool(actor.is_authenticated and (
        policy.can_suspend_members(actor) or any(policy.can_moderate_category(actor, c) for c in tree))))


@dataclass(slots=True)
class PostView:
    post: Doc
    """Decorated like a thread page's posts (``author``, ``url``, ``voted``, ``can_edit``, ``viewer``)."""
    thread: Doc
    category: Doc


async def _post_view(db: Database, actor: Actor, loaded: tuple[Doc, Doc, Doc]) -> PostView:
    post, thread, category = loaded
    people = await queries.people(db, [post["author_id"]])
    voted = await queries.voted_posts(db, actor.user_id, [post["_id"]]) if actor.user_id is not None else set()
    decorate_posts([post], people, voted, actor, thread, category)
    return PostView(post=post, thread=thread, category=category)


async def post_by_number(db: Database, actor: Actor, thread_id: ObjectId, number: int) -> PostView:
    """Post ``number`` of a thread as the thread page shows it to the actor."""
    return await _post_view(db, actor, await access_post_by_number(db, actor, thread_id, number))


async def post_by_id(db: Database, actor: Actor, post_id: ObjectId) -> PostView:
    return await _post_view(db, actor, await access_post(db, actor, post_id))


async def new_post(db: Database, actor: Actor, post: Doc, thread: Doc, category: Doc) -> PostView:
    """A post its author has just written, as the thread shows it to them: the write already
    holds the post, its thread and its category, and a new post has no votes, so only the
    author's name is read."""
    decorate_posts([post], await queries.people(db, [post["author_id"]]), set(), actor, thread, category)
    return PostView(post=post, thread=thread, category=category)


@dataclass(slots=True)
class PostHistory:
    post: Doc
    thread: Doc
    revisions: list[Doc]
    """The earlier versions, oldest first."""
    people: Mapping[ObjectId, Person]
    """The editors and the author, by id."""

    def editor(self, revision: Doc) -> dict[str, Any]:
        return {"id": str(revision["editor_id"]), "name": shown_name(self.people.get(revision["editor_id"]))}


async def post_history(db: Database, actor: Actor, loaded: tuple[Doc, Doc, Doc]) -> PostHistory:
    """The earlier versions of a post (``loaded``: the post, its thread and category, as
    ``access_post`` returns them), for those who may see them."""
    post, thread, category = loaded
    await access_history(db, actor, post, category)
    revisions = await queries.revisions(db, post["_id"])
    people = await queries.people(db, [r["editor_id"] for r in revisions] + [post["author_id"]])
    return PostHistory(post=post, thread=thread, revisions=revisions, people=people)


@dataclass(slots=True)
class ModerationQueue:
    flags: list[Doc]
    """Open flags, oldest first, each with its ``post`` and ``thread``."""
    people: Mapping[ObjectId, Person]
    """The reporters and the flagged posts' authors, by id."""


async def moderation_queue(db: Database, actor: Actor) -> ModerationQueue:
    flags = await moderate.moderation_queue(db, actor)
    people = await queries.people(db, [f["reporter_id"] for f in flags] + [f["post"]["author_id"] for f in flags if f["post"]])
    return ModerationQueue(flags=flags, people=people)


@dataclass(slots=True, frozen=True)
class ThreadActivity:
    """What a category page needs to update one thread's row live (``forum:thread_activity``)."""

    thread_id: str
    last_number: int
    reply_count: int
    last_activity_at: str
    """RFC 3339, as the API gives moments."""

    @classmethod
    def of(cls, thread: Mapping[str, Any]) -> ThreadActivity:
        return cls(thread_id=str(thread["_id"]), last_number=thread["last_number"], reply_count=thread["reply_count"],
                   last_activity_at=api.timestamp(thread["last_activity_at"]))

    def payload(self) -> dict[str, Any]:
        return asdict(self)
