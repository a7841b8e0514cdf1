"""Optimize my scheduler: the optimizer's inputs from hand-made logs, the thresholds, the
fit (in process and in its child), the two-step proposal, and export/import."""

import json
import random
import threading

import fsrs
import pytest

from trainer.profiles import transfer
from trainer.profiles.settings import PARAMETER_COUNT, fsrs_parameters, scheduler_for_profile
from trainer.profiles.store import Profile
from trainer.study import optimizer
from trainer.study.optimizer import (
    MIN_CARDS,
    MIN_REVIEWS,
    OptimizeRefused,
    not_ready_reason,
    training_set,
)

DAY = 86400
T0 = 1_700_000_000.0


def review(question, day, rating=3, pack="p", first=False):
    """A review record as the log holds it (``previous`` None for a card's first)."""
    return {"pack": pack, "question": question, "rating": rating, "at": T0 + day * DAY,
            "due": T0, "previous": None if first else {"card_id": 1},
            "previous_state": None}


def undo(record):
    return {"kind": "undo", "pack": record["pack"], "question": record["question"],
            "undoes": record["at"], "at": record["at"] + 1}


def reset(pack, day):
    return {"kind": "reset", "pack": pack, "at": T0 + day * DAY}


def practice_log(cards=60, per_card=8, seed=3):
    """A plausible log: each card's intervals grow on a pass and restart on a lapse."""
    rng = random.Random(seed)
    records = []
    for c in range(cards):
        day, interval = rng.uniform(0, 30), 1.0
        for n in range(per_card):
            rating = rng.choices((1, 2, 3, 4), weights=(12, 13, 60, 15))[0] if n else 3
            records.append(review(f"q{c}", day, rating, first=n == 0))
            interval = 1.0 if rating == 1 else interval * rng.uniform(1.8, 3.2)
            day += interval + rng.uniform(0, 0.4)
    return sorted(records, key=lambda r: r["at"])


@pytest.fixture
def profile(tmp_path):
    return Profile(tmp_path, "optimizer-profile-0001")


# The inputs ----------------------------------------------------------------------------
def test_one_item_per_review_after_the_first_with_whole_days_between_reviews():
    log = [review("a", 0, 3, first=True), review("a", 2.9, 3), review("a", 10.5, 2),
           review("a", 30.2, 1)]
    inputs = training_set(log)
    assert inputs.items == [
        ((3, 0), (3, 2)),
        ((3, 0), (3, 2), (2, 7)),
        ((3, 0), (3, 2), (2, 7), (1, 19)),
    ]
    assert (inputs.reviews, inputs.cards) == (4, 1)


def test_a_same_day_review_stays_in_the_history_but_is_no_item():
    log = [review("a", 0, 1, first=True), review("a", 0.01, 3), review("a", 0.5, 3),
           review("a", 1.6, 4), review("a", 1.7, 3)]  # 1.1 days after, then 0.1
    assert training_set(log).items == [((1, 0), (3, 0), (3, 0), (4, 1))]


def test_a_card_seen_only_on_one_day_gives_no_item_but_its_reviews_count():
    inputs = training_set([review("a", 0, first=True), review("a", 0.3)])
    assert (inputs.items, inputs.reviews, inputs.cards) == ([], 2, 0)


def test_undone_reviews_are_skipped():
    wrong = review("a", 3, 1)
    log = [review("a", 0, first=True), wrong, undo(wrong), review("a", 5, 3)]
    assert training_set(log).items == [((3, 0), (3, 5))]
    assert training_set(log).reviews == 2


def test_a_reset_restarts_the_histories_of_that_pack_only():
    log = [review("a", 0, first=True), review("a", 4), review("b", 0, pack="other", first=True),
           reset("p", 5), review("a", 6, 4, first=True), review("a", 9, 3),
           review("b", 7, pack="other")]
    items = training_set(log).items
    assert ((3, 0), (3, 4)) in items  # before the reset
    assert ((4, 0), (3, 3)) in items  # after it: a new history from the first grade
    assert ((3, 0), (3, 7)) in items  # the other pack's card went on
    assert len(items) == 3


