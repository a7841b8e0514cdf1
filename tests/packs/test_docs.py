"""docs/packs.md stays true: its complete example pack validates and installs as shown,
and its code-pack example is what ``packs new --package`` writes and builds a wheel that
installs a working pack."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hatchling.build import build_wheel

from trainer.cli import main
from trainer.packs import PackRegistry
from trainer.packs.loader import load_pack
from trainer.plugins import make_plugin_manager

DOC = Path(__file__).resolve().parents[2] / "docs" / "packs.md"
EXAMPLE_FILE = re.compile(r"\*\*`(sql-basics/[^`]+)`\*\*\n\n(`{3,})\w*\n(.*?)\n\2\n", re.S)


def example_files():
    return {name: body + "\n" for name, _, body in EXAMPLE_FILE.findall(
        DOC.read_text(encoding="utf-8"))}


def test_the_guide_holds_a_complete_example():
    assert sorted(example_files()) == [
        "sql-basics/pack.toml", "sql-basics/questions/001-inner-vs-left-join.md",
        "sql-basics/questions/002-where-vs-having.md"]


def test_the_example_validates_and_installs(tmp_path, monkeypatch):
    for name, body in example_files().items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    pack, problems = load_pack(tmp_path / "sql-basics")
    assert problems == []
    assert [q.id for q in pack.questions] == ["inner-vs-left-join", "where-vs-having"]
    highlighted = '<code class="language-sql"><span class="k">SELECT</span>'
    assert highlighted in pack.questions[0].answer_html

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    checked = runner.invoke(main, ["packs", "validate", "sql-basics"])
    assert checked.exit_code == 0
    assert checked.output == "ok: sql-basics 1.0.0: 2 questions (1 junior, 1 mid)\n"
    installed = runner.invoke(main, ["packs", "install", "sql-basics"])
    assert installed.exit_code == 0, installed.output
    assert (tmp_path / "data" / "packs" / "sql-basics" / "pack.toml").is_file()


def test_the_guide_names_every_cli_command():
    text = DOC.read_text(encoding="utf-8")
    for command in ("trainer packs new", "trainer packs validate", "trainer packs install",
                    "trainer packs remove", "trainer packs list", "trainer install",
                    "--packs-dir", "TRAINER_PACKS_DIR", "TRAINER_ADMIN_TOKEN"):
        assert command in text, command


DIST_FILE = re.compile(r"\*\*`trainer-sql-basics/([^`]+)`\*\*\n\n(`{3,})\w*\n(.*?)\n\2\n", re.S)


def distribution_files():
    """The files of the guide's code-pack example, by path inside the distribution."""
    return {name: body + "\n" for name, _, body in DIST_FILE.findall(
        DOC.read_text(encoding="utf-8"))}


def test_the_guide_shows_what_packs_new_package_writes(run_in, tmp_path):
    shown = distribution_files()
    assert sorted(shown) == ["pyproject.toml", "trainer_sql_basics/__init__.py"]
    made = run_in("packs", "new", "sql-basics", "--package", "--title", "SQL basics",
                  "--dir", str(tmp_path))
    assert made.exit_code == 0, made.output
    for name, body in shown.items():
        assert (tmp_path / "trainer-sql-basics" / name).read_text(encoding="utf-8") == body


@pytest.fixture
def run_in():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_the_guide_pyproject_builds_a_wheel_that_installs_a_working_pack(tmp_path,
                                                                         monkeypatch):
    """The guide's pyproject.toml, built by the real backend (hatchling, offline), gives a
    wheel that carries the pack; installed with pip, its entry point loads the pack."""
    root = tmp_path / "trainer-sql-basics"
    for name, body in distribution_files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    (root / "README.md").write_text("# SQL basics\n", encoding="utf-8")
    for name, body in example_files().items():  # the guide's pack, as its questions
        path = root / "trainer_sql_basics" / "pack" / name.removeprefix("sql-basics/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")

    monkeypatch.chdir(root)  # hatchling builds the project in the working directory
    wheel = tmp_path / "dist" / build_wheel(str(tmp_path / "dist"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for expected in ("trainer_sql_basics/__init__.py", "trainer_sql_basics/pack/pack.toml",
                     "trainer_sql_basics/pack/questions/001-inner-vs-left-join.md",
                     "trainer_sql_basics/pack/questions/002-where-vs-having.md"):
        assert expected in names, expected

    target = tmp_path / "site"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--disable-pip-version-check", "--target", str(target), str(wheel)],
        capture_output=True, text=True, check=False)
    assert pip.returncode == 0, pip.stderr
    monkeypatch.syspath_prepend(str(target))
    monkeypatch.delitem(sys.modules, "trainer_sql_basics", raising=False)
    registry = PackRegistry(make_plugin_manager(load_entry_points=True))
    pack = registry.get("sql-basics")
    assert pack is not None, registry.errors
    assert pack.source == "trainer-sql-basics 0.1.0"
    assert [q.id for q in pack.questions] == ["inner-vs-left-join", "where-vs-having"]
    assert Path(pack.path).is_relative_to(target)
