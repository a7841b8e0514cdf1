"""``trainer packs ...``, ``trainer install`` and ``trainer serve --packs-dir``."""

import json
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import DATA
from tests.packzip import zip_entries, zip_folder
from trainer.cli import main
from trainer.packs import cli as pack_cli

BROKEN = DATA.parent / "broken_packs"


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.delenv("TRAINER_PACKS_DIR", raising=False)
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


def test_validate_a_good_pack(run):
    result = run("packs", "validate", DATA / "sample")
    assert result.exit_code == 0
    assert result.output == "ok: sample 0.1.0: 6 questions (6 junior)\n"


def test_validate_prints_file_line_message_and_exits_1(run, tmp_path):
    shutil.copytree(BROKEN / "front_matter_unknown_field", tmp_path / "mine")
    result = run("packs", "validate", "mine")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "mine/questions/001.md:5: unknown field 'level' (known fields: id, difficulty, tags, "
        "references)"]
    assert result.stderr == "1 problem in mine\n"


def test_validate_a_folder_of_packs_checks_each(run):
    result = run("packs", "validate", BROKEN)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len([p for p in BROKEN.iterdir() if p.is_dir()])
    assert all(re.match(r"^.+/broken_packs/\w+/[\w/.]+:\d+: ", line) for line in lines), lines


def test_validate_a_zip(run, tmp_path):
    (tmp_path / "good.zip").write_bytes(zip_folder(DATA / "sample", top="sample"))
    assert run("packs", "validate", "good.zip").output.startswith("ok: sample 0.1.0")
    (tmp_path / "bad.zip").write_bytes(zip_folder(BROKEN / "bad_tags"))
    result = run("packs", "validate", "bad.zip")
    assert result.exit_code == 1
    assert result.stdout.startswith("bad.zip!questions/001.md:4: field 'tags' must be")
    (tmp_path / "evil.zip").write_bytes(zip_entries([("../pack.toml", b"x")]))
    result = run("packs", "validate", "evil.zip")
    assert result.exit_code == 1
    assert result.stdout == "evil.zip:1: '../pack.toml' climbs out of the pack with '..'\n"


def test_validate_a_zip_names_files_as_archive_members(run, tmp_path):
    dupes = BROKEN / "duplicate_ids"
    (tmp_path / "in-folder.zip").write_bytes(zip_folder(dupes, top="dupes"))
    result = run("packs", "validate", "in-folder.zip")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "in-folder.zip!dupes/questions/002.md:2: duplicate question id 'q1' (also in "
        "dupes/questions/001.md)"]
    (tmp_path / "at-top.zip").write_bytes(zip_folder(dupes))
    lines = run("packs", "validate", tmp_path / "at-top.zip").stdout.splitlines()
    assert lines == [f"{tmp_path / 'at-top.zip'}!questions/002.md:2: duplicate question id "
                     "'q1' (also in at-top/questions/001.md)"]


@pytest.mark.parametrize("package", [False, True])
def test_new_scaffold_validates(run, tmp_path, package):
    result = run("packs", "new", "web-basics", *(["--package"] if package else []))
    assert result.exit_code == 0, result.output
    if package:
        root = tmp_path / "trainer-web-basics"
        pack = root / "trainer_web_basics" / "pack"
        assert 'name = "trainer-web-basics"' in (root / "pyproject.toml").read_text()
        assert "[project.entry-points.trainer]" in (root / "pyproject.toml").read_text()
        assert "def trainer_register_packs(register)" in (
            root / "trainer_web_basics" / "__init__.py").read_text()
    else:
        root = pack = tmp_path / "web-basics"
    check = run("packs", "validate", root if package else pack)  # a distribution too
    assert check.exit_code == 0
    assert check.output.startswith("ok: web-basics 0.1.0: 1 question (1 junior)")
    again = run("packs", "new", "web-basics", *(["--package"] if package else []))
    assert again.exit_code == 1 and "already exists" in again.output


def test_new_refuses_a_bad_id(run):
    result = run("packs", "new", "Bad Id")
    assert result.exit_code == 2
    assert "use lowercase letters" in result.output


