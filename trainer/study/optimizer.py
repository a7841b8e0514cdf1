"""Optimize my scheduler: FSRS parameters fitted to a profile's own review log.

The fit is fsrs-rs (``fsrs_rs_python``, the optimizer Anki uses). It is offered in two
steps, as Anki does: :func:`optimize` fits and evaluates, and stores the result as a
*proposal* next to the profile's settings; the person then looks at the figures (log
loss and RMSE of FSRS's default parameters and of the fitted ones, both evaluated on
the same history) and either accepts it (:func:`accept_proposal`) or keeps what they
have (:func:`discard_proposal`). :func:`reset_parameters` goes back to the defaults.

* Enough history first: at least :data:`MIN_REVIEWS` reviews, and at least
  :data:`MIN_CARDS` cards reviewed again a day or more after an earlier review (the
  reviews the fit learns forgetting from). Below that :func:`optimize` says which is
  missing rather than fit noise.
* ``compute_parameters`` holds the GIL for its whole run (measured: a Python thread
  beside it paused for 95% of a fit), so a fit in the server's process would stall every
  other request. It runs in a child process (``spawn``, plain lists in and out, the
  child touches no files), killed after :data:`TIME_LIMIT_S`; one fit at a time per
  profile and at most :data:`MAX_FITS` at once in the server.
* A suggested desired retention comes from ``optimal_retention`` (the retention with the
  least study time per card remembered, in a simulation sized by
  :func:`simulation_settings` so it stays under a second), clamped to the bounds the
  profile page allows. It is only shown; the person may apply it.
"""

import itertools
import math
import multiprocessing
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from trainer.profiles.settings import (
    PARAMETER_COUNT,
    RETENTION_MAX,
    RETENTION_MIN,
    desired_retention,
    fsrs_parameters,
    new_limit,
    review_limit,
    valid_parameters,
)
from trainer.study.history import effective_reviews, is_review

MIN_REVIEWS = 400
MIN_CARDS = 50
TIME_LIMIT_S = 60.0
MAX_FITS = 2
DAY = 86400
SIMULATION_CARDS = 500  # with 120 days: about a second (1,000 and 180 days: three)
SIMULATION_DAYS = 120
DECIMALS = 4  # what Anki shows and stores
PROPOSAL = "fsrs_proposal"  # settings key: a fit not yet accepted
FIT = "fsrs_fit"  # settings key: when the parameters in use were fitted, and their figures

_guard = threading.Lock()
_running: set[str] = set()


class OptimizeRefused(Exception):
    """No fit was made (too little history, one already running, too slow, failed);
    the message says why and what to do, and nothing was changed."""


@dataclass(frozen=True)
class TrainingSet:
    """What the fit learns from, as plain data (it crosses into the child process).

    ``items``: one per review after a card's first, each the card's history up to and
    including that review as ``(rating, delta_t days)`` pairs (the first pair's delta_t
    is 0). ``reviews``: the reviews read (undone ones left out). ``cards``: card
    histories that gave at least one item.
    """

    items: list
    reviews: int
    cards: int


