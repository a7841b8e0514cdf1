"""Home: the packs with their question and due counts, the job loop's starter (or the
study plan in force), and the profile's display name."""

import time

from flask import Blueprint, flash, redirect, render_template, request, url_for

from trainer.study import plan as study_plan
from trainer.study.scheduling import counts
from trainer.views.common import NAME_MAX, NameRefused, current_profile, display_name, trainer
from trainer.web.htmx import SEE_OTHER

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    profile = current_profile()
    now = time.time()
    rows = []
    for pack in trainer().packs.shelf():  # the built-in pack first, however many there are
        new, due = counts(pack.question_ids, profile.cards_in(pack.id), now)
        rows.append({"pack": pack, "new": new, "due": due, "total": len(pack.questions)})
    plan = study_plan.current_plan(profile)
    return render_template("home.html", rows=rows, profile=profile,
                           pack_errors=trainer().packs.errors, name_max=NAME_MAX,
                           plan=plan, roles=study_plan.ROLES,
                           plan_packs=[row["pack"].title for row in rows
                                       if plan and row["pack"].id in plan.packs])


@bp.post("/profile")
def update_profile():
    """Change the display name, by the one display-name rule (escaped on output)."""
    try:
        name = display_name(request.form.get("name", ""))
    except NameRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("home.index"), SEE_OTHER)
    current_profile().update_settings(name=name)
    flash("Display name saved.", "ok")
    return redirect(url_for("home.index"), SEE_OTHER)
