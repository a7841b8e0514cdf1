"""The job loop by keyboard: pick a role on the home page, see the plan, practise a
question of one of the new packs (issue #18). The packs are the ones `make install-test`
installs (packs/<id>/, through their `trainer` entry points), as `make run` serves them."""

import re

from playwright.sync_api import expect

NEW_PACK = "python_core"
TAB_MAX = 120


def tab_to(page, name):
    """Press Tab until the focused control's text is ``name`` (as a keyboard user does)."""
    for _ in range(TAB_MAX):
        page.keyboard.press("Tab")
        text = page.evaluate("() => (document.activeElement.textContent || '').trim()")
        if text == name:
            return
    raise AssertionError(f"no control named {name!r} within {TAB_MAX} Tab presses")


def test_pick_a_role_see_the_plan_and_practise_a_new_pack(page, live_server, console_errors):
    page.goto(live_server.url + "/")
    page.wait_for_load_state()  # keys.js is deferred
    rows = page.locator("table.packs tbody tr")
    expect(rows.first).to_have_attribute("data-pack", "flask_core")  # the built-in stays first
    expect(page.locator(f'tr[data-pack="{NEW_PACK}"]')).to_be_visible()

    tab_to(page, "Flask backend: mid")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/plan$"))
    expect(page.locator("h1")).to_have_text("Study plan: Flask backend: mid")
    expect(page.locator(".flash")).to_contain_text("Flask backend: mid")
    for pack_id in ("flask_core", "python_core", "sql_databases", "http_apis", "behavioural"):
        expect(page.locator(f'tr[data-plan-pack="{pack_id}"]')).to_have_count(1)
    row = page.locator(f'tr[data-plan-pack="{NEW_PACK}"]')
    expect(row.locator("td").nth(1)).to_have_text("junior, mid")

    tab_to(page, "Review Python core")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/practice/{NEW_PACK}/"))
    page.wait_for_load_state()
    card = page.locator("#card")
    expect(card).to_have_attribute("data-side", "question")
    question = card.get_attribute("data-question")
    page.keyboard.press("Space")
    expect(card).to_have_attribute("data-side", "answer")
    page.keyboard.press("3")
    expect(card).not_to_have_attribute("data-question", question)
    expect(card.locator(".notice, .graded, [role=status]").first).to_contain_text("Good")

    page.goto(live_server.url + "/")
    expect(page.locator(".plan-on")).to_contain_text("Flask backend: mid")
    page.keyboard.press("l")
    expect(page).to_have_url(re.compile(r"/plan$"))
    assert console_errors == []
