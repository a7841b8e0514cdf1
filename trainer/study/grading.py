"""The one grading path: every grade, from any screen, is applied here.

Practice, Browse, Focus and a live session's opt-in all grade a card through
:func:`grade_card`, so every grade uses the profile's own scheduler (its desired
retention, parameters and steps), holds the profile's lock from reading the card to
saving it, and is on disk (log line and card file) before it returns. A second copy of
these lines once drifted into a live grade scheduled at the default retention instead of
the learner's own.

A grade also:

* records how long the card was shown before it (from :func:`card_shown`, capped at a
  minute as Anki does), for the stats' time per day;
* tags a card a leech when it lapses for the ``leech_threshold``-th time (and again
  every half threshold after, as Anki does), and suspends it when the profile says so.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from trainer.profiles.settings import leech_action, leech_threshold, scheduler_for_profile
from trainer.study.queue import next_in_review
from trainer.study.scheduling import DURATION_MAX_MS, grade

SHOWN_MAX = 10_000  # cards shown and not yet graded, remembered across all profiles
_shown: "OrderedDict[tuple, float]" = OrderedDict()
_shown_guard = threading.Lock()


@dataclass(frozen=True)
class Graded:
    """What a grade did, for the confirmation on the next card."""

    pack_id: str
    question_id: str
    rating: int
    due: float
    leech: bool = False
    suspended: bool = False


def card_shown(profile, pack_id, question_id, now_ts=None):
    """Note that the question side of a card was just put in front of the learner."""
    key = (profile.id, pack_id, question_id)
    with _shown_guard:
        _shown[key] = time.time() if now_ts is None else now_ts
        _shown.move_to_end(key)
        while len(_shown) > SHOWN_MAX:
            _shown.popitem(last=False)


def _shown_for(profile, pack_id, question_id, now_ts):
    with _shown_guard:
        shown = _shown.pop((profile.id, pack_id, question_id), None)
    if shown is None or shown > now_ts:
        return None
    return min(round((now_ts - shown) * 1000), DURATION_MAX_MS)


def is_leech_lapse(lapses, threshold):
    """True when ``lapses`` makes the card a leech: at the threshold, then every half."""
    return lapses >= threshold and (lapses - threshold) % max(threshold // 2, 1) == 0


def grade_card(profile, pack_id, question_id, rating, when=None):
    """Apply ``rating`` (1-4) to one card of ``profile``; return what it did."""
    now_ts = when.timestamp() if when is not None else time.time()
    duration_ms = _shown_for(profile, pack_id, question_id, now_ts)
    with profile.lock:
        before = profile.card(pack_id, question_id)
        state, review = grade(scheduler_for_profile(profile), pack_id, question_id,
                              before, rating, when, duration_ms=duration_ms)
        profile.save_review(state, review)
        lapsed = state["lapses"] > (before or {}).get("lapses", 0)
        leech = lapsed and is_leech_lapse(state["lapses"], leech_threshold(profile))
        suspend = leech and leech_action(profile) == "suspend"
        if leech:
            profile.set_mark(pack_id, question_id, leech=True,
                             **({"suspended": True} if suspend else {}))
    return Graded(pack_id, question_id, rating, state["due"], leech, suspend)


def grade_then_next(profile, pack, question_id, rating, *, browsing=False, now_ts=None):
    """Grade a card, then say which question comes next (None: all caught up).

    Review mode goes on to the next card it offers; Browse to the next question in pack
    order. One call for a view that grades and shows what follows: returns
    ``(graded, next question id)``.
    """
    graded = grade_card(profile, pack.id, question_id, rating)
    if browsing:
        return graded, pack.neighbour(question_id, 1)
    return graded, next_in_review(profile, pack, exclude=question_id,
                                  now_ts=time.time() if now_ts is None else now_ts)
