"""Behind https: a Secure session cookie, HSTS when asked for, proxies only when configured."""

import pytest

from tests.conftest import DATA
from trainer import create_app
from trainer.config import ConfigError


def make_app(tmp_path, **config):
    return create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "s" * 40,
                       "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [DATA], "TESTING": True,
                       **config})


def cookie_of(response):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_plain_http_gets_a_plain_cookie_and_no_hsts(tmp_path):
    response = make_app(tmp_path, HSTS=True).test_client().get("/")
    assert "Secure" not in cookie_of(response)
    assert "Strict-Transport-Security" not in response.headers


def test_an_https_public_url_makes_the_cookie_secure(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://trainer.example.org")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/", base_url="http://127.0.0.1:8000")
    assert "; Secure" in cookie_of(response)
    assert "Strict-Transport-Security" not in response.headers  # HSTS is opt-in


def test_hsts_goes_on_https_answers_only(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://trainer.example.org", HSTS=True)
    client = app.test_client()
    public = client.get("/", base_url="https://trainer.example.org")
    assert public.headers["Strict-Transport-Security"] == "max-age=31536000"
    direct = client.get("/", base_url="http://127.0.0.1:8000")
    assert "Strict-Transport-Security" not in direct.headers


def test_without_trusted_proxies_forwarding_headers_change_nothing(tmp_path):
    app = make_app(tmp_path, HSTS=True)
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5",
              "X-Forwarded-Host": "evil.example"}
    seen = {}

    @app.get("/_seen")
    def see():
        from flask import request
        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    response = app.test_client().get("/_seen", headers=forged)
    assert response.status_code == 200
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}
    assert "Strict-Transport-Security" not in response.headers


def test_a_trusted_proxy_tells_the_address_scheme_and_host(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1, HSTS=True,
                   PUBLIC_URL="https://trainer.example.org")
    seen = {}

    @app.get("/_seen")
    def see():
        from flask import request
        seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    client = app.test_client()
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1, 203.0.113.5",
               "X-Forwarded-Host": "trainer.example.org"}
    response = client.get("/_seen", headers=proxied)
    assert seen == {"addr": "203.0.113.5", "scheme": "https", "host": "trainer.example.org"}
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    home = client.get("/", headers=proxied)
    assert "; Secure" in cookie_of(home)
    evil = client.get("/", headers={**proxied, "X-Forwarded-Host": "evil.example"})
    assert evil.status_code == 400  # the forwarded host is checked like any other


def test_a_trusted_proxy_over_https_alone_makes_the_cookie_secure(tmp_path):
    app = make_app(tmp_path, TRUSTED_PROXIES=1)
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https",
                                                   "X-Forwarded-For": "203.0.113.5"})
    assert "; Secure" in cookie_of(response)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("TRAINER_TRUSTED_PROXIES", "two", "not a number of proxies"),
    ("TRAINER_TRUSTED_PROXIES", "-1", "not a number of proxies"),
    ("TRAINER_HSTS", "maybe", "neither 1 nor 0"),
    ("TRAINER_PUBLIC_URL", "trainer.example.org", "not an http:// or https:// URL"),
    ("TRAINER_PUBLIC_URL", "https://u:p@trainer.example.org", "scheme, host, port and path"),
    ("TRAINER_PUBLIC_URL", "https://trainer.example.org/?a=1", "scheme, host, port and path"),
    ("TRAINER_PUBLIC_URL", "http://x.example:99999", "no valid port"),
    ("TRAINER_ALLOWED_HOSTS", "good.example, bad/host", "'bad/host' is not a host name"),
    ("TRAINER_ALLOWED_HOSTS", "-dash.example", "'-dash.example' is not a host name"),
    ("TRAINER_SECRET_KEY", "k" * 31, "needs at least 32"),
])
def test_a_setting_that_cannot_work_stops_the_start(tmp_path, monkeypatch, name, value,
                                                     message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app({"DATA_DIR": tmp_path, "LOAD_ENTRY_POINTS": False})


def test_settings_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("TRAINER_HSTS", "1")
    monkeypatch.setenv("TRAINER_PUBLIC_URL", "HTTPS://Trainer.Example.org:443/team/")
    app = make_app(tmp_path)
    assert (app.config["TRUSTED_PROXIES"], app.config["HSTS"], app.config["PUBLIC_URL"]) \
        == (2, True, "https://trainer.example.org/team")
    assert make_app(tmp_path, PUBLIC_URL="http://[::1]:8000").config["PUBLIC_URL"] \
        == "http://[::1]:8000"
