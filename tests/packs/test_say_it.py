"""The optional ``## Say it`` section and the manifest's ``[requires]`` table: what the
loader accepts, and each mistake reported as FILE:LINE."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA
from trainer import create_app
from trainer.packs.loader import load_pack
from trainer.packs.render_cache import PendingHtml, caching_renders

SPOKEN = ("I would say the `before_request` hook runs before every view and can stop "
          "the request by returning a response. ")  # 19 words


def _pack(tmp_path, say_it=None, requires=None, where="top"):
    folder = Path(shutil.copytree(DATA / "sample", tmp_path / "sample"))
    path = folder / "questions" / "001-q1.md"
    if say_it is not None:
        text = path.read_text(encoding="utf-8")
        section = f"## Say it\n\n{say_it}\n\n"
        anchor = "## Answer" if where == "top" else "## Follow-ups"
        path.write_text(text.replace(anchor, section + anchor, 1), encoding="utf-8")
    if requires is not None:
        with (folder / "pack.toml").open("a", encoding="utf-8") as manifest:
            manifest.write("\n[requires]\n" + requires)
    return folder


def _line_of(folder, needle):
    lines = (folder / "questions" / "001-q1.md").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_a_question_without_say_it_has_none(tmp_path):
    pack, problems = load_pack(_pack(tmp_path))
    assert problems == []
    assert pack.questions[0].say_it_html is None
    assert pack.questions[0].say_it_text is None
    assert pack.requires == {}


@pytest.mark.parametrize("where", ["top", "after the key points"])
def test_say_it_is_rendered_and_kept_as_plain_text(tmp_path, where):
    pack, problems = load_pack(_pack(tmp_path, SPOKEN * 8 + "<b>bold</b>", where=where))
    assert problems == []
    question = pack.questions[0]
    assert "<code>before_request</code>" in str(question.say_it_html)
    assert "<b>" not in str(question.say_it_html)  # sanitised like every section
    assert question.say_it_text.startswith("I would say the before_request hook runs")
    assert "`" not in question.say_it_text
    assert len(question.say_it_text.split()) == 8 * 19 + 1


def test_say_it_renders_later_when_rendering_is_deferred(tmp_path):
    folder = _pack(tmp_path, SPOKEN * 8)
    with caching_renders(tmp_path / "cache.json", defer=True) as cache:
        pack, problems = load_pack(folder)
    assert problems == []
    assert isinstance(pack.questions[0].say_it_html, PendingHtml)
    cache.finish()
    assert "<code>before_request</code>" in str(pack.questions[0].say_it_html)


@pytest.mark.parametrize("repeats,words", [(6, 114), (11, 209)])
def test_say_it_outside_120_to_180_words_is_refused_at_its_heading(tmp_path, repeats, words):
    folder = _pack(tmp_path, SPOKEN * repeats)
    pack, problems = load_pack(folder)
    assert pack is None
    assert [str(p) for p in problems] == [
        f"sample/questions/001-q1.md:{_line_of(folder, '## Say it')}: section '## Say it' "
        f"has {words} words; it takes 120 to 180 (about 60 to 75 seconds aloud)"]


@pytest.mark.parametrize("bad,needle,message", [
    ("```python\nx = 1\n```", "```python", "no code blocks (name the function in "
     "`backticks` instead)"),
    ("| a | b |\n| - | - |\n| 1 | 2 |", "| a | b |", "no tables"),
    ("### Short version", "### Short", "no headings"),
])
def test_say_it_is_prose_only(tmp_path, bad, needle, message):
    folder = _pack(tmp_path, SPOKEN * 4 + "\n\n" + bad + "\n\n" + SPOKEN * 4)
    pack, problems = load_pack(folder)
    assert pack is None
    assert [str(p) for p in problems] == [
        f"sample/questions/001-q1.md:{_line_of(folder, needle)}: section '## Say it' is "
        f"said aloud: {message}"]


def test_requires_is_read_as_minimum_versions(tmp_path):
    pack, problems = load_pack(_pack(tmp_path, requires='flask = "3.1.1"\nWerkzeug = "3.1"\n'))
    assert problems == []
    assert pack.requires == {"flask": "3.1.1", "werkzeug": "3.1"}


@pytest.mark.parametrize("requires,line,message", [
    ('flask = "3.1.1"\nwerkzeug = ">=3.1"\n', 10, "requires: 'werkzeug' is '>=3.1': write the "
     'minimum version as dotted numbers in double quotes, such as "3.1.1"'),
    ("flask = 3.1\n", 9, "requires: 'flask' is 3.1: write the minimum version as dotted "
     'numbers in double quotes, such as "3.1.1"'),
    ("", 8, "field 'requires' must be a table of 1 to 20 libraries and their minimum "
     'versions, such as [requires] then flask = "3.1.1" on the next line'),
])
def test_a_bad_requires_is_refused_on_its_line(tmp_path, requires, line, message):
    pack, problems = load_pack(_pack(tmp_path, requires=requires))
    assert pack is None
    assert [str(p) for p in problems] == [f"sample/pack.toml:{line}: {message}"]


def test_requires_is_shown_on_the_packs_page_and_in_the_json(tmp_path):
    folder = _pack(tmp_path, requires='werkzeug = "3.1.0"\nflask = "3.1.2"\n')
    app = create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "s" * 40,
                      "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [folder.parent],
                      "TESTING": True})
    client = app.test_client()
    rows = client.get("/-/packs.json").get_json()
    rows = rows["packs"] if isinstance(rows, dict) else rows
    assert [row["requires"] for row in rows if row["id"] == "sample"] == [
        {"flask": "3.1.2", "werkzeug": "3.1.0"}]
    assert "for flask ≥ 3.1.2, werkzeug ≥ 3.1.0" in client.get("/packs").get_data(as_text=True)
