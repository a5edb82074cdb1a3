"""Forum moderation reaches search: a hidden reply and a thread moved into a private space leave
other organisations' results, and the totals and facet counts say the same as the hits."""

from __future__ import annotations

from dataclasses import replace
from typing import Any


from community.forums import categories, moderate
from community.forums.create_thread import create_thread
from community.forums.limits import ForumLimits
from community.forums.reply import reply
from community.policy import Actor, Role, search_visibility
from search.embedded import EmbeddedEngine
from search.indexer import Indexer
from tests.factories import act, bare_app, make_org, make_user

LIMITS = replace(ForumLimits(), flood_seconds=0, new_member_days=0, new_member_min_posts=0)


def actor(user: dict[str, Any]) -> Actor:
    return Actor(user_id=user["_id"], org_id=user["org_id"], roles=frozenset(Role(r) for r in user["roles"]))


async def found(embedded_engine: EmbeddedEngine, viewer: dict[str, Any], query: str) -> tuple[set[str], int, dict[str, Any]]:
    result = await embedded_engine.search("threads_posts", query, search_visibility(actor(viewer)), facets=["kind", "org_id"])
    kinds = result.facets["kind"]
    assert len(result.hits) == result.total == sum(kinds.values()), "hits, total and facet counts agree"
    return {hit.id for hit in result.hits}, result.total, result.facets


async def test_hidden_reply_and_thread_moved_to_a_private_space_leave_outsiders_results(
        bare_db: Any, embedded_engine: EmbeddedEngine) -> None:
    water, rail = await make_org(bare_db, name="Ministry of Jal Shakti"), await make_org(bare_db, name="Ministry of Railways")
    admin = await make_user(bare_db, roles=("admin",))
    app = bare_app(bare_db, LIMITS)
    author, colleague = await make_user(bare_db, org=water), await make_user(bare_db, org=water)
    outsider = await make_user(bare_db, org=rail)
    public = await act(app, actor(admin), categories.create_category, {"name": "Procurement", "slug": "procurement"})
    private = await act(app, actor(admin), categories.create_category, {"name": "Jal Shakti internal", "slug": "internal",
                                                                  "org_id": str(water["_id"])})
    kept = await act(app, actor(author), create_thread, category_id=public["_id"], data={
        "title": "Drainage tender with a single bid", "body": "Only one bid arrived.", "kind": "question"})
    moved = await act(app, actor(author), create_thread, category_id=public["_id"], data={
        "title": "Drainage contract extension", "body": "The contractor asks for six more months.",
        "kind": "discussion"})
    spam = (await act(app, actor(outsider), reply, thread_id=kept["_id"],
                      data={"body": "Drainage pumps at half price, call now"})).post
    indexer = Indexer(bare_db, embedded_engine)
    await indexer.drain()
    everything = {str(kept["_id"]), str(moved["_id"]), str(spam["_id"])}
    for viewer in (outsider, colleague):
        ids, total, facets = await found(embedded_engine, viewer, "drainage")
        assert (ids, total, facets["kind"]) == (everything, 3, {"thread": 2, "post": 1})

    assert await act(app, actor(admin), moderate.set_hidden, post_id=spam["_id"], hidden=True,
                                     data={"reason": "Advertising"})
    assert await act(app, actor(admin), moderate.move_thread, thread_id=moved["_id"],
                                      data={"category_id": str(private["_id"]), "reason": "Internal matter"})
    await indexer.drain()

    ids, total, facets = await found(embedded_engine, outsider, "drainage")
    assert (ids, total) == ({str(kept["_id"])}, 1)
    assert facets == {"kind": {"thread": 1}, "org_id": {}}
    ids, total, facets = await found(embedded_engine, colleague, "drainage")
    assert (ids, total) == ({str(kept["_id"]), str(moved["_id"])}, 2)
    assert facets == {"kind": {"thread": 2}, "org_id": {str(water["_id"]): 1}}
    assert (await found(embedded_engine, outsider, "pumps"))[1] == 0, "the hidden reply is found by no one"
    assert (await found(embedded_engine, colleague, "pumps"))[1] == 0
