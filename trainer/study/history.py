"""The review log read as what happened: every grade, minus the grades that were undone.

The log (``<profile>.reviews.jsonl``) is append-only, so an undo never rewrites it: it
appends an ``undo`` record naming the review it takes back. Stats, exports and the next
undo all read the log through :func:`effective_reviews`, so an undone grade counts
nowhere.

Record kinds: a review (no ``kind``, or ``"review"``), ``"undo"`` (``undoes`` = the
undone review's ``at``), ``"redo"`` (``redoes`` = the ``at`` of a review an undo took
back, which counts again), ``"reset"`` (a pack's progress was cleared; history stays).
"""


def review_key(record):
    return (record.get("pack"), record.get("question"), record.get("at"))


def is_review(record):
    return record.get("kind", "review") == "review"


def undone_keys(records):
    """The reviews taken back and not redone, read in log order."""
    undone = set()
    for r in records:
        kind = r.get("kind")
        if kind == "undo":
            undone.add((r.get("pack"), r.get("question"), r.get("undoes")))
        elif kind == "redo":
            undone.discard((r.get("pack"), r.get("question"), r.get("redoes")))
    return undone


def effective_reviews(records):
    """The reviews that still count, oldest first."""
    undone = undone_keys(records)
    return [r for r in records if is_review(r) and review_key(r) not in undone]
