"""The learning loop in a real Chromium, by keyboard: intervals on the buttons, a failed
card coming back by itself without a reload, redo after undo, suspend."""

import re

from playwright.sync_api import expect

PACK = "flask_core"


def card(page):
    return page.locator("#card")


def set_study_settings(page, url, **values):
    page.goto(url + "/profile")
    page.locator("#profile-name").fill("Ada")  # a display name is required
    page.locator("details.advanced summary").click()
    for name, value in values.items():
        page.locator(f"#{name}").fill(value)
    page.locator("#new_per_day").press("Enter")
    expect(page.locator(".flash")).to_have_text("Profile saved.")


def test_a_failed_card_comes_back_by_itself(page, live_server, console_errors):
    set_study_settings(page, live_server.url, new_per_day="2", learning_steps="3s 10m",
                       learn_ahead_minutes="0")
    page.goto(live_server.url + f"/practice/{PACK}")
    page.evaluate("window.sameDocument = true")  # gone if the page ever reloads
    first = card(page).get_attribute("data-question")
    page.keyboard.press("Space")
    buttons = card(page).locator("#grade-buttons")
    expect(buttons.locator(".grade-1 .interval")).to_have_text("<1m")
    expect(buttons.locator(".grade-3 .interval")).to_have_text("10m")
    expect(buttons.locator(".grade-4 .interval")).to_have_text(re.compile(r"^\d+d$"))
    expect(buttons.locator(".grade-3 .visually-hidden")).to_have_text(", back in 10 minutes")
    page.keyboard.press("1")
    expect(card(page).locator(".notice")).to_contain_text("Again: ")
    expect(card(page).locator(".notice")).to_contain_text("back in 3 seconds")
    second = card(page).get_attribute("data-question")
    assert second != first

    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("1")
    expect(card(page).locator("h1.done")).to_have_text("All caught up")
    expect(card(page).locator(".next-due")).to_contain_text("Next card in")
    # No key, no reload: the caught-up card asks again when the first card falls due.
    expect(card(page)).to_have_attribute("data-question", first, timeout=15_000)
    assert page.evaluate("window.sameDocument") is True
    assert console_errors == []


def test_undo_then_redo_and_suspend_by_keyboard(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    first = card(page).get_attribute("data-question")
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("4")
    expect(card(page)).not_to_have_attribute("data-question", first)
    page.keyboard.press("u")
    expect(card(page)).to_have_attribute("data-question", first)
    expect(card(page).locator("button.redo")).to_be_visible()
    page.keyboard.press("Control+Shift+Z")
    expect(card(page).locator(".notice")).to_contain_text("Redid your grade")
    expect(card(page)).not_to_have_attribute("data-question", first)

    target = card(page).get_attribute("data-question")
    expect(card(page).locator("button.suspend kbd")).to_have_text("!")
    page.keyboard.press("!")
    expect(card(page).locator(".notice")).to_contain_text("Suspended")
    expect(card(page)).not_to_have_attribute("data-question", target)
    page.goto(live_server.url + "/profile")
    row = page.locator(f'#set-aside tr[data-question="{target}"]')
    expect(row.locator(".tag.suspended")).to_be_visible()
    row.get_by_role("button", name="Unsuspend").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("is back in Review")
    expect(page.locator(f'#set-aside tr[data-question="{target}"]')).to_have_count(0)
    assert console_errors == []