def training_set(records):
    """The optimizer's inputs from a profile's review log (oldest first).

    As fsrs-rs wants them, per card (pack and question):

    * its reviews in time order, each as ``(rating, delta_t)`` where ``delta_t`` is the
      whole days since the card's previous review (``floor(seconds / 86400)``, the
      elapsed days py-fsrs schedules with; the first review's is 0, a same-day review's
      is 0 too);
    * one item per review after the first that came a day or more after the card's
      previous one: the history up to that review, which is the recall the model must
      predict. A same-day review (a learning step) stays in the history of later items
      but is no item of its own: it says nothing about forgetting over days, and
      fsrs-rs's ``evaluate`` refuses an item that ends on one;
    * undone reviews are skipped (:func:`~trainer.study.history.effective_reviews`);
    * a ``reset`` of a pack ends the histories of that pack's cards: the next review of
      such a card starts a new history, as does a review made from a new card
      (``previous`` None), which is what a card is again after a reset.

    Records are taken in time order (``at``), so an import appended after newer reviews
    still falls into place.
    """
    kept = effective_reviews(records)
    resets = [r for r in records if r.get("kind") == "reset"]
    events = sorted(kept + resets, key=lambda r: r.get("at") or 0)
    histories, finished = {}, []
    reviews = 0
    for record in events:
        if not is_review(record):
            pack = record.get("pack")
            for key in [k for k in histories if k[0] == pack]:
                finished.append(histories.pop(key))
            continue
        rating, at = record.get("rating"), record.get("at")
        if rating not in (1, 2, 3, 4) or not isinstance(at, int | float):
            continue
        reviews += 1
        key = (record.get("pack"), record.get("question"))
        history = histories.get(key)
        if history is not None and record.get("previous") is None:
            finished.append(histories.pop(key))
            history = None
        if history is None:
            histories[key] = [(at, rating)]
        else:
            history.append((at, rating))
    finished.extend(histories.values())
    items, cards = [], 0
    for history in finished:
        pairs = [(history[0][1], 0)]
        for (before, _), (at, rating) in itertools.pairwise(history):
            pairs.append((rating, max(0, math.floor((at - before) / DAY))))
        made = [tuple(pairs[:end]) for end in range(2, len(pairs) + 1)
                if pairs[end - 1][1] > 0]
        items.extend(made)
        cards += bool(made)
    return TrainingSet(items=items, reviews=reviews, cards=cards)


def not_ready_reason(inputs):
    """Why this history is too small to fit, or None when it is enough."""
    if inputs.reviews < MIN_REVIEWS:
        return (f"Not enough reviews yet: {inputs.reviews} of the {MIN_REVIEWS} the "
                "optimizer needs. Keep studying and try again later.")
    if inputs.cards < MIN_CARDS:
        return (f"Not enough cards seen again on a later day yet: {inputs.cards} of the "
                f"{MIN_CARDS} the optimizer needs to learn how you forget. Keep studying "
                "and try again later.")
    return None


def simulation_settings(profile, inputs):
    """The suggested-retention simulation, sized to stay under a second or so."""
    return {"deck_size": min(max(inputs.cards, 100), SIMULATION_CARDS),
            "learn_span": SIMULATION_DAYS,
            "learn_limit": max(new_limit(profile), 1), "review_limit": review_limit(profile)}


def fit(items, current=None, simulation=None):
    """Fit, evaluate and suggest a retention; plain data in and out (the child's work).

    Returns ``{"parameters", "default", "fitted", "current", "suggested_retention"}``;
    each figure is ``{"log_loss", "rmse"}`` on ``items``, ``current`` only when the
    profile already uses parameters of its own.
    """
    import fsrs
    import fsrs_rs_python as rs

    fsrs_items = [rs.FSRSItem(reviews=[rs.FSRSReview(r, d) for r, d in item])
                  for item in items]
    raw = rs.FSRS(rs.DEFAULT_PARAMETERS).compute_parameters(fsrs_items)
    low, high = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS
    fitted = [round(min(max(v, lo), hi), DECIMALS) for v, lo, hi in zip(raw, low, high,
                                                                         strict=True)]

    def figures(parameters):
        result = rs.FSRS(list(parameters)).evaluate(fsrs_items)
        return {"log_loss": round(result.log_loss, DECIMALS),
                "rmse": round(result.rmse_bins, DECIMALS)}

    suggested = None
    if simulation:
        config = rs.default_simulator_config()
        for name, value in simulation.items():
            setattr(config, name, value)
        value = rs.optimal_retention(config, fitted)
        suggested = round(min(max(value, RETENTION_MIN), RETENTION_MAX), 2)
    return {"parameters": fitted, "default": figures(rs.DEFAULT_PARAMETERS),
            "fitted": figures(fitted), "current": figures(current) if current else None,
            "suggested_retention": suggested}


