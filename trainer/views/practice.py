"""Practice: one card at a time, flipped and graded by keyboard, each card at its own URL.

* ``GET /practice/<pack>`` goes to the next card of Review mode (or says all are done);
* ``GET /practice/<pack>/<question>`` shows the question; ``?reveal=1`` the answer too,
  ``?note=1`` the note form;
* ``POST /practice/<pack>/<question>/grade`` applies a 1-4 grade through FSRS and shows
  the next card of Review mode (a ``grade_id`` field makes a retry apply once);
* ``GET /practice/<pack>/<question>/next`` is the card that comes next if this one is
  graded now, for the page to hold ready (static/practice.js): a grade then shows it at
  once and the grade's own answer, the server's word, corrects it if the queue moved;
* ``POST /practice/<pack>/undo`` takes back the latest grade in the pack;
* ``POST .../star``, ``.../bury``, ``.../note`` are the card actions (card_actions.py);
* ``POST .../answer`` reveals the answer next to the one the learner typed, with the key
  points as a checklist; ``POST /practice/suggest-grade`` redraws the grade buttons with
  the grade the ticked points suggest.

Every card URL may carry ``mode=browse`` (Browse mode): then grading, and burying, go on
to the next question in pack order instead of the next card of Review mode, and every
link and form of the card carries the flag on, so reload and back stay in Browse.

htmx requests get the ``card`` block only, with ``HX-Push-Url`` where the card changes;
a direct load of any of these URLs renders the full page from the same template.

Every card carries its answer side (sanitised HTML, hidden until revealed) and the grade
buttons with their intervals, so revealing needs no request; ``?reveal=1`` is the same
card with the side shown, for a reload and for a browser without JavaScript.
"""

import time
from dataclasses import dataclass
from types import MappingProxyType

from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from trainer.profiles.settings import learn_ahead_seconds, scheduler_for_profile
from trainer.study import answer_check, card_actions
from trainer.study.grading import card_shown, grade_then_next, is_grade_id
from trainer.study.plan import new_limit
from trainer.study.queue import next_due, next_in_review, review_counts
from trainer.study.scheduling import (
    RATING_LABELS,
    interval_label,
    interval_words,
    next_intervals,
)
from trainer.views.common import (
    current_profile,
    pack_or_404,
    query_value,
    question_or_404,
    rating_or_400,
    whole_number_or_400,
)
from trainer.web.fragments import part
from trainer.web.htmx import is_htmx, respond
from trainer.web.urls import cached_url_for

bp = Blueprint("practice", __name__, url_prefix="/practice")


@bp.record_once
def _ratings_for_templates(state):
    """The grade names for every template (the grade buttons): a part that shows them
    then needs no dict among its values (trainer/web/fragments.py)."""
    state.app.jinja_env.globals["ratings"] = RATING_LABELS

KEY_POINTS_MAX = 100
POLL_MAX_SECONDS = 3600  # the caught-up card asks again at least hourly


def _browsing():
    """True when the request comes from a Browse card (``mode=browse`` in its URL)."""
    return query_value("mode") == "browse"


KEPT_MAX = 4096  # entries of each per-question store below


def _kept(store, key, guards, make):
    """``make()``, kept in ``store`` under ``key`` while ``guards`` are the same objects.

    The values kept here come from records that never change once loaded (a pack, a
    question, a scheduler); a pack loaded again brings new objects, and the entry holds
    the old ones and compares them, so an address reused by a new object never serves an
    old value. Bounded: past KEPT_MAX entries the store starts again empty.
    """
    kept = store.get(key)
    if kept is not None and all(a is b for a, b in zip(kept[0], guards, strict=True)):
        return kept[1]
    value = make()
    if len(store) >= KEPT_MAX:
        store.clear()
    store[key] = (guards, value)
    return value


@dataclass(frozen=True)
class CardLinks:
    """The URLs a Review or Browse card links to, named as Focus's ``run`` names its own.

    Frozen, and one object per card and mode (:func:`card_links`), so the parts of a card
    built from it are kept by :func:`trainer.web.fragments.part`. Templates read it as
    ``links['grade_url']``, the same as a Focus run's dict.
    """

    card_url: str
    after_url: str
    grade_url: str
    reveal_url: str
    reveal_action: str
    reveal_fields: MappingProxyType
    prev_url: str
    next_url: str
    answer_url: str

    def __getitem__(self, name):
        return getattr(self, name)


