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
  every half threshold after, as Anki does), and suspends it when the profile says so;
* may carry a ``grade_id`` the browser made (its outbox, static/practice.js): a grade
  sent again after a lost answer or a dead connection is applied once. The id is kept
  in the review record (``"grade_id"``), and the profile's recent ids in memory, read
  back from the newest :data:`GRADE_IDS_KEPT` records after a restart; a grade with an
  id already applied changes nothing and says so (``Graded.duplicate``).
"""

import re
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

GRADE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
GRADE_IDS_KEPT = 500  # per profile: an outbox holds minutes of grades, not hundreds
PROFILES_KEPT = 1_000  # profiles whose recent grade ids are held in memory
_grade_ids: "OrderedDict[str, OrderedDict[str, Graded]]" = OrderedDict()
_grade_ids_guard = threading.Lock()


@dataclass(frozen=True)
class Graded:
    """What a grade did, for the confirmation on the next card."""

    pack_id: str
    question_id: str
    rating: int
    due: float
    leech: bool = False
    suspended: bool = False
    duplicate: bool = False  # this grade id was applied before: nothing changed now


def is_grade_id(value):
    """True when ``value`` can be a grade id (8 to 64 letters, digits, ``-`` or ``_``)."""
    return isinstance(value, str) and GRADE_ID.fullmatch(value) is not None


def _recent_ids(profile):
    """The profile's recent grade ids (id -> Graded), read from its log the first time.

    Called with the profile's lock held, so the log cannot grow while it is read.
    """
    with _grade_ids_guard:
        known = _grade_ids.get(profile.id)
        if known is not None:
            _grade_ids.move_to_end(profile.id)
            return known
    known = OrderedDict()
    seen = 0
    for record in profile.reviews_newest_first():
        if record.get("kind") is not None:
            continue
        seen += 1
        if seen > GRADE_IDS_KEPT:
            break
        grade_id = record.get("grade_id")
        if is_grade_id(grade_id) and grade_id not in known:
            known[grade_id] = Graded(record["pack"], record["question"], record["rating"],
                                     record["due"], duplicate=True)
    known = OrderedDict(reversed(known.items()))  # oldest first, as new ones are added
    with _grade_ids_guard:
        _grade_ids[profile.id] = known
        while len(_grade_ids) > PROFILES_KEPT:
            _grade_ids.popitem(last=False)
    return known


def _remember(known, grade_id, graded):
    with _grade_ids_guard:
        known[grade_id] = Graded(graded.pack_id, graded.question_id, graded.rating,
                                 graded.due, graded.leech, graded.suspended, duplicate=True)
        while len(known) > GRADE_IDS_KEPT:
            known.popitem(last=False)


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


def grade_card(profile, pack_id, question_id, rating, when=None, grade_id=None):
    """Apply ``rating`` (1-4) to one card of ``profile``; return what it did.

    With a ``grade_id`` (see :func:`is_grade_id`) already applied, nothing changes and
    the first application's result comes back with ``duplicate=True``.
    """
    now_ts = when.timestamp() if when is not None else time.time()
    with profile.lock:
        known = _recent_ids(profile) if grade_id is not None else None
        if known is not None and grade_id in known:
            return known[grade_id]
        duration_ms = _shown_for(profile, pack_id, question_id, now_ts)
        before = profile.card(pack_id, question_id)
        state, review = grade(scheduler_for_profile(profile), pack_id, question_id,
                              before, rating, when, duration_ms=duration_ms)
        if grade_id is not None:
            review["grade_id"] = grade_id
        profile.save_review(state, review)
        lapsed = state["lapses"] > (before or {}).get("lapses", 0)
        leech = lapsed and is_leech_lapse(state["lapses"], leech_threshold(profile))
        suspend = leech and leech_action(profile) == "suspend"
        if leech:
            profile.set_mark(pack_id, question_id, leech=True,
                             **({"suspended": True} if suspend else {}))
        graded = Graded(pack_id, question_id, rating, state["due"], leech, suspend)
        if known is not None:
            _remember(known, grade_id, graded)
    return graded


def grade_then_next(profile, pack, question_id, rating, *, browsing=False, now_ts=None,
                    grade_id=None):
    """Grade a card, then say which question comes next (None: all caught up).

    Review mode goes on to the next card it offers; Browse to the next question in pack
    order. One call for a view that grades and shows what follows: returns
    ``(graded, next question id)``.
    """
    graded = grade_card(profile, pack.id, question_id, rating, grade_id=grade_id)
    if browsing:
        return graded, pack.neighbour(question_id, 1)
    return graded, next_in_review(profile, pack, exclude=question_id,
                                  now_ts=time.time() if now_ts is None else now_ts)
