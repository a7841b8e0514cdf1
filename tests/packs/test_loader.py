"""The pack loader on bad input: every broken pack in the corpus gives its exact message,
a broken pack never stops the others, and progress survives a question's removal."""

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA
from trainer import create_app
from trainer.packs import PackRegistry
from trainer.packs.loader import MAX_FILE_BYTES, load_pack, peek_id
from trainer.plugins import make_plugin_manager

BROKEN = Path(__file__).parents[1] / "broken_packs"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def _matches(expected, actual):
    if expected.endswith("*"):
        return actual.startswith(expected[:-1])
    return actual == expected


def test_the_corpus_has_every_kind_of_mistake():
    for kind in ("manifest_missing", "manifest_bad_toml", "manifest_missing_field",
                 "manifest_unknown_field", "front_matter_bad_toml",
                 "front_matter_missing_field", "front_matter_unknown_field", "duplicate_ids",
                 "not_utf8", "empty_pack"):
        assert kind in CASES


@pytest.mark.parametrize("case", CASES)
def test_broken_pack_gives_its_message(case):
    folder = BROKEN / case
    expected = (folder / ".expected.txt").read_text(encoding="utf-8").splitlines()
    pack, problems = load_pack(folder)
    assert pack is None
    actual = [str(p) for p in problems]
    assert len(actual) == len(expected), actual
    for want, got in zip(expected, actual, strict=True):
        assert _matches(want, got), (want, got)
    for problem in problems:
        assert re.match(r"^[\w./-]+:\d+: \S", str(problem)), str(problem)


def _copy(case, tmp_path):
    return Path(shutil.copytree(BROKEN / case, tmp_path / case))


def test_oversized_file_is_refused_with_its_size(tmp_path):
    folder = Path(shutil.copytree(DATA / "sample", tmp_path / "big"))
    path = folder / "questions" / "003-q3.md"
    path.write_text(path.read_text() + "\n" + "x" * MAX_FILE_BYTES)
    pack, problems = load_pack(folder)
    assert pack is None
    assert [str(p) for p in problems] == [
        f"big/questions/003-q3.md:1: is {path.stat().st_size} bytes; the limit is "
        f"{MAX_FILE_BYTES} bytes (split the text or shorten the answer)"]


def test_every_problem_in_a_pack_is_reported_not_only_the_first(tmp_path):
    folder = _copy("duplicate_ids", tmp_path)
    bad = (BROKEN / "bad_difficulty" / "questions" / "001.md").read_text()
    (folder / "questions" / "003.md").write_text(bad.replace('"q1"', '"q3"'))
    (folder / "pack.toml").write_text((folder / "pack.toml").read_text()
                                      .replace('version = "1.0.0"', 'version = "x"'))
    messages = [str(p) for p in load_pack(folder)[1]]
    assert messages[0].startswith("duplicate_ids/pack.toml:3: field 'version'")
    assert any(m.startswith("duplicate_ids/questions/002.md:2: duplicate") for m in messages)
    assert any(m.startswith("duplicate_ids/questions/003.md:3: field 'difficulty'")
               for m in messages)


def test_windows_line_endings_and_a_byte_order_mark_are_accepted(tmp_path):
    folder = Path(shutil.copytree(DATA / "sample", tmp_path / "crlf"))
    path = folder / "questions" / "001-q1.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    pack, problems = load_pack(folder)
    assert problems == []
    assert pack.question("q1").key_points


def test_a_broken_pack_never_stops_the_others(tmp_path):
    root = tmp_path / "packs"
    shutil.copytree(DATA / "sample", root / "sample")
    for case in ("not_utf8", "manifest_bad_toml", "empty_pack"):
        shutil.copytree(BROKEN / case, root / case)
    registry = PackRegistry(make_plugin_manager(load_entry_points=False), [root])
    assert list(registry.packs) == ["sample"]
    failed = {Path(e.path).name: e for e in registry.errors}
    assert sorted(failed) == ["empty_pack", "manifest_bad_toml", "not_utf8"]
    assert failed["not_utf8"].id == "broken"  # named from its manifest, though it failed
    assert failed["not_utf8"].errors == [
        "not_utf8/questions/001.md:11: is not UTF-8 text (byte 0xe9); save the file as UTF-8"]
    assert failed["manifest_bad_toml"].id == ""


def test_two_packs_with_one_id_keep_the_first_and_report_the_second(tmp_path):
    root = tmp_path / "packs"
    shutil.copytree(DATA / "sample", root / "a-sample")
    shutil.copytree(DATA / "sample", root / "b-sample")
    registry = PackRegistry(make_plugin_manager(load_entry_points=False), [root])
    assert registry.get("sample").path.endswith("a-sample")
    assert registry.errors[0].errors == [
        f"b-sample/pack.toml:1: pack id 'sample' is already used by the pack in a-sample "
        f"(folder {root}), which keeps it; this pack is left out: give it another id in "
        "pack.toml"]


def test_peek_id_reads_leniently():
    assert peek_id(BROKEN / "empty_pack") == "broken"
    assert peek_id(BROKEN / "manifest_missing") == ""
    assert peek_id(BROKEN / "manifest_bad_id") == ""


def test_progress_on_a_removed_question_is_kept_not_shown(tmp_path):
    packs = tmp_path / "packs"
    folder = Path(shutil.copytree(DATA / "sample", packs / "sample"))
    app = create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "s" * 40,
                      "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [packs], "TESTING": True})
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/practice/sample/q1/grade", data={"rating": "3",
                                                              "csrf_token": token})
    assert response.status_code == 303
    with client.session_transaction() as session:
        profile = app.extensions["trainer"].profiles.get(session["profile"])
    graded = profile.card("sample", "q1")
    assert graded is not None

    removed = folder / "questions" / "001-q1.md"
    text = removed.read_bytes()
    removed.unlink()  # version 2 of the pack drops q1
    app.extensions["trainer"].packs.reload()
    row = re.search(r'<tr data-pack="sample">.*?</tr>', client.get("/").get_data(as_text=True),
                    re.S).group(0)
    assert '<td class="num">5</td>' in row
    assert '<td class="num new-count">5</td>' in row  # q1 is neither new nor due
    assert '<td class="num due-count">0</td>' in row
    assert client.get("/practice/sample/q1").status_code == 404
    assert client.get("/practice/sample").headers["Location"] == "/practice/sample/q2"
    assert profile.card("sample", "q1") == graded  # kept on disk

    removed.write_bytes(text)  # the question comes back: so does its progress
    app.extensions["trainer"].packs.reload()
    row = re.search(r'<tr data-pack="sample">.*?</tr>', client.get("/").get_data(as_text=True),
                    re.S).group(0)
    assert '<td class="num">6</td>' in row
    assert '<td class="num new-count">5</td>' in row
    assert profile.card("sample", "q1") == graded
