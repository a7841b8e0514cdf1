"""Focus: a filtered, shuffled run through a pack, each card at its own URL.

* ``GET /focus/<pack>?tag=&difficulty=&starred=1&seed=&i=``: card ``i`` of the run (the
  seed fixes the order, so every card of the run has its own URL); ``ahead=1`` asks for
  it to be held ready by the page (static/practice.js) before it is shown;
* ``POST /focus/<pack>/grade`` grades it (the one grading path) and shows card ``i + 1``;
* ``POST /focus/<pack>/answer``, ``.../star``, ``.../note``, ``.../undo`` are answer first
  and the card actions inside a run (each form carries the run's filter, seed and place).
"""

import secrets
import time

from flask import Blueprint, abort, redirect, request, url_for

from trainer.packs.model import DIFFICULTIES
from trainer.study.answer_check import check
from trainer.study.card_actions import (
    NOTE_MAX,
    CardActionError,
    save_note,
    toggle_star,
    undo_last_grade,
)
from trainer.study.grading import card_shown, grade_card
from trainer.study.queue import focus_order, review_counts
from trainer.views.common import (
    current_profile,
    pack_or_404,
    rating_or_400,
    whole_number_or_400,
)
from trainer.views.practice import (
    card_actions_html,
    card_html,
    grade_id_or_400,
    grade_intervals,
    graded_notice,
    typed_answer_or_400,
)
from trainer.web.htmx import SEE_OTHER, respond

bp = Blueprint("focus", __name__, url_prefix="/focus")

SEED_MAX = 2**31 - 1


def pack_tags(pack):
    return sorted({tag for q in pack.questions for tag in q.tags})


def _filter(pack, source):
    """The validated filter of a Focus run, from query args or a form."""
    tag = source.get("tag", "")
    difficulty = source.get("difficulty", "")
    if tag and tag not in pack_tags(pack):
        abort(400, description=f"Pack '{pack.id}' has no tag '{tag[:40]}'.")
    if difficulty and difficulty not in DIFFICULTIES:
        abort(400, description="Difficulty is junior, mid or senior.")
    return {"tag": tag, "difficulty": difficulty,
            "starred": "1" if source.get("starred") in ("1", "on") else ""}


def _label(flt):
    parts = [f"#{flt['tag']}" if flt["tag"] else "", flt["difficulty"],
             "starred" if flt["starred"] else ""]
    return "Focus: " + (", ".join(p for p in parts if p) or "whole pack")


def _url(pack, flt, seed, i, **extra):
    args = {k: v for k, v in flt.items() if v}
    return url_for(".run", pack_id=pack.id, seed=seed, i=i, **args, **extra)


def _order(pack, flt, seed):
    return focus_order(pack, current_profile().marks_in(pack.id), seed,
                       flt["tag"], flt["difficulty"], bool(flt["starred"]))


def _render(pack, flt, seed, order, i, revealed=False, notice=None, editing_note=False,
            redirect_to=None, ahead=False, **extra):
    """Card ``i`` of the run (or the end of it), as the ``card`` block for htmx."""
    profile = current_profile()
    states = profile.cards_in(pack.id)
    context = {"pack": pack,
               **review_counts(pack, profile, states, time.time()),
               "notice": notice, "revealed": revealed,
               "undo_available": any(s.get("last_review") for s in states.values())}
    side = 1 if revealed else None
    actions = {
        # Starring inside a starred-only run would change the run under your feet.
        "star": None if flt["starred"] else url_for(".star", pack_id=pack.id),
        "note": url_for(".note", pack_id=pack.id),
        "note_form": _url(pack, flt, seed, i, reveal=side, note=1),
        "current": _url(pack, flt, seed, i, reveal=side),
        "undo": url_for(".undo", pack_id=pack.id),
    }
    if i >= len(order):
        return respond("focus_done.html", "card", redirect_to=redirect_to, flt=flt,
                       label=_label(flt), total=len(order), seed=seed,
                       card_url=_url(pack, flt, seed, i),
                       again_url=_url(pack, flt, secrets.randbelow(SEED_MAX), 0),
                       run={"actions": actions, "fields": {"seed": seed, "i": i, **flt}},
                       **context)
    question = pack.question(order[i])
    run = {
        "mode": "focus", "label": _label(flt), "position": i + 1, "total": len(order),
        "card_url": _url(pack, flt, seed, i),
        "after_url": _url(pack, flt, seed, i + 1, ahead=1),
        "grade_url": url_for(".grade", pack_id=pack.id),
        "answer_url": url_for(".answer", pack_id=pack.id),
        "reveal_url": _url(pack, flt, seed, i, reveal=1),
        "reveal_action": url_for(".run", pack_id=pack.id),
        "reveal_fields": {**{k: v for k, v in flt.items() if v}, "seed": seed, "i": i,
                          "reveal": "1"},
        "prev_url": _url(pack, flt, seed, max(i - 1, 0)),
        "next_url": _url(pack, flt, seed, i + 1),
        "fields": {"question": question.id, "seed": seed, "i": i, **flt},
        "actions": actions,
    }
    mark = profile.mark(pack.id, question.id)
    if not (revealed or editing_note or ahead):  # a card held ahead is not shown yet
        card_shown(profile, pack.id, question.id)
    actions_html = card_actions_html(
        pack.id, question.id, mark, revealed=revealed,
        undo_available=context["undo_available"], editing_note=editing_note,
        note_draft=extra.get("note_draft"), run=run)
    html = card_html(
        pack, question, mode="focus", links=None, run=run, revealed=revealed,
        position=i + 1, mark=mark, counts=context, notice=notice,
        checked=extra.get("checked"),
        # The answer side travels with the question, so the intervals do too.
        intervals=grade_intervals(profile, pack, question.id, states.get(question.id)),
        actions_html=actions_html)
    return respond("practice.html", "card", redirect_to=redirect_to, question=question,
                   run=run, block_html=html, **context, **extra)


