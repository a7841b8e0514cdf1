"""Study modes: which question comes next.

* Review: due cards by FSRS (most overdue first), then new questions while today's
  new-question limit lasts; review cards only while today's review limit lasts (learning
  cards are never held back); buried cards wait until tomorrow, suspended ones until
  unsuspended. When nothing else is left, a learning or relearning card due within the
  learn-ahead window (20 min by default, as Anki) comes now rather than later.
* Browse: the pack in order (``Pack.neighbour``).
* Focus: a filtered, shuffled run through a pack (see :func:`focus_order`).

While the profile has a study plan (study/plan.py, the job loop), Review offers only the
questions in it, and the plan's daily new-question limit replaces the profile's.
"""

import random
import time

from trainer.profiles.settings import learn_ahead_seconds, review_limit
from trainer.study.card_actions import end_of_day, is_buried, is_suspended, start_of_day
from trainer.study.plan import new_limit, review_scope
from trainer.study.scheduling import LEARNING_STATES, REVIEW_STATE, counts, due_questions


def new_today(profile, now_ts):
    """How many questions this profile met for the first time today (all packs)."""
    return profile.introduced_since(start_of_day(now_ts))


def new_allowance(profile, now_ts):
    """How many new questions Review may still bring in today (the limit is for all packs;
    a study plan's while one is on)."""
    return max(new_limit(profile) - new_today(profile, now_ts), 0)


def review_allowance(profile, now_ts):
    """How many review cards Review may still show today (the limit is for all packs)."""
    return max(review_limit(profile) - profile.reviewed_since(start_of_day(now_ts)), 0)


def _suspended(marks):
    return {qid for qid, mark in marks.items() if is_suspended(mark)}


def review_counts(pack, profile, states, now_ts, marks=None):
    """The counts a card or the modes page shows: what Review offers now.

    ``new_count`` is the new questions Review will bring in today (never more than the
    daily allowance left), ``new_held`` those the limit keeps for another day; suspended
    cards count nowhere, and neither do questions a study plan leaves out
    (``outside_plan``: how many, 0 without a plan).
    """
    marks = profile.marks_in(pack.id) if marks is None else marks
    suspended = _suspended(marks)
    ids = pack.question_id_set - suspended if suspended else pack.question_id_set
    scope = review_scope(profile, pack)
    if scope is not None:
        ids = ids & scope
    new, due = counts(ids, states, now_ts)
    offered = min(new, new_allowance(profile, now_ts))
    return {"new_count": offered, "new_held": new - offered, "due_count": due,
            "suspended_count": len(suspended),
            "outside_plan": 0 if scope is None else len(pack.questions) - len(scope)}


def review_queue(pack, states, marks, now_ts, new_allowance, review_allowance=None,
                 scope=None):
    """Question ids to review now, in order; at most ``new_allowance`` new ones and
    ``review_allowance`` review cards (None: no limit); only ids in ``scope`` when it is
    given (a study plan's questions)."""
    queue = []
    new_taken = reviews_taken = 0
    for question_id in due_questions(pack.question_ids, states, now_ts):
        if scope is not None and question_id not in scope:
            continue
        mark = marks.get(question_id)
        if is_buried(mark, now_ts) or is_suspended(mark):
            continue
        state = states.get(question_id)
        if state is None:
            if new_taken >= new_allowance:
                continue
            new_taken += 1
        elif review_allowance is not None and state["fsrs"].get("state") == REVIEW_STATE:
            if reviews_taken >= review_allowance:
                continue
            reviews_taken += 1
        queue.append(question_id)
    return queue


def learning_ahead(states, marks, now_ts, window_seconds, scope=None):
    """Learning and relearning cards due within the window, soonest first (only those
    in ``scope`` when it is given)."""
    soon = sorted((s["due"], qid) for qid, s in states.items()
                  if (scope is None or qid in scope)
                  and s["fsrs"].get("state") in LEARNING_STATES
                  and s["due"] <= now_ts + window_seconds
                  and not is_buried(marks.get(qid), now_ts)
                  and not is_suspended(marks.get(qid)))
    return [qid for _, qid in soon]


def next_in_review(profile, pack, exclude=None, now_ts=None):
    """The next card Review offers in ``pack``, other than ``exclude``; when nothing else
    is left, a learning card due within the learn-ahead window (even ``exclude``: a card
    just failed comes back, as in Anki); None when nothing is left for now.

    ``exclude`` is one question id or a set of them (cards graded in the page whose
    grades are still on their way, for the card it holds ready)."""
    now_ts = time.time() if now_ts is None else now_ts
    excluded = {exclude} if exclude is None or isinstance(exclude, str) else set(exclude)
    states, marks = profile.cards_in(pack.id), profile.marks_in(pack.id)
    scope = review_scope(profile, pack)
    queue = review_queue(pack, states, marks, now_ts, new_allowance(profile, now_ts),
                         review_allowance(profile, now_ts), scope)
    chosen = next((question_id for question_id in queue if question_id not in excluded), None)
    if chosen is None:
        ahead = learning_ahead(states, marks, now_ts, learn_ahead_seconds(profile), scope)
        chosen = ahead[0] if ahead else None
    return chosen


def next_due(profile, pack, now_ts=None):
    """When Review will have a card for this pack again, for the "all caught up" card.

    Returns ``(due_at, available_at)``: when the soonest card falls due, and when Review
    will offer it (a learning card within the learn-ahead window before it is due; a
    card held by a daily limit or buried at the start of tomorrow). ``(None, None)``
    when no card is waiting (every question suspended or outside the study plan, or the
    pack empty).
    """
    now_ts = time.time() if now_ts is None else now_ts
    states, marks = profile.cards_in(pack.id), profile.marks_in(pack.id)
    scope = review_scope(profile, pack)
    tomorrow = end_of_day(now_ts)
    window = learn_ahead_seconds(profile)
    reviews_left = review_allowance(profile, now_ts) > 0
    best = (None, None)
    for question_id in pack.question_ids:
        mark = marks.get(question_id)
        if is_suspended(mark) or (scope is not None and question_id not in scope):
            continue
        state = states.get(question_id)
        if state is None:
            due = available = now_ts if new_allowance(profile, now_ts) else tomorrow
        else:
            due = available = state["due"]
            if state["fsrs"].get("state") in LEARNING_STATES:
                available = due - window
            elif not reviews_left:
                available = max(due, tomorrow)
        if is_buried(mark, now_ts):
            available = max(available, tomorrow)
        if best[1] is None or available < best[1]:
            best = (max(due, now_ts), max(available, now_ts))
    return best


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
