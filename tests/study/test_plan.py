"""The job loop's rules: a role's plan, what it covers, and what Review does with it."""

from datetime import UTC, datetime

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from trainer.packs.model import Pack, Question
from trainer.profiles.store import ProfileStore
from trainer.study import plan as study_plan
from trainer.study.grading import grade_card
from trainer.study.queue import next_due, next_in_review, review_counts

NOW = 1_750_000_000.0
AT = datetime.fromtimestamp(NOW, UTC)


def _q(qid, difficulty, tags=("core",)):
    return Question(id=qid, title=qid, title_html=Markup(qid), answer_html=Markup(""),
                    why_html=Markup(""), key_points=(), follow_ups=(),
                    difficulty=difficulty, tags=tags)


FLASK = Pack(id="flask_core", title="Flask core", version="1", questions=(
    _q("f-junior", "junior", ("routing",)), _q("f-mid", "mid", ("testing",)),
    _q("f-senior", "senior", ("deployment",))))
PYTHON = Pack(id="python_core", title="Python core", version="1", questions=(
    _q("p-junior", "junior", ("types",)), _q("p-mid", "mid", ("types", "iteration")),
    _q("p-senior", "senior", ("concurrency",))))
OTHER = Pack(id="other", title="Other", version="1", questions=(_q("o1", "junior"),))
PACKS = (FLASK, PYTHON, OTHER)


@pytest.fixture
def profile(tmp_path):
    return ProfileStore(tmp_path).get("p" * 22)


def test_a_role_plan_covers_its_installed_packs_at_its_difficulties():
    plan = study_plan.plan_for_role("flask-backend-mid", [p.id for p in PACKS])
    assert plan.title == "Flask backend: mid"
    assert set(plan.packs) == {"flask_core", "python_core"}  # only packs that are installed
    assert plan.question_ids(FLASK) == ["f-junior", "f-mid"]
    assert plan.question_ids(PYTHON) == ["p-junior", "p-mid"]
    assert plan.question_ids(OTHER) == []
    senior = study_plan.plan_for_role("flask-backend-senior", ["flask_core"])
    assert senior.question_ids(FLASK) == ["f-mid", "f-senior"]
    junior = study_plan.plan_for_role("flask-backend-junior", ["flask_core"])
    assert junior.new_per_day < senior.new_per_day


def test_every_role_names_the_four_new_packs_and_flask_core():
    for role in study_plan.ROLES.values():
        assert set(role.packs) == {"flask_core", "python_core", "sql_databases",
                                   "http_apis", "behavioural"}
        assert role.title.startswith("Flask backend: ")


def test_an_unknown_role_or_no_installed_pack_is_refused():
    with pytest.raises(study_plan.PlanError, match="Pick one"):
        study_plan.plan_for_role("astronaut", ["flask_core"])
    with pytest.raises(study_plan.PlanError, match="installed"):
        study_plan.plan_for_role("flask-backend-mid", ["other"])


def test_tags_narrow_a_pack_and_an_empty_list_means_all():
    plan = study_plan.Plan("custom", {"python_core": ((), ("iteration", "concurrency"))}, 5)
    assert plan.question_ids(PYTHON) == ["p-mid", "p-senior"]
    assert study_plan.focus_tags(plan, PYTHON) == ["iteration", "concurrency"]
    everything = study_plan.Plan("custom", {"python_core": ((), ())}, 5)
    assert everything.question_ids(PYTHON) == ["p-junior", "p-mid", "p-senior"]
    assert study_plan.focus_tags(everything, PYTHON) == ["types", "concurrency", "iteration"]
    assert study_plan.focus_tags(everything, FLASK) == []  # not in the plan


def test_focus_difficulty_only_when_the_plan_names_one():
    junior = study_plan.plan_for_role("flask-backend-junior", ["flask_core"])
    mid = study_plan.plan_for_role("flask-backend-mid", ["flask_core"])
    assert study_plan.focus_difficulty(junior, "flask_core") == "junior"
    assert study_plan.focus_difficulty(mid, "flask_core") == ""
    assert study_plan.focus_difficulty(None, "flask_core") == ""


def test_the_plan_round_trips_through_the_profile_and_turns_off(profile):
    assert study_plan.current_plan(profile) is None
    started = study_plan.start_plan(profile, "flask-backend-mid", ["flask_core", "python_core"])
    assert profile.settings["plan"] == {
        "role": "flask-backend-mid", "new_per_day": started.new_per_day,
        "packs": {"flask_core": {"difficulties": ["junior", "mid"], "tags": []},
                  "python_core": {"difficulties": ["junior", "mid"], "tags": []}}}
    assert study_plan.current_plan(profile) == started
    study_plan.turn_off(profile)
    assert study_plan.current_plan(profile) is None


