"""Mock interview: N random questions, a countdown each, typed answers, then a summary.

The run lives in the profile's settings under ``mock`` (one at a time, bounded: at most
20 questions of at most 4000 characters each). Time is kept on the server: a question's
clock starts when it is first shown, and an answer sent after the countdown (plus a
little grace for the network) is marked over time, whatever the page said.
"""

import random
import secrets
import time

from trainer.study.answer_check import clean_answer, suggested_points

COUNT_MIN, COUNT_MAX, COUNT_DEFAULT = 1, 20, 5
SECONDS_MIN, SECONDS_MAX, SECONDS_DEFAULT = 30, 900, 120
GRACE = 3


class MockError(ValueError):
    """A mock interview request that cannot be honoured; the message says why."""


def start(profile, pack, count, seconds, now_ts=None, rng=None):
    """Begin a mock interview of ``count`` random questions from ``pack``."""
    now_ts = time.time() if now_ts is None else now_ts
    if not pack.questions:
        raise MockError("This pack has no questions.")
    rng = rng or random.SystemRandom()
    chosen = rng.sample(pack.question_ids, min(count, len(pack.questions)))
    run = {"id": secrets.token_urlsafe(8), "pack": pack.id, "questions": chosen,
           "seconds": seconds, "index": 0, "shown_at": now_ts, "answers": [],
           "started_at": now_ts, "finished": False}
    profile.update_settings(mock=run)
    return run


def current(profile):
    run = profile.settings.get("mock")
    return run if isinstance(run, dict) and run.get("questions") else None


def deadline(run):
    return run["shown_at"] + run["seconds"]


def answer(profile, run_id, index, text, now_ts=None):
    """Record the answer to question ``index``; move on, or finish after the last."""
    now_ts = time.time() if now_ts is None else now_ts
    with profile.lock:
        run = current(profile)
        if run is None or run["id"] != run_id or run["finished"]:
            raise MockError("That mock interview is over. Start a new one.")
        if index != run["index"]:
            raise MockError("That question was already answered.")  # a double submit
        typed = clean_answer(text)
        used = now_ts - run["shown_at"]
        run["answers"].append({"question": run["questions"][index], "text": typed,
                               "seconds_used": round(used, 1),
                               "over_time": used > run["seconds"] + GRACE})
        run["index"] += 1
        run["shown_at"] = now_ts
        run["finished"] = run["index"] >= len(run["questions"])
        profile.update_settings(mock=run)
    return run


def summary(run, pack):
    """Per question: the answer, which key points it mentions, and whether to review it."""
    rows = []
    for item in run["answers"]:
        question = pack.question(item["question"]) if pack else None
        if question is None:
            rows.append({"item": item, "question": None, "covered": [], "review": True,
                         "why": "this question is no longer in the pack"})
            continue
        covered = suggested_points(item["text"], question.key_points)
        total = len(question.key_points)
        reasons = []
        if not item["text"]:
            reasons.append("no answer")
        elif total and len(covered) * 2 < total:
            reasons.append(f"mentions {len(covered)} of {total} key points")
        if item["over_time"]:
            reasons.append("over time")
        rows.append({"item": item, "question": question, "covered": covered,
                     "review": bool(reasons), "why": ", ".join(reasons)})
    return rows
