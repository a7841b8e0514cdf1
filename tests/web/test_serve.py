"""``trainer serve``: the address options reach the app, a bad setting stops the start."""

import pytest
import waitress
from click.testing import CliRunner

from trainer.cli import main


@pytest.fixture
def served(monkeypatch, tmp_path):
    """Runs ``trainer serve ARGS`` with waitress replaced; returns (result, app, kwargs)."""
    seen = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: seen.update(app=app, kw=kw))
    for name in ("TRAINER_SECRET_KEY", "TRAINER_PUBLIC_URL", "TRAINER_ALLOWED_HOSTS",
                 "TRAINER_TRUSTED_PROXIES", "TRAINER_HSTS", "PORT"):
        monkeypatch.delenv(name, raising=False)

    def run(*args, env=None):
        result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path), *args],
                                    env=env)
        return result, seen.get("app"), seen.get("kw")

    return run


def test_the_options_reach_the_app(served):
    result, app, kw = served("--host", "0.0.0.0", "--port", "8123",
                             "--public-url", "https://trainer.example.org",
                             "--allowed-host", "lan.example", "--allowed-host", "b.example:1",
                             "--trusted-proxies", "1", "--hsts")
    assert result.exit_code == 0, result.output
    assert "as https://trainer.example.org" in result.output
    assert app.config["PUBLIC_URL"] == "https://trainer.example.org"
    assert app.config["ALLOWED_HOSTS"] == ("lan.example", "b.example:1")
    assert (app.config["TRUSTED_PROXIES"], app.config["HSTS"]) == (1, True)
    assert app.config["LISTEN"] == ("0.0.0.0", 8123)
    # The app must see forwarding headers to refuse a proxied request operator rights.
    assert kw["clear_untrusted_proxy_headers"] is False
    assert kw["port"] == 8123


def test_defaults_trust_no_proxy_and_send_no_hsts(served):
    result, app, _ = served()
    assert result.exit_code == 0, result.output
    assert (app.config["PUBLIC_URL"], app.config["TRUSTED_PROXIES"], app.config["HSTS"]) \
        == ("", 0, False)
    assert app.config["LISTEN"] == ("127.0.0.1", 8000)


@pytest.mark.parametrize(("args", "env", "message"), [
    ((), {"TRAINER_SECRET_KEY": "short"}, "TRAINER_SECRET_KEY is 5 characters long"),
    (("--public-url", "trainer.example.org"), None, "--public-url: 'trainer.example.org'"),
    (("--allowed-host", "a b"), None, "--allowed-host: 'a b' is not a host name"),
])
def test_a_bad_setting_stops_with_a_message_not_a_traceback(served, args, env, message):
    result, app, _ = served(*args, env=env)
    assert result.exit_code == 1 and app is None
    assert message in result.output and "Traceback" not in result.output


def test_a_public_url_on_loopback_without_trusted_proxies_is_warned_about(served):
    result, _, _ = served("--public-url", "https://trainer.example.org")
    assert result.exit_code == 0
    assert "make it send X-Forwarded-For and start with --trusted-proxies 1" in result.output
    quiet, _, _ = served("--public-url", "https://trainer.example.org",
                         "--trusted-proxies", "1")
    assert "X-Forwarded-For" not in quiet.output