def test_a_review_from_a_new_card_starts_a_new_history_even_without_a_reset():
    log = [review("a", 0, first=True), review("a", 2), review("a", 10, 2, first=True),
           review("a", 13)]
    assert training_set(log).items == [((3, 0), (3, 2)), ((2, 0), (3, 3))]


def test_cards_are_kept_apart_by_pack_and_question_and_read_in_time_order():
    log = [review("a", 0, first=True), review("a", 0, pack="x", first=True),
           review("a", 8, 2, pack="x"), review("a", 1, 4)]  # an import appended late
    items = training_set(log).items
    assert sorted(items) == [((3, 0), (2, 8)), ((3, 0), (4, 1))]
    assert training_set(log).cards == 2


def test_records_that_are_not_usable_reviews_are_ignored():
    log = [review("a", 0, first=True), {"kind": "note", "pack": "p", "at": T0},
           {**review("a", 2), "rating": 7}, review("a", 3)]
    assert training_set(log).items == [((3, 0), (3, 3))]


# The thresholds ------------------------------------------------------------------------
def test_too_few_reviews_or_cards_says_which_and_how_many():
    few = training_set(practice_log(cards=10, per_card=5))
    assert f"50 of the {MIN_REVIEWS}" in not_ready_reason(few)
    many_reviews_few_cards = training_set(practice_log(cards=MIN_CARDS - 10, per_card=12))
    assert many_reviews_few_cards.reviews >= MIN_REVIEWS
    assert f"{MIN_CARDS - 10} of the {MIN_CARDS}" in not_ready_reason(many_reviews_few_cards)
    assert not_ready_reason(training_set(practice_log())) is None


# The fit -------------------------------------------------------------------------------
SMALL_SIMULATION = {"deck_size": 100, "learn_span": 30, "learn_limit": 10,
                    "review_limit": 100}


def test_fit_gives_parameters_fsrs_accepts_and_both_sets_evaluated_on_the_same_items():
    items = training_set(practice_log()).items
    result = optimizer.fit(items, simulation=SMALL_SIMULATION)
    assert len(result["parameters"]) == PARAMETER_COUNT
    fsrs.Scheduler(parameters=tuple(result["parameters"]))  # within py-fsrs's bounds
    assert result["fitted"]["log_loss"] <= result["default"]["log_loss"]
    assert 0 <= result["fitted"]["rmse"] < 1 and result["current"] is None
    assert 0.70 <= result["suggested_retention"] <= 0.97


def test_fit_in_child_answers_and_a_slow_fit_is_stopped():
    items = training_set(practice_log()).items
    result = optimizer.fit_in_child(items, None, None)
    assert len(result["parameters"]) == PARAMETER_COUNT
    assert result["suggested_retention"] is None
    with pytest.raises(OptimizeRefused, match=r"took longer than 0\.01 s"):
        optimizer.fit_in_child(items, None, None, time_limit=0.01)


# The two steps -------------------------------------------------------------------------
def in_process(items, current, simulation):
    return optimizer.fit(items, current, {**simulation, **SMALL_SIMULATION})


def test_too_little_history_is_refused_and_nothing_is_stored(profile):
    profile.append_records(practice_log(cards=5, per_card=3))
    with pytest.raises(OptimizeRefused, match="Not enough reviews yet: 15 of the 400"):
        optimizer.optimize(profile, runner=in_process)
    assert optimizer.panel(profile)["proposal"] is None


