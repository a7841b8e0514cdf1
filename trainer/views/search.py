"""Search every pack: ``GET /search?q=&pack=&tag=&difficulty=&state=`` (and ``starred``,
``leech``, ``suspended``, each ``1`` or left out).

A plain GET form first: with htmx the ``results`` block of ``search.html`` is answered
as the learner types, and the URL pushed, so reload and back show the same search. The
finding and ranking live in :mod:`trainer.study.search`; the ``/`` key reaches the page
through the top bar's link (``data-keys="/"``, ``static/keys.js``).
"""

from flask import Blueprint, abort, request, url_for

from trainer.packs.model import DIFFICULTIES
from trainer.study.search import (
    QUERY_MAX,
    STATES,
    TAG_MAX,
    WORDS_MAX,
    Filters,
    SearchRefused,
    search,
)
from trainer.views.common import current_profile, trainer
from trainer.web.htmx import respond

bp = Blueprint("search", __name__)

FLAGS = ("starred", "leech", "suspended")
FIELD_MAX = {"q": QUERY_MAX, "pack": 100, "tag": TAG_MAX, "difficulty": 20, "state": 20}


def _field(name):
    value = request.args.get(name, "")
    if len(value) > FIELD_MAX[name]:
        abort(400, description=f"'{name}' is at most {FIELD_MAX[name]} characters.")
    return value.strip()


def _flag(name):
    value = request.args.get(name, "")
    if value not in ("", "1", "on"):
        abort(400, description=f"'{name}' is 1 or left out.")
    return bool(value)


@bp.get("/search")
def page():
    query = request.args.get("q", "")
    if len(query) > QUERY_MAX:
        abort(400, description=f"A search is at most {QUERY_MAX} characters.")
    filters = Filters(pack=_field("pack"), tag=_field("tag"), difficulty=_field("difficulty"),
                      state=_field("state"), **{name: _flag(name) for name in FLAGS})
    packs = trainer().packs
    try:
        found = search(packs, current_profile(), query, filters)
    except SearchRefused as exc:
        abort(400, description=str(exc))
    args = {"q": query.strip(), "pack": filters.pack, "tag": filters.tag,
            "difficulty": filters.difficulty, "state": filters.state,
            **{name: "1" for name in FLAGS if getattr(filters, name)}}
    return respond("search.html", "results",
                   push_url=url_for(".page", **{k: v for k, v in args.items() if v}),
                   found=found, packs=list(packs), difficulties=DIFFICULTIES, states=STATES,
                   query_max=QUERY_MAX, words_max=WORDS_MAX)
