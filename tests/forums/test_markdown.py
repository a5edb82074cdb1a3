"""The post renderer: CommonMark in, only allow-listed HTML out, whatever the input."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from bson import ObjectId
from hypothesis import given, settings, strategies as st

from community.forums.markdown import plain_text, quote, render

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x](\"onmouseover=alert(1))",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<!-- <script>alert(1)</script> -->",
    "<form action=https://evil.example><input name=password></form>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
]

ALLOWED = {"p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4",
           "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span"}
SAFE_URL = re.compile(r"^(https?://|mailto:|[^:]*$)", re.IGNORECASE)


class Markup(HTMLParser):
    """Every element and attribute a browser would build from the HTML (text is ignored)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def assert_safe(html: str) -> None:
    parser = Markup()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.elements:
        assert tag in ALLOWED, html
        for name, value in attrs.items():
            assert name in ("href", "title", "rel", "start", "class", "data-user-id"), html
            if name == "href":
                assert value is not None and SAFE_URL.match(value.strip()), html
            if name == "class":
                assert value == "mention", html


@pytest.mark.parametrize("source", ATTACKS)
def test_attacks_are_neutralised(source: str) -> None:
    assert_safe(render(source).html)


def test_raw_html_is_shown_as_text_not_markup() -> None:
    assert render("<b>bold?</b> & more").html == "<p>&lt;b&gt;bold?&lt;/b&gt; &amp; more</p>\n"


def test_links_are_nofollow_ugc_noopener() -> None:
    html = render("[GeM](https://gem.gov.in)").html
    assert html == '<p><a href="https://gem.gov.in" rel="nofollow ugc noopener">GeM</a></p>\n'


def test_commonmark_basics_render() -> None:
    html = render("**bold** _italic_ `code`\n\n> quoted\n\n1. one\n2. two\n\n~~gone~~").html
    for fragment in ("<strong>bold</strong>", "<em>italic</em>", "<code>code</code>", "<blockquote>", "<ol>",
                     "<li>one</li>", "<s>gone</s>"):
        assert fragment in html


def test_headings_sit_below_the_page_headings() -> None:
    html = render("# Top\n\n## Next\n\n###### Deep").html
    assert "<h3>Top</h3>" in html and "<h4>Next</h4>" in html and "<h6>Deep</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_images_become_links() -> None:
    html = render("![GFR rules](https://example.gov.in/gfr.png)").html
    assert "<img" not in html
    assert '<a href="https://example.gov.in/gfr.png" rel="nofollow ugc noopener">GFR rules</a>' in html


def test_mentions_are_recognised_and_listed_once() -> None:
    asha, bala = ObjectId(), ObjectId()
    result = render(f"@[Asha Verma]({asha}) and @[बाला]({bala}), again @[Asha]({asha})")
    assert result.mentions == (asha, bala)
    assert f'<span class="mention" data-user-id="{asha}">@Asha Verma</span>' in result.html
    assert "@बाला</span>" in result.html


def test_mentions_inside_code_are_left_alone() -> None:
    someone = ObjectId()
    result = render(f"`@[Asha]({someone})`\n\n    @[Asha]({someone})")
    assert result.mentions == ()
    assert "mention" not in result.html


def test_a_mention_name_cannot_smuggle_markup() -> None:
    result = render(f"@[<script>x</script>]({ObjectId()})")
    assert "<script" not in result.html


def test_links_are_counted_for_the_links_limit() -> None:
    assert render("[a](https://a.example) <https://b.example> ![c](https://c.example/c.png)").links == 3
    assert render("no links here").links == 0


def test_devanagari_survives_untouched() -> None:
    text = "नमस्ते, यह **महत्वपूर्ण** है।"
    assert render(text).html == "<p>नमस्ते, यह <strong>महत्वपूर्ण</strong> है।</p>\n"


def test_plain_text_excerpt() -> None:
    assert plain_text("**GFR** & <tenders>") == "GFR & <tenders>"
    assert plain_text("word " * 100, limit=20).endswith("…")
    assert len(plain_text("word " * 100, limit=20)) <= 20


def test_quote_prefixes_every_line() -> None:
    assert quote("Asha", 3, "line one\n\nline two") == "> **Asha** (#3):\n>\n> line one\n>\n> line two\n\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=:/()[]!&#;` \n\tjavscriptJAVSCRIPTonerrorloadimgsvgdata.x@1")),
               max_size=120))
def test_no_generated_input_escapes_the_allow_list(source: str) -> None:
    assert_safe(render(source).html)


def test_bare_addresses_become_links() -> None:
    result = render("Tenders: https://gem.gov.in/tenders. Or www.example.gov.in, or write to help@gem.gov.in")
    assert '<a href="https://gem.gov.in/tenders" rel="nofollow ugc noopener">https://gem.gov.in/tenders</a>.' in result.html
    assert '<a href="http://www.example.gov.in" rel="nofollow ugc noopener">www.example.gov.in</a>' in result.html
    assert '<a href="mailto:help@gem.gov.in" rel="nofollow ugc noopener">help@gem.gov.in</a>' in result.html
    assert result.links == 3, "linked addresses count toward the links-per-post limit"


def test_addresses_in_code_and_unsafe_schemes_stay_text() -> None:
    html = render("`https://gem.gov.in` and javascript:alert(1) and data:text/html,x").html
    assert "<a" not in html


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["https://", "http://", "www.", "javascript:", "data:", "vbscript:", "mailto:",
                                 "gov.in", "example.com", "/", "?q=", "&", "#", "\"", "'", "<", ">", "(", ")", "[",
                                 "]", "!", "@", " ", "\n", "`", "*", "_", "%22", "onerror=", "alert(1)", ".", ","]),
                max_size=30).map("".join))
def test_linkified_input_never_escapes_the_allow_list(source: str) -> None:
    html = render(source).html
    assert_safe(html)
    assert "<script" not in html.lower()