def test_optimize_proposes_then_accept_puts_the_parameters_in_use(profile):
    profile.append_records(practice_log())
    proposal = optimizer.optimize(profile, now=T0, runner=in_process)
    assert (proposal["reviews"], proposal["cards"]) == (480, 60)
    assert fsrs_parameters(profile) is None  # only proposed so far
    assert optimizer.panel(profile)["proposal"]["fitted"] == proposal["fitted"]

    assert optimizer.accept_proposal(profile)
    assert fsrs_parameters(profile) == tuple(proposal["parameters"])
    assert scheduler_for_profile(profile).parameters == tuple(proposal["parameters"])
    shown = optimizer.panel(profile)
    assert shown["proposal"] is None and shown["fit"]["fitted"] == proposal["fitted"]
    assert shown["fit_date"] == "2023-11-14"
    assert not optimizer.accept_proposal(profile)  # nothing left to accept

    again = optimizer.optimize(profile, runner=in_process)
    assert again["current"] is not None  # the parameters in use are compared too
    optimizer.discard_proposal(profile)
    assert fsrs_parameters(profile) == tuple(proposal["parameters"])
    optimizer.reset_parameters(profile)
    assert fsrs_parameters(profile) is None and optimizer.panel(profile)["fit"] is None


def test_the_suggested_retention_is_applied_only_when_asked(profile):
    profile.append_records(practice_log())
    proposal = optimizer.optimize(profile, runner=in_process)
    assert profile.settings.get("desired_retention") is None
    assert optimizer.apply_suggested_retention(profile) == proposal["suggested_retention"]
    assert profile.settings["desired_retention"] == proposal["suggested_retention"]
    assert optimizer.panel(profile)["suggested_retention"] is None  # it is the one in use


def test_one_fit_at_a_time_per_profile(profile):
    profile.append_records(practice_log())
    inside, release = threading.Event(), threading.Event()

    def slow(items, current, simulation):
        inside.set()
        release.wait(10)
        return in_process(items, current, simulation)

    worker = threading.Thread(target=lambda: optimizer.optimize(profile, runner=slow))
    worker.start()
    try:
        assert inside.wait(10)
        assert optimizer.panel(profile)["running"]
        with pytest.raises(OptimizeRefused, match="Already optimizing"):
            optimizer.optimize(profile, runner=in_process)
    finally:
        release.set()
        worker.join(30)
    assert optimizer.optimize(profile, runner=in_process)["parameters"]  # free again


def test_a_failed_fit_changes_nothing(profile):
    profile.append_records(practice_log())

    def broken(*_args):
        return {"parameters": [1.0, 2.0]}

    with pytest.raises(OptimizeRefused, match="did not give 21 parameters"):
        optimizer.optimize(profile, runner=broken)
    assert optimizer.panel(profile)["proposal"] is None


# Export and import ---------------------------------------------------------------------
class NoPacks:
    def get(self, _pack_id):
        return None


def test_fitted_parameters_travel_with_an_export(profile, tmp_path):
    fitted = [round(v * 1.05, 4) for v in fsrs.scheduler.DEFAULT_PARAMETERS]
    profile.update_settings(fsrs_parameters=fitted)
    data = json.loads(transfer.export_bytes(profile))
    assert data["profile"]["fsrs_parameters"] == fitted

    fresh = Profile(tmp_path, "optimizer-profile-0002")
    report = transfer.import_progress(fresh, NoPacks(), json.dumps(data).encode())
    assert "fsrs_parameters" in report.settings_taken
    assert fsrs_parameters(fresh) == tuple(fitted)

    other = [round(v * 0.95, 4) for v in fsrs.scheduler.DEFAULT_PARAMETERS]
    mine = Profile(tmp_path, "optimizer-profile-0003")
    mine.update_settings(fsrs_parameters=other)
    transfer.import_progress(mine, NoPacks(), json.dumps(data).encode())
    assert fsrs_parameters(mine) == tuple(other)  # yours are kept


@pytest.mark.parametrize("bad", [[1.0] * 5, [float("nan")] * 21, ["1"] * 21, [1000.0] * 21])
def test_imported_parameters_that_fsrs_cannot_use_are_skipped(tmp_path, bad):
    data = {"format": transfer.FORMAT, "version": transfer.VERSION,
            "profile": {"fsrs_parameters": bad}}
    fresh = Profile(tmp_path, "optimizer-profile-0004")
    raw = json.dumps(data).encode()
    report = transfer.import_progress(fresh, NoPacks(), raw)
    assert [what for what, _ in report.skipped] == ["FSRS parameters"]
    assert fsrs_parameters(fresh) is None