_links = {}


def card_links(pack, question_id, mode_arg):
    """The :class:`CardLinks` of a Review or Browse card, made once per card and mode.

    They depend on the pack, the question, the mode and where the app is mounted (its
    URL map and ``request.script_root``), nothing else.
    """
    app = current_app._get_current_object()

    def make():
        def link(endpoint, qid, **extra):
            return cached_url_for(endpoint, pack_id=pack.id, question_id=qid, **extra,
                                  mode=mode_arg)

        return CardLinks(
            card_url=link("practice.card", question_id),
            after_url=link("practice.after", question_id),
            grade_url=link("practice.grade_card", question_id),
            reveal_url=link("practice.card", question_id, reveal=1),
            reveal_action=cached_url_for("practice.card", pack_id=pack.id,
                                         question_id=question_id),
            reveal_fields=MappingProxyType(
                {"reveal": "1", **({"mode": mode_arg} if mode_arg else {})}),
            prev_url=link("practice.card", pack.neighbour(question_id, -1)),
            next_url=link("practice.card", pack.neighbour(question_id, 1)),
            answer_url=link("practice.answer", question_id),
        )

    key = (id(app), id(pack), question_id, mode_arg, request.script_root)
    return _kept(_links, key, (app, pack), make)


def card_actions_html(pack_id, question_id, mark, *, revealed, undo_available, buried=False,
                      editing_note=False, note_draft=None, mode_arg=None, run=None,
                      redo_available=False):
    """The card actions (templates/card_actions.html) for Review, Browse and Focus cards.

    Rendered through :func:`trainer.web.fragments.part`, so Review and Browse cards with
    the same values share one rendering; a Focus ``run`` (a dict) is rendered each time.
    """
    return part("card_actions.html", pack_id=pack_id, question_id=question_id,
                mode_arg=mode_arg, revealed=revealed, starred=bool(mark.get("starred")),
                note=mark.get("note") or "", buried=buried,
                suspended=card_actions.is_suspended(mark), undo_available=undo_available,
                redo_available=redo_available, editing_note=editing_note,
                note_max=card_actions.NOTE_MAX, note_draft=note_draft, run=run)


def answer_side_html(question):
    """The answer side of ``question`` (templates/_answer_side.html), a kept part.

    It depends on the question alone and every card carries it now (#14); a Focus card,
    rendered afresh, still finds it kept. The flip's CPU went from 1.5 to 1.1 ms here
    (docs/performance.md, "Instant cards").
    """
    return part("_answer_side.html", question=question)


@dataclass(frozen=True)
class Interval:
    """What one grade would do to a card: ``label`` on the button ("4d", "<10m"),
    ``words`` for a screen reader and the confirmation ("in 4 days")."""

    label: str
    words: str


@dataclass(frozen=True)
class GradeIntervals:
    """The :class:`Interval` of each grade 1-4, read as ``intervals[3]`` (Good)."""

    by_rating: tuple  # Interval of grade 1, 2, 3, 4

    def __getitem__(self, rating):
        return self.by_rating[rating - 1]


_intervals = {}
INTERVAL_MINUTE = 60  # a seen card's intervals are kept for the minute they were worked out


