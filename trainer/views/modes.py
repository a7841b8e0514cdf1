"""Study modes beyond Review: the modes page, Focus runs and mock interviews.

* ``GET /modes/<pack>``: pick Review, Browse, Focus (with its filters) or a mock interview;
* ``GET /focus/<pack>?tag=&difficulty=&starred=1&seed=&i=``: card ``i`` of a filtered,
  shuffled run (the seed fixes the order, so every card of the run has its own URL);
  ``POST /focus/<pack>/grade`` grades it through FSRS and shows card ``i + 1``;
  ``POST /focus/<pack>/answer``, ``.../star``, ``.../note``, ``.../undo`` are answer first
  and the card actions inside a run (each form carries the run's filter, seed and place);
* ``POST /mock/start``, ``GET /mock``, ``POST /mock/answer``: a mock interview, then its
  summary; ``POST /mock/star`` stars the questions the summary says to review.
"""

import math
import secrets
import time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from trainer import mock_interview
from trainer.answer_check import ANSWER_MAX, AnswerError, check
from trainer.card_actions import (
    NOTE_MAX,
    CardActionError,
    save_note,
    toggle_star,
    undo_last_grade,
)
from trainer.htmx import is_htmx, push_url, render_page
from trainer.modes import focus_order, review_counts
from trainer.packs.model import DIFFICULTIES
from trainer.profile_settings import scheduler_for_profile
from trainer.scheduling import RATING_LABELS, grade
from trainer.views.common import current_profile, trainer
from trainer.views.practice import card_actions_html, typed_answer_or_400

bp = Blueprint("modes", __name__)

SEED_MAX = 2**31 - 1


def _pack_or_404(pack_id):
    pack = trainer().packs.get(pack_id)
    if pack is None:
        abort(404, description=f"There is no pack '{pack_id}'. Pick one from the home page.")
    return pack


def _tags(pack):
    return sorted({tag for q in pack.questions for tag in q.tags})


@bp.get("/modes/<pack_id>")
def index(pack_id):
    pack = _pack_or_404(pack_id)
    profile = current_profile()
    marks = profile.marks_in(pack.id)
    return render_template(
        "modes.html", pack=pack, tags=_tags(pack), difficulties=DIFFICULTIES,
        starred=sum(1 for m in marks.values() if m.get("starred")),
        **review_counts(pack, profile, profile.cards_in(pack.id), time.time()),
        mock=mock_interview, active_mock=mock_interview.current(profile))


# Focus -----------------------------------------------------------------------------------

def _focus_filter(pack, source):
    """The validated filter of a Focus run, from query args or a form."""
    tag = source.get("tag", "")
    difficulty = source.get("difficulty", "")
    if tag and tag not in _tags(pack):
        abort(400, description=f"Pack '{pack.id}' has no tag '{tag[:40]}'.")
    if difficulty and difficulty not in DIFFICULTIES:
        abort(400, description="Difficulty is junior, mid or senior.")
    return {"tag": tag, "difficulty": difficulty,
            "starred": "1" if source.get("starred") in ("1", "on") else ""}


def _whole(source, name, high):
    try:
        value = int(source.get(name, ""))
    except ValueError:
        abort(400, description=f"'{name}' must be a whole number.")
    if not 0 <= value <= high:
        abort(400, description=f"'{name}' is out of range.")
    return value


def _focus_label(flt):
    parts = [f"#{flt['tag']}" if flt["tag"] else "", flt["difficulty"],
             "starred" if flt["starred"] else ""]
    return "Focus: " + (", ".join(p for p in parts if p) or "whole pack")


def _focus_url(pack, flt, seed, i, **extra):
    args = {k: v for k, v in flt.items() if v}
    return url_for(".focus", pack_id=pack.id, seed=seed, i=i, **args, **extra)


