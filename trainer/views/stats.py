"""The stats page: heatmap, forecast, retention, strength and streak, as inline SVG.

The charts are drawn on the server (no chart library, no script): the geometry is
worked out here and the template writes ``<svg>`` elements whose look comes from classes
in ``static/stats.css``, as the CSP forbids inline styles. Every chart has a text
alternative: a title and description, and a table with the same numbers.
"""

import time
from datetime import timedelta

from flask import Blueprint, render_template

from trainer.profiles.settings import scheduler_for_profile
from trainer.study import stats
from trainer.study.history import effective_reviews
from trainer.views.common import current_profile, trainer

bp = Blueprint("stats", __name__, url_prefix="/stats")

CELL, GAP = 11, 3
STEP = CELL + GAP
BAR_AREA = 100
STRENGTH_BAR = 260
TIME_DAYS = 14


def heatmap_chart(cells):
    months = []
    last_month = None
    for cell in cells:
        if cell.weekday == 0 and cell.day.month != last_month:
            last_month = cell.day.month
            months.append({"x": 30 + cell.week * STEP, "label": cell.day.strftime("%b")})
    weeks = (cells[-1].week + 1) if cells else 0
    return {
        "cells": [{"x": 30 + c.week * STEP, "y": 16 + c.weekday * STEP, "cell": c}
                  for c in cells],
        "months": months, "size": CELL,
        "width": 30 + weeks * STEP, "height": 16 + 7 * STEP,
        "rows": [{"y": 16 + i * STEP + CELL - 1, "label": name}
                 for i, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))],
    }


def forecast_chart(days):
    busiest = max((n for _, n in days), default=0)
    bars = []
    for i, (day, n) in enumerate(days):
        height = 0 if not busiest else max(2, round(BAR_AREA * n / busiest)) if n else 0
        bars.append({"x": 4 + i * 16, "y": 10 + BAR_AREA - height, "height": height,
                     "day": day, "count": n, "label": "today" if i == 0 else f"+{i}",
                     "tick": i % 7 == 0})
    return {"bars": bars, "width": 4 + len(days) * 16, "height": BAR_AREA + 30,
            "base": 10 + BAR_AREA, "busiest": busiest}


def strength_chart(rows):
    return {"rows": [{"y": i * 24, "row": r, "fill": round(STRENGTH_BAR * r.recall)}
                     for i, r in enumerate(rows)],
            "width": 170 + STRENGTH_BAR + 50, "height": max(len(rows) * 24, 24),
            "bar": STRENGTH_BAR}


def hourly_chart(hours):
    """24 bars: reviews per hour of day, and the share not graded Again."""
    busiest = max((h.reviews for h in hours), default=0)
    bars = []
    for h in hours:
        height = round(BAR_AREA * h.reviews / busiest) if busiest and h.reviews else 0
        bars.append({"x": 4 + h.hour * 16, "y": 10 + BAR_AREA - height, "height": height,
                     "hour": h, "tick": h.hour % 6 == 0})
    return {"bars": bars, "width": 4 + 24 * 16, "height": BAR_AREA + 30,
            "base": 10 + BAR_AREA, "busiest": busiest,
            "total": sum(h.reviews for h in hours)}


def _still_in_a_pack(card):
    """Progress on a question its pack no longer has is kept, but not counted."""
    pack = trainer().packs.get(card["pack"])
    return pack is not None and pack.question(card["question"]) is not None


@bp.get("")
def page():
    profile = current_profile()
    packs = list(trainer().packs)
    now = time.time()
    today = stats.day_of(now)
    reviews = effective_reviews(profile.reviews())
    per_day = stats.reviews_per_day(reviews)
    cells = stats.heatmap(per_day, today)
    cards = [c for c in profile.all_cards() if _still_in_a_pack(c)]
    days = stats.forecast(cards, now)
    recalled, reviewed = stats.true_retention(reviews)
    recalled_30, reviewed_30 = stats.true_retention(
        reviews, since_ts=now - 30 * 86400)
    cards_by_pack = {p.id: profile.cards_in(p.id) for p in packs}
    by_pack, by_tag = stats.strength(packs, cards_by_pack, scheduler_for_profile(profile), now)
    spent = stats.time_per_day(reviews)
    hours = stats.hourly(reviews)
    return render_template(
        "stats.html",
        total_reviews=len(reviews),
        reviews_in_heatmap=sum(c.count for c in cells),
        active_days=sum(1 for c in cells if c.count),
        heatmap=heatmap_chart(cells), first_day=cells[0].day, today=today,
        busy_days=[c for c in reversed(cells) if c.count],
        forecast=forecast_chart(days), forecast_total=sum(n for _, n in days),
        forecast_week=sum(n for _, n in days[:7]),
        retention=(recalled, reviewed), retention_30=(recalled_30, reviewed_30),
        by_pack=strength_chart(by_pack),
        # Tags you have studied get the chart; the others are listed, folded away.
        by_tag=strength_chart([t for t in by_tag if t.seen]),
        unstudied_tags=sorted(t.label for t in by_tag if not t.seen),
        time_today=spent.get(today, 0), time_week=sum(
            v for d, v in spent.items() if (today - d).days < 7),
        time_days=[(today - timedelta(days=i), spent.get(today - timedelta(days=i), 0))
                   for i in range(TIME_DAYS)],
        by_state=stats.counts_by_state(
            packs, cards_by_pack, {p.id: profile.marks_in(p.id) for p in packs}),
        hourly=hourly_chart(hours),
        streak=stats.streak(per_day, today),
        reviewed_today=per_day.get(today, 0),
        yesterday=today - timedelta(days=1),
    )
