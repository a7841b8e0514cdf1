"""The render cache: a restart reuses rendered Markdown, and never serves stale HTML."""

import json
import shutil
from pathlib import Path

import pytest

from trainer.packs import render, render_cache
from trainer.packs.registry import RENDER_CACHE_FILE, PackRegistry
from trainer.plugins import make_plugin_manager

SAMPLE = Path(__file__).parent / "data" / "sample"


@pytest.fixture
def packs(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "packs" / "sample")
    return tmp_path / "packs"


def registry(packs, cache_dir):
    return PackRegistry(make_plugin_manager(load_entry_points=False), [packs],
                        cache_dir=cache_dir)


def html_of(reg):
    return [(q.title_html, q.answer_html, q.why_html, q.key_points, q.follow_ups)
            for q in reg.get("sample").questions]


def forbid_rendering(monkeypatch):
    def fail(_text):
        raise AssertionError("rendered although the cache holds it")
    monkeypatch.setattr(render, "_render_block", fail)
    monkeypatch.setattr(render, "_render_inline", fail)


def test_a_restart_renders_nothing_and_gets_the_same_html(packs, tmp_path, monkeypatch):
    first = html_of(registry(packs, tmp_path / "cache"))
    assert (tmp_path / "cache" / RENDER_CACHE_FILE).is_file()
    assert first == html_of(registry(packs, None))  # same HTML as without a cache
    forbid_rendering(monkeypatch)
    again = html_of(registry(packs, tmp_path / "cache"))
    assert again == first
    assert all(type(part).__name__ == "Markup" for row in again for part in row[:3])


def test_an_edited_question_is_rendered_again(packs, tmp_path):
    registry(packs, tmp_path / "cache")
    path = sorted((packs / "sample" / "questions").glob("*.md"))[0]
    text = path.read_text()
    section = text.index("## Answer") + len("## Answer\n")
    path.write_text(text[:section] + "\nA *new* first line.\n" + text[section:])
    answer = registry(packs, tmp_path / "cache").get("sample").questions[0].answer_html
    assert "<em>new</em> first line" in answer


def test_only_entries_in_use_are_kept(packs, tmp_path):
    cache_file = tmp_path / "cache" / RENDER_CACHE_FILE
    registry(packs, tmp_path / "cache")
    before = json.loads(cache_file.read_text())["entries"]
    shutil.rmtree(packs / "sample" / "questions")
    (packs / "sample" / "questions").mkdir()
    shutil.copy(sorted((SAMPLE / "questions").glob("*.md"))[0], packs / "sample" / "questions")
    registry(packs, tmp_path / "cache")
    after = json.loads(cache_file.read_text())["entries"]
    assert 0 < len(after) < len(before) and set(after) < set(before)


@pytest.mark.parametrize("content", [b"not json", b'{"fingerprint": "old", "entries": {}}',
                                     b"[1, 2]"])
def test_an_unreadable_or_outdated_cache_is_ignored_and_rebuilt(packs, tmp_path, content):
    expected = html_of(registry(packs, None))
    cache_file = tmp_path / "cache" / RENDER_CACHE_FILE
    cache_file.parent.mkdir()
    cache_file.write_bytes(content)
    assert html_of(registry(packs, tmp_path / "cache")) == expected
    assert json.loads(cache_file.read_text())["fingerprint"] == render_cache.fingerprint()


def test_a_poisoned_entry_under_an_old_fingerprint_is_never_served(packs, tmp_path):
    reg = registry(packs, tmp_path / "cache")
    title = reg.get("sample").questions[0].title
    key = render_cache.key_for("inline", title)
    cache_file = tmp_path / "cache" / RENDER_CACHE_FILE
    cache_file.write_text(json.dumps({"fingerprint": "from another version",
                                      "entries": {key: "<script>x</script>"}}))
    assert "<script>" not in registry(packs, tmp_path / "cache").get(
        "sample").questions[0].title_html
