"""The profile page in a real Chromium: settings by keyboard, export, import, reset."""

import json
from pathlib import Path

from playwright.sync_api import expect

PACK = "flask_core"


def card(page):
    return page.locator("#card")


def test_settings_limit_export_import_and_reset(page, live_server, console_errors, tmp_path):
    page.goto(live_server.url + "/profile")
    page.locator("#profile-name").fill("")
    page.locator("#profile-name").press_sequentially("Grace")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("85")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_have_text("Profile saved.")
    expect(page.locator("#retention")).to_have_value("85")
    expect(page.locator("#new_per_day")).to_have_value("1")

    page.goto(live_server.url + f"/practice/{PACK}")
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("3")
    # Its next learning step is within the learn-ahead window: it comes back at once.
    expect(card(page).locator(".notice")).to_contain_text("back in 10 minutes")
    expect(card(page)).to_have_attribute("data-side", "question")
    page.keyboard.press("Space")
    expect(card(page)).to_have_attribute("data-side", "answer")
    page.keyboard.press("3")  # graduates: days away
    expect(card(page).locator("h1.done")).to_have_text("All caught up")
    expect(card(page).locator(".limit-reached")).to_contain_text("limit of 1 new")

    page.goto(live_server.url + "/profile")
    with page.expect_download() as info:
        page.get_by_text("Export progress (JSON)").click()
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert len(exported["cards"]) == 1 and exported["profile"]["name"] == "Grace"

    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    page.locator("#import-file").set_input_files(str(bad))
    page.get_by_role("button", name="Import and merge").click()
    expect(page.locator(".import-error")).to_contain_text("Nothing was imported")
    assert console_errors == ["Failed to load resource: the server responded with a status "
                              "of 400 (BAD REQUEST)"]  # the refused import, and only it
    console_errors.clear()

    exported["cards"].append({**exported["cards"][0], "question": "not-a-question"})
    good = tmp_path / "good.json"
    good.write_text(json.dumps(exported))
    page.locator("#import-file").set_input_files(str(good))
    page.get_by_role("button", name="Import and merge").click()
    report = page.locator(".import-report")
    expect(report.locator(".cards-kept")).to_have_text("1")
    expect(report.locator(".log-duplicates")).to_have_text("2")  # the card's two grades
    expect(report.locator(".skipped")).to_contain_text("has no question 'not-a-question'")

    page.locator(f'tr[data-pack="{PACK}"] a').click()
    expect(page.locator("#confirm")).to_be_focused()
    page.keyboard.type(PACK)
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("1 card states")
    expect(page.locator(f'tr[data-pack="{PACK}"] td.num').first).to_have_text("0")
    assert console_errors == []