def _render_focus(pack, flt, seed, order, i, revealed=False, notice=None, editing_note=False,
                  **extra):
    profile = current_profile()
    states = profile.cards_in(pack.id)
    context = {"pack": pack, "ratings": RATING_LABELS,
               **review_counts(pack, profile, states, time.time()),
               "notice": notice, "revealed": revealed, "answer_max": ANSWER_MAX,
               "undo_available": any(s.get("last_review") for s in states.values())}
    side = 1 if revealed else None
    actions = {
        # Starring inside a starred-only run would change the run under your feet.
        "star": None if flt["starred"] else url_for(".focus_star", pack_id=pack.id),
        "note": url_for(".focus_note", pack_id=pack.id),
        "note_form": _focus_url(pack, flt, seed, i, reveal=side, note=1),
        "current": _focus_url(pack, flt, seed, i, reveal=side),
        "undo": url_for(".focus_undo", pack_id=pack.id),
    }
    if i >= len(order):
        return render_page("focus_done.html", "card", flt=flt, label=_focus_label(flt),
                           total=len(order), seed=seed,
                           again_url=_focus_url(pack, flt, secrets.randbelow(SEED_MAX), 0),
                           run={"actions": actions, "fields": {"seed": seed, "i": i, **flt}},
                           **context)
    question = pack.question(order[i])
    run = {
        "mode": "focus", "label": _focus_label(flt), "position": i + 1, "total": len(order),
        "grade_url": url_for(".focus_grade", pack_id=pack.id),
        "answer_url": url_for(".focus_answer", pack_id=pack.id),
        "reveal_url": _focus_url(pack, flt, seed, i, reveal=1),
        "prev_url": _focus_url(pack, flt, seed, max(i - 1, 0)),
        "next_url": _focus_url(pack, flt, seed, i + 1),
        "fields": {"question": question.id, "seed": seed, "i": i, **flt},
        "actions": actions,
    }
    mark = profile.mark(pack.id, question.id)
    actions_html = card_actions_html(
        pack.id, question.id, mark, revealed=revealed,
        undo_available=context["undo_available"], editing_note=editing_note,
        note_draft=extra.get("note_draft"), run=run)
    return render_page("practice.html", "card", question=question, run=run, mark=mark,
                       state=states.get(question.id), actions_html=actions_html,
                       **context, **extra)


@bp.get("/focus/<pack_id>")
def focus(pack_id):
    pack = _pack_or_404(pack_id)
    flt = _focus_filter(pack, request.args)
    if "seed" not in request.args:
        return redirect(_focus_url(pack, flt, secrets.randbelow(SEED_MAX), 0), 303)
    seed = _whole(request.args, "seed", SEED_MAX)
    order = focus_order(pack, current_profile().marks_in(pack.id), seed,
                        flt["tag"], flt["difficulty"], bool(flt["starred"]))
    i = _whole(request.args, "i", max(len(order), 0))
    return _render_focus(pack, flt, seed, order, i, revealed=request.args.get("reveal") == "1",
                         editing_note=request.args.get("note") == "1")


def _focus_place(pack):
    """(filter, seed, order, i, question id) of the Focus card a form was posted from."""
    flt = _focus_filter(pack, request.form)
    seed = _whole(request.form, "seed", SEED_MAX)
    order = focus_order(pack, current_profile().marks_in(pack.id), seed,
                        flt["tag"], flt["difficulty"], bool(flt["starred"]))
    i = _whole(request.form, "i", len(order))
    question_id = request.form.get("question", "")
    if i >= len(order) or order[i] != question_id:
        abort(409, description="This Focus run changed (a star or the pack changed). "
                               "Start it again from the modes page.")
    return flt, seed, order, i, question_id


@bp.post("/focus/<pack_id>/answer")
def focus_answer(pack_id):
    pack = _pack_or_404(pack_id)
    flt, seed, order, i, question_id = _focus_place(pack)
    typed = typed_answer_or_400()
    return _render_focus(pack, flt, seed, order, i, revealed=True,
                         **check(typed, pack.question(question_id).key_points))


