"""The packs page, its zip upload (operator only, checked before writing) and the JSON."""

import io
import re
import shutil

import pytest

from tests.conftest import DATA, csrf_from
from tests.packzip import SYMLINK, zip_entries, zip_folder
from trainer import create_app
from trainer.hookspecs import hookimpl

BROKEN = DATA.parent / "broken_packs"
REMOTE = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def site(tmp_path):
    """An app whose packs folder starts with the sample pack and one broken pack."""
    data = tmp_path / "data"
    shutil.copytree(DATA / "sample", data / "packs" / "sample")
    shutil.copytree(BROKEN / "manifest_unknown_field", data / "packs" / "typo")
    app = create_app({"DATA_DIR": data, "SECRET_KEY": "s" * 40, "LOAD_ENTRY_POINTS": False,
                      "TESTING": True, "ADMIN_TOKEN": "operator-token-" + "t" * 20})
    return app, data / "packs"


def _upload(client, data, name="pack.zip", replace=False, environ=None, token=None):
    page = client.get("/packs", environ_base=environ or {})
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)),
            "archive": (io.BytesIO(data), name)}
    if replace:
        form["replace"] = "1"
    if token:
        form["admin_token"] = token
    return client.post("/packs/upload", data=form, content_type="multipart/form-data",
                       environ_base=environ or {})


def test_page_lists_packs_with_version_source_counts_and_errors(site):
    app, packs = site
    html = app.test_client().get("/packs").get_data(as_text=True)
    row = re.search(r'<tr data-pack="sample">.*?</tr>', html, re.S).group(0)
    assert '<td class="version">0.1.0</td>' in row
    assert f'<td class="source">folder {packs}</td>' in row
    assert 'title="6 junior, 0 mid, 0 senior">6</td>' in row
    assert '<td class="num new-count">6</td>' in row
    assert "Packs that could not load" in html
    assert ("typo/pack.toml:6: unknown field &#39;license&#39; (known fields: id, title, "
            "version, description, author, licence, requires)") in html
    assert 'href="/packs">Manage packs</a>' in html


def test_json_lists_every_pack(site):
    app, _ = site
    rows = app.test_client().get("/-/packs.json").json
    assert [(r["id"], r["version"], r["questions"], bool(r["errors"])) for r in rows] == [
        ("sample", "0.1.0", 6, False), ("broken", "", 0, True)]


def test_upload_installs_and_reloads(site, tmp_path):
    app, packs = site
    client = app.test_client()
    renamed = tmp_path / "other"
    shutil.copytree(DATA / "sample", renamed)
    (renamed / "pack.toml").write_text((renamed / "pack.toml").read_text().replace(
        'id = "sample"', 'id = "other"').replace("Sample pack", "Other pack"))
    response = _upload(client, zip_folder(renamed, top="other-1"))
    assert response.status_code == 303 and response.headers["Location"] == "/packs"
    assert (packs / "other" / "questions" / "001-q1.md").is_file()
    html = client.get("/packs").get_data(as_text=True)
    assert "Installed Other pack (other 0.1.0): 6 questions." in html
    assert '<tr data-pack="other">' in html
    assert client.get("/practice/other/q1").status_code == 200

    again = _upload(client, zip_folder(renamed))
    assert again.status_code == 400
    assert "pack &#39;other&#39; is already installed (version 0.1.0)" in again.get_data(
        as_text=True)
    upgraded = _upload(client, zip_folder(renamed), replace=True)
    assert upgraded.status_code == 303

    removed = client.post("/packs/other/remove",
                          data={"csrf_token": csrf_from(html)})
    assert removed.status_code == 303
    assert not (packs / "other").exists()
    assert client.get("/practice/other/q1").status_code == 404


