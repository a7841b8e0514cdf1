"""Markdown to safe HTML, done once per text (see render_cache.py for when).

Raw HTML in pack Markdown is off (it shows as text), code blocks are highlighted with
Pygments, and the result goes through nh3 with a short allow-list. Only strings made
here are ever wrapped in :class:`markupsafe.Markup`.

Images: ``![alt](assets/x.png)`` in the pack being loaded (:func:`images_of`) becomes
``<img>`` with the URL the trainer serves it from (``/packs/<id>/assets/x.png``, see
assets.py) and its alt text, shown beside it too (hidden from screen readers, which read
the alt), so search and a slow network still see what the picture says. Any other image
source becomes its alt text; nh3 keeps ``src`` only when it is one of those URLs.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, partial

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from trainer.packs.assets import ASSET_URL_PATTERN, asset_url
from trainer.packs.render_cache import ACTIVE

# nowrap: markdown-it wraps the spans in <pre><code> itself.
_FORMATTER = HtmlFormatter(nowrap=True)

_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "span", "div", "a", "ul", "ol", "li",
    "blockquote", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
    "img",
}
_ATTRIBUTES = {"a": {"href", "title"}, "span": {"class", "aria-hidden"}, "div": {"class"},
               "code": {"class"}, "pre": {"class"}, "th": {"align"}, "td": {"align"},
               "img": {"src", "alt", "loading"}}
_PACK: ContextVar[str | None] = ContextVar("pack_images", default=None)


@contextmanager
def images_of(pack_id):
    """Within this block, ``assets/...`` images are those of pack ``pack_id``."""
    token = _PACK.set(pack_id)
    try:
        yield
    finally:
        _PACK.reset(token)


def _image(renderer, tokens, idx, options, env):
    """A pack image as ``<img>`` with its served URL and alt text, or the alt text alone."""
    token = tokens[idx]
    alt = escapeHtml(renderer.renderInlineAsText(token.children or [], options, env))
    url = asset_url((env or {}).get("pack"), token.attrGet("src"))
    if url is None or not alt.strip():
        return alt
    return (f'<img src="{escapeHtml(url)}" alt="{alt}" loading="lazy">'
            f'<span class="image-alt" aria-hidden="true">{alt}</span>')


def _keep_attribute(element, attribute, value):
    if element == "img" and attribute == "src":
        return value if ASSET_URL_PATTERN.match(value) else None
    if element == "span" and attribute == "aria-hidden":
        return "true" if value == "true" else None
    if element == "img" and attribute == "loading":
        return "lazy"
    return value


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
    md.add_render_rule("image", _image)
    return md


def sanitise(html):
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="noopener noreferrer", attribute_filter=_keep_attribute)


def _render(kind, text, render):
    """Through the render cache when one is on; a text that may show images is keyed by
    the pack too, since its HTML holds the pack's URLs."""
    pack_id = _PACK.get() if "assets/" in text else None
    if pack_id is not None:
        render = partial(render, pack_id=pack_id)
    cache = ACTIVE.get()
    if cache is not None:
        return cache.render(kind if pack_id is None else f"{kind}@{pack_id}", text, render)
    return render(text)


def render_block(text):
    """Render block Markdown to sanitised HTML (through the render cache when one is on)."""
    return _render("block", text, _render_block)


def render_inline(text):
    """Render one line of Markdown (a question title) to sanitised inline HTML."""
    return _render("inline", text, _render_inline)


def _render_block(text, pack_id=None):
    html = _markdown().render(text, {"pack": pack_id})
    return Markup(sanitise(html))  # noqa: S704 (sanitised just now)


def _render_inline(text, pack_id=None):
    html = _markdown().renderInline(text, {"pack": pack_id})
    return Markup(sanitise(html))  # noqa: S704 (sanitised just now)


def pygments_css():
    """The stylesheet that colours highlighted code, served from our own origin: the
    light theme's colours and the dark theme's, each AA on its code background
    (``--code-bg`` in static/app.css; see code_css.py)."""
    from trainer.packs.code_css import themed_css
    return themed_css(light=("default", "#f7f7f9"), dark=("github-dark", "#161b22"))
