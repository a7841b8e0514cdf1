"""The factory, configuration from the environment and the health check."""

import os
import re
import stat
import threading
from pathlib import Path

import pytest

from trainer import config, create_app
from trainer.config import SECRET_FILE, load_or_create_secret


def test_factory_uses_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.delenv("TRAINER_SECRET_KEY", raising=False)
    app = create_app({"LOAD_ENTRY_POINTS": False})
    assert app.config["DATA_DIR"] == tmp_path / "d"
    assert (tmp_path / "d").is_dir()


def test_secret_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("TRAINER_SECRET_KEY", raising=False)
    first = create_app({"DATA_DIR": tmp_path, "LOAD_ENTRY_POINTS": False})
    second = create_app({"DATA_DIR": tmp_path, "LOAD_ENTRY_POINTS": False})
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32


def test_secret_key_made_at_once_by_many_starts_is_one_key(tmp_path):
    count = 8
    barrier = threading.Barrier(count)
    keys = []

    def start():
        barrier.wait()
        keys.append(load_or_create_secret(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == count and len(set(keys)) == 1
    assert (tmp_path / SECRET_FILE).read_text() == keys[0]
    assert stat.S_IMODE(os.stat(tmp_path / SECRET_FILE).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]  # no temporary file left


def test_a_crash_while_making_the_key_leaves_no_key_file(tmp_path, monkeypatch):
    def crash(src, dst):
        raise OSError("killed")

    monkeypatch.setattr(config.os, "link", crash)
    with pytest.raises(OSError, match="killed"):
        load_or_create_secret(tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert len(load_or_create_secret(tmp_path)) == 64


@pytest.mark.parametrize("content", ["", "short\n"])
def test_an_unusable_key_file_is_an_error_naming_it_and_is_kept(tmp_path, content):
    path = tmp_path / SECRET_FILE
    path.write_text(content)
    with pytest.raises(RuntimeError, match="holds no usable secret key") as info:
        load_or_create_secret(tmp_path)
    assert str(path) in str(info.value)
    assert path.read_text() == content


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_SECRET_KEY", "k" * 40)
    app = create_app({"DATA_DIR": tmp_path, "LOAD_ENTRY_POINTS": False})
    assert app.secret_key == "k" * 40
    assert not (tmp_path / SECRET_FILE).exists()


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"


def test_healthz_reports_unwritable_data_dir(app, client, data_dir):
    os.chmod(data_dir, 0o500)
    try:
        if os.access(data_dir, os.W_OK):  # root ignores the mode: make the probe a folder
            (data_dir / ".healthz").mkdir()
        response = client.get("/healthz")
    finally:
        os.chmod(data_dir, 0o700)
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_builtin_pack_is_found_through_the_entry_point(tmp_path):
    app = create_app({"DATA_DIR": tmp_path, "SECRET_KEY": "s" * 40})
    registry = app.extensions["trainer"].packs
    assert "flask_core" in registry.packs, registry.errors
    assert registry.packs["flask_core"].source.startswith("interview-trainer ")


def test_security_headers_forbid_inline_scripts(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_htmx_is_served_from_our_origin_at_the_pinned_version(client):
    response = client.get("/vendor/htmx.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert b'version:"2.0.3"' in response.data
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/vendor/htmx.min.js"' in page
    assert "<script>" not in page and " on" not in page.split("<body")[1].split(">")[0]


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/practice/nope")
    assert response.status_code == 404
    assert "There is no pack" in response.get_data(as_text=True)


def test_every_setting_is_in_the_readme_and_the_operating_guide():
    root = Path(__file__).resolve().parent.parent
    source = (root / "trainer" / "config.py").read_text()
    names = set(re.findall(r'"(TRAINER_[A-Z_]+)"', source))
    assert {"TRAINER_PUBLIC_URL", "TRAINER_ALLOWED_HOSTS", "TRAINER_TRUSTED_PROXIES",
            "TRAINER_HSTS"} <= names
    for doc in ["README.md", "docs/operating.md"]:
        text = (root / doc).read_text()
        assert [n for n in sorted(names) if f"`{n}`" not in text] == [], doc
