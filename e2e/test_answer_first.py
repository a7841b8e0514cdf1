"""Answer first by keyboard in a real Chromium: type, compare, tick, take the suggestion."""

import re

from playwright.sync_api import expect

PACK = "flask_core"


def card(page):
    return page.locator("#card")


def test_type_compare_tick_and_grade(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    question = card(page).get_attribute("data-question")
    reveal = page.request.get(live_server.url + f"/practice/{PACK}/{question}?reveal=1")
    points = re.findall(r'<ul class="key-points">(.*?)</ul>', reveal.text(), re.S)[0]
    first_point = re.sub(r"<[^>]+>", "", re.findall(r"<li>(.*?)</li>", points, re.S)[0])
    total = points.count("<li>")
    assert total >= 2

    page.keyboard.press("a")
    expect(page.locator("#typed")).to_be_focused()
    page.keyboard.type(f"Roughly: {first_point}")
    page.keyboard.press("Control+Enter")
    expect(card(page)).to_have_attribute("data-side", "answer")
    expect(card(page).locator(".typed")).to_contain_text(first_point[:20])
    expect(card(page).locator(".model")).to_be_visible()
    boxes = card(page).locator(".checklist input[type=checkbox]")
    expect(boxes).to_have_count(total)
    expect(boxes.first).to_be_checked()
    expect(card(page).locator(".suggested-tick").first).to_be_visible()
    ticked = int(card(page).locator(".ticked").inner_text())
    assert 1 <= ticked < total

    for i in range(total):  # tick every point: the suggestion becomes Easy
        if not boxes.nth(i).is_checked():
            boxes.nth(i).focus()
            page.keyboard.press("Space")
            expect(boxes.nth(i)).to_be_checked()
    expect(card(page).locator(".ticked")).to_have_text(str(total))
    expect(card(page).locator(".suggested-grade")).to_have_text("Easy")
    expect(card(page).locator("button.grade-4")).to_have_attribute("data-keys", "4 Space Enter")
    page.keyboard.press("Enter")  # on a checkbox Space ticks, Enter takes the suggestion
    expect(card(page)).not_to_have_attribute("data-question", question)
    # The next card is there at once; the grade goes through the outbox behind it.
    page.wait_for_function("() => localStorage.getItem('trainer-outbox') === '[]'")
    exported = page.request.get(live_server.url + "/profile/export").json()
    assert [(r["question"], r["rating"]) for r in exported["log"]] == [(question, 4)]
    assert console_errors == []
