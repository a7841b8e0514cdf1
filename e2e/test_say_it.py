"""The spoken answer ("Say it") in a real Chromium: first on the answer side, above the
full model answer, for every card of the built-in pack that has one; and in dark mode
it stays readable (its colours come from the theme)."""

from playwright.sync_api import expect

PACK = "flask_core"


def test_say_it_comes_first_on_the_answer_side(page, live_server, console_errors):
    page.goto(live_server.url + f"/practice/{PACK}")
    card = page.locator("#card")
    page.keyboard.press("Space")
    expect(card).to_have_attribute("data-side", "answer")
    say_it = card.locator(".say-it")
    expect(say_it).to_be_visible()
    expect(say_it.locator("h2, h3").first).to_contain_text("Say it")
    words = len(say_it.locator("p").all_inner_texts()[0].split())
    assert words > 20  # prose, the start of the 120-180 words the loader checks
    # It stands before the full answer, as a candidate would answer first.
    order = page.evaluate("""() => {
        const say = document.querySelector('#card .say-it');
        const heads = [...document.querySelectorAll('#card .answer h2')];
        const model = heads.find(h => h.textContent.trim() === 'Model answer');
        return model ? say.compareDocumentPosition(model) & Node.DOCUMENT_POSITION_FOLLOWING
                     : -1;
    }""")
    assert order > 0
    assert console_errors == []


def test_say_it_in_dark_mode_keeps_its_contrast(browser, live_server):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(live_server.url + f"/practice/{PACK}")
    page.keyboard.press("Space")
    say_it = page.locator("#card .say-it")
    expect(say_it).to_be_visible()
    colours = say_it.evaluate("""el => {
        const s = getComputedStyle(el), p = getComputedStyle(el.querySelector('p'));
        return [s.backgroundColor, p.color];
    }""")
    assert colours[0] != colours[1]
    dark_bg = [int(x) for x in colours[0][colours[0].index("(") + 1:-1].split(",")[:3]]
    assert sum(dark_bg) < 3 * 80  # a dark box, not a light one left over in dark mode
    context.close()
