"""The modes page: ``GET /modes/<pack>`` picks Review, Browse, Focus (with its filters) or
a mock interview for one pack. Focus (views/focus.py) and the mock interview
(views/mock.py) have blueprints of their own."""

import time

from flask import Blueprint, render_template

from trainer.packs.model import DIFFICULTIES
from trainer.study import mock_interview
from trainer.study import plan as study_plan
from trainer.study.queue import review_counts
from trainer.views.common import current_profile, pack_or_404
from trainer.views.focus import pack_tags

bp = Blueprint("modes", __name__)


@bp.get("/modes/<pack_id>")
def index(pack_id):
    pack = pack_or_404(pack_id)
    profile = current_profile()
    marks = profile.marks_in(pack.id)
    plan = study_plan.current_plan(profile)
    return render_template(
        "modes.html", pack=pack, tags=pack_tags(pack), difficulties=DIFFICULTIES,
        starred=sum(1 for m in marks.values() if m.get("starred")),
        **review_counts(pack, profile, profile.cards_in(pack.id), time.time()),
        mock=mock_interview, active_mock=mock_interview.current(profile),
        plan=plan, plan_tags=study_plan.focus_tags(plan, pack),
        plan_difficulty=study_plan.focus_difficulty(plan, pack.id))
