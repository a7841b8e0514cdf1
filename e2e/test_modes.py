"""Study modes by keyboard in a real Chromium: Review, Browse, Focus and a mock interview."""

import re

from playwright.sync_api import expect

PACK = "flask_core"


def card(page):
    return page.locator("#card")


def test_review_browse_and_focus_by_keyboard(page, live_server, console_errors):
    page.goto(live_server.url + "/")
    page.keyboard.press("o")
    expect(page.locator("section.modes")).to_have_attribute("data-pack", PACK)
    page.wait_for_load_state()  # keys.js is deferred: a key before it runs is lost

    page.keyboard.press("r")  # Review: the due-card loop
    expect(card(page)).to_have_attribute("data-mode", "review")
    expect(card(page)).to_have_attribute("data-side", "question")
    page.go_back()

    page.keyboard.press("b")  # Browse: in order from the first question
    expect(card(page)).to_have_attribute("data-mode", "browse")
    expect(card(page).locator(".mode")).to_have_text("Browse")
    page.wait_for_load_state()  # keys.js is deferred: a key before it runs is lost
    position = card(page).locator(".position")
    expect(position).to_have_text(re.compile(r"^1 / \d+$"))
    size = position.inner_text().split(" / ")[1]
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("2")  # grading in Browse goes on in pack order, still in Browse
    expect(position).to_have_text(f"2 / {size}")
    expect(card(page)).to_have_attribute("data-mode", "browse")
    expect(card(page)).to_have_attribute("data-side", "question")
    page.reload()
    expect(position).to_have_text(f"2 / {size}")
    expect(card(page)).to_have_attribute("data-mode", "browse")
    page.keyboard.press("j")
    expect(position).to_have_text(f"3 / {size}")
    page.go_back()
    expect(position).to_have_text(f"2 / {size}")
    expect(card(page)).to_have_attribute("data-mode", "browse")
    page.go_back()
    page.go_back()
    expect(page.locator("section.modes")).to_be_visible()

    page.locator("#focus-difficulty").focus()  # Focus: only senior questions, shuffled
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#focus-difficulty")).to_have_value("senior")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("f")
    expect(card(page)).to_have_attribute("data-mode", "focus")
    expect(card(page).locator(".mode")).to_have_text("Focus: senior")
    page.wait_for_load_state()  # keys.js is deferred: a key before it runs is lost
    total = int(card(page).locator(".position").inner_text().split("/")[1])
    assert total >= 2
    first = card(page).get_attribute("data-question")
    page.keyboard.press("*")  # card actions work inside a Focus run too
    expect(card(page).locator("button.star")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("1")
    expect(card(page).locator(".position")).to_have_text(f"2 / {total}")
    page.keyboard.press("u")  # a slip of the finger: back to the first card, ungraded
    expect(card(page)).to_have_attribute("data-question", first)
    expect(card(page).locator(".position")).to_have_text(f"1 / {total}")
    expect(card(page).locator(".notice")).to_contain_text("Undid")
    seen = set()
    for position in range(1, total + 1):
        expect(card(page).locator(".position")).to_have_text(f"{position} / {total}")
        expect(card(page).locator(".badge")).to_have_text("senior")
        seen.add(card(page).get_attribute("data-question"))
        page.keyboard.press("Space")
        expect(card(page)).to_have_attribute("data-side", "answer")
        page.keyboard.press("4")
        if position < total:
            expect(card(page).locator(".position")).to_have_text(f"{position + 1} / {total}")
    expect(card(page).locator("h1.done")).to_have_text("Focus run finished")
    assert len(seen) == total
    # Each card came at once; the grades went through the outbox behind them.
    page.wait_for_function("() => localStorage.getItem('trainer-outbox') === '[]'")
    page.goto(live_server.url + f"/practice/{PACK}")
    expect(card(page).locator(".new-count")).to_have_text(re.compile(r"\d+"))
    page.goto(live_server.url + "/stats")
    expect(page.locator("dd.total-reviews")).to_have_text(str(total + 1))  # + Browse's
    assert console_errors == []


def test_mock_interview_by_keyboard_with_countdown(page, live_server, console_errors):
    page.clock.install()
    page.goto(live_server.url + f"/modes/{PACK}")
    page.locator("#mock-count").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    expect(page.locator(".mock .position")).to_have_text("Question 1 / 2")
    answer = page.locator("#answer")
    expect(answer).to_be_focused()
    expect(page.locator(".countdown")).to_have_text(re.compile(r"^0:(30|29)$"))
    first = page.locator("section.mock").get_attribute("data-question")
    page.keyboard.type("Blueprints group routes; register_blueprint with url_prefix. j k *")
    page.keyboard.press("Control+Enter")

    expect(page.locator(".mock .position")).to_have_text("Question 2 / 2")
    expect(answer).to_be_focused()
    page.keyboard.type("not sure")
    page.clock.fast_forward(31_000)  # the countdown runs out: what was typed is sent
    expect(page.locator(".mock-summary")).to_be_visible()
    expect(page.locator(".answered")).to_have_text("2")
    items = page.locator(".mock-item")
    expect(items).to_have_count(2)
    expect(items.first).to_have_attribute("data-question", first)
    expect(items.first.locator(".typed")).to_contain_text("register_blueprint")
    expect(items.nth(1).locator(".typed")).to_have_text("not sure")
    reviews = int(page.locator(".review-count").inner_text())
    assert reviews >= 1  # "not sure" mentions no key point
    page.keyboard.press("*")
    expect(card(page)).to_have_attribute("data-mode", "focus")
    expect(card(page).locator(".position")).to_have_text(f"1 / {reviews}")
    assert console_errors == []


def test_new_count_follows_the_daily_limit(page, live_server, console_errors):
    page.goto(live_server.url + "/profile")
    page.locator("#profile-name").focus()
    page.keyboard.type("Ada")  # the form needs a display name
    page.locator("#new_per_day").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_have_text("Profile saved.")
    page.goto(live_server.url + f"/modes/{PACK}")
    expect(page.locator(".new-count")).to_have_text("1")
    expect(page.locator(".new-held")).to_contain_text("today's limit")
    page.keyboard.press("r")
    expect(page).to_have_url(re.compile(rf"/practice/{PACK}/"))
    page.wait_for_load_state()  # keys.js is deferred: a key before it runs is lost
    expect(card(page).locator(".new-count")).to_have_text("1")
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("3")
    # Its next learning step falls within the learn-ahead window: it comes back at once,
    # and the count already says the day's new question is taken.
    expect(card(page).locator(".notice")).to_contain_text("back in 10 minutes")
    expect(card(page).locator(".new-count")).to_have_text("0")
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("3")  # graduates: days away
    expect(card(page).locator("h1.done")).to_have_text("All caught up")
    expect(card(page).locator(".new-count")).to_have_text("0")
    expect(card(page).locator(".new-held")).to_have_text("(today's limit reached)")
    assert console_errors == []
