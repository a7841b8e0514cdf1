"""Study modes: Focus filters and runs, mock interviews, and the typed-answer checks."""

import random
import re

from markupsafe import Markup

from tests.conftest import HX, profile_of
from trainer.packs.model import Pack, Question
from trainer.study import answer_check, mock_interview
from trainer.study.queue import focus_order, review_queue


def _q(qid, difficulty="mid", tags=("a",), points=()):
    return Question(id=qid, title=qid, title_html=qid, answer_html="", why_html="",
                    key_points=tuple(Markup(p) for p in points), follow_ups=(),
                    difficulty=difficulty, tags=tags)


PACK = Pack(id="p", title="P", version="1", questions=(
    _q("a1", "junior", ("routing",)), _q("a2", "senior", ("routing", "testing")),
    _q("a3", "senior", ("testing",)), _q("a4", "mid", ("routing",))))


def test_focus_order_filters_and_shuffles_reproducibly():
    marks = {"a3": {"starred": True}, "a4": {"starred": True}}
    assert sorted(focus_order(PACK, marks, 1, tag="routing")) == ["a1", "a2", "a4"]
    assert sorted(focus_order(PACK, marks, 1, difficulty="senior")) == ["a2", "a3"]
    assert sorted(focus_order(PACK, marks, 1, starred=True)) == ["a3", "a4"]
    assert focus_order(PACK, marks, 1, tag="testing", difficulty="junior") == []
    assert focus_order(PACK, {}, 7) == focus_order(PACK, {}, 7)
    orders = {tuple(focus_order(PACK, {}, seed)) for seed in range(30)}
    assert len(orders) > 5  # really shuffled


def test_review_queue_limits_new_and_skips_buried():
    states = {"a3": {"due": 10.0}}
    marks = {"a1": {"buried_until": 200.0}}
    assert review_queue(PACK, states, marks, 100.0, 1) == ["a3", "a2"]
    assert review_queue(PACK, states, {}, 100.0, 0) == ["a3"]
    assert review_queue(PACK, states, marks, 300.0, 9) == ["a3", "a1", "a2", "a4"]


def test_focus_run_by_url_grades_and_finishes(app, client, csrf):
    client.post("/practice/sample/q2/star", data={"csrf_token": csrf})
    client.post("/practice/sample/q5/star", data={"csrf_token": csrf})
    start = client.get("/focus/sample?starred=1")
    assert start.status_code == 303
    url = start.headers["Location"]
    seed = re.search(r"seed=(\d+)", url).group(1)
    html = client.get(url).get_data(as_text=True)
    assert 'data-mode="focus"' in html and "Focus: starred" in html
    first = re.search(r'data-question="(q\d)"', html).group(1)
    assert first in ("q2", "q5") and "1 / 2" in html
    # Burying is a Review matter, and unstarring would change a starred-only run: both
    # controls are there, disabled, and their keys say why instead of doing nothing.
    assert "/bury" not in html and "/focus/sample/star" not in html
    for key, why in (("-", "Bury is a Review action"), ("*", "Stars stay as they are")):
        control = re.search(rf'<button type="button" class="\w+" data-keys="{re.escape(key)}"'
                            r' aria-disabled="true" data-notice="([^"]+)">', html)
        assert control and control.group(1).startswith(why), key
    assert '<p class="key-notice" role="status"></p>' in html
    assert 'data-keys="e"' in html
    response = client.post("/focus/sample/grade", data={
        "question": first, "seed": seed, "i": "0", "starred": "1", "rating": "3"},
        headers={**HX, "X-CSRF-Token": csrf})
    assert f"seed={seed}" in response.headers["HX-Push-Url"]
    second = re.search(r'data-question="(q\d)"', response.get_data(as_text=True)).group(1)
    assert {first, second} == {"q2", "q5"}
    assert profile_of(app, client).card("sample", first)["reps"] == 1
    done = client.post("/focus/sample/grade", data={
        "question": second, "seed": seed, "i": "1", "starred": "1", "rating": "4",
        "csrf_token": csrf})
    assert "i=2" in done.headers["Location"]
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Focus run finished" in html and '<strong class="run-total">2</strong>' in html