def _child(conn, args):
    try:
        conn.send(("ok", fit(*args)))
    except Exception as exc:  # reported to the parent, which refuses with it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def fit_in_child(items, current=None, simulation=None, time_limit=TIME_LIMIT_S):
    """:func:`fit` in a spawned child process, killed after ``time_limit`` seconds."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, (items, current, simulation)),
                            daemon=True, name="fsrs-optimizer")
    child.start()
    send.close()
    try:
        if not receive.poll(time_limit):
            raise OptimizeRefused(f"The optimizer took longer than {time_limit:g} s and was "
                                  "stopped. Your parameters are unchanged.")
        try:
            status, answer = receive.recv()
        except EOFError:
            raise OptimizeRefused("The optimizer stopped without an answer. Your "
                                  "parameters are unchanged.") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if status != "ok":
        raise OptimizeRefused(f"The optimizer failed ({answer[:200]}). Your parameters "
                              "are unchanged.")
    return answer


def optimize(profile, now=None, runner=None):
    """Fit this profile's parameters to its log and store the result as a proposal.

    Raises :class:`OptimizeRefused` when the history is too small, a fit of this
    profile is already running, the server already runs :data:`MAX_FITS`, or the fit
    fails or takes too long. Returns the proposal (see :func:`panel`). ``runner`` is
    :func:`fit_in_child` unless a test runs :func:`fit` in its own process.
    """
    with _guard:
        if profile.id in _running:
            raise OptimizeRefused("Already optimizing your scheduler: wait for that run "
                                  "to finish.")
        if len(_running) >= MAX_FITS:
            raise OptimizeRefused("The optimizer is busy with other profiles: try again "
                                  "in a minute.")
        _running.add(profile.id)
    try:
        inputs = training_set(profile.reviews())
        reason = not_ready_reason(inputs)
        if reason:
            raise OptimizeRefused(reason)
        current = fsrs_parameters(profile)
        result = (runner or fit_in_child)(inputs.items, list(current) if current else None,
                        simulation_settings(profile, inputs))
        if not valid_parameters(result.get("parameters")):
            raise OptimizeRefused(f"The optimizer did not give {PARAMETER_COUNT} parameters. "
                                  "Your parameters are unchanged.")
        proposal = {**result, "reviews": inputs.reviews, "cards": inputs.cards,
                    "items": len(inputs.items), "at": time.time() if now is None else now}
        profile.update_settings(**{PROPOSAL: proposal})
        return proposal
    finally:
        with _guard:
            _running.discard(profile.id)


def _proposal(profile):
    value = profile.settings.get(PROPOSAL)
    return value if isinstance(value, dict) and valid_parameters(value.get("parameters")) \
        else None


def accept_proposal(profile):
    """Use the proposed parameters; False when there is no proposal to accept."""
    proposal = _proposal(profile)
    if proposal is None:
        return False
    record = {k: proposal.get(k) for k in ("at", "default", "fitted", "reviews", "cards",
                                            "suggested_retention")}
    profile.update_settings(**{"fsrs_parameters": list(proposal["parameters"]), FIT: record,
                               PROPOSAL: None})
    return True


def discard_proposal(profile):
    """Keep the parameters in use; the proposal is forgotten."""
    profile.update_settings(**{PROPOSAL: None})


def reset_parameters(profile):
    """Back to FSRS's default parameters (and no proposal pending)."""
    profile.update_settings(**{"fsrs_parameters": None, FIT: None, PROPOSAL: None})


def apply_suggested_retention(profile):
    """Set desired retention to the latest suggestion; the value, or None if none."""
    suggestion = _suggestion(profile)
    if suggestion is not None:
        profile.update_settings(desired_retention=suggestion)
    return suggestion


def _suggestion(profile):
    for source in (_proposal(profile), profile.settings.get(FIT)):
        value = source.get("suggested_retention") if isinstance(source, dict) else None
        if isinstance(value, float) and RETENTION_MIN <= value <= RETENTION_MAX:
            return value
    return None


def panel(profile):
    """What the profile page shows about the scheduler, as plain values."""
    fitted = fsrs_parameters(profile)
    record = profile.settings.get(FIT)
    suggestion = _suggestion(profile)
    record = record if fitted and isinstance(record, dict) else None
    proposal = _proposal(profile)
    return {
        "parameters": fitted, "fit": record, "fit_date": _date(record),
        "proposal": proposal, "proposal_date": _date(proposal),
        "running": profile.id in _running,
        "retention": desired_retention(profile),
        "suggested_retention": suggestion if suggestion != desired_retention(profile)
        else None,
        "min_reviews": MIN_REVIEWS, "min_cards": MIN_CARDS, "simulation_days": SIMULATION_DAYS,
    }


def _date(source):
    at = source.get("at") if isinstance(source, dict) else None
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d") if isinstance(at, int | float) \
        else None
