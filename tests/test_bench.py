"""The benchmark's own helpers: the maths, the seeding and the floor route.

Nothing here times anything: speed is measured by ``make bench`` only.
"""

import json

import pytest

from bench import report, stats
from bench.seed import generate_packs, question_ids, seed_profile, session_cookie
from trainer import create_app
from trainer.packs.loader import load_pack
from trainer.profiles.store import Profile
from trainer.views import floor


def test_percentile_is_nearest_rank():
    samples = list(range(1, 101))  # 1..100
    assert stats.percentile(samples, 50) == 50
    assert stats.percentile(samples, 99) == 99
    assert stats.percentile(samples, 100) == 100
    assert stats.percentile([3, 1, 2], 50) == 2
    assert stats.percentile([7], 99) == 7
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1], 0)


def test_summarise_gives_rate_and_milliseconds():
    summary = stats.summarise([0.001] * 99 + [0.010], elapsed_s=0.5)
    assert summary == {"requests": 100, "rps": 200.0, "p50_ms": 1.0, "p99_ms": 1.0}
    assert stats.summarise([0.001] * 98 + [0.010] * 2, 1)["p99_ms"] == 10.0
    assert stats.ratio(700, 1000) == 0.7
    assert stats.ratio(1, 0) == 0.0


def test_verdicts_follow_the_targets():
    assert report.verdict("flip_c1_p50_ms", 0.9) == "ok"
    assert report.verdict("flip_c1_p50_ms", 1.1) == "MISS"
    assert report.verdict("flip_vs_floor", 0.69) == "MISS"
    assert report.verdict("flip_vs_floor", 0.7) == "ok"
    assert report.verdict("floor_c1_rps", 1.0) == ""
    assert report.misses({"cold_start_s": 2.0, "grade_10k_p99_ms": 3.0}) == ["cold_start_s"]


def test_results_json_is_flat_rounded_and_complete(tmp_path):
    results = dict.fromkeys(report.REQUIRED_KEYS, 1.23456)
    results["git_commit"] = "abc1234"
    path = report.write_results(results, tmp_path / "results.json")
    written = json.loads(path.read_text())
    assert report.missing_keys(written) == []
    assert written["flip_c1_p50_ms"] == 1.235 and written["git_commit"] == "abc1234"
    assert report.missing_keys({"flip_c1_rps": 1}) == [
        k for k in report.REQUIRED_KEYS if k != "flip_c1_rps"]
    with pytest.raises(ValueError):
        report.clean({"nested": {"a": 1}})


def test_generated_packs_load_without_errors(tmp_path):
    ids = generate_packs(tmp_path, packs=2, questions=3)
    assert ids == ["bench-00", "bench-01"]
    for pack_id in ids:
        pack, problems = load_pack(tmp_path / pack_id)
        assert problems == []
        assert list(pack.question_ids) == question_ids(3)
        assert len({q.title for q in pack.questions}) == 3  # each question is unique


def test_seeded_profile_holds_exactly_the_reviews_asked_for(tmp_path):
    cards = [("bench-00", q) for q in question_ids(10)]
    reviews, used = seed_profile(tmp_path, "p" * 22, 23, cards)
    assert (reviews, used) == (23, 5)
    profile = Profile(tmp_path, "p" * 22)
    assert len(profile.reviews()) == 23
    states = profile.cards_in("bench-00")
    assert sorted(states) == question_ids(5)
    assert sum(s["reps"] for s in states.values()) == 23


@pytest.fixture
def bench_app(tmp_path, monkeypatch):
    def make(enabled):
        if enabled:
            monkeypatch.setenv(floor.ENV, "1")
        else:
            monkeypatch.delenv(floor.ENV, raising=False)
        return create_app({
            "DATA_DIR": tmp_path / "data", "SECRET_KEY": "bench-secret-" + "y" * 32,
            "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [], "TESTING": True,
        })
    return make


def test_floor_route_exists_only_when_asked(bench_app):
    assert bench_app(False).test_client().get("/_bench/floor?bytes=10").status_code == 404
    client = bench_app(True).test_client()
    response = client.get("/_bench/floor?bytes=2406")
    assert response.status_code == 200 and len(response.data) == 2406
    assert client.get("/_bench/floor?bytes=-1").status_code == 400
    assert client.get(f"/_bench/floor?bytes={floor.MAX_BYTES + 1}").status_code == 400


def test_signed_session_cookie_is_read_as_that_profile(bench_app):
    app = bench_app(True)
    profile_id = "b" * 22
    client = app.test_client()
    client.set_cookie("session", session_cookie(app.secret_key, profile_id, "t" * 32))
    with client:
        client.get("/")
        from flask import session

        assert session["profile"] == profile_id
    # The CSRF token in the cookie is the session's: a POST with it passes the check
    # (405: the floor is GET-only), one with another token does not (400).
    assert client.post("/_bench/floor", headers={"X-CSRF-Token": "t" * 32}).status_code == 405
    assert client.post("/_bench/floor", headers={"X-CSRF-Token": "u" * 32}).status_code == 400


def test_the_command_line_names_its_parts():
    from bench.__main__ import PARTIAL, PARTS, RESULTS, parse_args

    assert parse_args([]).only == list(PARTS)
    assert parse_args([]).out == RESULTS
    partial = parse_args(["--only", "http, cold"])
    assert partial.only == ["http", "cold"] and partial.out == PARTIAL
    assert parse_args(["--quick"]).out == PARTIAL
    with pytest.raises(SystemExit):
        parse_args(["--only", "http,nope"])


def test_a_failing_part_is_reported_and_the_others_still_run(tmp_path, capsys):
    from bench.__main__ import Run, parse_args

    bench_run = Run(parse_args(["--quick"]), tmp_path)
    ran = []
    bench_run.part("broken part", lambda: 1 / 0)
    bench_run.part("next part", lambda: ran.append(True))
    assert ran == [True]
    assert bench_run.failed == ["broken part"]
    assert bench_run.results["error_1"].startswith("broken part: division by zero")
    assert "ZeroDivisionError" in capsys.readouterr().err
