"""The profile page: name and study settings, progress export/import, pack reset.

* ``GET /profile`` shows it; ``POST /profile/settings`` saves name and the study
  settings (retention, daily limits, learning steps, learn-ahead, leeches);
* ``POST /profile/unsuspend`` brings a suspended card back (the page lists suspended
  cards and leeches);
* ``GET /profile/export`` downloads progress as JSON; ``POST /profile/import`` merges
  such a file and shows what was merged and what was skipped, and why;
* ``GET /profile/reset/<pack>`` asks for confirmation; ``POST`` to it clears the pack's
  card states and marks (the review log keeps the history, so stats still count it).
"""

import time
from datetime import datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from trainer.config import IMPORT_MAX_BYTES
from trainer.profiles import transfer as progress_io
from trainer.profiles.settings import (
    LEARN_AHEAD_MAX,
    LEECH_THRESHOLD_MAX,
    NEW_LIMIT_MAX,
    RETENTION_MAX,
    RETENTION_MIN,
    REVIEW_LIMIT_MAX,
    SettingsError,
    desired_retention,
    new_limit,
    parse_study_settings,
    study_settings,
)
from trainer.study.card_actions import set_aside_cards, set_suspended
from trainer.study.plan import current_plan
from trainer.views.common import (
    NAME_MAX,
    NameRefused,
    current_profile,
    display_name,
    pack_or_404,
    question_or_404,
    trainer,
)
from trainer.web.htmx import SEE_OTHER

bp = Blueprint("profile", __name__, url_prefix="/profile")
STUDY_FIELDS = ("reviews_per_day", "learn_ahead_minutes", "learning_steps",
                "relearning_steps", "leech_threshold", "leech_action")
SETTING_LIMITS = {"reviews_per_day": REVIEW_LIMIT_MAX, "learn_ahead_minutes": LEARN_AHEAD_MAX,
                  "leech_threshold": LEECH_THRESHOLD_MAX}


def _page(status=200, report=None, import_error=None, form=None):
    profile = current_profile()
    packs = []
    for pack in trainer().packs:
        seen = len(profile.cards_in(pack.id))
        packs.append({"pack": pack, "seen": seen, "marks": len(profile.marks_in(pack.id))})
    context = {
        "profile": profile, "packs": packs, "name_max": NAME_MAX,
        "retention": round(desired_retention(profile) * 100), "new_limit": new_limit(profile),
        "retention_min": round(RETENTION_MIN * 100), "retention_max": round(RETENTION_MAX * 100),
        "new_limit_max": NEW_LIMIT_MAX, "report": report, "import_error": import_error,
        "form": form or {}, "max_mb": IMPORT_MAX_BYTES // (1024 * 1024),
        "study": study_settings(profile), "limits": SETTING_LIMITS,
        "plan": current_plan(profile),
        "set_aside": set_aside_cards(profile, trainer().packs),
    }
    return render_template("profile.html", **context), status


@bp.get("")
def page():
    return _page()


@bp.post("/settings")
def save_settings():
    form = {k: request.form.get(k, "") for k in ("name", "retention", "new_per_day")}
    form.update({k: request.form[k] for k in STUDY_FIELDS if k in request.form})
    try:
        name = display_name(form["name"])
        changes = parse_study_settings(form)
    except (NameRefused, SettingsError) as exc:
        flash(str(exc), "error")
        return _page(400, form=form)
    current_profile().update_settings(name=name, **changes)
    flash("Profile saved.", "ok")
    return redirect(url_for(".page"), SEE_OTHER)


@bp.post("/unsuspend")
def unsuspend():
    """Unsuspend a card listed on the profile page, and come back to the list."""
    pack = pack_or_404(request.form.get("pack", ""))
    question = question_or_404(pack, request.form.get("question", ""))
    if set_suspended(current_profile(), pack.id, question.id, False):
        flash(f"“{question.title}” is back in Review.", "ok")
    return redirect(url_for(".page") + "#set-aside", SEE_OTHER)


@bp.get("/export")
def export():
    profile = current_profile()
    body = progress_io.export_bytes(profile)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="interview-trainer-progress-{stamp}.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/import")
def import_progress():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(400, import_error="Choose an export file (.json) to import.")
    try:
        raw = upload.stream.read(IMPORT_MAX_BYTES + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file
    try:
        report = progress_io.import_progress(current_profile(), trainer().packs, raw,
                                             max_bytes=IMPORT_MAX_BYTES)
    except progress_io.ImportRefused as exc:
        return _page(400, import_error=f"Nothing was imported. {exc}")
    except OSError as exc:
        current_app.logger.error("import into profile %s not saved: %s",
                                 current_profile().id, exc)
        return _page(503, import_error="The import was not saved: the server could not "
                     f"write to its disk ({exc.strerror or exc}). Import the file again "
                     "once it can; nothing already here is ever doubled.")
    return _page(report=report)


@bp.get("/reset/<pack_id>")
def confirm_reset(pack_id):
    pack = pack_or_404(pack_id)
    profile = current_profile()
    return render_template("profile_reset.html", pack=pack,
                           seen=len(profile.cards_in(pack.id)),
                           marks=len(profile.marks_in(pack.id)))


@bp.post("/reset/<pack_id>")
def reset(pack_id):
    pack = pack_or_404(pack_id)
    if request.form.get("confirm") != pack.id:
        flash("Not reset: type the pack id exactly to confirm.", "error")
        return redirect(url_for(".confirm_reset", pack_id=pack.id), SEE_OTHER)
    cards, marks = current_profile().drop_pack(
        pack.id, record={"kind": "reset", "pack": pack.id, "at": time.time()})
    flash(f"Reset “{pack.title}”: {cards} card states and {marks} marks cleared. "
          "Your review history stays in your stats.", "ok")
    return redirect(url_for(".page"), SEE_OTHER)
