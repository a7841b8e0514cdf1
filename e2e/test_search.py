"""Search in a real Chromium, by keyboard: ``/`` from any page, type, walk, open a card."""

import re

from playwright.sync_api import expect

PACK = "flask_core"


def results(page):
    return page.locator("#results .result-link")


def test_slash_type_arrow_and_enter_open_a_card(page, live_server, console_errors):
    page.goto(live_server.url + "/")
    page.keyboard.press("/")
    box = page.locator("#search-q")
    expect(box).to_be_focused()
    expect(page).to_have_url(re.compile(r"/search$"))

    page.keyboard.type("blueprint struct")  # results as you type, no Enter
    expect(results(page).first).to_contain_text("blueprint")
    expect(results(page).first.locator("mark").first).to_have_text(re.compile("blueprint", re.I))
    expect(page).to_have_url(re.compile(r"/search\?q=blueprint\+struct$"))
    first = results(page).first.get_attribute("href")
    assert first == f"/practice/{PACK}/blueprints"

    page.keyboard.press("ArrowDown")
    expect(results(page).first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + first)
    expect(page.locator("#card")).to_have_attribute("data-question", "blueprints")

    page.go_back()  # the search lives at its URL: back shows it again
    expect(page.locator("#search-q")).to_have_value("blueprint struct")
    expect(results(page).first).to_have_attribute("href", first)
    assert console_errors == []


def test_tab_reaches_the_results_and_filters_narrow_them(page, live_server, console_errors):
    page.goto(live_server.url + "/search?q=json")
    count = page.locator(".search-count")
    expect(count).to_have_text(re.compile(r"^\d+ questions$"))
    everything = int(count.inner_text().split()[0])

    page.keyboard.press("Tab")  # Search button, then the Filters summary, then results
    page.keyboard.press("Tab")
    expect(page.locator(".search-filters summary")).to_be_focused()
    page.keyboard.press("Enter")  # opens the filters
    page.keyboard.press("Tab")  # Pack
    page.keyboard.press("Tab")  # Tag
    page.keyboard.press("Tab")  # Difficulty
    expect(page.locator("#search-difficulty")).to_be_focused()
    page.keyboard.press("ArrowDown")  # junior, then the list updates by itself
    expect(page.locator("#search-difficulty")).to_have_value("junior")
    expect(page).to_have_url(re.compile(r"difficulty=junior"))
    expect(count).not_to_have_text(f"{everything} questions")
    narrowed = results(page).count()
    assert 0 < narrowed < everything

    page.keyboard.press("/")  # back in the box from anywhere on the page, query kept
    expect(page.locator("#search-q")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" zzzznothing")
    expect(count).to_have_text("No question matches.")
    expect(page).to_have_url(re.compile(r"q=json\+zzzznothing&difficulty=junior$"))
    assert console_errors == []
