"""The learning loop through the test client: what the learner sees and can press."""

import re

from tests.study.test_card_actions import post, profile_of


def test_the_grade_buttons_show_each_grades_interval(client, csrf):
    html = client.get("/practice/sample/q1?reveal=1").get_data(as_text=True)
    labels = re.findall(r'<span class="interval" aria-hidden="true">([^<]+)</span>'
                        r'<span class="visually-hidden">, back ([^<]+)</span>', html)
    assert [label for label, _ in labels] == ["&lt;1m", "&lt;6m", "&lt;10m", labels[3][0]]
    assert labels[3][0].endswith("d") and labels[3][1].endswith("days")
    assert labels[0][1] == "in 1 minute"


def test_a_grade_is_confirmed_on_the_next_card(client, csrf):
    html = post(client, csrf, "/practice/sample/q1/grade", rating="3").get_data(as_text=True)
    notice = re.search(r'<p class="notice" role="status">([^<]+)</p>', html).group(1)
    assert notice.startswith("Good: ") and "back in 10 minutes" in notice
    assert "Undo with u." in notice


def test_failing_every_card_brings_the_first_back_without_a_reload(client, csrf):
    """Nothing else left: the failed cards are within the learn-ahead window."""
    html = ""
    for number in range(1, 7):
        html = post(client, csrf, f"/practice/sample/q{number}/grade",
                    rating="1").get_data(as_text=True)
    assert 'data-question="q1"' in html and "All caught up" not in html


def test_the_caught_up_card_says_when_and_asks_again_by_itself(app, client, csrf):
    client.post("/profile/settings", data={"csrf_token": csrf, "name": "Ann",
                                           "retention": "90", "new_per_day": "1",
                                           "learn_ahead_minutes": "0"})
    html = post(client, csrf, "/practice/sample/q1/grade", rating="1").get_data(as_text=True)
    assert "All caught up" in html
    assert re.search(r'Next card in (59|60) seconds|Next card in 1 minute', html), html
    poll = re.search(r'<div class="next-card-poll" data-hx-get="/practice/sample" '
                     r'data-hx-trigger="load delay:(\d+)s"', html)
    assert poll and 55 <= int(poll.group(1)) <= 60
    assert profile_of(app, client).settings["learn_ahead_minutes"] == 0


def test_suspend_takes_a_card_out_of_review_and_the_profile_lists_it(app, client, csrf):
    response = post(client, csrf, "/practice/sample/q1/suspend")
    assert response.headers["HX-Push-Url"] == "/practice/sample/q2"
    assert "Suspended “Sample question number 1" in response.get_data(as_text=True)
    profile = profile_of(app, client)
    assert profile.mark("sample", "q1")["suspended"] is True
    start = client.get("/practice/sample")
    assert start.headers["Location"].endswith("/practice/sample/q2")
    page = client.get("/profile").get_data(as_text=True)
    assert 'data-question="q1"' in page and '<span class="tag suspended">' in page
    back = client.post("/profile/unsuspend", data={"csrf_token": csrf, "pack": "sample",
                                                   "question": "q1"})
    assert back.status_code == 303 and "suspended" not in profile.mark("sample", "q1")
    assert client.post("/profile/unsuspend", data={"pack": "sample",
                                                   "question": "q1"}).status_code == 400


def test_redo_after_undo_gives_the_grade_back(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="4")
    profile = profile_of(app, client)
    graded = dict(profile.card("sample", "q1"))
    undone = post(client, csrf, "/practice/sample/undo").get_data(as_text=True)
    assert 'class="redo"' in undone and 'data-keys="Ctrl+Shift+z"' in undone
    redone = post(client, csrf, "/practice/sample/redo")
    assert "Redid your grade" in redone.get_data(as_text=True)
    assert dict(profile.card("sample", "q1")) == graded
    again = client.post("/practice/sample/redo", data={"csrf_token": csrf})
    assert again.status_code == 409  # nothing to redo, without htmx: an error page


def test_study_settings_are_saved_and_refused_with_a_message(app, client, csrf):
    form = {"csrf_token": csrf, "name": "Ann", "retention": "90", "new_per_day": "20",
            "reviews_per_day": "50", "learning_steps": "2m 20m", "relearning_steps": "5m",
            "learn_ahead_minutes": "15", "leech_threshold": "6", "leech_action": "suspend"}
    assert client.post("/profile/settings", data=form).status_code == 303
    settings = profile_of(app, client).settings
    assert settings["learning_steps"] == [120, 1200] and settings["leech_action"] == "suspend"
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="2m 20m"' in page and 'value="suspend" checked' in page
    refused = client.post("/profile/settings", data={**form, "learning_steps": "soon"})
    assert refused.status_code == 400
    assert "Learning steps: &#39;soon&#39; is not a step" in refused.get_data(as_text=True)
    assert profile_of(app, client).settings["learning_steps"] == [120, 1200]


def test_stats_show_time_states_and_hours(client, csrf):
    client.get("/practice/sample/q1")  # shown: the grade gets a duration
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q2/suspend")
    html = client.get("/stats").get_data(as_text=True)
    assert re.search(r'<tr data-state="learning"><td>Learning</td><td class="num">1</td>', html)
    assert re.search(r'<tr data-state="suspended"><td>Suspended</td><td class="num">1</td>',
                     html)
    assert re.search(r'<tr data-state="new"><td>New</td><td class="num">4</td>', html)
    assert '<dd class="time-today">' in html and 'id="hourly-table"' in html
    assert re.search(r'<td class="num rate">100%</td>', html)


def test_only_studied_tags_are_charted(client, csrf):
    html = client.get("/stats").get_data(as_text=True)
    assert 'class="unstudied-tags"' in html  # nothing studied yet: every tag folded away
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    html = client.get("/stats").get_data(as_text=True)
    assert '<tr data-label="sample">' in html
