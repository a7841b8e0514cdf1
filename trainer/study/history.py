"""The review log read as what happened: every grade, minus the grades that were undone.

The log (``<profile>.reviews.jsonl``) is append-only, so an undo never rewrites it: it
appends an ``undo`` record naming the review it takes back. Stats, exports and the next
undo all read the log through :func:`effective_reviews`, so an undone grade counts
nowhere.

Record kinds: a review (no ``kind``, or ``"review"``), ``"undo"`` (``undoes`` = the
undone review's ``at``), ``"reset"`` (a pack's progress was cleared; history stays).
"""


def review_key(record):
    return (record.get("pack"), record.get("question"), record.get("at"))


def is_review(record):
    return record.get("kind", "review") == "review"


def effective_reviews(records):
    """The reviews that still count, oldest first."""
    undone = {
        (r.get("pack"), r.get("question"), r.get("undoes"))
        for r in records if r.get("kind") == "undo"
    }
    return [r for r in records if is_review(r) and review_key(r) not in undone]
