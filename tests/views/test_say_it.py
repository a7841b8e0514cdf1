"""A question's "Say it" is shown first on the answer side, above the full answer: on a
practice card, in a live reveal and as the model answer of a mock interview's summary."""

import shutil

import pytest

from tests.conftest import DATA, csrf_from
from tests.views.test_live import host_session, join
from trainer import create_app

SPOKEN = ("I would start by saying the spoken marker sentence is here, and then I would "
          "explain why the view returns before the generator finishes. ")  # 24 words


@pytest.fixture
def app(tmp_path):
    """The sample pack with a Say it on every question."""
    packs = tmp_path / "packs"
    shutil.copytree(DATA / "sample", packs / "sample")
    for path in sorted((packs / "sample" / "questions").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("## Answer", f"## Say it\n\n{SPOKEN * 6}\n\n## Answer", 1),
                        encoding="utf-8")
    return create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "test-secret-key-" + "x" * 32,
                       "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [packs], "TESTING": True})


def _before(html, first, then):
    assert first in html and then in html, html
    return html.index(first) < html.index(then)


def test_the_practice_card_shows_say_it_above_the_model_answer(app):
    html = app.test_client().get("/practice/sample/q1?reveal=1").get_data(as_text=True)
    assert html.count('class="say-it"') == 1
    assert _before(html, "spoken marker sentence", "Answer body 1")


def test_a_live_reveal_shows_say_it_above_the_model_answer(app):
    host, code = host_session(app, count="1")
    bob = join(app, code, "Bob")
    host.post(f"/live/{code}/host/start")
    assert "spoken marker sentence" not in bob.get(f"/live/{code}").get_data(as_text=True)
    host.post(f"/live/{code}/host/reveal")
    revealed = bob.get(f"/live/{code}").get_data(as_text=True)
    assert _before(revealed, "spoken marker sentence", "Answer body")


def test_the_mock_summary_gives_say_it_as_the_model_answer(app):
    client = app.test_client()
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/mock/start", data={"pack": "sample", "count": "2", "seconds": "60",
                                     "csrf_token": csrf})
    page = client.get("/mock").get_data(as_text=True)
    run = page.split('name="run" value="', 1)[1].split('"', 1)[0]
    for index in range(2):
        client.post("/mock/answer", data={"run": run, "index": str(index), "answer": "x",
                                          "csrf_token": csrf})
    summary = client.get("/mock").get_data(as_text=True)
    assert summary.count('class="say-it"') == 2
    assert summary.count("<summary>Full answer</summary>") == 2
    assert "<summary>Model answer</summary>" not in summary
    assert _before(summary, "spoken marker sentence", "<summary>Full answer</summary>")