@pytest.mark.parametrize(("archive", "name", "reason"), [
    (zip_entries([("pack.toml", b"x"), ("../../escape.md", b"x")]), "evil.zip",
     "&#39;../../escape.md&#39; climbs out of the pack with &#39;..&#39;"),
    (zip_entries([("/abs/pack.toml", b"x")]), "abs.zip", "is an absolute path"),
    (zip_entries([("pack.toml", b"x"), ("questions\\a.md", b"x")]), "bs.zip",
     "contains a backslash"),
    (zip_entries([("pack.toml", b"x"), ("questions/a.md", b"/etc/passwd", SYMLINK)]),
     "link.zip", "is a symbolic link"),
    (zip_entries([("pack.toml", b"x"), ("questions/a.md", b"a" * 60000)]), "bomb.zip",
     "compressed more than 100 to 1"),
    (b"not a zip at all", "fake.zip", "the file is not a readable zip archive"),
    (b"PK", "notes.txt", "&#39;notes.txt&#39; is not a .zip file"),
    (zip_folder(BROKEN / "bad_difficulty"), "bad.zip",
     "bad/questions/001.md:3: field &#39;difficulty&#39; is &#39;expert&#39;"),
])
def test_refused_uploads_say_why_and_write_nothing(site, archive, name, reason):
    app, packs = site
    before = sorted(p.name for p in packs.iterdir())
    response = _upload(app.test_client(), archive, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was installed" in html
    assert reason in html
    assert sorted(p.name for p in packs.iterdir()) == before


def test_upload_without_csrf_is_refused(site):
    app, _packs = site
    response = app.test_client().post("/packs/upload", data={
        "archive": (io.BytesIO(zip_folder(DATA / "sample")), "x.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_remote_upload_needs_the_admin_token(site, tmp_path):
    app, packs = site
    client = app.test_client()
    html = client.get("/packs", environ_base=REMOTE).get_data(as_text=True)
    assert 'name="admin_token"' in html
    renamed = tmp_path / "remote"
    shutil.copytree(DATA / "sample", renamed)
    (renamed / "pack.toml").write_text((renamed / "pack.toml").read_text().replace(
        'id = "sample"', 'id = "remote"'))
    archive = zip_folder(renamed)
    refused = _upload(client, archive, environ=REMOTE, token="wrong")
    assert refused.status_code == 403
    assert "Only the operator can change packs" in refused.get_data(as_text=True)
    assert not (packs / "remote").exists()
    assert client.post("/packs/sample/remove", environ_base=REMOTE, data={
        "csrf_token": csrf_from(html)}).status_code == 403
    accepted = _upload(client, archive, environ=REMOTE, token=app.config["ADMIN_TOKEN"])
    assert accepted.status_code == 303
    assert (packs / "remote" / "pack.toml").is_file()


def test_a_proxied_request_is_not_local(site):
    app, _packs = site
    client = app.test_client()
    proxied = {"HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    response = _upload(client, zip_folder(DATA / "sample"), environ=proxied, replace=True)
    assert response.status_code == 403


def test_without_a_token_remote_visitors_see_no_form(tmp_path):
    app = create_app({"DATA_DIR": tmp_path, "SECRET_KEY": "s" * 40, "TESTING": True,
                      "LOAD_ENTRY_POINTS": False, "ADMIN_TOKEN": ""})
    html = app.test_client().get("/packs", environ_base=REMOTE).get_data(as_text=True)
    assert 'name="archive"' not in html
    assert "Installing packs is for the operator" in html
    assert "No packs are loaded." in html


def test_page_links_to_the_json(site):
    app, _ = site
    assert 'href="/-/packs.json"' in app.test_client().get("/packs").get_data(as_text=True)


def test_json_shows_paths_to_the_operator_only(site):
    app, packs = site
    client = app.test_client()
    local = client.get("/-/packs.json").json
    assert [r["path"] for r in local] == [str(packs / "sample"), str(packs / "typo")]
    assert local[0]["source"] == f"folder {packs}"
    for environ, headers in [(REMOTE, {}), (REMOTE, {"X-Admin-Token": "wrong"}),
                             ({"HTTP_X_FORWARDED_FOR": "198.51.100.4"}, {})]:
        response = client.get("/-/packs.json", environ_base=environ, headers=headers)
        assert "X-Admin-Token" in response.vary
        rows = response.json
        assert all("path" not in r for r in rows)
        assert [r["source"] for r in rows] == ["folder packs", "folder packs"]
        assert str(packs) not in response.get_data(as_text=True)
    token = client.get("/-/packs.json", environ_base=REMOTE,
                       headers={"X-Admin-Token": app.config["ADMIN_TOKEN"]}).json
    assert token == local


def test_page_shows_server_paths_to_the_operator_only(site):
    app, packs = site
    client = app.test_client()
    local = client.get("/packs").get_data(as_text=True)
    assert f'data-path="{packs / "typo"}"' in local and f"<code>{packs}</code>" in local
    remote = client.get("/packs", environ_base=REMOTE).get_data(as_text=True)
    assert str(packs) not in remote and "data-path=" not in remote
    assert '<td class="source">folder packs</td>' in remote
    assert "typo/pack.toml:6: unknown field" in remote  # the problems are still shown


def test_a_remote_operator_removes_a_pack_with_the_token(site):
    app, packs = site
    client = app.test_client()
    html = client.get("/packs", environ_base=REMOTE).get_data(as_text=True)
    form = re.search(r'<form method="post" action="/packs/sample/remove".*?</form>', html,
                     re.S).group(0)
    assert 'name="admin_token" type="password"' in form and "Remove</button>" in form
    csrf = csrf_from(html)
    refused = client.post("/packs/sample/remove", environ_base=REMOTE,
                          data={"csrf_token": csrf, "admin_token": "wrong"})
    assert refused.status_code == 403 and (packs / "sample").is_dir()
    removed = client.post("/packs/sample/remove", environ_base=REMOTE, data={
        "csrf_token": csrf, "admin_token": app.config["ADMIN_TOKEN"]})
    assert removed.status_code == 303 and not (packs / "sample").exists()


def test_without_a_token_only_loopback_sees_remove(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA / "sample", data / "packs" / "sample")
    app = create_app({"DATA_DIR": data, "SECRET_KEY": "s" * 40, "TESTING": True,
                      "LOAD_ENTRY_POINTS": False, "ADMIN_TOKEN": ""})
    client = app.test_client()
    local = client.get("/packs").get_data(as_text=True)
    assert 'action="/packs/sample/remove"' in local and 'name="admin_token"' not in local
    remote = client.get("/packs", environ_base=REMOTE).get_data(as_text=True)
    assert 'action="/packs/sample/remove"' not in remote


def test_an_upload_of_odd_but_valid_toml_is_a_400_with_the_files_line(site):
    """Arrays nested 600 deep crashed the loader (a bare 500) before #16."""
    app, packs = site
    before = sorted(p.name for p in packs.iterdir())
    response = _upload(app.test_client(), zip_folder(BROKEN / "front_matter_nested_deep"),
                       "deep.zip")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("deep/questions/001.md:2: front matter nests arrays or tables too deeply to "
            "read") in html
    assert sorted(p.name for p in packs.iterdir()) == before
    assert app.test_client().get("/packs").status_code == 200


def test_an_uploaded_entry_name_never_shows_its_control_characters(site):
    app, _ = site
    archive = zip_entries([("pack.toml", (DATA / "sample" / "pack.toml").read_bytes()),
                           ("questions/\x1b[31mred\u202e.md", b"x")])
    response = _upload(app.test_client(), archive, "evil\x1b[2J.zip")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "\x1b" not in html and "\u202e" not in html
    assert "questions/\\x1b[31mred\\u202e.md" in html


class _PluginPack:
    """A plugin that registers the sample pack, as a pip-installed one would."""

    @hookimpl
    def trainer_register_packs(self, register):
        register(DATA / "sample")


def test_a_data_pack_never_replaces_a_plugin_pack_and_the_page_says_so(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA / "sample", data / "packs" / "copy")
    app = create_app({"DATA_DIR": data, "SECRET_KEY": "s" * 40, "LOAD_ENTRY_POINTS": False,
                      "TESTING": True, "PLUGINS": [_PluginPack()]})
    client = app.test_client()
    assert app.extensions["trainer"].packs.get("sample").path == str(DATA / "sample")
    html = client.get("/packs").get_data(as_text=True)
    assert "copy/pack.toml:1: pack id &#39;sample&#39; is already used by the pack in " in html
    response = _upload(client, zip_folder(DATA / "sample"), "sample.zip")
    assert response.status_code == 400
    assert "pack id &#39;sample&#39; is already used by" in response.get_data(as_text=True)
