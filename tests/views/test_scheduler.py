"""Optimize my scheduler through the test client: the panel, htmx and plain posts, CSRF."""

import re

import pytest

from tests.conftest import HX, csrf_from, profile_of
from tests.study.test_optimizer import SMALL_SIMULATION, practice_log
from trainer.profiles.settings import fsrs_parameters
from trainer.study import optimizer


@pytest.fixture(autouse=True)
def fit_in_this_process(monkeypatch):
    """The fit itself, without the child process (tests/study covers that path)."""
    def run(items, current, simulation):
        return optimizer.fit(items, current, {**simulation, **SMALL_SIMULATION})
    monkeypatch.setattr(optimizer, "fit_in_child", run)


def panel(html):
    return re.search(r'<section class="panel scheduler".*?</section>', html, re.S).group(0)


def test_the_profile_page_shows_the_panel_with_the_defaults_in_use(client):
    html = client.get("/profile").get_data(as_text=True)
    shown = panel(html)
    assert "FSRS's default parameters" in shown
    assert "at least 400 reviews, and 50 cards" in shown
    assert "Use these parameters" not in shown and "Reset to default" not in shown


def test_not_enough_reviews_is_said_in_the_panel(client, csrf):
    response = client.post("/profile/scheduler/optimize", data={"csrf_token": csrf},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="panel scheduler"')
    assert "Not enough reviews yet: 0 of the 400" in html
    assert response.headers["HX-Push-Url"] == "/profile"


def test_a_plain_post_is_redirected_to_the_profile_page_with_the_message(client, csrf):
    response = client.post("/profile/scheduler/optimize", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/profile"
    html = client.get("/profile").get_data(as_text=True)
    assert "Not enough reviews yet" in html


def test_optimize_compare_accept_and_reset(app, client, csrf):
    profile = profile_of(app, client)
    profile.append_records(practice_log())
    html = client.post("/profile/scheduler/optimize", data={"csrf_token": csrf},
                       headers=HX).get_data(as_text=True)
    assert "Fitted to 480 reviews of 60 cards" in html
    default = re.search(r'<tr class="default">.*?</tr>', html, re.S).group(0)
    fitted = re.search(r'<tr class="fitted">.*?</tr>', html, re.S).group(0)
    assert re.search(r'class="num log-loss">0\.\d{4}<', default)
    assert re.search(r'class="num rmse">\d+\.\d\d%<', fitted)
    assert "Use these parameters" in html and "Keep current" in html
    assert fsrs_parameters(profile) is None

    reloaded = panel(client.get("/profile").get_data(as_text=True))  # the state survives
    assert "Use these parameters" in reloaded

    html = client.post("/profile/scheduler/accept", data={"csrf_token": csrf},
                       headers=HX).get_data(as_text=True)
    assert "now uses the fitted parameters" in html
    assert "parameters fitted to your reviews" in html and "Reset to default" in html
    assert fsrs_parameters(profile) is not None

    html = client.post("/profile/scheduler/reset", data={"csrf_token": csrf},
                       headers=HX).get_data(as_text=True)
    assert "default parameters again" in html and "Reset to default" not in html
    assert fsrs_parameters(profile) is None


def test_keep_current_forgets_the_proposal(app, client, csrf):
    profile_of(app, client).append_records(practice_log())
    client.post("/profile/scheduler/optimize", data={"csrf_token": csrf}, headers=HX)
    html = client.post("/profile/scheduler/keep", data={"csrf_token": csrf},
                       headers=HX).get_data(as_text=True)
    assert "Kept your current parameters" in html and "Use these parameters" not in html
    assert fsrs_parameters(profile_of(app, client)) is None


def test_accept_without_a_proposal_says_so(client, csrf):
    html = client.post("/profile/scheduler/accept", data={"csrf_token": csrf},
                       headers=HX).get_data(as_text=True)
    assert "There is no fitted set to accept" in html


def test_the_suggested_retention_is_applied_by_its_button(app, client, csrf):
    profile = profile_of(app, client)
    profile.append_records(practice_log())
    client.post("/profile/scheduler/optimize", data={"csrf_token": csrf}, headers=HX)
    suggestion = profile.settings[optimizer.PROPOSAL]["suggested_retention"]
    html = client.get("/profile").get_data(as_text=True)
    assert suggestion != 0.9 and "Suggested desired retention" in panel(html)
    response = client.post("/profile/scheduler/retention",
                           data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303
    assert profile.settings["desired_retention"] == suggestion


def test_a_post_without_the_csrf_token_is_refused(app, client):
    client.get("/")
    profile_of(app, client).append_records(practice_log())
    assert client.post("/profile/scheduler/optimize").status_code == 400
    assert client.post("/profile/scheduler/reset").status_code == 400
    assert optimizer.panel(profile_of(app, client))["proposal"] is None
