"""Study modes: which question comes next.

* Review: due cards by FSRS (most overdue first), then new questions while today's
  new-question limit lasts; buried cards wait until tomorrow.
* Browse: the pack in order (``Pack.neighbour``).
* Focus: a filtered, shuffled run through a pack (see :func:`focus_order`).
"""

import random
import time

from trainer.profiles.settings import new_limit
from trainer.study.card_actions import is_buried, start_of_day
from trainer.study.scheduling import counts, due_questions


def new_today(profile, now_ts):
    """How many questions this profile met for the first time today (all packs)."""
    return profile.introduced_since(start_of_day(now_ts))


def new_allowance(profile, now_ts):
    """How many new questions Review may still bring in today (the limit is for all packs)."""
    return max(new_limit(profile) - new_today(profile, now_ts), 0)


def review_counts(pack, profile, states, now_ts):
    """The counts a card or the modes page shows: what Review offers now.

    ``new_count`` is the new questions Review will bring in today (never more than the
    daily allowance left), ``new_held`` those the limit keeps for another day.
    """
    new, due = counts(pack.question_ids, states, now_ts)
    offered = min(new, new_allowance(profile, now_ts))
    return {"new_count": offered, "new_held": new - offered, "due_count": due}


def review_queue(pack, states, marks, now_ts, new_allowance):
    """Question ids to review now, in order; at most ``new_allowance`` new ones."""
    queue = []
    new_taken = 0
    for question_id in due_questions(pack.question_ids, states, now_ts):
        if is_buried(marks.get(question_id), now_ts):
            continue
        if question_id not in states:
            if new_taken >= new_allowance:
                continue
            new_taken += 1
        queue.append(question_id)
    return queue


def next_in_review(profile, pack, exclude=None, now_ts=None):
    """The next card Review offers in ``pack`` (honouring buries and today's new limit),
    other than ``exclude``; None when nothing is left for now."""
    now_ts = time.time() if now_ts is None else now_ts
    queue = review_queue(pack, profile.cards_in(pack.id), profile.marks_in(pack.id), now_ts,
                         new_allowance(profile, now_ts))
    return next((question_id for question_id in queue if question_id != exclude), None)


def focus_order(pack, marks, seed, tag="", difficulty="", starred=False):
    """The questions of a pack that match the filter, shuffled by ``seed``."""
    chosen = [
        q.id for q in pack.questions
        if (not tag or tag in q.tags)
        and (not difficulty or q.difficulty == difficulty)
        and (not starred or marks.get(q.id, {}).get("starred"))
    ]
    random.Random(seed).shuffle(chosen)  # noqa: S311 - an order to study in, not a secret
    return chosen
