"""Mock interview: ``POST /mock/start``, ``GET /mock``, ``POST /mock/answer``, then its
summary; ``POST /mock/star`` stars the questions the summary says to review."""

import math
import time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from trainer.study import mock_interview
from trainer.study.answer_check import ANSWER_MAX, AnswerError
from trainer.study.card_actions import toggle_star
from trainer.views.common import (
    FieldError,
    current_profile,
    pack_or_404,
    trainer,
    whole_number,
)
from trainer.web.htmx import SEE_OTHER

bp = Blueprint("mock", __name__, url_prefix="/mock")


@bp.post("/start")
def start():
    pack = pack_or_404(request.form.get("pack", ""))
    try:
        count = whole_number(request.form.get("count", ""), mock_interview.COUNT_MIN,
                             mock_interview.COUNT_MAX, "The number of questions")
        seconds = whole_number(request.form.get("seconds", ""), mock_interview.SECONDS_MIN,
                               mock_interview.SECONDS_MAX, "The seconds per question")
        mock_interview.start(current_profile(), pack, count, seconds)
    except (FieldError, mock_interview.MockError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("modes.index", pack_id=pack.id), SEE_OTHER)
    return redirect(url_for(".page"), SEE_OTHER)


@bp.get("")
def page():
    run = mock_interview.current(current_profile())
    if run is None:
        flash("There is no mock interview running. Start one from a pack's modes page.", "error")
        return redirect(url_for("home.index"), SEE_OTHER)
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


@bp.post("/answer")
def answer():
    profile = current_profile()
    try:
        index = whole_number(request.form.get("index", ""), 0, mock_interview.COUNT_MAX,
                             "The question number")
        mock_interview.answer(profile, request.form.get("run", ""), index,
                              request.form.get("answer", ""))
    except (FieldError, mock_interview.MockError, AnswerError) as exc:
        flash(str(exc), "error")
    return redirect(url_for(".page"), SEE_OTHER)


@bp.post("/star")
def star():
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
    return redirect(url_for("focus.run", pack_id=pack.id, starred=1), SEE_OTHER)
