"""The session cookie is sent when it changes or is a day old, not on every response."""

import time

from flask import session

from trainer.web import sessions


def session_cookie(response):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]


def test_a_new_visitor_gets_the_cookie_and_a_returning_one_does_not(client):
    first = client.get("/")
    assert session_cookie(first)  # new profile and CSRF token: the session changed
    again = client.get("/")
    assert again.status_code == 200 and session_cookie(again) == []
    assert client.get_cookie("session") is not None


def test_a_changed_session_is_sent_again(app):
    def touch():
        session["touched"] = session.get("touched", 0) + 1
        return "ok"

    app.add_url_rule("/_touch", view_func=touch)
    client = app.test_client()
    client.get("/")
    assert session_cookie(client.get("/")) == []
    assert session_cookie(client.get("/_touch"))
    with client.session_transaction() as kept:
        assert kept["touched"] == 1 and "profile" in kept


def test_a_day_old_cookie_is_refreshed(client, monkeypatch):
    client.get("/")
    real_time = time.time
    monkeypatch.setattr(sessions.time, "time", lambda: real_time() + sessions.REFRESH_AFTER + 5)
    refreshed = client.get("/")
    assert session_cookie(refreshed)
    assert "Expires=" in session_cookie(refreshed)[0]


def test_a_forged_cookie_starts_a_new_session(client):
    client.set_cookie("session", "forged.value.here")
    response = client.get("/")
    assert response.status_code == 200 and session_cookie(response)


def test_the_app_uses_it(app):
    assert isinstance(app.session_interface, sessions.DailyRefreshSessionInterface)
