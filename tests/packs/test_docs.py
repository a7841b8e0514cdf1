"""docs/packs.md stays true: its complete example pack validates and installs as shown."""

import re
from pathlib import Path

from click.testing import CliRunner

from trainer.cli import main
from trainer.packs.loader import load_pack

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