def grade_intervals(profile, pack, question_id, state):
    """What each grade would do to this card now, as the grade buttons show it.

    Every card carries its grade buttons now (#14), so every flip asks. A new card's
    intervals do not depend on the time (its first steps, or Easy's whole days), so they
    are kept per scheduler (``scheduler_for`` hands out one object per set of settings)
    and card: 4 FSRS reviews a flip saved, the flip's CPU from 1.6 to 1.1 ms here
    (docs/performance.md, "Instant cards"). A seen card's are kept per state (its last
    review and due time) for the minute they were worked out: FSRS counts whole days
    since the last review, so within a minute the grade gives the same intervals (at a
    10,000-review history, 0.33 ms of a 2.4 ms flip). One object per key, so the grade
    buttons rendered from it are kept too (trainer/web/fragments.py).
    """
    ahead = learn_ahead_seconds(profile)
    scheduler = scheduler_for_profile(profile)
    if state is None:
        key = (id(scheduler), pack.id, question_id, ahead)
    else:
        key = (id(scheduler), pack.id, question_id, ahead, state.get("last_review"),
               state.get("due"), int(time.time() // INTERVAL_MINUTE))

    def make():
        seconds = next_intervals(scheduler, pack.id, question_id, state)
        return GradeIntervals(tuple(
            Interval(interval_label(seconds[rating], ahead), interval_words(seconds[rating]))
            for rating in sorted(RATING_LABELS)))

    return _kept(_intervals, key, (scheduler,), make)


def grade_id_or_400():
    """The grade's own id from the form (the page's outbox makes one), or None."""
    grade_id = request.form.get("grade_id")
    if grade_id is None or grade_id == "":
        return None
    if not is_grade_id(grade_id):
        abort(400, description="A grade id is 8 to 64 letters, digits, - or _.")
    return grade_id


def graded_notice(graded, question):
    """The confirmation a grade leaves on the next card: "Good: back in 4 days"."""
    if graded.duplicate:
        return (f"Already applied: your grade of “{question.title}” had reached the "
                "server before, so it counts once.")
    words = interval_words(graded.due - time.time())
    text = f"{RATING_LABELS[graded.rating]}: “{question.title}” back {words}."
    if graded.suspended:
        text += " It lapsed often: tagged a leech and suspended."
    elif graded.leech:
        text += " It lapsed often: tagged a leech."
    return text + " Undo with u."


def card_html(pack, question, *, mode, links, revealed, position, mark, counts, notice,
              intervals, actions_html, run=None, checked=None):
    """A question card (templates/_card.html), for Review, Browse and Focus alike.

    Rendered through :func:`trainer.web.fragments.part`: the card is kept per question,
    side, mode, links and intervals, and the visitor's own counts, notice and actions
    fill its holes, so the next visitor on the same card, or the grade that brings the
    card the page held ready, reuses it. A Focus ``run`` or a typed answer (``checked``)
    is a dict, and part() renders those afresh.
    """
    return part(
        "_card.html",
        fill={"counts": part("_review_counts.html", new_count=counts["new_count"],
                             new_held=counts["new_held"], due_count=counts["due_count"]),
              "notice": notice or "", "actions": actions_html},
        pack_id=pack.id, pack_title=pack.title, mode=run["mode"] if run else mode,
        mode_label=run["label"] if run else ("Browse" if mode == "browse" else None),
        links=run or links, run=run, question=question, revealed=revealed,
        position=run["position"] if run else position,
        total=run["total"] if run else len(pack.questions),
        starred=bool(mark.get("starred")), has_notice=bool(notice), intervals=intervals,
        answer_side_html=answer_side_html(question), answer_max=answer_check.ANSWER_MAX,
        checked=checked)


def _next_card(profile, pack, now):
    """For the caught-up card: when the next card is due, and how long to wait for it."""
    due, available = next_due(profile, pack, now)
    if due is None:
        return None
    wait = min(max(round(available - now), 1), POLL_MAX_SECONDS)
    return {"words": interval_words(due - now), "wait": wait}


def _context(pack, question=None, revealed=False, notice=None, editing_note=False,
             redo_available=False, ahead=False, **extra):
    """What the card template needs for ``question`` (None: the "all caught up" card)."""
    profile = current_profile()
    states = profile.cards_in(pack.id)
    now = time.time()
    shown = review_counts(pack, profile, states, now)
    browsing = _browsing()
    context = {
        "pack": pack, "question": question, "revealed": revealed, **shown,
        "notice": notice,
        "undo_available": any(s.get("last_review") for s in states.values()),
        "new_limit": new_limit(profile),
        # Questions wait and none is offered: today's allowance is used up.
        "limit_reached": shown["new_held"] > 0 and shown["new_count"] == 0,
        "mode": "browse" if browsing else "review",
        "run": None,  # Focus sets one; saying so spares the template an undefined lookup
        **extra,
    }
    if question is not None:
        mark = profile.mark(pack.id, question.id)
        mode_arg = "browse" if browsing else None
        state = states.get(question.id)
        context["card_html"] = card_html(
            pack, question, mode=context["mode"], links=card_links(pack, question.id, mode_arg),
            revealed=revealed, position=pack.position(question.id) + 1, mark=mark,
            counts=shown, notice=notice, checked=extra.get("checked"),
            intervals=grade_intervals(profile, pack, question.id, state),
            actions_html=card_actions_html(
                pack.id, question.id, mark, revealed=revealed,
                undo_available=context["undo_available"],
                buried=card_actions.is_buried(mark, now), editing_note=editing_note,
                note_draft=extra.get("note_draft"), mode_arg=mode_arg,
                redo_available=redo_available))
        if not (revealed or editing_note or ahead):  # a card held ahead is not shown yet
            card_shown(profile, pack.id, question.id, now)
    else:
        context["next_card"] = _next_card(profile, pack, now)
        context["card_html"] = caught_up_html(context)
    return context


def caught_up_html(context):
    """The "all caught up" card (templates/_caught_up.html), with the page's context."""
    return Markup(render_template("_caught_up.html", **context))  # noqa: S704


def _card(pack, question=None, *, status=200, push_url=None, redirect_to=None, **context):
    """Answer with the card (the ``card`` block for htmx, else the whole page)."""
    context = _context(pack, question, **context)
    return respond("practice.html", "card", status=status, push_url=push_url,
                   redirect_to=redirect_to, block_html=context.pop("card_html"), **context)


def _card_url(pack, question_id, revealed=False):
    return url_for(".card", pack_id=pack.id, question_id=question_id,
                   reveal=1 if revealed else None, mode="browse" if _browsing() else None)


def _show(pack, question_id, notice=None):
    """Answer a change with card ``question_id`` (None: "all caught up"), at its URL."""
    url = _card_url(pack, question_id) if question_id else url_for(".start", pack_id=pack.id)
    question = pack.question(question_id) if question_id else None
    return _card(pack, question, redirect_to=url, notice=notice)


def _show_same(pack, question, notice=None):
    """Answer a card action with the same card, on the side it was on."""
    revealed = request.form.get("reveal") == "1"
    return _card(pack, question, redirect_to=_card_url(pack, question.id, revealed),
                 revealed=revealed, notice=notice)


SKIP_MAX = 20  # grades a page may hold unsent while it asks for the card after them


def _next_after(pack, question_id, skip=()):
    """What follows ``question_id`` without a grade: Browse's next, or Review's next
    (other than the cards in ``skip``)."""
    if _browsing():
        return pack.neighbour(question_id, 1)
    return next_in_review(current_profile(), pack, exclude={question_id, *skip})


@bp.get("/<pack_id>")
def start(pack_id):
    pack = pack_or_404(pack_id)
    question_id = next_in_review(current_profile(), pack)
    if question_id is None:
        return _card(pack)
    return _card(pack, pack.question(question_id),
                 redirect_to=url_for(".card", pack_id=pack.id, question_id=question_id))


@bp.get("/<pack_id>/<question_id>")
def card(pack_id, question_id):
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    return _card(pack, question, revealed=query_value("reveal") == "1",
                 editing_note=query_value("note") == "1")


@bp.get("/<pack_id>/<question_id>/next")
def after(pack_id, question_id):
    """The card a grade of ``question_id`` would bring now (held ready by the page)."""
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    skip = request.args.getlist("skip")[:SKIP_MAX]  # graded in the page, not yet arrived
    next_id = _next_after(pack, question.id, skip)
    return _card(pack, pack.question(next_id) if next_id else None, ahead=True)


@bp.post("/<pack_id>/<question_id>/grade")
def grade_card(pack_id, question_id):
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    rating = rating_or_400(request.form)
    graded, next_id = grade_then_next(current_profile(), pack, question.id, rating,
                                      browsing=_browsing(), grade_id=grade_id_or_400())
    return _show(pack, next_id, notice=graded_notice(graded, question))


@bp.post("/<pack_id>/undo")
def undo(pack_id):
    pack = pack_or_404(pack_id)
    try:
        question_id = card_actions.undo_last_grade(current_profile(), pack.id)
    except card_actions.CardActionError as exc:
        if not is_htmx():
            abort(409, description=str(exc))
        return _card(pack, pack.question(request.form.get("question", "")), notice=str(exc))
    question = pack.question(question_id)
    if question is None:  # the pack no longer has it: the undo still stood
        return _card(pack, redirect_to=_card_url(pack, question_id),
                     push_url=url_for(".start", pack_id=pack.id), notice="Grade undone.")
    return _card(pack, question, redirect_to=_card_url(pack, question_id),
                 redo_available=True,
                 notice=f"Undid your grade of “{question.title}”. Redo with Ctrl+Shift+Z.")


@bp.post("/<pack_id>/redo")
def redo(pack_id):
    """Give back the grade just undone, then go on as after that grade."""
    pack = pack_or_404(pack_id)
    profile = current_profile()
    try:
        question_id = card_actions.redo_last_undo(profile, pack.id)
    except card_actions.CardActionError as exc:
        if not is_htmx():
            abort(409, description=str(exc))
        return _card(pack, pack.question(request.form.get("question", "")), notice=str(exc))
    question = pack.question(question_id)
    title = question.title if question else question_id
    return _show(pack, _next_after(pack, question_id),
                 notice=f"Redid your grade of “{title}”.")


@bp.post("/<pack_id>/<question_id>/star")
def star(pack_id, question_id):
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    starred = card_actions.toggle_star(current_profile(), pack.id, question.id)
    return _show_same(pack, question, notice="Starred." if starred else "Star removed.")


@bp.post("/<pack_id>/<question_id>/bury")
def bury(pack_id, question_id):
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    if card_actions.toggle_bury(current_profile(), pack.id, question.id):
        return _show(pack, _next_after(pack, question.id),
                     notice=f"Buried “{question.title}” until tomorrow.")
    return _show_same(pack, question, notice="Back in today's reviews.")


@bp.post("/<pack_id>/<question_id>/suspend")
def suspend(pack_id, question_id):
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    if card_actions.toggle_suspend(current_profile(), pack.id, question.id):
        return _show(pack, _next_after(pack, question.id),
                     notice=f"Suspended “{question.title}”: Review leaves it out until you "
                            "unsuspend it (from your profile page, or on the card).")
    return _show_same(pack, question, notice="Unsuspended: back in Review.")


@bp.post("/<pack_id>/<question_id>/note")
def note(pack_id, question_id):
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    try:
        saved = card_actions.save_note(current_profile(), pack.id, question.id,
                                       request.form.get("note", ""))
    except card_actions.CardActionError as exc:
        if not is_htmx():
            abort(400, description=str(exc))
        return _card(pack, question, revealed=request.form.get("reveal") == "1",
                     notice=str(exc), editing_note=True,
                     note_draft=request.form.get("note", "")[:2 * card_actions.NOTE_MAX])
    return _show_same(pack, question, notice="Note saved." if saved else "Note removed.")


def typed_answer_or_400():
    """The learner's typed answer from the form, cleaned and bounded."""
    try:
        return answer_check.clean_answer(request.form.get("answer", ""))
    except answer_check.AnswerError as exc:
        abort(400, description=str(exc))


@bp.post("/<pack_id>/<question_id>/answer")
def answer(pack_id, question_id):
    pack = pack_or_404(pack_id)
    question = question_or_404(pack, question_id)
    typed = typed_answer_or_400()
    return _card(pack, question, revealed=True,
                 checked=answer_check.check(typed, question.key_points))


@bp.post("/suggest-grade")
def suggest_grade():
    """The grade buttons again, with the grade the ticked key points suggest."""
    total = whole_number_or_400(request.form, "points_total", 0, KEY_POINTS_MAX,
                                "The number of key points")
    ticked = {whole_number_or_400({"point": v}, "point", 0, max(total - 1, 0), "A key point")
              for v in request.form.getlist("point")}
    if ticked and not total:
        abort(400, description="Those key points do not belong to this question.")
    return render_template("grade_buttons.html", ticked=len(ticked),
                           points_total=total,
                           suggested_grade=answer_check.suggest_grade(len(ticked), total))
