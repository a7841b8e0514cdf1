"""Optimize my scheduler in a real Chromium, by keyboard: first too little history, then
a seeded one (written into the profile's log while the server runs, as grades append
it), the comparison, accepting it, and going back to the defaults."""

import json
import re

from playwright.sync_api import expect

from tests.study.test_optimizer import practice_log


def press(page, name):
    """Move the keyboard focus onto a button and press Enter, as a keyboard user does."""
    button = page.get_by_role("button", name=name, exact=True)
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


def seed_history(data_dir):
    """Write a history of 480 reviews of 60 cards into the visitor's only profile."""
    profiles = list((data_dir / "profiles").glob("*.json"))
    assert len(profiles) == 1
    log = profiles[0].with_name(profiles[0].stem + ".reviews.jsonl")
    log.write_text("".join(json.dumps(r) + "\n" for r in practice_log()), encoding="utf-8")


def test_optimize_compare_accept_and_reset_by_keyboard(page, live_server, console_errors):
    page.goto(live_server.url + "/profile")
    panel = page.locator("#scheduler")
    expect(panel.locator(".scheduler-in-use")).to_contain_text("FSRS's default parameters")

    press(page, "Optimize")
    expect(panel.locator(".scheduler-message")).to_contain_text(
        "Not enough reviews yet: 0 of the 400")

    page.locator("#profile-name").fill("Ada")  # saving the profile writes its file
    page.locator("#profile-name").press("Enter")
    expect(page.locator(".flash")).to_have_text("Profile saved.")
    seed_history(live_server.data_dir)
    press(page, "Optimize")
    expect(panel.locator(".scheduler-message")).to_contain_text(
        "Fitted to 480 reviews of 60 cards", timeout=30_000)
    table = panel.locator(".scheduler-comparison")
    expect(table.locator("tr.default .log-loss")).to_have_text(re.compile(r"^\d\.\d{4}$"))
    expect(table.locator("tr.fitted .rmse")).to_have_text(re.compile(r"^\d+\.\d\d%$"))

    press(page, "Use these parameters")
    expect(panel.locator(".scheduler-message")).to_have_text(
        "Your scheduler now uses the fitted parameters.")
    page.reload()
    expect(panel.locator(".scheduler-in-use")).to_contain_text(
        "parameters fitted to your reviews")

    press(page, "Reset to default")
    expect(panel.locator(".scheduler-in-use")).to_contain_text("FSRS's default parameters")
    expect(page.get_by_role("button", name="Reset to default")).to_have_count(0)
    assert console_errors == []