def test_focus_refuses_bad_filters_and_stale_runs(client, csrf):
    assert client.get("/focus/sample?tag=nope&seed=1&i=0").status_code == 400
    assert client.get("/focus/sample?difficulty=guru&seed=1&i=0").status_code == 400
    assert client.get("/focus/sample?seed=-3&i=0").status_code == 400
    assert client.get("/focus/sample?seed=1&i=99").status_code == 400
    assert client.get("/focus/nope").status_code == 404
    html = client.get("/focus/sample?starred=1&seed=1&i=0").get_data(as_text=True)
    assert "No questions match" in html
    stale = client.post("/focus/sample/grade", data={
        "question": "q3", "seed": "1", "i": "0", "rating": "3", "csrf_token": csrf,
        "tag": "sample"})
    order = focus_order(client.application.extensions["trainer"].packs.get("sample"), {}, 1,
                        tag="sample")
    assert stale.status_code == (303 if order[0] == "q3" else 409)


def test_modes_page_offers_every_mode_with_keys(client):
    html = client.get("/modes/sample").get_data(as_text=True)
    for key, label in (("r", "Review"), ("b", "Browse"), ("f", "Start Focus"),
                       ("m", "Start mock interview")):
        assert re.search(rf'data-keys="{key}">{label} <kbd>{key}</kbd>', html), label
    assert '<option value="sample">sample</option>' in html


def test_mock_interview_start_answer_summary_and_star(app, client, csrf):
    bad = client.post("/mock/start", data={"pack": "sample", "count": "50", "seconds": "60",
                                           "csrf_token": csrf}, follow_redirects=True)
    assert "from 1 to 20" in bad.get_data(as_text=True)
    response = client.post("/mock/start", data={"pack": "sample", "count": "3",
                                                "seconds": "60", "csrf_token": csrf})
    assert response.headers["Location"] == "/mock"
    profile = profile_of(app, client)
    run = mock_interview.current(profile)
    assert len(set(run["questions"])) == 3
    html = client.get("/mock").get_data(as_text=True)
    assert 'class="countdown"' in html and "1:00" in html and "Question 1 / 3" in html
    assert "Answer body" not in html  # no peeking
    answers = ["The first point and the second point", "", "x"]
    for index, text in enumerate(answers):
        client.post("/mock/answer", data={"run": run["id"], "index": str(index),
                                          "answer": text, "csrf_token": csrf})
    again = client.post("/mock/answer", data={"run": run["id"], "index": "1", "answer": "y",
                                              "csrf_token": csrf}, follow_redirects=True)
    assert "over" in again.get_data(as_text=True)
    summary = client.get("/mock").get_data(as_text=True)
    assert '<strong class="review-count">2</strong>' in summary
    assert "no answer" in summary and "mentions 0 of 2 key points" in summary
    assert summary.count('class="covered"') == 2
    starred = client.post("/mock/star", data={"run": run["id"], "csrf_token": csrf})
    assert "/focus/sample?starred=1" in starred.headers["Location"]
    stars = [q for q, m in profile.marks_in("sample").items() if m.get("starred")]
    assert sorted(stars) == sorted(run["questions"][1:])


def test_mock_answer_after_the_countdown_is_over_time(app, client, csrf, monkeypatch):
    client.post("/mock/start", data={"pack": "sample", "count": "1", "seconds": "30",
                                     "csrf_token": csrf})
    profile = profile_of(app, client)
    run = mock_interview.current(profile)
    later = run["shown_at"] + 30 + mock_interview.GRACE + 1
    monkeypatch.setattr(mock_interview.time, "time", lambda: later)
    client.post("/mock/answer", data={"run": run["id"], "index": "0",
                                      "answer": "point", "csrf_token": csrf})
    assert mock_interview.current(profile)["answers"][0]["over_time"] is True
    assert 'class="over-time"' in client.get("/mock").get_data(as_text=True)


def test_mock_refuses_overlong_answers_and_missing_runs(app, client, csrf):
    assert client.get("/mock").status_code == 303
    client.post("/mock/start", data={"pack": "sample", "count": "1", "seconds": "30",
                                     "csrf_token": csrf})
    run = mock_interview.current(profile_of(app, client))
    html = client.post("/mock/answer", data={"run": run["id"], "index": "0",
                                             "answer": "x" * 4001, "csrf_token": csrf},
                       follow_redirects=True).get_data(as_text=True)
    assert "at most 4000 characters" in html and "Question 1 / 1" in html
    assert client.post("/mock/star", data={"run": run["id"], "csrf_token": csrf}).status_code \
        == 409


