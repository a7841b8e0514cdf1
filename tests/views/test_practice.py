"""Practice routes through the test client: full pages, htmx fragments, grades, CSRF."""

import re

HX = {"HX-Request": "true"}


def test_home_lists_packs_with_counts(client):
    html = client.get("/").get_data(as_text=True)
    assert "Sample pack" in html
    row = re.search(r'<tr data-pack="sample">.*?</tr>', html, re.S).group(0)
    assert '<td class="num">6</td>' in row
    assert '<td class="num new-count">6</td>' in row


def test_start_redirects_to_first_new_card(client):
    response = client.get("/practice/sample")
    assert response.status_code == 303
    assert response.headers["Location"] == "/practice/sample/q1"


def test_direct_card_url_renders_full_page(client):
    response = client.get("/practice/sample/q2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert 'data-question="q2"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_request_gets_only_the_card_fragment(client):
    response = client.get("/practice/sample/q2", headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="card"')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_question_side_hides_the_answer(client):
    """The answer travels with the question (Space reveals it without a request), inside
    elements marked ``hidden``, so neither the page nor a screen reader shows it."""
    html = client.get("/practice/sample/q1").get_data(as_text=True)
    hidden = re.search(r'<div class="answer" hidden>(.*?)<form class="grades"', html, re.S)
    assert hidden and "Answer body 1" in hidden.group(1)
    assert "Answer body 1" not in html.replace(hidden.group(0), "")
    assert re.search(r'<form class="grades"[^>]*\bhidden>', html)
    assert 'data-keys="Space Enter"' in html


def test_reveal_shows_sanitised_answer(client):
    html = client.get("/practice/sample/q1?reveal=1").get_data(as_text=True)
    assert "Answer body 1" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<code class="language-python">' in html
    assert "<li>point 1 a</li>" in html
    assert "<code>code</code>" in html  # inline Markdown in the title


def test_browse_neighbours_wrap_around(client):
    html = client.get("/practice/sample/q1").get_data(as_text=True)
    assert 'href="/practice/sample/q6"' in html and 'rel="prev"' in html
    assert 'href="/practice/sample/q2"' in html


def test_grade_saves_and_shows_next_due_card(client, csrf):
    response = client.post("/practice/sample/q1/grade", data={"rating": "3"},
                           headers={**HX, "X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/practice/sample/q2"
    assert 'data-question="q2"' in response.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    row = re.search(r'<tr data-pack="sample">.*?</tr>', home, re.S).group(0)
    assert '<td class="num new-count">5</td>' in row


def test_grade_without_htmx_redirects(client, csrf):
    response = client.post("/practice/sample/q1/grade",
                           data={"rating": "4", "csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["Location"] == "/practice/sample/q2"


def test_grade_without_csrf_token_is_refused(client):
    client.get("/")
    response = client.post("/practice/sample/q1/grade", data={"rating": "3"}, headers=HX)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert "6</td>" in client.get("/").get_data(as_text=True)  # nothing was graded


def test_grade_with_wrong_csrf_token_is_refused(client, csrf):
    response = client.post("/practice/sample/q1/grade", data={"rating": "3"},
                           headers={**HX, "X-CSRF-Token": csrf + "x"})
    assert response.status_code == 400


def test_bad_rating_gets_a_clear_message(client, csrf):
    response = client.post("/practice/sample/q1/grade", data={"rating": "9"},
                           headers={**HX, "X-CSRF-Token": csrf})
    assert response.status_code == 400
    assert "1 (Again)" in response.get_data(as_text=True)


def test_unknown_question_is_404(client):
    response = client.get("/practice/sample/nope")
    assert response.status_code == 404
    assert "no question" in response.get_data(as_text=True)


def test_all_done_when_nothing_is_due(client, csrf):
    for q in ["q1", "q2", "q3", "q4", "q5", "q6"]:
        client.post(f"/practice/sample/{q}/grade", data={"rating": "4"},
                    headers={**HX, "X-CSRF-Token": csrf})
    response = client.get("/practice/sample")
    assert response.status_code == 200
    assert "All caught up" in response.get_data(as_text=True)


def test_progress_survives_a_new_app_on_the_same_data(app, client, csrf, data_dir):
    client.post("/practice/sample/q1/grade", data={"rating": "4"},
                headers={**HX, "X-CSRF-Token": csrf})
    cookie = client.get_cookie("session")
    from tests.conftest import DATA
    from trainer import create_app

    again = create_app({"DATA_DIR": data_dir, "SECRET_KEY": app.secret_key,
                        "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [DATA]})
    other = again.test_client()
    other.set_cookie("session", cookie.value)
    assert other.get("/practice/sample").headers["Location"] == "/practice/sample/q2"


def test_display_name_is_validated_and_escaped(client, csrf):
    too_long = client.post("/profile", data={"name": "x" * 41, "csrf_token": csrf},
                           follow_redirects=True).get_data(as_text=True)
    assert "1 to 40 characters" in too_long
    html = client.post("/profile", data={"name": "<b>Ada</b>", "csrf_token": csrf},
                       follow_redirects=True).get_data(as_text=True)
    assert 'value="&lt;b&gt;Ada&lt;/b&gt;"' in html


def test_every_answer_of_an_htmx_branching_view_varies_on_hx_request(client, csrf):
    """A cache must not hand the redirect to htmx, nor the fragment to a full load."""
    responses = [
        client.get("/practice/sample"),  # the redirect branch
        client.get("/practice/sample", headers=HX),  # the fragment branch
        client.post("/practice/sample/q1/grade", data={"rating": "3", "csrf_token": csrf}),
        client.post("/practice/sample/undo", data={"csrf_token": csrf}),
        client.post("/practice/sample/undo", data={"csrf_token": csrf}),  # 409: nothing left
    ]
    assert [r.status_code for r in responses] == [303, 200, 303, 303, 409]
    for response in responses:
        assert "HX-Request" in response.vary, response.status_code
    assert "HX-Request" not in client.get("/").vary  # home does not branch on htmx


def test_browse_mode_is_carried_by_every_card_url(client, csrf):
    html = client.get("/practice/sample/q3?mode=browse").get_data(as_text=True)
    assert 'data-mode="browse"' in html and '<span class="mode">Browse</span>' in html
    for url in ("/practice/sample/q3?reveal=1&amp;mode=browse", "/practice/sample/q2?mode=browse",
                "/practice/sample/q4?mode=browse", "/practice/sample/q3/answer?mode=browse",
                "/practice/sample/q3/star?mode=browse", "/practice/sample/q3/bury?mode=browse",
                "/practice/sample/q3?note=1&amp;mode=browse"):
        assert f'"{url}"' in html, url
    note = client.get("/practice/sample/q3?note=1&mode=browse").get_data(as_text=True)
    assert 'action="/practice/sample/q3/note?mode=browse"' in note
    assert 'href="/practice/sample/q3?mode=browse"' in note  # cancel
    revealed = client.get("/practice/sample/q3?reveal=1&mode=browse").get_data(as_text=True)
    assert 'action="/practice/sample/q3/grade?mode=browse"' in revealed
    review = client.get("/practice/sample/q3").get_data(as_text=True)
    assert 'data-mode="review"' in review and "mode=browse" not in review


def test_grading_in_browse_goes_on_in_pack_order(client, csrf):
    graded = client.post("/practice/sample/q3/grade?mode=browse", data={"rating": "3"},
                         headers={**HX, "X-CSRF-Token": csrf})
    assert graded.headers["HX-Push-Url"] == "/practice/sample/q4?mode=browse"
    html = graded.get_data(as_text=True)
    assert 'data-question="q4"' in html and 'data-mode="browse"' in html
    assert 'action="/practice/sample/undo?mode=browse"' in html
    plain = client.post("/practice/sample/q6/grade?mode=browse",
                        data={"rating": "3", "csrf_token": csrf})
    assert plain.headers["Location"] == "/practice/sample/q1?mode=browse"  # wraps round
    buried = client.post("/practice/sample/q1/bury?mode=browse",
                         headers={**HX, "X-CSRF-Token": csrf})
    assert buried.headers["HX-Push-Url"] == "/practice/sample/q2?mode=browse"
    undone = client.post("/practice/sample/undo?mode=browse",
                         headers={**HX, "X-CSRF-Token": csrf})
    assert undone.headers["HX-Push-Url"] == "/practice/sample/q6?mode=browse"
    starred = client.post("/practice/sample/q6/star?mode=browse", data={"csrf_token": csrf})
    assert starred.headers["Location"] == "/practice/sample/q6?mode=browse"
    review = client.post("/practice/sample/q5/grade", data={"rating": "3"},
                         headers={**HX, "X-CSRF-Token": csrf})
    assert review.headers["HX-Push-Url"] == "/practice/sample/q2"  # Review: next due/new


def test_modes_page_and_all_caught_up_open_browse_mode(client, csrf):
    modes = client.get("/modes/sample").get_data(as_text=True)
    assert 'href="/practice/sample/q1?mode=browse" data-keys="b"' in modes
    for q in ["q1", "q2", "q3", "q4", "q5", "q6"]:
        client.post(f"/practice/sample/{q}/grade", data={"rating": "4"},
                    headers={**HX, "X-CSRF-Token": csrf})
    done = client.get("/practice/sample").get_data(as_text=True)
    assert 'href="/practice/sample/q1?mode=browse"' in done


def test_controls_show_all_their_keys(client, csrf):
    html = client.get("/practice/sample/q1").get_data(as_text=True)
    assert 'data-keys="h">Interview Trainer <kbd>h</kbd></a>' in html
    assert re.search(r'data-keys="Space Enter">Show answer <kbd>Space</kbd>.*?<kbd>Enter</kbd>'
                     r'.*?</button>', html)
    graded = client.post("/practice/sample/q1/grade", data={"rating": "3"},
                         headers={**HX, "X-CSRF-Token": csrf}).get_data(as_text=True)
    assert re.search(r'data-keys="u Ctrl\+z">[^<]*<kbd>u</kbd>.*?<kbd>Ctrl\+Z</kbd>.*?</button>',
                     graded)
    revealed = client.get("/practice/sample/q2?reveal=1").get_data(as_text=True)
    good = re.search(r'<button[^>]*data-keys="3 Space Enter">.*?</button>', revealed).group(0)
    assert "<kbd>3</kbd>" in good and "<kbd>Space</kbd>" in good and "<kbd>Enter</kbd>" in good


def test_home_opens_the_first_pack_by_key(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'href="/practice/sample" data-keys="p">Practise <kbd>p</kbd></a>', html)


def test_references_show_on_the_answer_side_as_links(tmp_path):
    import shutil

    from tests.conftest import DATA
    from trainer import create_app

    shutil.copytree(DATA / "sample", tmp_path / "packs" / "sample")
    q1 = tmp_path / "packs" / "sample" / "questions" / "001-q1.md"
    q1.write_text(q1.read_text().replace(
        'tags = ["sample"]\n',
        'tags = ["sample"]\nreferences = ["https://example.org/a?x=1&y=2", '
        '"https://example.org/b"]\n', 1))
    app = create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "s" * 40,
                      "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [tmp_path / "packs"]})
    client = app.test_client()
    html = client.get("/practice/sample/q1?reveal=1").get_data(as_text=True)
    links = re.search(r'<ul class="references">(.*?)</ul>', html, re.S).group(1)
    assert links.count('rel="noopener noreferrer"') == 2
    assert '<a href="https://example.org/a?x=1&amp;y=2" rel="noopener noreferrer"' in links
    assert html.index("<h2>Follow-ups</h2>") < html.index("<h2>References</h2>")
    question_side = client.get("/practice/sample/q1").get_data(as_text=True)
    assert re.search(r'<div class="answer" hidden>.*example\.org.*?</div>\s*<form class="grades"',
                     question_side, re.S)  # there, hidden until revealed
    assert "<h2>References</h2>" not in client.get("/practice/sample/q2?reveal=1").get_data(
        as_text=True)  # a question without references shows no empty heading


def test_keys_js_lets_only_browsing_keys_repeat(client):
    """Held keys: the browser check proves the behaviour; this pins the list of keys."""
    response = client.get("/static/keys.js")
    js = response.get_data(as_text=True)
    response.close()
    repeatable = re.search(r"var REPEATABLE = \{([^}]*)\};", js).group(1)
    assert sorted(re.findall(r"(\w+): true", repeatable)) == ["ArrowLeft", "ArrowRight", "j", "k"]
    assert "if (event.repeat && !REPEATABLE[name])" in js
    assert "if (!event.repeat) el.form.requestSubmit()" in js  # a held Ctrl+Enter sends once


def test_keys_js_runs_before_the_page_so_no_early_key_is_lost(client):
    """A deferred keys.js would miss keys pressed while the page loads (a quick typist
    opening a pack with one key and revealing with the next)."""
    html = client.get("/").get_data(as_text=True)
    head = html[:html.index("<body")]
    tag = re.search(r'<script src="/static/keys\.js"([^>]*)>', head)
    assert tag is not None, "keys.js belongs in <head>"
    assert "defer" not in tag.group(1) and "async" not in tag.group(1)


def test_a_block_the_view_builds_is_that_html_and_nothing_else(app):
    """``respond(block_html=...)`` hands htmx the view's HTML without rendering the block,
    so the block must be exactly ``{{ card_html }}``: anything added to it would be on
    the page and missing from every flip."""
    from markupsafe import Markup

    from trainer.web.htmx import render_fragment

    html = Markup('<section id="card">a card</section>')
    with app.test_request_context("/"):
        app.preprocess_request()
        assert render_fragment("practice.html", "card", card_html=html) == html


def test_a_plain_form_post_says_on_the_next_page_what_it_did(client, csrf):
    """Without JavaScript a grade or a card action is a post and a 303: the notice the
    card would have shown travels with the redirect and is on the page it lands on."""
    graded = client.post("/practice/sample/q1/grade", data={"csrf_token": csrf, "rating": "3"})
    assert graded.status_code == 303
    landed = client.get(graded.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-ok"' in landed and "Good:" in landed
    starred = client.post("/practice/sample/q2/star", data={"csrf_token": csrf})
    landed = client.get(starred.headers["Location"]).get_data(as_text=True)
    assert "Starred." in landed
    again = client.get(starred.headers["Location"]).get_data(as_text=True)
    assert "Starred." not in again.split('<section id="card"')[0]  # shown once
