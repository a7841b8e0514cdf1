"""The study plan (the job loop): ``GET /plan`` shows it, ``POST /plan/start`` makes one
for a role (the home page's starter), ``POST /plan`` saves the learner's changes and
``POST /plan/off`` turns it off. The rules are study/plan.py's."""

import time

from flask import Blueprint, flash, redirect, request, url_for

from trainer.packs.model import DIFFICULTIES
from trainer.study import plan as study_plan
from trainer.study.queue import review_counts
from trainer.views.common import current_profile, trainer
from trainer.web.htmx import SEE_OTHER, respond

bp = Blueprint("plan", __name__, url_prefix="/plan")


def _page(plan, status=200, error=None, form_role=None):
    profile = current_profile()
    now = time.time()
    packs = trainer().packs.shelf()
    rows = study_plan.plan_rows(plan, packs)
    for row in rows:
        if row["in_plan"]:
            pack = row["pack"]
            row.update(review_counts(pack, profile, profile.cards_in(pack.id), now))
    return respond("plan.html", status=status, plan=plan, rows=rows, roles=study_plan.ROLES,
                   difficulties=DIFFICULTIES, error=error, form_role=form_role,
                   new_per_day_max=study_plan.NEW_PER_DAY_MAX,
                   new_limit=study_plan.new_limit(profile))


@bp.get("")
def page():
    return _page(study_plan.current_plan(current_profile()))


@bp.post("/start")
def start():
    """Start the job loop for the role picked on the home page."""
    profile = current_profile()
    try:
        plan = study_plan.start_plan(profile, request.form.get("role", ""),
                                     [pack.id for pack in trainer().packs])
    except study_plan.PlanError as exc:
        flash(str(exc), "error")
        return redirect(url_for("home.index"), SEE_OTHER)
    flash(f"Your study plan: {plan.title}, {plan.new_per_day} new questions a day.", "ok")
    return redirect(url_for(".page"), SEE_OTHER)


@bp.post("")
def save():
    profile = current_profile()
    try:
        plan = study_plan.parse_plan_form(request.form, trainer().packs.shelf())
    except study_plan.PlanError as exc:
        return _page(study_plan.current_plan(profile), status=400, error=str(exc))
    study_plan.save_plan(profile, plan)
    flash("Study plan saved.", "ok")
    return redirect(url_for(".page"), SEE_OTHER)


@bp.post("/off")
def off():
    study_plan.turn_off(current_profile())
    flash("Study plan turned off: Review offers every question again.", "ok")
    return redirect(url_for("home.index"), SEE_OTHER)