def test_mock_start_samples_without_repeats():
    pack = Pack(id="p", title="P", version="1", questions=PACK.questions)

    class Settings:
        lock = None
        saved = None

        def update_settings(self, **kw):
            self.saved = kw

    run = mock_interview.start(Settings(), pack, 9, 60, now_ts=1.0, rng=random.Random(3))
    assert sorted(run["questions"]) == ["a1", "a2", "a3", "a4"]


def test_answer_check_terms_mentions_and_grades():
    point = Markup("Close resources in <code>teardown_appcontext</code> handlers")
    assert answer_check.point_terms(point) == [
        "teardown_appcontext", "close", "resources", "handlers"]
    assert answer_check.mentions("I close the resource in a teardown_appcontext", point)
    assert not answer_check.mentions("I would use a global variable", point)
    assert not answer_check.mentions("", point)
    assert answer_check.suggested_points("resources, handlers", [point, Markup("<b>x</b>")]) \
        == [0]
    grades = [answer_check.suggest_grade(t, 4) for t in range(5)]
    assert grades == [1, 1, 2, 3, 4]
    assert answer_check.suggest_grade(0, 0) is None


def test_mentions_match_word_forms_but_code_as_written():
    point = Markup("Decorators with arguments are factories; see <code>functools.wraps</code>")
    assert answer_check.mentions("a decorator taking an argument is a factory", point)
    assert not answer_check.mentions("use functools to wrap it", point)
    assert answer_check.mentions("functools.wraps keeps the factory's name", point)


def test_focus_card_actions_undo_star_and_note(app, client, csrf):
    url = "/focus/sample?seed=11&i=0"
    html = client.get(url).get_data(as_text=True)
    first = re.search(r'data-question="(q\d)"', html).group(1)
    fields = {"question": first, "seed": "11", "i": "0", "csrf_token": csrf}
    starred = client.post("/focus/sample/star", data=fields, headers=HX).get_data(as_text=True)
    assert 'aria-pressed="true"' in starred and 'data-mode="focus"' in starred
    assert 'action="/focus/sample/star"' in starred  # outside a starred-only run: a real star
    assert 'class="bury" data-keys="-" aria-disabled="true"' in starred
    noted = client.post("/focus/sample/note", data={**fields, "note": "focus note"},
                        headers=HX).get_data(as_text=True)
    assert '<p class="note-text">focus note</p>' in noted
    too_long = client.post("/focus/sample/note", data={**fields, "note": "n" * 1001},
                           headers=HX).get_data(as_text=True)
    assert "at most 1000 characters" in too_long and '<textarea id="note"' in too_long
    graded = client.post("/focus/sample/grade", data={**fields, "rating": "2"}, headers=HX)
    assert 'data-keys="u Ctrl+z"' in graded.get_data(as_text=True)
    undone = client.post("/focus/sample/undo", data={"seed": "11", "i": "1",
                                                     "csrf_token": csrf}, headers=HX)
    assert undone.headers["HX-Push-Url"] == "/focus/sample?seed=11&i=0"
    html = undone.get_data(as_text=True)
    assert f'data-question="{first}"' in html and "Undid your grade" in html
    profile = profile_of(app, client)
    assert profile.card("sample", first) is None
    nothing = client.post("/focus/sample/undo", data={"seed": "11", "i": "0",
                                                      "csrf_token": csrf}, headers=HX)
    assert "no grade to undo" in nothing.get_data(as_text=True)
    assert client.post("/focus/sample/star", data={**fields, "starred": "1"},
                       headers=HX).status_code == 409


def test_new_count_shows_what_review_offers_under_todays_limit(app, client, csrf):
    client.get("/")
    profile_of(app, client).update_settings(new_per_day=2)

    def shown(url):
        html = client.get(url).get_data(as_text=True)
        new = re.search(r'<span class="new-count">(\d+)</span> new( <span class="new-held">'
                        r'\(([^)]*)\)</span>)?', html)
        return new.group(1), new.group(3)

    for url in ("/practice/sample/q1", "/modes/sample", "/focus/sample?seed=3&i=0"):
        assert shown(url) == ("2", "today's limit: 4 more wait"), url
    client.post("/practice/sample/q1/grade", data={"rating": "3", "csrf_token": csrf})
    assert shown("/practice/sample/q2") == ("1", "today's limit: 4 more wait")
    client.post("/practice/sample/q2/grade", data={"rating": "3", "csrf_token": csrf})
    assert shown("/modes/sample") == ("0", "today's limit reached")
    profile_of(app, client).update_settings(new_per_day=20)
    assert shown("/practice/sample/q3") == ("4", None)  # under the limit: no remark