def test_install_list_remove(run, tmp_path):
    installed = run("packs", "install", DATA / "sample")
    assert installed.exit_code == 0, installed.output
    assert installed.output.startswith("Installed sample 0.1.0 (6 questions) in ")
    assert (tmp_path / "data" / "packs" / "sample" / "pack.toml").is_file()

    shutil.copytree(BROKEN / "not_utf8", tmp_path / "data" / "packs" / "not_utf8")
    listed = run("packs", "list", "--no-plugins")
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0].startswith("sample  0.1.0  6 questions  Sample pack")
    assert "broken  NOT LOADED" in listed.output
    assert "    not_utf8/questions/001.md:11: is not UTF-8 text" in listed.output

    rows = json.loads(run("packs", "list", "--json", "--no-plugins").output)
    assert [(r["id"], r["version"], r["questions"], r["loaded"]) for r in rows] == [
        ("sample", "0.1.0", 6, True), ("broken", "", 0, False)]
    assert rows[0]["errors"] == [] and rows[1]["errors"][0].startswith("not_utf8/questions/")
    assert rows[0]["difficulties"] == {"junior": 6, "mid": 0, "senior": 0}

    removed = run("packs", "remove", "sample")
    assert removed.exit_code == 0
    assert "Progress on its questions is kept" in removed.output
    assert not (tmp_path / "data" / "packs" / "sample").exists()
    assert f"its files are kept in {tmp_path / 'data' / 'packs' / '.removed'}" in removed.output
    missing = run("packs", "remove", "sample")
    assert missing.exit_code == 1 and "no data pack 'sample'" in missing.output


def test_install_refuses_with_reasons_and_writes_nothing(run, tmp_path):
    shutil.copytree(BROKEN / "duplicate_ids", tmp_path / "duplicate_ids")
    result = run("packs", "install", "duplicate_ids")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Refused duplicate_ids: nothing was installed.",
        "  duplicate_ids/questions/002.md:2: duplicate question id 'q1' (also in "
        "duplicate_ids/questions/001.md)"]
    assert list((tmp_path / "data" / "packs").iterdir()) == []
    shutil.copytree(DATA / "sample", tmp_path / "notes")
    (tmp_path / "notes" / "notes.txt").write_text("to do")  # no place in a pack
    stray = run("packs", "install", "notes")
    assert stray.exit_code == 1 and "unexpected file 'notes.txt'" in stray.stderr


def test_list_includes_pip_installed_packs_and_remove_points_to_pip(run):
    rows = json.loads(run("packs", "list", "--json").output)
    flask = next(r for r in rows if r["id"] == "flask_core")
    assert flask["source"].startswith("interview-trainer ") and flask["questions"] > 0
    result = run("packs", "install", "--replace", DATA / "sample")
    assert result.exit_code == 0
    refused = run("packs", "remove", "flask_core")
    assert refused.exit_code == 1
    assert "it comes from interview-trainer" in refused.output
    assert "trainer uninstall" in refused.output


def test_packs_dir_option_adds_a_folder(run):
    rows = json.loads(run("packs", "list", "--json", "--no-plugins", "--packs-dir",
                          DATA).output)
    assert [r["id"] for r in rows] == ["sample"]


def test_install_runs_pip_in_this_environment(run, monkeypatch):
    calls = []

    def fake_run(args, check):
        calls.append(args)
        return subprocess.CompletedProcess(args, 3)
    monkeypatch.setattr(pack_cli.subprocess, "run", fake_run)
    result = run("install", "-U", "trainer-example-pack", "trainer-other")
    assert result.exit_code == 3  # pip's own status
    assert calls == [[sys.executable, "-m", "pip", "install", "--upgrade",
                      "trainer-example-pack", "trainer-other"]]
    run("uninstall", "-y", "trainer-other")
    assert calls[-1] == [sys.executable, "-m", "pip", "uninstall", "-y", "trainer-other"]
    assert run("install").exit_code == 2  # a name is required


def test_serve_packs_dir_reaches_the_app(run, monkeypatch, tmp_path):
    import waitress

    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: served.update(app=app, **kw))
    result = run("serve", "--port", "8123", "--packs-dir", DATA, "--packs-dir", BROKEN)
    assert result.exit_code == 0, result.output
    app = served["app"]
    assert app.config["PACK_DIRS"][-2:] == [DATA, BROKEN]
    assert "sample" in app.extensions["trainer"].packs.packs
    assert served["port"] == 8123
    missing = run("serve", "--packs-dir", tmp_path / "nope")
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_validate_an_empty_folder_says_the_manifest_is_missing(run, tmp_path):
    (tmp_path / "empty" / "notes").mkdir(parents=True)
    result = run("packs", "validate", "empty")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "empty/pack.toml:1: missing: every pack needs a pack.toml manifest",
        "empty/pack.toml:1: the pack is empty: add at least one question as "
        "questions/<name>.md"]
