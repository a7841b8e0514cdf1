"""Markdown to safe HTML, done once per text (see render_cache.py for when).

Raw HTML in pack Markdown is off (it shows as text), code blocks are highlighted with
Pygments, and the result goes through nh3 with a short allow-list. Only strings made
here are ever wrapped in :class:`markupsafe.Markup`.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from trainer.packs.render_cache import ACTIVE

# nowrap: markdown-it wraps the spans in <pre><code> itself.
_FORMATTER = HtmlFormatter(nowrap=True)

_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "span", "div", "a", "ul", "ol", "li",
    "blockquote", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}
_ATTRIBUTES = {"a": {"href", "title"}, "span": {"class"}, "div": {"class"}, "code": {"class"},
               "pre": {"class"}, "th": {"align"}, "td": {"align"}}


def _highlight(code, lang, _attrs):
    """Pygments for fenced blocks. The first word of the info string names the lexer."""
    name = (lang or "").split()[0] if lang else ""
    if not name:
        return ""
    try:
        lexer = get_lexer_by_name(name)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, _FORMATTER)


@lru_cache(maxsize=1)
def _markdown():
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight, "linkify": False})
    md.enable("table")
    md.enable("strikethrough")
    return md


def sanitise(html):
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="noopener noreferrer")


def render_block(text):
    """Render block Markdown to sanitised HTML (through the render cache when one is on)."""
    cache = ACTIVE.get()
    if cache is not None:
        return cache.render("block", text, _render_block)
    return _render_block(text)


def render_inline(text):
    """Render one line of Markdown (a question title) to sanitised inline HTML."""
    cache = ACTIVE.get()
    if cache is not None:
        return cache.render("inline", text, _render_inline)
    return _render_inline(text)


def _render_block(text):
    return Markup(sanitise(_markdown().render(text)))  # noqa: S704 (sanitised just now)


def _render_inline(text):
    return Markup(sanitise(_markdown().renderInline(text)))  # noqa: S704 (sanitised just now)


def pygments_css():
    """The stylesheet that colours highlighted code, served from our own origin: the
    light theme's colours and the dark theme's, each AA on its code background
    (``--code-bg`` in static/app.css; see code_css.py)."""
    from trainer.packs.code_css import themed_css
    return themed_css(light=("default", "#f7f7f9"), dark=("github-dark", "#161b22"))
