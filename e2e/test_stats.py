"""The stats page in a real Chromium: charts drawn, the CSP kept, tables by keyboard."""

import datetime

from playwright.sync_api import expect

PACK = "flask_core"


def test_stats_after_practice(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    card = page.locator("#card")
    for rating in ("3", "1", "4"):
        question = card.get_attribute("data-question")
        page.keyboard.press("Space")
        expect(card).to_have_attribute("data-side", "answer")
        page.keyboard.press(rating)
        expect(card).not_to_have_attribute("data-question", question)
    page.keyboard.press("u")
    expect(card.locator(".notice")).to_contain_text("Undid")

    page.get_by_role("link", name="Stats").click()
    expect(page.locator("dd.total-reviews")).to_have_text("2")
    expect(page.locator("dd.streak")).to_have_text("1 day")
    today = datetime.date.today().isoformat()
    cell = page.locator(f'svg.heatmap rect[data-day="{today}"]')
    expect(cell).to_have_attribute("data-count", "2")
    box = cell.bounding_box()
    assert box and box["width"] > 4  # drawn with a real size, styles from stats.css
    fill = cell.evaluate("el => getComputedStyle(el).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)")
    counts = page.locator("svg.forecast rect.bar").evaluate_all(
        "bars => bars.map(b => Number(b.dataset.count))")
    assert len(counts) == 30 and sum(counts) == 2  # both cards are due within the month
    expect(page.locator("svg.forecast")).to_have_attribute(
        "aria-labelledby", "forecast-title forecast-desc")
    table = page.locator("table.heatmap-table")
    expect(table).to_be_hidden()
    page.locator("summary", has_text="Reviews per day as a table").focus()
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.locator("tr", has_text=today)).to_contain_text("2")
    expect(page.locator('#packs-table tr[data-label] td.num').nth(1)).to_have_text("2")
    assert console_errors == []
