"""One profile on a laptop and a phone (#13): link by the one-time link, share progress,
unlink for good. Two browser contexts are the two devices."""

from playwright.sync_api import expect

from e2e.test_anywhere import PHONE

PACK = "flask_core"


def test_a_phone_joins_the_profile_then_is_unlinked(browser, live_server, console_errors,
                                                    page):
    laptop = page
    laptop.goto(live_server.url + f"/practice/{PACK}")
    laptop.keyboard.press("Space")
    expect(laptop.locator("#card")).to_have_attribute("data-side", "answer")
    laptop.keyboard.press("3")
    expect(laptop.locator("#card .notice")).to_be_visible()
    laptop.wait_for_function("() => localStorage.getItem('trainer-outbox') === '[]'")
    laptop.goto(live_server.url + "/profile")
    expect(laptop.locator("#devices tr.device")).to_have_count(1)
    laptop.get_by_role("button", name="Use on another device…").click()
    link = laptop.locator(".device-link-url a").inner_text()
    qr = laptop.locator("img.qr")
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 100  # the SVG loaded under the CSP

    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("in this browser")
    phone.get_by_role("button", name="Use this profile here").tap()
    expect(phone.locator(".flash")).to_contain_text("now studies with your profile")
    phone.goto(live_server.url + "/stats")
    expect(phone.locator(".total-reviews")).to_have_text("1")  # the laptop's review

    again = browser.new_context().new_page()
    again.goto(link)
    expect(again.locator("main")).to_contain_text("used up or expired")

    laptop.goto(live_server.url + "/profile")
    rows = laptop.locator("#devices tr.device")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="this browser")).to_have_count(1)
    laptop.locator("#devices button.unlink").click()
    expect(laptop.locator(".flash")).to_contain_text("unlinked")
    expect(laptop.locator("#devices tr.device")).to_have_count(1)

    phone.goto(live_server.url + "/profile")  # refused for good: a new, empty profile
    expect(phone.locator("#devices tr.device")).to_have_count(1)
    phone.goto(live_server.url + "/stats")
    expect(phone.locator(".total-reviews")).to_have_text("0")
    phone_context.close()
    assert console_errors == []
