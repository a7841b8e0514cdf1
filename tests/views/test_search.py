"""The search page through the test client: page, htmx block, filters, bounds, escaping."""

import re

HX = {"HX-Request": "true"}


def results_of(html):
    return re.findall(r'data-pack="([^"]+)" data-question="([^"]+)"', html)


def test_the_page_is_a_real_get_form_with_the_box_focused(client):
    response = client.get("/search")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert re.search(r'<form class="search-form" method="get" action="/search"', html)
    assert re.search(r'<input id="search-q"[^>]*name="q"[^>]*maxlength="200"[^>]*autofocus', html,
                     re.S)
    assert "Type to search" in html


def test_every_page_links_to_search_on_the_slash_key(client):
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/search" data-keys="/">Search <kbd>/</kbd></a>' in html


def test_a_search_lists_matching_cards_linked_to_them(client):
    html = client.get("/search?q=number+3").get_data(as_text=True)
    assert results_of(html) == [("sample", "q3")]
    assert 'href="/practice/sample/q3"' in html
    assert "Sample question <mark>number</mark> <mark>3</mark> with code?" in html
    assert "Sample pack" in html


def test_htmx_gets_the_results_block_at_the_search_url(client):
    response = client.get("/search?q=point&pack=sample&tag=", headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert response.headers["HX-Push-Url"] == "/search?q=point&pack=sample"
    assert "HX-Request" in response.headers["Vary"]
    assert len(results_of(html)) == 6


def test_pack_text_in_a_snippet_is_escaped(client):
    html = client.get("/search?q=alert", headers=HX).get_data(as_text=True)
    assert "<script>" not in html
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html


def test_the_query_is_escaped_where_it_is_shown(client):
    html = client.get("/search?q=%3Cb%3Ex").get_data(as_text=True)
    assert "<b>x" not in html
    assert 'value="&lt;b&gt;x"' in html
    assert "No question matches." in html


def profile_of(app, client):
    client.get("/")
    with client.session_transaction() as session:
        return app.extensions["trainer"].profiles.get(session["profile"])


def test_filters_alone_list_questions_and_notes_are_searched(app, client):
    profile = profile_of(app, client)
    profile.set_mark("sample", "q2", starred=True)
    profile.set_mark("sample", "q4", note="Asked by Zorblax")
    assert results_of(client.get("/search?starred=1").get_data(as_text=True)) == [
        ("sample", "q2")]
    html = client.get("/search?q=zorblax").get_data(as_text=True)
    assert results_of(html) == [("sample", "q4")]
    assert "Asked by <mark>Zorblax</mark>" in html
    assert results_of(client.get("/search?state=new&q=sample").get_data(as_text=True))[0] == (
        "sample", "q1")


def test_bad_fields_are_refused(client):
    for url in ("/search?q=" + "a" * 201, "/search?pack=nope", "/search?tag=nope",
                "/search?difficulty=hard", "/search?state=due", "/search?starred=yes",
                "/search?tag=" + "t" * 81):
        assert client.get(url).status_code == 400, url


def test_more_than_ten_words_searches_the_first_ten(client):
    html = client.get("/search?q=" + "+".join(["sample"] * 3 + [f"w{i}" for i in range(10)]))
    assert "Only the first 10 words were searched." in html.get_data(as_text=True)
