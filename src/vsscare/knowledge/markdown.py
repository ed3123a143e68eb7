"""Full answers are Markdown: rendered with markdown-it, sanitised with nh3, checked on save.

Raw HTML is allowed only where it is harmless formatting (``<br>``, ``<sup>``, tables …). On save
:func:`problems` names anything the sanitiser would drop — scripts, frames, event handlers, inline
styles, images, links that are not http(s)/mailto/tel — so an editor is told instead of seeing
text silently vanish. :func:`render` sanitises anyway: stored text is never trusted.
"""

from __future__ import annotations

import re
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark", "small", "code", "pre",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "h3", "h4", "h5", "h6", "hr", "a", "abbr",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
# Headings h1/h2 belong to the page, not to an answer: markdown's "#"/"##" render one level down.
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align", "scope"}, "td": {"align"},
              "ol": {"start"}}  # fmt: skip
SCHEMES = {"http", "https", "mailto", "tel"}
_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
_EVENT_ATTR = re.compile(r"\b(on[a-z]+|style)\s*=", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": False}).enable("table")
    md.enable("strikethrough")
    return md


def _walk(tokens: list[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        found.append(token)
        if token.children:
            found += _walk(token.children)
    return found


def _demote(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag in ("h1", "h2"):
            token.tag = "h3"


def problems(text: str) -> list[str]:
    """What the renderer would drop from ``text`` (Vietnamese / English), in order, without repeats."""
    found: list[str] = []
    for token in _walk(_parser().parse(text)):
        if token.type in ("html_block", "html_inline"):
            for tag, rest in _TAG.findall(token.content):
                name = tag.lower()
                attr = _EVENT_ATTR.search(rest)
                if name not in TAGS:
                    found.append(f"thẻ <{name}> không được phép / the <{name}> tag is not allowed")
                elif attr:
                    bad = attr.group(1).lower()
                    found.append(f"thuộc tính {bad} không được phép / the {bad} attribute is not allowed")
            if "javascript:" in token.content.lower():
                found.append("liên kết javascript: không được phép / javascript: links are not allowed")
        elif token.type == "image":
            found.append("không được chèn hình ảnh / images are not allowed")
        elif token.type == "link_open":
            scheme = _SCHEME.match(str(token.attrs.get("href", "")))
            if scheme and scheme.group(1).lower() not in SCHEMES:
                found.append(
                    f"liên kết {scheme.group(1)}: không được phép / {scheme.group(1)}: links are not allowed"
                )
    # markdown-it refuses javascript:/vbscript:/data: links itself and leaves them as text.
    if re.search(r"\]\(\s*(javascript|vbscript|data):", text, re.IGNORECASE):
        found.append("liên kết javascript: không được phép / javascript: links are not allowed")
    return list(dict.fromkeys(found))


def render(text: str | None) -> Markup:
    """Safe HTML for ``text`` (Markdown, possibly with harmless HTML)."""
    if not text:
        return Markup("")
    tokens = _parser().parse(text)
    _demote(tokens)
    html = _parser().renderer.render(tokens, _parser().options, {})
    clean = nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel="noopener noreferrer"
    )
    return Markup(clean)
