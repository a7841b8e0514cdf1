"""Packs never take the server down (#16): one regression test per finding of the review.

* valid TOML of odd shapes (escaped or dotted keys, arrays nested 600 deep, numbers of
  5000 digits) is a FILE:LINE problem in validate, list, install and the server;
* validate and install apply one layout rule (nested folders, stray files, ``.MD``,
  links, dot-files);
* an id two packs claim stays with the first in a fixed order (the built-in first);
* ``.removed`` keeps the last few copies;
* archives are measured before they are read; names never reach a terminal raw.
"""

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import DATA
from tests.packzip import SYMLINK, zip_entries, zip_folder
from trainer.cli import main
from trainer.hookspecs import hookimpl
from trainer.packs import PackRegistry, archive, loader
from trainer.packs import cli as pack_cli
from trainer.packs.install import REMOVED_KEPT, RETIRED, install_path, remove_pack
from trainer.packs.loader import load_pack, peek_id
from trainer.packs.model import PackRefused
from trainer.plugins import make_plugin_manager

SAMPLE = DATA / "sample"
BROKEN = DATA.parent / "broken_packs"
CRASHED_BEFORE = {  # each stopped the loader with an exception before #16
    "front_matter_dotted_key": "questions/001.md:3: front matter field 'difficulty' must "
                               "be a string in double quotes",
    "front_matter_escaped_key": "questions/001.md:1: field 'id' is 'Q One': use lowercase",
    "front_matter_nested_deep": "questions/001.md:2: front matter nests arrays or tables "
                                "too deeply to read",
    "manifest_huge_number": "pack.toml:1: holds a number too long to read",
}


@pytest.fixture
def run_with_plugins(monkeypatch, tmp_path):
    """``trainer ...`` as typed, with every pip-installed pack (the built-in included)."""
    monkeypatch.delenv("TRAINER_PACKS_DIR", raising=False)
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


@pytest.fixture
def run(run_with_plugins, monkeypatch):
    """The same, without loading the built-in pack on each install (it takes a second
    and plays no part where no id is shared)."""
    monkeypatch.setattr(pack_cli, "make_plugin_manager",
                        lambda load_entry_points=True: make_plugin_manager(
                            load_entry_points=False))
    return run_with_plugins


def _copy(source, target):
    return Path(shutil.copytree(source, target))


# Odd but valid TOML


@pytest.mark.parametrize("case", sorted(CRASHED_BEFORE))
def test_odd_valid_toml_is_a_file_line_problem_in_validate_and_install(run, case):
    checked = run("packs", "validate", BROKEN / case)
    assert checked.exit_code == 1
    assert checked.stdout.startswith(f"{BROKEN}/{case}/{CRASHED_BEFORE[case]}")
    installed = run("packs", "install", BROKEN / case)
    assert installed.exit_code == 1
    assert f"  {case}/{CRASHED_BEFORE[case]}" in installed.stderr


def test_an_escaped_key_is_the_key_it_spells(tmp_path):
    folder = _copy(SAMPLE, tmp_path / "escaped")
    path = folder / "questions" / "001-q1.md"
    path.write_text(path.read_text().replace('id = "q1"', '"\\u0069d" = "q1"'))
    pack, problems = load_pack(folder)
    assert problems == [] and pack.question("q1") is not None


def test_odd_toml_never_stops_the_server_or_the_other_packs(run, tmp_path):
    packs = tmp_path / "data" / "packs"
    _copy(SAMPLE, packs / "sample")
    for case in CRASHED_BEFORE:
        _copy(BROKEN / case, packs / case)
    registry = PackRegistry(make_plugin_manager(load_entry_points=False), [packs])
    assert list(registry.packs) == ["sample"]
    assert {Path(e.path).name for e in registry.errors} == set(CRASHED_BEFORE)
    listed = run("packs", "list", "--no-plugins")
    assert listed.exit_code == 0
    for case, message in CRASHED_BEFORE.items():
        assert f"    {case}/{message}" in listed.output
    assert peek_id(BROKEN / "manifest_huge_number") == ""


def test_an_unforeseen_exception_is_the_files_problem_not_a_crash(tmp_path, monkeypatch):
    def surprise(raw, problems, label):
        raise AttributeError("'list' object has no attribute 'strip'")

    monkeypatch.setattr(loader, "_front_matter", surprise)
    pack, problems = load_pack(SAMPLE)
    assert pack is None
    assert str(problems[0]) == (
        "sample/questions/001-q1.md:1: cannot be loaded because of an unexpected "
        "AttributeError ('list' object has no attribute 'strip'); please report it, with "
        "the file")


