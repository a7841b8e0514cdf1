"""The render cache: a restart reuses rendered Markdown, and never serves stale HTML."""

import json
import shutil
from pathlib import Path

import markupsafe
import pytest

from trainer.packs import render, render_cache
from trainer.packs.registry import RENDER_CACHE_FILE, PackRegistry
from trainer.plugins import make_plugin_manager

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
SECRET = "render-cache-test-secret-" + "k" * 20


@pytest.fixture
def packs(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "packs" / "sample")
    return tmp_path / "packs"


def registry(packs, cache_dir, secret_key=SECRET):
    return PackRegistry(make_plugin_manager(load_entry_points=False), [packs],
                        cache_dir=cache_dir, secret_key=secret_key)


def payload(cache_file):
    """The cache file's JSON, after its signature line."""
    mac, _, rest = cache_file.read_bytes().partition(b"\n")
    assert mac.startswith(b"hmac-sha256=")
    return json.loads(rest)


def write_signed(cache_file, data, secret=SECRET):
    body = json.dumps(data).encode()
    cache_file.write_bytes(render_cache._mac(render_cache.cache_key(secret), body) + b"\n" + body)


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
    before = payload(cache_file)["entries"]
    shutil.rmtree(packs / "sample" / "questions")
    (packs / "sample" / "questions").mkdir()
    shutil.copy(sorted((SAMPLE / "questions").glob("*.md"))[0], packs / "sample" / "questions")
    registry(packs, tmp_path / "cache")
    after = payload(cache_file)["entries"]
    assert 0 < len(after) < len(before) and set(after) < set(before)


@pytest.mark.parametrize("content", [b"not json", b'{"fingerprint": "old", "entries": {}}',
                                     b"[1, 2]"])
def test_an_unreadable_or_outdated_cache_is_ignored_and_rebuilt(packs, tmp_path, content):
    expected = html_of(registry(packs, None))
    cache_file = tmp_path / "cache" / RENDER_CACHE_FILE
    cache_file.parent.mkdir()
    cache_file.write_bytes(content)
    assert html_of(registry(packs, tmp_path / "cache")) == expected
    assert payload(cache_file)["fingerprint"] == render_cache.fingerprint()


def test_a_poisoned_entry_under_an_old_fingerprint_is_never_served(packs, tmp_path):
    reg = registry(packs, tmp_path / "cache")
    title = reg.get("sample").questions[0].title
    key = render_cache.key_for("inline", title)
    cache_file = tmp_path / "cache" / RENDER_CACHE_FILE
    write_signed(cache_file, {"fingerprint": "from another version",
                              "entries": {key: "<script>x</script>"}})
    assert "<script>" not in registry(packs, tmp_path / "cache").get(
        "sample").questions[0].title_html


def _poison_first_title(packs, tmp_path):
    """Put a script into the cached HTML of the first question's title, keeping the
    fingerprint: what someone who can write the cache file could do."""
    reg = registry(packs, tmp_path / "cache")
    title = reg.get("sample").questions[0].title
    cache_file = tmp_path / "cache" / RENDER_CACHE_FILE
    mac, _, body = cache_file.read_bytes().partition(b"\n")
    data = json.loads(body)
    assert data["fingerprint"] == render_cache.fingerprint()
    data["entries"][render_cache.key_for("inline", title)] = "<script>x</script>"
    return cache_file, mac, data


def test_a_tampered_entry_with_a_valid_fingerprint_is_not_used(packs, tmp_path, caplog,
                                                               monkeypatch):
    expected = html_of(registry(packs, None))
    cache_file, old_mac, data = _poison_first_title(packs, tmp_path)
    cache_file.write_bytes(old_mac + b"\n" + json.dumps(data).encode())
    again = html_of(registry(packs, tmp_path / "cache"))
    assert again == expected and "<script>" not in again[0][0]
    assert "signature does not match" in caplog.text
    assert "<script>" not in cache_file.read_text()  # rebuilt, and signed again
    forbid_rendering(monkeypatch)
    assert html_of(registry(packs, tmp_path / "cache")) == expected


def test_a_file_signed_under_another_secret_is_not_used(packs, tmp_path):
    expected = html_of(registry(packs, None))
    cache_file, _, data = _poison_first_title(packs, tmp_path)
    write_signed(cache_file, data, secret="another-server-" + "z" * 30)
    assert html_of(registry(packs, tmp_path / "cache")) == expected


def test_the_same_secret_trusts_the_file_in_a_later_process(packs, tmp_path, monkeypatch):
    first = html_of(registry(packs, tmp_path / "cache"))
    monkeypatch.setattr(render_cache, "PROCESS_KEY", b"another process" * 2)
    forbid_rendering(monkeypatch)
    assert html_of(registry(packs, tmp_path / "cache")) == first


