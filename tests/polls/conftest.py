"""Poll fixtures: the forum's builders (a post is the poll subject these tests use) and a way to
find a post's polls."""

from __future__ import annotations

from typing import Any

from tests.forums.conftest import Forum, app, forum, limits, probe

__all__ = ["Forum", "app", "forum", "limits", "probe", "LUNCH", "polls_of"]

LUNCH = ("What shall we eat at the training day?\n\n"
         "[poll name=lunch]\n- Idli\n- Poha\n- Paratha\n[/poll]\n")


async def polls_of(forum: Forum, post_id: Any, viewer: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The post's polls by name, through the API, as ``viewer`` (or a visitor) sees them."""
    response = await forum.client.get("/api/v1/polls", params={"subject_type": "forum_post", "subject_id": str(post_id)},
                                      headers=forum.headers(viewer) if viewer else {})
    assert response.status == 200, await response.text()
    return {poll["name"]: poll for poll in (await response.json())["items"]}
