"""The one grading path: every grade, from any screen, is applied here.

Practice, Browse, Focus and a live session's opt-in all grade a card through
:func:`grade_card`, so every grade uses the profile's own scheduler (its desired
retention), holds the profile's lock from reading the card to saving it, and is on disk
(log line and card file) before it returns. A second copy of these lines once drifted
into a live grade scheduled at the default retention instead of the learner's own.
"""

import time

from trainer.profiles.settings import scheduler_for_profile
from trainer.study.queue import next_in_review
from trainer.study.scheduling import grade


def grade_card(profile, pack_id, question_id, rating, when=None):
    """Apply ``rating`` (1-4) to one card of ``profile``; return the card's new state."""
    with profile.lock:
        state, review = grade(scheduler_for_profile(profile), pack_id, question_id,
                              profile.card(pack_id, question_id), rating, when)
        profile.save_review(state, review)
    return state


def grade_then_next(profile, pack, question_id, rating, *, browsing=False, now_ts=None):
    """Grade a card, then say which question comes next (None: all caught up).

    Review mode goes on to the next card it offers; Browse to the next question in pack
    order. One call for a view that grades and shows what follows.
    """
    grade_card(profile, pack.id, question_id, rating)
    if browsing:
        return pack.neighbour(question_id, 1)
    return next_in_review(profile, pack, exclude=question_id,
                          now_ts=time.time() if now_ts is None else now_ts)
