"""Card actions by keyboard in a real Chromium: undo (u, Ctrl+Z), star, bury, note."""

import re

from playwright.sync_api import expect

PACK = "flask_core"


def card(page):
    return page.locator("#card")


def grade_good(page):
    question = card(page).get_attribute("data-question")
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("3")
    expect(card(page)).not_to_have_attribute("data-question", question)
    return question


def test_undo_by_u_and_ctrl_z(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    new_before = int(card(page).locator(".new-count").inner_text())
    first = grade_good(page)
    second = grade_good(page)
    expect(card(page).locator(".new-count")).to_have_text(str(new_before - 2))

    page.keyboard.press("u")
    expect(card(page)).to_have_attribute("data-question", second)
    expect(card(page)).to_have_attribute("data-side", "question")
    expect(card(page).locator(".notice")).to_contain_text("Undid your grade")
    expect(card(page).locator(".new-count")).to_have_text(str(new_before - 1))
    expect(page).to_have_url(re.compile(rf"/practice/{PACK}/{second}$"))

    page.keyboard.press("Control+z")
    expect(card(page)).to_have_attribute("data-question", first)
    expect(card(page).locator(".new-count")).to_have_text(str(new_before))
    expect(card(page).locator("button.undo")).to_be_hidden()  # nothing left to undo
    page.reload()
    expect(card(page).locator(".new-count")).to_have_text(str(new_before))
    assert console_errors == []


def test_star_bury_and_note_by_keyboard(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    first = card(page).get_attribute("data-question")
    page.keyboard.press("*")
    expect(card(page).locator("button.star")).to_have_attribute("aria-pressed", "true")
    expect(card(page).locator("button.star")).to_contain_text("*")

    page.keyboard.press("e")
    note = card(page).locator("textarea#note")
    expect(note).to_be_focused()
    page.keyboard.type("Say 'app context' and 'teardown'. j k 3")
    page.keyboard.press("Control+Enter")
    expect(card(page).locator(".note-text")).to_have_text("Say 'app context' and 'teardown'. j k 3")
    expect(card(page)).to_have_attribute("data-question", first)  # typing fired no keys

    page.keyboard.press("-")
    expect(card(page)).not_to_have_attribute("data-question", first)
    expect(card(page).locator(".notice")).to_contain_text("Buried")
    page.goto(live_server.url + f"/practice/{PACK}")
    expect(card(page)).not_to_have_attribute("data-question", first)  # still buried

    page.goto(live_server.url + f"/practice/{PACK}/{first}")
    expect(card(page).locator(".note-text")).to_contain_text("app context")
    expect(card(page).locator("button.star")).to_have_attribute("aria-pressed", "true")
    expect(card(page).locator("button.bury")).to_contain_text("Unbury")
    page.keyboard.press("-")
    expect(card(page).locator("button.bury")).to_contain_text("Bury for today")
    page.goto(live_server.url + f"/practice/{PACK}")
    expect(card(page)).to_have_attribute("data-question", first)

    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    for text in ("Undo the last grade", "Star or unstar", "Bury the card", "private note"):
        expect(dialog).to_contain_text(text)
    page.keyboard.press("Escape")
    assert console_errors == []


def test_focus_keys_left_out_say_why(page, live_server, console_errors):
    page.goto(live_server.url + f"/focus/{PACK}?seed=5&i=0")
    first = card(page).get_attribute("data-question")
    notice = card(page).locator(".key-notice")
    expect(notice).to_be_hidden()  # empty until a left-out key is pressed
    bury = card(page).locator("button.bury")
    expect(bury).to_have_attribute("aria-disabled", "true")
    expect(bury).to_contain_text("Review only")
    page.keyboard.press("-")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Bury is a Review action")
    expect(card(page)).to_have_attribute("data-question", first)
    page.keyboard.press("*")  # a whole-pack run: starring works
    expect(card(page).locator("button.star")).to_have_attribute("aria-pressed", "true")

    page.goto(live_server.url + f"/focus/{PACK}?starred=1&seed=5&i=0")
    expect(card(page)).to_have_attribute("data-question", first)
    page.keyboard.press("*")
    expect(notice).to_contain_text("Stars stay as they are")
    page.reload()
    expect(card(page).locator("button.star")).to_contain_text("Starred")  # still starred

    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    expect(dialog).to_contain_text("not in Focus")
    expect(dialog).to_contain_text("not during a starred-only Focus run")
    page.keyboard.press("Escape")
    assert console_errors == []
