"""Practice: one card at a time, flipped and graded by keyboard, each card at its own URL.

* ``GET /practice/<pack>`` goes to the next due card (or says all are done);
* ``GET /practice/<pack>/<question>`` shows the question; ``?reveal=1`` the answer too;
* ``POST /practice/<pack>/<question>/grade`` applies a 1-4 grade through FSRS and shows
  the next due card.

htmx requests get the ``card`` block only, with ``HX-Push-Url`` where the card changes;
a direct load of any of these URLs renders the full page from the same template.
"""

import time

from flask import Blueprint, abort, redirect, request, url_for

from trainer.htmx import is_htmx, push_url, render_page
from trainer.scheduling import RATING_LABELS, counts, due_questions, grade
from trainer.views.common import current_profile, trainer

bp = Blueprint("practice", __name__, url_prefix="/practice")


def _pack_or_404(pack_id):
    pack = trainer().packs.get(pack_id)
    if pack is None:
        abort(404, description=f"There is no pack '{pack_id}'. Pick one from the home page.")
    return pack


def _next_due(pack, states, exclude=None):
    now = time.time()
    for question_id in due_questions(pack.question_ids, states, now):
        if question_id != exclude:
            return question_id
    return None


def _render(pack, question=None, revealed=False, states=None):
    profile = current_profile()
    states = profile.cards_in(pack.id) if states is None else states
    new, due = counts(pack.question_ids, states, time.time())
    context = {
        "pack": pack, "question": question, "revealed": revealed, "new_count": new,
        "due_count": due, "ratings": RATING_LABELS,
    }
    if question is not None:
        context.update(
            position=pack.position(question.id) + 1,
            prev_id=pack.neighbour(question.id, -1),
            next_id=pack.neighbour(question.id, 1),
            state=states.get(question.id),
        )
    return render_page("practice.html", "card", **context)


@bp.get("/<pack_id>")
def start(pack_id):
    pack = _pack_or_404(pack_id)
    question_id = _next_due(pack, current_profile().cards_in(pack.id))
    if question_id is None:
        return _render(pack)
    url = url_for(".card", pack_id=pack.id, question_id=question_id)
    if is_htmx():
        return push_url(_render(pack, pack.question(question_id)), url)
    return redirect(url, 303)


@bp.get("/<pack_id>/<question_id>")
def card(pack_id, question_id):
    pack = _pack_or_404(pack_id)
    question = pack.question(question_id)
    if question is None:
        abort(404, description=f"Pack '{pack.id}' has no question '{question_id}'. It may "
                               "have been removed in a newer version of the pack.")
    return _render(pack, question, revealed=request.args.get("reveal") == "1")


@bp.post("/<pack_id>/<question_id>/grade")
def grade_card(pack_id, question_id):
    pack = _pack_or_404(pack_id)
    if pack.question(question_id) is None:
        abort(404, description=f"Pack '{pack.id}' has no question '{question_id}'.")
    try:
        rating = int(request.form.get("rating", ""))
    except ValueError:
        rating = 0
    if rating not in RATING_LABELS:
        abort(400, description="A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    profile = current_profile()
    t = trainer()
    with profile.lock:
        state, review = grade(t.scheduler, pack.id, question_id,
                              profile.card(pack.id, question_id), rating)
        profile.save_review(state, review)
    states = profile.cards_in(pack.id)
    next_id = _next_due(pack, states, exclude=question_id)
    url = (url_for(".card", pack_id=pack.id, question_id=next_id) if next_id
           else url_for(".start", pack_id=pack.id))
    if not is_htmx():
        return redirect(url, 303)
    question = pack.question(next_id) if next_id else None
    return push_url(_render(pack, question, states=states), url)
