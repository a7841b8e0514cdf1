"""Optimize my scheduler, on the profile page (trainer/study/optimizer.py has the rules).

* ``POST /profile/scheduler/optimize`` fits FSRS parameters to the profile's log and
  shows the comparison (or why it cannot yet);
* ``POST /profile/scheduler/accept`` uses the fitted parameters, ``.../keep`` keeps the
  current ones, ``.../reset`` goes back to FSRS's defaults;
* ``POST /profile/scheduler/retention`` applies the suggested desired retention.

htmx swaps the panel (``templates/_scheduler.html``, block ``scheduler``) in place; a
plain form post is sent back to the profile page (303) with the message flashed. The
proposal lives in the profile's settings, so a reload shows the same comparison.
"""

from flask import Blueprint, flash, url_for

from trainer.study import optimizer
from trainer.views.common import current_profile
from trainer.web.htmx import is_htmx, respond

bp = Blueprint("scheduler", __name__, url_prefix="/profile/scheduler")


def scheduler_panel():
    """The optimizer panel of the profile page's include (built only when shown)."""
    return optimizer.panel(current_profile())


@bp.record_once
def _panel(state):
    """``scheduler_panel()`` as a template global, set once (not for every rendering)."""
    state.app.jinja_env.globals["scheduler_panel"] = scheduler_panel


def _answer(message, category="ok"):
    if not is_htmx():
        flash(message, category)
    return respond("_scheduler.html", "scheduler", redirect_to=url_for("profile.page"),
                   message=message, category=category)


@bp.post("/optimize")
def optimize():
    try:
        proposal = optimizer.optimize(current_profile())
    except optimizer.OptimizeRefused as exc:
        return _answer(str(exc), "error")
    return _answer(f"Fitted to {proposal['reviews']} reviews of {proposal['cards']} cards: "
                   "compare, then choose.")


@bp.post("/accept")
def accept():
    if not optimizer.accept_proposal(current_profile()):
        return _answer("There is no fitted set to accept: press Optimize first.", "error")
    return _answer("Your scheduler now uses the fitted parameters.")


@bp.post("/keep")
def keep():
    optimizer.discard_proposal(current_profile())
    return _answer("Kept your current parameters.")


@bp.post("/reset")
def reset():
    optimizer.reset_parameters(current_profile())
    return _answer("Your scheduler uses FSRS's default parameters again.")


@bp.post("/retention")
def apply_retention():
    value = optimizer.apply_suggested_retention(current_profile())
    if value is None:
        return _answer("There is no suggested retention: press Optimize first.", "error")
    return _answer(f"Desired retention set to {value:.0%}.")
