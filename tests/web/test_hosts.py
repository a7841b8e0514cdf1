"""Know our own address: which Host values are answered, and the links built for others."""

import io
import re

import pytest
import segno

from tests.conftest import DATA
from tests.views.test_live import host_session
from trainer import create_app
from trainer.web.hosts import HostRule, split_host
from trainer.web.urls import public_url_for


def make_app(tmp_path, **config):
    return create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "s" * 40,
                       "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [DATA], "TESTING": True,
                       **config})


def status(app, host):
    return app.test_client().get("/", headers={"Host": host}).status_code


@pytest.mark.parametrize(("host", "expected"), [
    ("localhost", ("localhost", None)), ("LocalHost:8000", ("localhost", 8000)),
    ("[::1]:8000", ("[::1]", 8000)), ("[::1]", ("[::1]", None)),
    ("example.org.", ("example.org", None)), ("a:b", ("a", None)), ("", ("", None))])
def test_split_host(host, expected):
    assert split_host(host) == expected


def test_without_a_public_url_loopback_names_and_addresses_are_answered(tmp_path):
    app = make_app(tmp_path)
    for host in ["localhost", "localhost:8000", "127.0.0.1:8000", "127.0.0.2", "[::1]:8000",
                 "192.168.1.20:8000", "[fe80::1]:8000"]:
        assert status(app, host) == 200, host
    for host in ["evil.example", "evil.example:8000", "localhost.evil.example",
                 "127.0.0.1.evil.example", "trainer.example.org"]:
        assert status(app, host) == 400, host


def test_a_foreign_host_gets_a_clear_400_page_and_nothing_else(tmp_path):
    app = make_app(tmp_path, LISTEN=("0.0.0.0", 8000))
    response = app.test_client().get("/packs", headers={"Host": "evil.example:8000"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("This server answers as <strong>http://127.0.0.1:8000</strong>, "
            "<strong>http://localhost:8000</strong> or <strong>http://&lt;this machine&#39;s "
            "IP address&gt;:8000</strong>; it does not answer as "
            "<strong>evil.example:8000</strong>.") in html
    assert "--public-url" in html and "<script" not in html and "<link" not in html
    assert "Set-Cookie" not in response.headers  # no session started for that name
    assert response.headers["X-Frame-Options"] == "DENY"


def test_with_a_public_url_its_host_and_the_loopback_names_are_answered(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://Trainer.Example.org/",
                   EXTRA_ALLOWED_HOSTS=["lan.example:8000"], LISTEN=("192.168.1.20", 8000))
    assert app.config["PUBLIC_URL"] == "https://trainer.example.org"
    for host in ["trainer.example.org", "trainer.example.org:443", "localhost:8000",
                 "lan.example:8000", "192.168.1.20:8000"]:
        assert status(app, host) == 200, host
    for host in ["evil.example", "lan.example:9000", "192.168.1.21:8000"]:
        assert status(app, host) == 400, host
    page = app.test_client().get("/", headers={"Host": "evil.example"})
    assert "<strong>https://trainer.example.org</strong>" in page.get_data(as_text=True)


def test_allowed_hosts_come_from_the_environment_too(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_ALLOWED_HOSTS", "a.example, b.example:9000")
    monkeypatch.setenv("TRAINER_PUBLIC_URL", "http://192.168.1.20:8000")
    app = make_app(tmp_path, EXTRA_ALLOWED_HOSTS=["c.example"])
    assert app.config["ALLOWED_HOSTS"] == ("a.example", "b.example:9000", "c.example")
    assert [status(app, h) for h in ["a.example:1", "b.example:9000", "c.example",
                                     "b.example", "10.0.0.1"]] == [200, 200, 200, 400, 400]


def test_the_decision_is_remembered_within_bounds(tmp_path):
    rule = HostRule({"PUBLIC_URL": "", "ALLOWED_HOSTS": ()})
    for n in range(1500):
        assert not rule.allows(f"x{n}.example")
    assert len(rule.seen) <= 1000


def test_links_for_others_come_from_the_public_url_never_from_host(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://trainer.example.org/team")
    with app.test_request_context("/", base_url="http://localhost/mounted"):
        assert public_url_for("live.room", code="ABC") == \
            "https://trainer.example.org/team/live/ABC"
    plain = make_app(tmp_path)
    with plain.test_request_context("/", base_url="http://192.168.1.20:8000"):
        assert public_url_for("live.room", code="ABC") == "http://192.168.1.20:8000/live/ABC"


def test_join_link_qr_and_hand_over_use_the_public_url(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="http://trainer.example.org:8000")
    host, code = host_session(app)
    page = host.get(f"/live/{code}/host").get_data(as_text=True)  # opened as localhost
    join = f"http://trainer.example.org:8000/live/{code}"
    assert f'<a href="{join}">{join}</a>' in page
    assert "teammates cannot reach that" not in page  # the public URL is reachable
    svg = host.get(f"/live/{code}/qr.svg").get_data()
    expected = io.BytesIO()
    segno.make(join, error="m").save(expected, kind="svg", scale=8, border=2,
                                     xmldecl=False, svgclass="qr", title="Join QR")
    assert svg == expected.getvalue()
    handover = host.post(f"/live/{code}/host/handover", htmx=False).get_data(as_text=True)
    link = re.search(r'<p class="handover-link"><a href="([^"]+)"', handover).group(1)
    assert link.startswith(f"http://trainer.example.org:8000/live/{code}/host/take/")


def test_a_loopback_public_url_still_warns_the_host(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="http://127.0.0.1:8000")
    host, code = host_session(app)
    page = host.get(f"/live/{code}/host", base_url="http://localhost:8000")
    assert "teammates cannot reach that" in page.get_data(as_text=True)


def test_the_refusal_names_the_listening_address_and_the_allowed_names(tmp_path):
    app = make_app(tmp_path, LISTEN=("192.168.1.20", 8000), EXTRA_ALLOWED_HOSTS=["lan.example"])
    html = app.test_client().get("/", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert ("This server answers as <strong>http://192.168.1.20:8000</strong>, "
            "<strong>http://127.0.0.1:8000</strong>, <strong>http://localhost:8000</strong> "
            "or <strong>lan.example</strong>;") in html
