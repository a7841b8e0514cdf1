"""Stats: the pure functions with fixed clocks, and the page with its text alternatives."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import fsrs

from trainer.packs.model import Pack, Question
from trainer.study import stats
from trainer.study.history import effective_reviews
from trainer.study.scheduling import grade, make_scheduler

HX = {"HX-Request": "true"}


def ts(day, hour=12):
    return datetime(day.year, day.month, day.day, hour).timestamp()


def test_streak_counts_back_from_today_or_yesterday():
    today = date(2026, 3, 10)
    per_day = {today - timedelta(days=i): 1 for i in (1, 2, 3, 5)}
    assert stats.streak(per_day, today) == 3  # today not done yet: yesterday's run counts
    per_day[today] = 2
    assert stats.streak(per_day, today) == 4
    assert stats.streak({}, today) == 0
    assert stats.streak({today - timedelta(days=2): 1}, today) == 0


def test_heatmap_covers_whole_weeks_and_scales_levels():
    today = date(2026, 3, 11)  # a Wednesday
    per_day = {today: 8, today - timedelta(days=1): 2, today - timedelta(days=40): 1}
    cells = stats.heatmap(per_day, today, weeks=10)
    assert cells[0].day.weekday() == 0 and cells[0].week == 0
    assert cells[-1].day == today and cells[-1].week == 9 and cells[-1].weekday == 2
    assert len(cells) == 9 * 7 + 3
    by_day = {c.day: c for c in cells}
    assert by_day[today].level == 4
    assert by_day[today - timedelta(days=1)].level == 1
    assert by_day[today - timedelta(days=2)].level == 0
    assert sum(c.count for c in cells) == 11


def test_forecast_puts_overdue_cards_today_and_stops_at_30_days():
    now = ts(date(2026, 3, 10))
    cards = [{"due": now - 86400 * 5}, {"due": now + 3600}, {"due": now + 86400 * 2},
             {"due": now + 86400 * 29}, {"due": now + 86400 * 30}]
    days = stats.forecast(cards, now)
    assert len(days) == 30 and days[0][0] == date(2026, 3, 10)
    counts = dict(days)
    assert counts[date(2026, 3, 10)] == 2
    assert counts[date(2026, 3, 12)] == 1
    assert counts[date(2026, 4, 8)] == 1
    assert sum(counts.values()) == 4


def test_true_retention_ignores_first_reviews_and_undone_grades():
    review = {"state": fsrs.State.Review.value}
    records = [
        {"pack": "p", "question": "a", "rating": 1, "at": 1.0, "previous": None},
        {"pack": "p", "question": "a", "rating": 3, "at": 2.0, "previous": review},
        {"pack": "p", "question": "a", "rating": 1, "at": 3.0, "previous": review},
        {"pack": "p", "question": "b", "rating": 1, "at": 4.0, "previous": review},
        {"kind": "undo", "pack": "p", "question": "b", "undoes": 4.0, "at": 5.0},
    ]
    assert stats.true_retention(effective_reviews(records)) == (1, 2)
    assert stats.true_retention(effective_reviews(records), since_ts=2.5) == (0, 1)


def test_true_retention_counts_only_cards_in_the_review_state():
    """Learning and relearning steps are not retention (Anki's true retention)."""
    scheduler = make_scheduler()
    when = datetime(2026, 3, 1, 9).astimezone()
    log = []
    state = None
    # Again on a new card (first review), Good in learning, Good into Review; then a
    # lapse a month later (counts), Good while relearning (does not), Good in Review.
    for rating, later in ((1, 0), (3, 600), (3, 1200), (1, 30 * 86400), (3, 30 * 86400 + 600),
                          (3, 60 * 86400)):
        state, record = grade(scheduler, "p", "a", state, rating, when + timedelta(seconds=later))
        log.append(record)
    before = [fsrs.State(r["previous"]["state"]) if r["previous"] else None for r in log]
    assert before[:4] == [None, fsrs.State.Learning, fsrs.State.Learning, fsrs.State.Review]
    assert before[4] == fsrs.State.Relearning and before[5] == fsrs.State.Review
    assert stats.true_retention(log) == (1, 2)


def _question(qid, tags):
    return Question(id=qid, title=qid, title_html=qid, answer_html="", why_html="",
                    key_points=(), follow_ups=(), difficulty="mid", tags=tags)


def test_strength_per_pack_and_tag_counts_unseen_as_zero():
    pack = Pack(id="p", title="P", version="1",
                questions=(_question("a", ("x", "y")), _question("b", ("y",))))
    scheduler = make_scheduler()
    when = datetime.now().astimezone()
    state, _ = grade(scheduler, "p", "a", None, 4, when)
    per_pack, per_tag = stats.strength([pack], {"p": {"a": state}}, scheduler,
                                       when.timestamp() + 60)
    assert per_pack[0].seen == 1 and per_pack[0].total == 2
    assert 0.49 < per_pack[0].recall <= 0.5
    tags = {s.label: s for s in per_tag}
    assert tags["x"].recall > 0.99 and tags["x"].seen == 1
    assert tags["y"].total == 2 and abs(tags["y"].recall - per_pack[0].recall) < 1e-9
    assert [s.label for s in per_tag] == ["x", "y"]


def test_stats_page_draws_svg_with_text_alternatives(client, csrf):
    for q, rating in (("q1", "3"), ("q2", "1"), ("q1", "3")):
        client.post(f"/practice/sample/{q}/grade", data={"rating": rating},
                    headers={**HX, "X-CSRF-Token": csrf})
    client.post("/practice/sample/undo", headers={**HX, "X-CSRF-Token": csrf})
    html = client.get("/stats").get_data(as_text=True)
    assert '<dd class="total-reviews">2</dd>' in html  # the undone grade is left out
    assert '<dd class="streak">1 day</dd>' in html
    assert '<dd class="today">2</dd>' in html
    assert html.count('<svg class="chart') == 5  # heatmap, forecast, hourly, 2 strength
    assert html.count("<title id=") == 5 and 'aria-labelledby="heatmap-title heatmap-desc"' in html
    today = date.today().isoformat()
    assert f'data-day="{today}" data-count="2"' in html
    assert re.search(rf"<tr><td>{today}</td><td class=\"num\">2</td></tr>", html)
    assert 'id="packs-table"' in html and 'id="tags-table"' in html
    assert "style=" not in html and "<script>" not in html  # CSP: classes only
    forecast_total = re.search(r"(\d+) cards fall due in the next 30 days", html).group(1)
    assert forecast_total == "2"


def test_stats_page_with_no_history(client):
    html = client.get("/stats").get_data(as_text=True)
    assert '<dd class="streak">0 days</dd>' in html
    assert "No reviews yet in this period." in html
    assert '<dd class="retention-all">–</dd>' in html


def test_stats_leave_out_progress_on_a_removed_question(tmp_path):
    """A newer pack version without q1 keeps q1's progress on disk, out of the forecast."""
    import shutil

    from tests.conftest import DATA, csrf_from
    from trainer import create_app

    folder = Path(shutil.copytree(DATA / "sample", tmp_path / "packs" / "sample"))
    app = create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "s" * 40,
                      "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [tmp_path / "packs"]})
    client = app.test_client()
    token = csrf_from(client.get("/").get_data(as_text=True))
    for question in ("q1", "q2"):
        client.post(f"/practice/sample/{question}/grade", data={"rating": "3"},
                    headers={**HX, "X-CSRF-Token": token})

    def forecast_total():
        html = client.get("/stats").get_data(as_text=True)
        return re.search(r"(\d+) cards fall due in the next 30 days", html).group(1)

    assert forecast_total() == "2"
    (folder / "questions" / "001-q1.md").unlink()
    app.extensions["trainer"].packs.reload()
    assert forecast_total() == "1"
