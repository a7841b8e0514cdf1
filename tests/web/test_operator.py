"""The operator rule (trainer/web/operator.py), and the DNS-rebinding attack replayed.

The attack: a page the operator visits points its own name at 127.0.0.1. The browser
then sends that page's requests to us from loopback, with ``Host: evil.example`` and
the page's own origin, cookies and CSRF token of that name and all. Before the host
check and the Origin rule, such a request was the operator's.
"""

import io
import shutil

import pytest

from tests.conftest import DATA, csrf_from
from tests.packzip import zip_folder
from trainer import create_app

TOKEN = "operator-token-" + "t" * 20
EVIL = "http://evil.example"


@pytest.fixture
def site(tmp_path):
    """An app whose packs folder holds the sample pack, and a zip of another pack."""
    data = tmp_path / "data"
    shutil.copytree(DATA / "sample", data / "packs" / "sample")
    other = tmp_path / "other"
    shutil.copytree(DATA / "sample", other)
    (other / "pack.toml").write_text((other / "pack.toml").read_text().replace(
        'id = "sample"', 'id = "other"'))
    app = create_app({"DATA_DIR": data, "SECRET_KEY": "s" * 40, "LOAD_ENTRY_POINTS": False,
                      "TESTING": True, "ADMIN_TOKEN": TOKEN})
    return app, data / "packs", zip_folder(other)


def session_as(client, base_url):
    """A CSRF token valid on ``base_url``: what a page served from there can read."""
    token = csrf_from(client.get("/").get_data(as_text=True))
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value, domain=base_url.split("://")[1].split(":")[0])
    return token


def upload(client, archive, token, **kwargs):
    return client.post("/packs/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "archive": (io.BytesIO(archive), "other.zip")}, **kwargs)


@pytest.mark.parametrize("base_url", [EVIL, EVIL + ":8000"])
def test_a_rebound_name_cannot_upload_remove_or_see_paths(site, base_url):
    app, packs, archive = site
    client = app.test_client()
    token = session_as(client, base_url)
    origin = {"Origin": base_url}
    page = client.get("/packs", base_url=base_url)
    assert page.status_code == 400 and str(packs) not in page.get_data(as_text=True)
    listing = client.get("/-/packs.json", base_url=base_url)
    assert listing.status_code == 400 and str(packs) not in listing.get_data(as_text=True)
    sent = upload(client, archive, token, base_url=base_url, headers=origin)
    assert sent.status_code == 400
    assert "does not answer as" in sent.get_data(as_text=True)
    assert not (packs / "other").exists()
    removed = client.post("/packs/sample/remove", base_url=base_url, headers=origin,
                          data={"csrf_token": token})
    assert removed.status_code == 400
    assert (packs / "sample" / "pack.toml").is_file()


def test_a_cross_site_page_on_a_loopback_host_is_not_the_operator(site):
    app, packs, archive = site
    client = app.test_client()
    token = csrf_from(client.get("/").get_data(as_text=True))
    for headers in [{"Origin": EVIL}, {"Origin": "null"},
                    {"Origin": "http://localhost:9999"},  # another port: another origin
                    {"Origin": "https://localhost"},
                    {"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"}]:
        response = upload(client, archive, token, headers=headers)
        assert response.status_code == 403, headers
        assert "Only the operator" in response.get_data(as_text=True)
        assert client.post("/packs/sample/remove", headers=headers,
                           data={"csrf_token": token}).status_code == 403
    assert not (packs / "other").exists()
    assert (packs / "sample").is_dir()


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": EVIL}])
def test_a_cross_site_read_sees_no_paths(site, headers):
    app, packs, _ = site
    client = app.test_client()
    rows = client.get("/-/packs.json", headers=headers).json
    assert rows and all("path" not in r for r in rows)
    html = client.get("/packs", headers=headers).get_data(as_text=True)
    assert str(packs) not in html


def test_our_own_page_on_loopback_is_the_operator(site):
    app, packs, archive = site
    client = app.test_client()
    for headers in [{"Sec-Fetch-Site": "none"}, {"Sec-Fetch-Site": "same-origin"}, {}]:
        rows = client.get("/-/packs.json", headers=headers).json
        assert rows[0]["path"] == str(packs / "sample")
    token = csrf_from(client.get("/packs", headers={"Sec-Fetch-Site": "none"})
                      .get_data(as_text=True))
    browser = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert upload(client, archive, token, headers=browser).status_code == 303
    assert (packs / "other" / "pack.toml").is_file()
    ipv4 = client.post("/packs/other/remove", base_url="http://127.0.0.1:8000",
                       headers={"Origin": "http://127.0.0.1:8000"},
                       data={"csrf_token": session_as(client, "http://127.0.0.1")})
    assert ipv4.status_code == 303
    assert not (packs / "other").exists()


def test_a_post_from_a_browser_needs_our_origin_even_with_sec_fetch_site_none(site):
    app, _, archive = site
    client = app.test_client()
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert upload(client, archive, token,
                  headers={"Sec-Fetch-Site": "none"}).status_code == 403


@pytest.mark.parametrize("header", ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
                                    "X-Forwarded-Proto", "X-Real-IP", "Via"])
def test_a_forwarded_request_is_never_the_local_operator(site, header):
    app, packs, archive = site
    client = app.test_client()
    token = csrf_from(client.get("/").get_data(as_text=True))
    forwarded = {header: "127.0.0.1"}
    assert upload(client, archive, token, headers=forwarded).status_code == 403
    assert "path" not in client.get("/-/packs.json", headers=forwarded).json[0]
    assert not (packs / "other").exists()


def test_the_token_makes_the_operator_from_anywhere_and_a_lan_name_is_not_local(site):
    app, packs, archive = site
    client = app.test_client()
    token = session_as(client, "http://192.168.1.20")
    lan = {"base_url": "http://192.168.1.20:8000"}
    html = client.get("/packs", **lan).get_data(as_text=True)
    assert 'name="admin_token"' in html and str(packs) not in html  # not loopback's name
    assert upload(client, archive, token, **lan).status_code == 403
    headers = {"X-Admin-Token": TOKEN, "X-Forwarded-For": "198.51.100.4"}
    assert upload(client, archive, token, headers=headers, **lan).status_code == 303
    assert (packs / "other").is_dir()


def test_a_non_ascii_admin_token_is_refused_not_an_error(site):
    app, _, archive = site
    client = app.test_client()
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/packs/upload", content_type="multipart/form-data",
                           environ_base={"REMOTE_ADDR": "192.0.2.7"}, data={
                               "csrf_token": token, "admin_token": "tökén\udcff"[:5],
                               "archive": (io.BytesIO(archive), "other.zip")})
    assert response.status_code == 403
