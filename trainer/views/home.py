"""Home: the packs with their question and due counts, and the profile's display name."""

import time

from flask import Blueprint, flash, redirect, render_template, request, url_for

from trainer.profiles import NAME_MAX
from trainer.scheduling import counts
from trainer.views.common import current_profile, trainer

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    profile = current_profile()
    now = time.time()
    rows = []
    for pack in trainer().packs:
        new, due = counts(pack.question_ids, profile.cards_in(pack.id), now)
        rows.append({"pack": pack, "new": new, "due": due, "total": len(pack.questions)})
    return render_template("home.html", rows=rows, profile=profile,
                           pack_errors=trainer().packs.errors, name_max=NAME_MAX)


@bp.post("/profile")
def update_profile():
    """Change the display name: 1 to 40 characters, kept as typed (escaped on output)."""
    name = " ".join(request.form.get("name", "").split())
    if not name or len(name) > NAME_MAX:
        flash(f"A display name needs 1 to {NAME_MAX} characters.", "error")
        return redirect(url_for("home.index"), 303)
    current_profile().update_settings(name=name)
    flash("Display name saved.", "ok")
    return redirect(url_for("home.index"), 303)
