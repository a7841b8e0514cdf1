"""Stats: what the review log and the card states say about a learner's progress.

Everything here is a pure function of the effective reviews (history.py: undone grades
left out), the card states and the clock, so it is easy to test and the page never
writes anything. Days are the server's local calendar days, as for burying.

* reviews per day (the calendar heatmap) and the current streak of days with reviews;
* the due forecast: how many cards fall due on each of the next 30 days (anything
  overdue counts for today);
* true retention: of the reviews of cards that were in FSRS's Review state (past their
  learning steps), the share not graded Again; learning and relearning steps are left
  out, as Anki does;
* strength: the mean probability of recalling a pack's (or a tag's) questions now, by
  FSRS, with never-seen questions counted as not known;
* time spent per day: the sum of each review's duration (the time from the card shown
  to its grade, capped at a minute as Anki does; reviews logged before durations were
  kept count nothing);
* cards by state: new, learning, review, relearning, and suspended (counted apart);
* the hourly breakdown: reviews and the share not graded Again, by hour of day.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import fsrs

HEATMAP_WEEKS = 52
FORECAST_DAYS = 30


def day_of(ts):
    return datetime.fromtimestamp(ts).date()


def reviews_per_day(reviews):
    return Counter(day_of(r["at"]) for r in reviews)


def streak(per_day, today):
    """Days in a row with at least one review, ending today (or yesterday: today still
    has time)."""
    day = today if per_day.get(today) else today - timedelta(days=1)
    count = 0
    while per_day.get(day):
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class HeatCell:
    day: date
    count: int
    level: int  # 0 (none) to 4 (busiest)
    week: int  # column, 0 = oldest
    weekday: int  # row, 0 = Monday


def heatmap(per_day, today, weeks=HEATMAP_WEEKS):
    """Cells for the last ``weeks`` weeks, Monday-first columns, ending with today."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    busiest = max((per_day.get(first + timedelta(days=i), 0)
                   for i in range((today - first).days + 1)), default=0)
    cells = []
    day = first
    while day <= today:
        count = per_day.get(day, 0)
        level = 0 if count == 0 else min(4, -(-4 * count // busiest))
        offset = (day - first).days
        cells.append(HeatCell(day, count, level, offset // 7, offset % 7))
        day += timedelta(days=1)
    return cells


def forecast(cards, now_ts, days=FORECAST_DAYS):
    """[(day, cards due that day)] for today and the next ``days - 1`` days."""
    today = day_of(now_ts)
    due = Counter()
    for card in cards:
        day = max(day_of(card["due"]), today)
        if (day - today).days < days:
            due[day] += 1
    return [(today + timedelta(days=i), due.get(today + timedelta(days=i), 0))
            for i in range(days)]


def _was_in_review(review):
    """True when the card was in FSRS's Review state before this review."""
    previous = review.get("previous")
    return isinstance(previous, dict) and previous.get("state") == fsrs.State.Review


def true_retention(reviews, since_ts=None):
    """(recalled, reviewed): reviews of cards in the Review state, and how many were not
    Again. A first review, a learning step or a relearning step does not count."""
    relevant = [r for r in reviews if _was_in_review(r)
                and (since_ts is None or r["at"] >= since_ts)]
    return sum(1 for r in relevant if r["rating"] > 1), len(relevant)


@dataclass(frozen=True)
class Strength:
    label: str
    total: int
    seen: int
    recall: float  # mean probability of recall over all questions, 0..1


def _recall(scheduler, state, now):
    if state is None:
        return 0.0
    card = fsrs.Card.from_dict(state["fsrs"])
    return scheduler.get_card_retrievability(card, now)


def strength(packs, cards_by_pack, scheduler, now_ts):
    """(per pack, per tag) lists of :class:`Strength`, strongest first."""
    now = datetime.fromtimestamp(now_ts).astimezone()
    per_pack = []
    tags: dict[str, list] = {}
    for pack in packs:
        states = cards_by_pack.get(pack.id, {})
        recalls = []
        for question in pack.questions:
            state = states.get(question.id)
            recall = _recall(scheduler, state, now)
            recalls.append((recall, state is not None))
            for tag in question.tags:
                tags.setdefault(tag, []).append((recall, state is not None))
        per_pack.append(_summary(pack.title, recalls))
    per_tag = [_summary(tag, values) for tag, values in tags.items()]
    order = lambda s: (-s.recall, s.label)  # noqa: E731
    return sorted(per_pack, key=order), sorted(per_tag, key=order)


def _summary(label, values):
    total = len(values)
    return Strength(label, total, sum(1 for _, seen in values if seen),
                    sum(r for r, _ in values) / total if total else 0.0)


def time_per_day(reviews):
    """{day: seconds spent} from the reviews' durations."""
    spent = Counter()
    for r in reviews:
        duration = r.get("duration_ms")
        if isinstance(duration, int | float) and duration > 0:
            spent[day_of(r["at"])] += duration / 1000
    return spent


STATES = ("new", "learning", "review", "relearning", "suspended")
_STATE_OF = {int(fsrs.State.Learning): "learning", int(fsrs.State.Review): "review",
             int(fsrs.State.Relearning): "relearning"}


def counts_by_state(packs, cards_by_pack, marks_by_pack):
    """How many questions of the installed packs are in each state (suspended apart)."""
    counts = dict.fromkeys(STATES, 0)
    for pack in packs:
        states, marks = cards_by_pack.get(pack.id, {}), marks_by_pack.get(pack.id, {})
        for question in pack.questions:
            if (marks.get(question.id) or {}).get("suspended"):
                counts["suspended"] += 1
                continue
            state = states.get(question.id)
            counts["new" if state is None else
                   _STATE_OF.get(state["fsrs"].get("state"), "review")] += 1
    return counts


@dataclass(frozen=True)
class Hour:
    hour: int
    reviews: int
    recalled: int

    @property
    def rate(self):
        return self.recalled / self.reviews if self.reviews else None


def hourly(reviews):
    """24 :class:`Hour` rows (local time): reviews, and how many were not Again."""
    total, recalled = Counter(), Counter()
    for r in reviews:
        hour = datetime.fromtimestamp(r["at"]).hour
        total[hour] += 1
        recalled[hour] += r.get("rating", 1) > 1
    return [Hour(h, total[h], recalled[h]) for h in range(24)]