def test_without_a_secret_a_later_process_renders_again(packs, tmp_path, monkeypatch):
    registry(packs, tmp_path / "cache", secret_key=None)
    monkeypatch.setattr(render_cache, "PROCESS_KEY", b"another process" * 2)
    forbid_rendering(monkeypatch)
    again = registry(packs, tmp_path / "cache", secret_key=None)
    assert again.packs == {}  # each render failed, so each pack reports it and stays out
    assert any("rendered although" in error for problem in again.errors
               for error in problem.errors)


def test_a_restarted_app_trusts_its_own_cache(packs, tmp_path, monkeypatch):
    """create_app hands its secret to the registry: a restart renders nothing again."""
    from trainer import create_app

    def start():
        return create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": SECRET,
                           "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [packs]})

    registry = start().extensions["trainer"].packs
    assert registry.wait_rendered(timeout=30)  # the first start renders in the background
    first = html_of(registry)
    monkeypatch.setattr(render_cache, "PROCESS_KEY", b"another process" * 2)
    forbid_rendering(monkeypatch)
    assert html_of(start().extensions["trainer"].packs) == first


def counting_renders(monkeypatch):
    """Count calls of render.py's real renderers."""
    calls = []
    for name in ("_render_block", "_render_inline"):
        real = getattr(render, name)

        def counted(text, _real=real):
            calls.append(text)
            return _real(text)
        monkeypatch.setattr(render, name, counted)
    return calls


def deferred(packs, cache_dir):
    return PackRegistry(make_plugin_manager(load_entry_points=False), [packs],
                        cache_dir=cache_dir, secret_key=SECRET, defer_rendering=True)


def test_a_deferred_load_renders_nothing_itself_then_everything_once(packs, tmp_path,
                                                                      monkeypatch):
    eager = html_of(registry(packs, None))
    calls = counting_renders(monkeypatch)
    monkeypatch.setattr(render_cache.RenderCache, "finish", lambda self, wanted: None)
    reg = deferred(packs, tmp_path / "cache")  # no background rendering in this one
    assert calls == []  # the load itself rendered nothing
    parts = [p for row in html_of(reg) for p in (*row[:3], *row[3], *row[4])]
    assert all(isinstance(p, render_cache.PendingHtml) for p in parts)
    first = reg.get("sample").questions[0]
    assert str(markupsafe.escape(first.answer_html)) == str(eager[0][1])  # safe, as HTML
    rendered = len(calls)
    assert rendered == 1
    str(first.answer_html)
    assert len(calls) == rendered  # rendered once, then kept
    assert html_of(reg) == eager


def test_the_background_renders_every_pending_text_and_saves(packs, tmp_path, monkeypatch):
    eager = html_of(registry(packs, None))
    reg = deferred(packs, tmp_path / "cache")
    assert reg.wait_rendered(timeout=30)
    assert (tmp_path / "cache" / RENDER_CACHE_FILE).is_file()
    parts = [p for row in html_of(reg) for p in row[:3]]
    assert all(p._html is not None for p in parts)  # all rendered already
    forbid_rendering(monkeypatch)
    again = deferred(packs, tmp_path / "cache")  # a restart: everything from the file
    assert again.wait_rendered(timeout=5)
    assert html_of(again) == eager
    assert all(type(p).__name__ == "Markup" for row in html_of(again) for p in row[:3])


def test_a_superseded_background_render_writes_nothing(packs, tmp_path):
    cache = render_cache.RenderCache(tmp_path / "cache.json", defer=True)
    token = render_cache.ACTIVE.set(cache)
    try:
        pending = render.render_block("Some *text*")
    finally:
        render_cache.ACTIVE.reset(token)
    assert isinstance(pending, render_cache.PendingHtml)
    cache.finish(still_wanted=lambda: False)
    assert not (tmp_path / "cache.json").exists()
    cache.finish()
    assert (tmp_path / "cache.json").is_file()
    assert str(pending) == "<p>Some <em>text</em></p>\n"


def test_a_text_pending_twice_is_one_rendering(tmp_path, monkeypatch):
    calls = counting_renders(monkeypatch)
    cache = render_cache.RenderCache(tmp_path / "cache.json", defer=True)
    token = render_cache.ACTIVE.set(cache)
    try:
        first, second = render.render_inline("Same `point`"), render.render_inline("Same `point`")
    finally:
        render_cache.ACTIVE.reset(token)
    assert first is second and cache.pending == 1
    cache.finish()
    assert str(first) == "Same <code>point</code>" and len(calls) == 1
    reread = render_cache.RenderCache(tmp_path / "cache.json")  # the file holds it
    assert reread._old == {render_cache.key_for("inline", "Same `point`"): str(first)}