@bp.get("/<pack_id>")
def run(pack_id):
    pack = pack_or_404(pack_id)
    flt = _filter(pack, request.args)
    if "seed" not in request.args:
        return redirect(_url(pack, flt, secrets.randbelow(SEED_MAX), 0), SEE_OTHER)
    seed = whole_number_or_400(request.args, "seed", 0, SEED_MAX)
    order = _order(pack, flt, seed)
    i = whole_number_or_400(request.args, "i", 0, len(order))
    return _render(pack, flt, seed, order, i, revealed=request.args.get("reveal") == "1",
                   editing_note=request.args.get("note") == "1",
                   ahead=request.args.get("ahead") == "1")


def _place(pack):
    """(filter, seed, order, i, question id) of the Focus card a form was posted from."""
    flt = _filter(pack, request.form)
    seed = whole_number_or_400(request.form, "seed", 0, SEED_MAX)
    order = _order(pack, flt, seed)
    i = whole_number_or_400(request.form, "i", 0, len(order))
    question_id = request.form.get("question", "")
    if i >= len(order) or order[i] != question_id:
        abort(409, description="This Focus run changed (a star or the pack changed). "
                               "Start it again from the modes page.")
    return flt, seed, order, i, question_id


@bp.post("/<pack_id>/answer")
def answer(pack_id):
    pack = pack_or_404(pack_id)
    flt, seed, order, i, question_id = _place(pack)
    typed = typed_answer_or_400()
    return _render(pack, flt, seed, order, i, revealed=True,
                   checked=check(typed, pack.question(question_id).key_points))


@bp.post("/<pack_id>/grade")
def grade(pack_id):
    pack = pack_or_404(pack_id)
    flt, seed, order, i, question_id = _place(pack)
    graded = grade_card(current_profile(), pack.id, question_id, rating_or_400(request.form),
                        grade_id=grade_id_or_400())
    return _render(pack, flt, seed, order, i + 1, redirect_to=_url(pack, flt, seed, i + 1),
                   notice=graded_notice(graded, pack.question(question_id)))


@bp.post("/<pack_id>/star")
def star(pack_id):
    pack = pack_or_404(pack_id)
    flt, seed, order, i, question_id = _place(pack)
    if flt["starred"]:
        abort(409, description="Stars cannot change inside a starred-only Focus run.")
    starred = toggle_star(current_profile(), pack.id, question_id)
    return _render(pack, flt, seed, order, i, revealed=request.form.get("reveal") == "1",
                   notice="Starred." if starred else "Star removed.")


@bp.post("/<pack_id>/note")
def note(pack_id):
    pack = pack_or_404(pack_id)
    flt, seed, order, i, question_id = _place(pack)
    revealed = request.form.get("reveal") == "1"
    try:
        saved = save_note(current_profile(), pack.id, question_id, request.form.get("note", ""))
    except CardActionError as exc:
        return _render(pack, flt, seed, order, i, revealed=revealed, notice=str(exc),
                       editing_note=True, note_draft=request.form.get("note", "")[:2 * NOTE_MAX])
    return _render(pack, flt, seed, order, i, revealed=revealed,
                   notice="Note saved." if saved else "Note removed.")


@bp.post("/<pack_id>/undo")
def undo(pack_id):
    """Undo the pack's latest grade; show its card if this run has it."""
    pack = pack_or_404(pack_id)
    flt = _filter(pack, request.form)
    seed = whole_number_or_400(request.form, "seed", 0, SEED_MAX)
    order = _order(pack, flt, seed)
    i = whole_number_or_400(request.form, "i", 0, len(order))
    try:
        question_id = undo_last_grade(current_profile(), pack.id)
    except CardActionError as exc:
        return _render(pack, flt, seed, order, i, notice=str(exc))
    question = pack.question(question_id)
    title = question.title if question else question_id
    if question_id not in order:
        return _render(pack, flt, seed, order, i,
                       notice=f"Undid your grade of “{title}” (not in this run).")
    j = order.index(question_id)
    return _render(pack, flt, seed, order, j, redirect_to=_url(pack, flt, seed, j),
                   notice=f"Undid your grade of “{title}”.")
