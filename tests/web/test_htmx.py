"""trainer/web/htmx.py: one way to answer a page, its fragment or a redirect."""

import traceback

import pytest
from flask import Flask
from htmx_flask import Htmx

from trainer.web import htmx

PAGE = """<html><title>{% block title %}T{% endblock %}</title>
<main>{% block card %}<p>card {{ n }}</p>{% endblock %}</main></html>"""
BROKEN = """<html>
{% block card %}
<p>fine</p>
<p>{{ n.missing.deeper }}</p>
{% endblock %}
</html>"""


@pytest.fixture
def app(tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "broken.html").write_text(BROKEN)
    app = Flask(__name__, template_folder=str(tmp_path))
    Htmx(app)
    htmx.init_app(app)

    @app.get("/card")
    def card():
        return htmx.respond("page.html", "card", n=1, push_url="/card?x=1")

    @app.post("/grade")
    def grade():
        return htmx.respond("page.html", "card", n=2, redirect_to="/card/2")

    @app.get("/broken")
    def broken():
        return htmx.respond("broken.html", "card", n=None)

    return app


HX = {"HX-Request": "true"}


def test_a_full_load_gets_the_page_and_htmx_the_block(app):
    client = app.test_client()
    page = client.get("/card")
    assert "<title>T</title>" in page.text and "<p>card 1</p>" in page.text
    assert "HX-Push-Url" not in page.headers
    fragment = client.get("/card", headers=HX)
    assert fragment.text == "<p>card 1</p>"
    assert fragment.headers["HX-Push-Url"] == "/card?x=1"
    assert page.headers["Vary"] == fragment.headers["Vary"] == "HX-Request"


def test_a_plain_form_post_is_redirected_and_htmx_gets_the_block_at_its_url(app):
    client = app.test_client()
    plain = client.post("/grade")
    assert plain.status_code == 303 and plain.headers["Location"] == "/card/2"
    swapped = client.post("/grade", headers=HX)
    assert swapped.status_code == 200 and swapped.text == "<p>card 2</p>"
    assert swapped.headers["HX-Push-Url"] == "/card/2"


def test_a_history_restore_gets_the_whole_page(app):
    restore = app.test_client().get("/card", headers={**HX, "HX-History-Restore-Request":
                                                     "true"})
    assert "<title>T</title>" in restore.text


def test_an_error_inside_a_block_names_the_template_and_its_line(app, tmp_path):
    app.testing = True
    with pytest.raises(Exception) as caught:
        app.test_client().get("/broken", headers=HX)
    frames = traceback.extract_tb(caught.value.__traceback__)
    broken = str(tmp_path / "broken.html")
    assert any(f.filename == broken and f.lineno == 4 for f in frames), [
        (f.filename, f.lineno) for f in frames[-4:]]


def test_htmx_statuses_are_named():
    assert htmx.HTMX_STOP_POLLING == 286

