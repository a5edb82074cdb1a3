"""Markdown for posts: CommonMark rendered once at write time, then sanitised with an allow-list.

Raw HTML in the source is never passed through (markdown-it escapes it), and the rendered HTML
is cleaned again by nh3 (Ammonia) so that nothing outside the allow-list can survive even if
the renderer had a bug: no script or style, no event handlers, no ``javascript:``/``data:``
URLs. Links get ``rel="nofollow ugc noopener"``. Bare addresses (``https://…``, ``www.…``) become
links too (linkify-it-py), and pass through the same cleaner and the same links-per-post count. Images become plain links: the site's content
security policy serves images only from itself, and a remote image would tell its host who
read the post.

Mentions are written ``@[Display Name](<24 hex digits>)`` (the composer's autocomplete inserts
them). They are recognised by an inline rule, so a mention inside code is left alone, and the
ids of the people mentioned come out of the same parse.

Poll blocks (``[poll ...]`` ... ``[/poll]``, ``community.polls.blocks``) become an empty slot
``<div class="poll-slot" data-poll-name="...">``, the one ``div`` the allow-list keeps; raw HTML
being escaped, only the poll rule can write it. The page fills it (``community.forums.polls``).
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Any

import nh3
from bson import ObjectId
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from community.polls import blocks as poll_blocks

MENTION = re.compile(r"@\[([^\]\n\[]{1,80})\]\(([0-9a-f]{24})\)")

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span", "div",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "span": {"data-user-id"},
    "div": {"data-poll-name"},
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow ugc noopener",
    allowed_classes={"span": {"mention"}, "div": {"poll-slot"}},
    strip_comments=True,
)


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    mentions: tuple[ObjectId, ...]
    """People mentioned, in order of first mention, without repeats."""
    links: int
    """Links and images in the post, for the links-per-post limit."""


def _mention_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "@":
        return False
    match = MENTION.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.content = match.group(1).strip()
        token.meta = {"user_id": match.group(2)}
    state.pos = match.end()
    return True


def _render_mention(renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    name = nh3.escape(token.content)
    return f'<span class="mention" data-user-id="{token.meta["user_id"]}">@{name}</span>'


def _render_image(renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or str(token.attrGet("src") or "")
    href = nh3.escape(str(token.attrGet("src") or ""))
    return f'<a href="{href}">{nh3.escape(alt)}</a>'


def _shift_heading(renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """A post sits under the page's own headings, so its ``#`` becomes h3, ``##`` h4, and so on."""
    token = tokens[idx]
    level = min(int(token.tag[1]) + 2, 6)
    token.tag = f"h{level}"
    return renderer.renderToken(tokens, idx, options, env)


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.inline.ruler.before("link", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("heading_open", _shift_heading)
    md.add_render_rule("heading_close", _shift_heading)
    md.use(poll_blocks.plugin)
    return md


_md = _build()


def _walk(tokens: list[Token]) -> Any:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def render(source: str) -> Rendered:
    """Render a post body; the result is safe to insert into a page as it is."""
    tokens = _md.parse(source)
    mentions: list[ObjectId] = []
    links = 0
    for token in _walk(tokens):
        if token.type in ("link_open", "image"):
            links += 1
        elif token.type == "mention":
            user_id = ObjectId(token.meta["user_id"])
            if user_id not in mentions:
                mentions.append(user_id)
    rendered = _md.renderer.render(tokens, _md.options, {})
    return Rendered(html=_cleaner.clean(rendered), mentions=tuple(mentions), links=links)


@functools.lru_cache(maxsize=4096)
def render_html(source: str) -> str:
    """:func:`render`'s HTML, for text rendered where it is shown rather than stored rendered
    (a profile's About); the same source is rendered once per process while it stays in use."""
    return render(source).html


def text(rendered_html: str) -> str:
    """The words of rendered HTML as plain text: what a reader sees, without Markdown's marks
    (search indexes and highlights this, so a snippet never shows ``**`` or a link's address)."""
    return re.sub(r"\s+", " ", html.unescape(nh3.clean(rendered_html, tags=set()))).strip()


def plain_text(source: str, limit: int = 300) -> str:
    """A short plain-text excerpt (for feeds, previews and search snippets)."""
    return excerpt(render(source).html, limit)


def excerpt(rendered_html: str, limit: int = 300) -> str:
    """:func:`plain_text` of a body already rendered (a stored post's ``html``), without
    rendering its Markdown again."""
    words = text(rendered_html)
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def quote(author_name: str, number: int, source: str) -> str:
    """The Markdown a reply starts with when it quotes post ``number``."""
    body = "\n".join(f"> {line}" if line else ">" for line in source.strip().splitlines())
    return f"> **{author_name}** (#{number}):\n>\n{body}\n\n"