def test_a_plugin_that_registers_no_folder_is_reported(tmp_path):
    class Careless:
        @hookimpl
        def trainer_register_packs(self, register):
            register(None)
            register(SAMPLE)

    registry = PackRegistry(make_plugin_manager([Careless()], load_entry_points=False))
    assert list(registry.packs) == ["sample"]
    assert "passed None to register" in registry.errors[0].errors[0]


# One layout rule


def _question_like(folder, name):
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (SAMPLE / "questions" / "001-q1.md").read_text()
    target.write_text(text.replace('id = "q1"', 'id = "extra"'))


LAYOUTS = {
    "nested folder": (lambda f: _question_like(f, "questions/more/007.md"), False),
    "upper-case extension": (lambda f: _question_like(f, "questions/007.MD"), False),
    "stray file": (lambda f: (f / "notes.txt").write_text("to do"), False),
    "python file": (lambda f: (f / "plugin.py").write_text("import os"), False),
    "symbolic link": (lambda f: os.symlink(f / "questions" / "001-q1.md",
                                           f / "questions" / "007.md"), False),
    "dot-file": (lambda f: _question_like(f, "questions/.draft.md"), True),
    "dot-folder": (lambda f: _question_like(f, ".git/objects/x.md"), True),
    "pycache": (lambda f: _question_like(f, "__pycache__/x.md"), True),
    "readme": (lambda f: (f / "README.md").write_text("# Sample"), True),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_validate_and_install_apply_one_layout_rule(run, tmp_path, layout):
    change, accepted = LAYOUTS[layout]
    folder = _copy(SAMPLE, tmp_path / "sample")
    change(folder)
    checked = run("packs", "validate", folder)
    installed = run("packs", "install", folder)
    assert checked.exit_code == installed.exit_code == (0 if accepted else 1), (
        checked.output, installed.output)
    if accepted:  # a skipped file is never loaded and never installed
        assert checked.stdout.startswith("ok: sample 0.1.0: 6 questions")
        kept = tmp_path / "data" / "packs" / "sample"
        assert sorted(p.name for p in kept.iterdir()) == sorted(
            p.name for p in folder.iterdir() if not p.name.startswith((".", "__")))


@pytest.mark.parametrize(("extra", "reason"), [
    (("questions/more/007.md", b"x"), "unexpected file 'questions/more/007.md': question "
                                     "files sit directly in questions/"),
    (("questions/007.MD", b"x"), "unexpected file 'questions/007.MD': a question file's "
                                 "name ends in lower-case '.md'"),
    (("questions/007.md", b"001-q1.md", SYMLINK), "'questions/007.md' is a symbolic link"),
])
def test_a_zip_is_held_to_the_same_rule(run, tmp_path, extra, reason):
    entries = [("pack.toml", (SAMPLE / "pack.toml").read_bytes()),
               ("questions/001-q1.md", (SAMPLE / "questions" / "001-q1.md").read_bytes()),
               extra]
    (tmp_path / "odd.zip").write_bytes(zip_entries(entries))
    checked = run("packs", "validate", "odd.zip")
    installed = run("packs", "install", "odd.zip")
    assert checked.exit_code == installed.exit_code == 1
    assert f"odd.zip:1: {reason}" in checked.stdout
    assert f"  {reason}" in installed.stderr


# Id clashes


def _distribution(site, dist, module, folder):
    """An installed distribution whose ``trainer`` plugin registers ``folder``."""
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[trainer]\n{module} = {module}\n")
    (site / f"{module}.py").write_text(textwrap.dedent(f"""
        from trainer.hookspecs import hookimpl

        @hookimpl
        def trainer_register_packs(register):
            register({str(folder)!r})
    """))


def _pack_with_id(folder, pack_id):
    folder = _copy(SAMPLE, folder)
    manifest = folder / "pack.toml"
    manifest.write_text(manifest.read_text().replace('id = "sample"', f'id = "{pack_id}"'))
    return folder


def test_a_plugin_never_replaces_the_built_in_pack(run_with_plugins, tmp_path, monkeypatch):
    site = tmp_path / "site"
    # "aaa-..." sorts before "interview-trainer": name order would have let it win.
    _distribution(site, "aaa-shadow", "trainer_fake_shadow",
                  _pack_with_id(tmp_path / "shadow", "flask_core"))
    monkeypatch.syspath_prepend(str(site))
    rows = json.loads(run_with_plugins("packs", "list", "--json").output)
    flask = [r for r in rows if r["id"] == "flask_core"]
    assert [(r["loaded"], r["source"].split()[0]) for r in flask] == [
        (True, "interview-trainer"), (False, "aaa-shadow")]
    assert flask[1]["errors"] == [
        f"shadow/pack.toml:1: pack id 'flask_core' is already used by the pack in "
        f"{Path(flask[0]['path']).name} ({flask[0]['source']}), which keeps it; this pack "
        "is left out: give it another id in pack.toml"]
    listed = run_with_plugins("packs", "list").output
    assert "flask_core  NOT LOADED" in listed and "already used by" in listed


def test_plugins_and_data_packs_clash_in_a_fixed_order(run_with_plugins, tmp_path, monkeypatch):
    site = tmp_path / "site"
    _distribution(site, "trainer-b", "trainer_fake_b", _pack_with_id(tmp_path / "b", "dup"))
    _distribution(site, "trainer-a", "trainer_fake_a", _pack_with_id(tmp_path / "a", "dup"))
    monkeypatch.syspath_prepend(str(site))
    _pack_with_id(tmp_path / "data" / "packs" / "mine", "dup")
    listed = json.loads(run_with_plugins("packs", "list", "--json").output)
    rows = [r for r in listed if r["id"] == "dup"]
    assert [(r["loaded"], r["source"]) for r in rows] == [
        (True, "trainer-a 1.0"), (False, "trainer-b 1.0"),
        (False, f"folder {tmp_path / 'data' / 'packs'}")]
    refused = run_with_plugins("packs", "install", _pack_with_id(tmp_path / "new", "dup"))
    assert refused.exit_code == 1
    assert "pack id 'dup' is already used by trainer-a 1.0" in refused.stderr


def test_an_installed_pack_under_another_folder_name_is_not_installed_twice(tmp_path):
    packs = tmp_path / "packs"
    _copy(SAMPLE, packs / "renamed")
    with pytest.raises(PackRefused, match="'sample' is already installed"):
        install_path(SAMPLE, packs)
    install_path(SAMPLE, packs, replace=True)
    assert sorted(p.name for p in packs.iterdir()) == [RETIRED, "sample"]


# .removed is pruned


def test_removed_keeps_only_the_latest_copies(tmp_path):
    packs = tmp_path / "packs"
    (packs / RETIRED / "kept-by-hand").mkdir(parents=True)
    removed = []
    for _ in range(REMOVED_KEPT + 2):
        install_path(SAMPLE, packs)
        removed.append(remove_pack(packs, "sample").name)
    install_path(SAMPLE, packs)
    install_path(SAMPLE, packs, replace=True)  # an upgrade's old copy counts too
    left = sorted(p.name for p in (packs / RETIRED).iterdir())
    assert len(left) == REMOVED_KEPT + 1 and "kept-by-hand" in left
    assert set(removed[-(REMOVED_KEPT - 1):]) <= set(left)
    assert removed[0] not in left


# Archives: measured first, names made printable


def _never_opened(*args, **kwargs):
    raise AssertionError(f"the archive was read: {args}")


def test_validate_measures_a_zip_before_reading_it(run, tmp_path, monkeypatch):
    path = tmp_path / "big.zip"
    path.write_bytes(zip_folder(SAMPLE))
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 50)
    monkeypatch.setattr(archive, "open", _never_opened, raising=False)
    checked = run("packs", "validate", path)
    assert checked.exit_code == 1
    assert checked.stdout == (f"{path}:1: the archive is {path.stat().st_size} bytes; the "
                              "limit is 50 bytes\n")


def test_control_characters_in_names_never_reach_the_terminal(run, tmp_path):
    (tmp_path / "evil.zip").write_bytes(zip_entries([
        ("pack.toml", (SAMPLE / "pack.toml").read_bytes()),
        ("questions/\x1b[2J\x1b[31mred.md", b"x")]))
    checked = run("packs", "validate", "evil.zip")
    assert checked.exit_code == 1
    assert "\x1b" not in checked.output
    assert "'questions/\\x1b[2J\\x1b[31mred.md'" in checked.stdout

    folder = _copy(SAMPLE, tmp_path / "data" / "packs" / "bad\x1b[31m")
    (folder / "questions" / "\x1b]0;owned\x07.md").write_text("no front matter")
    for output in (run("packs", "validate", folder).output, run("packs", "list").output):
        assert "\x1b" not in output and "\x07" not in output
        assert "bad\\x1b[31m/questions/\\x1b]0;owned\\x07.md:1: must start with" in output
