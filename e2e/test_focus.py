"""Screen readers and keyboard (#13 part 3): where focus goes and what is said, through
a card's whole life, by keyboard only."""

import re

from playwright.sync_api import expect

PACK = "flask_core"

ACTIVE = """() => {
  const a = document.activeElement;
  return {tag: a.tagName, text: (a.textContent || "").trim().slice(0, 80),
          cls: a.className || "", name: a.name || "", inCard: !!a.closest("#card")};
}"""


def card(page):
    return page.locator("#card")


def active(page):
    return page.evaluate(ACTIVE)


def status(page):
    return page.locator("#card-status")


def test_a_card_by_keyboard_focus_and_live_region(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert active(page)["cls"] == "skip-link"
    page.keyboard.press("Enter")
    assert active(page)["tag"] == "MAIN"
    expect(page.locator("nav[aria-label]")).to_have_count(2)

    first_title = card(page).locator("h1").inner_text()
    expect(page).to_have_title(re.compile(re.escape(first_title.lstrip("★ ").strip()[:30])))
    page.keyboard.press("Space")  # reveal, in the page: focus on the answer
    expect(card(page)).to_have_attribute("data-side", "answer")
    # The answer side's first heading: the spoken answer, which the built-in pack's
    # cards put before the full model answer.
    assert active(page) == {"tag": "H2", "text": "Say it (about a minute aloud)", "cls": "",
                            "name": "", "inCard": True}
    expect(status(page)).to_have_text("Answer shown")

    page.keyboard.press("3")  # grade: the next card's heading, and what happened
    expect(card(page).locator(".notice")).to_contain_text("Good")
    second_title = card(page).locator("h1").inner_text()
    assert active(page)["tag"] == "H1" and active(page)["inCard"]
    expect(status(page)).to_have_text(re.compile(
        r"^Good, back in .+\. Next: " + re.escape(second_title)))
    expect(page).to_have_title(re.compile(re.escape(second_title[:30])))

    page.keyboard.press("*")  # star: the swapped card's heading again
    expect(card(page).locator(".notice")).to_have_text("Starred.")
    assert active(page)["tag"] == "H1"
    expect(status(page)).to_have_text("Starred.")

    page.keyboard.press("a")  # answer first; Esc leaves the box and gives keys back
    expect(page.locator("#typed")).to_be_focused()
    page.keyboard.type("blueprints and decorators")
    page.keyboard.press("Escape")
    assert active(page)["tag"] == "H1"
    page.keyboard.press("a")
    page.keyboard.press("Control+Enter")  # compare: the first key point has focus
    expect(card(page).locator(".compare")).to_be_visible()
    assert active(page)["tag"] == "INPUT" and active(page)["name"] == "point"
    page.keyboard.press("Space")  # ticks the point; not a page shortcut
    expect(card(page)).to_have_attribute("data-side", "answer")
    expect(card(page).locator(".suggestion .ticked")).to_have_text(re.compile(r"^\d+$"))

    page.keyboard.press("e")  # the note editor; Esc cancels it
    expect(page.locator("#note")).to_be_focused()
    page.keyboard.press("Escape")
    expect(card(page).locator(".note-form")).to_have_count(0)
    assert active(page)["tag"] == "H1"

    page.keyboard.press("u")  # undo: back to the first card, its heading focused
    expect(card(page).locator("h1")).to_have_text(first_title)
    assert active(page)["tag"] == "H1"
    expect(status(page)).to_contain_text("Undid your grade")
    assert console_errors == []


def test_show_answer_is_a_button_space_on_it_reveals(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    button = card(page).get_by_role("button", name=re.compile("^Show answer"))
    button.focus()
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    expect(button).to_be_hidden()
    page.reload()  # the address keeps the side
    expect(card(page)).to_have_attribute("data-side", "answer")
    assert console_errors == []