@bp.post("/focus/<pack_id>/grade")
def focus_grade(pack_id):
    pack = _pack_or_404(pack_id)
    flt, seed, order, i, question_id = _focus_place(pack)
    profile = current_profile()
    try:
        rating = int(request.form.get("rating", ""))
    except ValueError:
        rating = 0
    if rating not in RATING_LABELS:
        abort(400, description="A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    with profile.lock:
        state, review = grade(scheduler_for_profile(profile), pack.id, question_id,
                              profile.card(pack.id, question_id), rating)
        profile.save_review(state, review)
    url = _focus_url(pack, flt, seed, i + 1)
    if not is_htmx():
        return redirect(url, 303)
    return push_url(_render_focus(pack, flt, seed, order, i + 1), url)


@bp.post("/focus/<pack_id>/star")
def focus_star(pack_id):
    pack = _pack_or_404(pack_id)
    flt, seed, order, i, question_id = _focus_place(pack)
    if flt["starred"]:
        abort(409, description="Stars cannot change inside a starred-only Focus run.")
    starred = toggle_star(current_profile(), pack.id, question_id)
    return _render_focus(pack, flt, seed, order, i, revealed=request.form.get("reveal") == "1",
                         notice="Starred." if starred else "Star removed.")


@bp.post("/focus/<pack_id>/note")
def focus_note(pack_id):
    pack = _pack_or_404(pack_id)
    flt, seed, order, i, question_id = _focus_place(pack)
    revealed = request.form.get("reveal") == "1"
    try:
        saved = save_note(current_profile(), pack.id, question_id, request.form.get("note", ""))
    except CardActionError as exc:
        return _render_focus(pack, flt, seed, order, i, revealed=revealed, notice=str(exc),
                             editing_note=True,
                             note_draft=request.form.get("note", "")[:2 * NOTE_MAX])
    return _render_focus(pack, flt, seed, order, i, revealed=revealed,
                         notice="Note saved." if saved else "Note removed.")


@bp.post("/focus/<pack_id>/undo")
def focus_undo(pack_id):
    """Undo the pack's latest grade; show its card if this run has it."""
    pack = _pack_or_404(pack_id)
    flt = _focus_filter(pack, request.form)
    seed = _whole(request.form, "seed", SEED_MAX)
    order = focus_order(pack, current_profile().marks_in(pack.id), seed,
                        flt["tag"], flt["difficulty"], bool(flt["starred"]))
    i = _whole(request.form, "i", len(order))
    try:
        question_id = undo_last_grade(current_profile(), pack.id)
    except CardActionError as exc:
        return _render_focus(pack, flt, seed, order, i, notice=str(exc))
    question = pack.question(question_id)
    title = question.title if question else question_id
    if question_id not in order:
        return _render_focus(pack, flt, seed, order, i,
                             notice=f"Undid your grade of “{title}” (not in this run).")
    j = order.index(question_id)
    url = _focus_url(pack, flt, seed, j)
    response = _render_focus(pack, flt, seed, order, j, notice=f"Undid your grade of “{title}”.")
    return push_url(response, url) if is_htmx() else redirect(url, 303)


# Mock interview --------------------------------------------------------------------------

@bp.post("/mock/start")
def mock_start():
    pack = _pack_or_404(request.form.get("pack", ""))
    try:
        count = mock_interview.parse_whole(
            request.form.get("count", ""), mock_interview.COUNT_MIN, mock_interview.COUNT_MAX,
            "The number of questions")
        seconds = mock_interview.parse_whole(
            request.form.get("seconds", ""), mock_interview.SECONDS_MIN,
            mock_interview.SECONDS_MAX, "The seconds per question")
        mock_interview.start(current_profile(), pack, count, seconds)
    except mock_interview.MockError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index", pack_id=pack.id), 303)
    return redirect(url_for(".mock"), 303)


@bp.get("/mock")
def mock():
    run = mock_interview.current(current_profile())
    if run is None:
        flash("There is no mock interview running. Start one from a pack's modes page.", "error")
        return redirect(url_for("home.index"), 303)
    pack = trainer().packs.get(run["pack"])
    if run["finished"]:
        rows = mock_interview.summary(run, pack)
        return render_template("mock_summary.html", run=run, pack=pack, rows=rows,
                               to_review=[r for r in rows if r["review"] and r["question"]])
    if pack is None or pack.question(run["questions"][run["index"]]) is None:
        abort(409, description="The pack of this mock interview changed; start a new one.")
    question = pack.question(run["questions"][run["index"]])
    return render_template("mock.html", run=run, pack=pack, question=question,
                           deadline_ms=int(mock_interview.deadline(run) * 1000),
                           remaining=max(math.ceil(mock_interview.deadline(run) - time.time()), 0),
                           answer_max=ANSWER_MAX)


@bp.post("/mock/answer")
def mock_answer():
    profile = current_profile()
    try:
        index = int(request.form.get("index", ""))
    except ValueError:
        index = -1
    try:
        mock_interview.answer(profile, request.form.get("run", ""), index,
                              request.form.get("answer", ""))
    except (mock_interview.MockError, AnswerError) as exc:
        flash(str(exc), "error")
    return redirect(url_for(".mock"), 303)


@bp.post("/mock/star")
def mock_star():
    profile = current_profile()
    run = mock_interview.current(profile)
    if run is None or not run["finished"] or run["id"] != request.form.get("run"):
        abort(409, description="That mock interview is not finished or no longer exists.")
    pack = trainer().packs.get(run["pack"])
    starred = 0
    for row in mock_interview.summary(run, pack):
        question = row["question"]
        if row["review"] and question and not profile.mark(pack.id, question.id).get("starred"):
            toggle_star(profile, pack.id, question.id)
            starred += 1
    flash(f"Starred {starred} question{'s' if starred != 1 else ''} to review.", "ok")
    return redirect(url_for(".focus", pack_id=pack.id, starred=1), 303)