@pytest.mark.parametrize("stored", [
    "mid", {"role": "x", "packs": [], "new_per_day": 5},
    {"role": "x", "packs": {}, "new_per_day": -1},
    {"role": "x", "packs": {}, "new_per_day": True},
    {"role": "x", "packs": {"p": {"difficulties": ["expert"]}}, "new_per_day": 5},
    {"role": "x", "packs": {"p": {"tags": "routing"}}, "new_per_day": 5},
    {"role": 3, "packs": {}, "new_per_day": 5},
])
def test_a_stored_plan_not_well_formed_counts_as_no_plan(profile, stored):
    profile.update_settings(plan=stored)
    assert study_plan.current_plan(profile) is None
    assert study_plan.review_scope(profile, FLASK) is None


def test_the_plans_daily_limit_replaces_the_profiles_while_on(profile):
    profile.update_settings(new_per_day=3)
    assert study_plan.new_limit(profile) == 3
    plan = study_plan.start_plan(profile, "flask-backend-senior", ["flask_core"])
    assert study_plan.new_limit(profile) == plan.new_per_day != 3
    study_plan.turn_off(profile)
    assert study_plan.new_limit(profile) == 3


def test_review_skips_questions_outside_the_plan_new_and_due(profile):
    study_plan.start_plan(profile, "flask-backend-junior", ["flask_core", "python_core"])
    grade_card(profile, "flask_core", "f-junior", 1, when=AT)  # Again: learning, due soon
    grade_card(profile, "flask_core", "f-senior", 1, when=AT)  # outside the junior plan
    later = NOW + 3600
    assert next_in_review(profile, FLASK, now_ts=later) == "f-junior"
    assert next_in_review(profile, FLASK, exclude="f-junior", now_ts=later) == "f-junior"
    assert next_in_review(profile, PYTHON, now_ts=later) == "p-junior"
    assert next_in_review(profile, PYTHON, exclude="p-junior", now_ts=later) is None
    assert next_in_review(profile, OTHER, now_ts=later) is None  # the pack is not in it
    counts = review_counts(FLASK, profile, profile.cards_in("flask_core"), later)
    assert counts["due_count"] == 1 and counts["new_count"] == 0
    assert counts["outside_plan"] == 2
    study_plan.turn_off(profile)
    assert next_in_review(profile, PYTHON, exclude="p-junior", now_ts=later) == "p-mid"
    counts = review_counts(FLASK, profile, profile.cards_in("flask_core"), later)
    assert counts["due_count"] == 2 and counts["outside_plan"] == 0


def test_next_due_ignores_cards_outside_the_plan(profile):
    grade_card(profile, "other", "o1", 3, when=AT)
    assert next_due(profile, OTHER, NOW)[0] is not None
    study_plan.start_plan(profile, "flask-backend-mid", ["flask_core"])
    assert next_due(profile, OTHER, NOW) == (None, None)


def test_the_plans_limit_holds_new_questions_across_packs(profile):
    profile.update_settings(plan={"role": "custom", "new_per_day": 1, "packs": {
        "flask_core": {"difficulties": [], "tags": []},
        "python_core": {"difficulties": [], "tags": []}}})
    grade_card(profile, "flask_core", "f-junior", 3, when=AT)
    assert next_in_review(profile, PYTHON, now_ts=NOW + 1) is None  # today's one is used


def test_the_plan_form_is_validated_against_the_installed_packs():
    form = MultiDict([("role", "flask-backend-mid"), ("new_per_day", "7"),
                      ("pack", "python_core"), ("pack", "gone"),
                      ("difficulty-python_core", "senior"), ("tag-python_core", "types")])
    plan = study_plan.parse_plan_form(form, PACKS)
    assert plan == study_plan.Plan("flask-backend-mid", {"python_core": (("senior",), ("types",))},
                                   7)
    assert plan.question_ids(PYTHON) == []  # senior and #types: none; the learner's choice
    bad = [
        ([("new_per_day", "7")], "at least one pack"),
        ([("new_per_day", "x"), ("pack", "flask_core")], "whole number"),
        ([("new_per_day", "9999"), ("pack", "flask_core")], "whole number"),
        ([("new_per_day", "1"), ("pack", "flask_core"), ("difficulty-flask_core", "guru")],
         "junior, mid or senior"),
        ([("new_per_day", "1"), ("pack", "flask_core"), ("tag-flask_core", "types")],
         "no such tag"),
    ]
    for fields, message in bad:
        with pytest.raises(study_plan.PlanError, match=message):
            study_plan.parse_plan_form(MultiDict(fields), PACKS)
    custom = study_plan.parse_plan_form(
        MultiDict([("role", "<b>"), ("new_per_day", "0"), ("pack", "other")]), PACKS)
    assert custom.role == "custom" and custom.title == "Your own plan"


def test_plan_rows_list_every_pack_in_the_plan_or_not():
    plan = study_plan.plan_for_role("flask-backend-junior", ["flask_core"])
    rows = study_plan.plan_rows(plan, PACKS)
    assert [(r["pack"].id, r["in_plan"], r["covered"]) for r in rows] == [
        ("flask_core", True, 1), ("python_core", False, 0), ("other", False, 0)]
    assert rows[0]["focus_tags"] == ["routing"] and rows[0]["focus_difficulty"] == "junior"
