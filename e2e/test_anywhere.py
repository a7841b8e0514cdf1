"""Practise anywhere (#13): every page on a phone, in the dark, for axe and for the Nu
HTML checker.

One tour visits every page a learner meets (packs, search, modes, a card's question
and answer side, answer-first, Browse, Focus, a mock interview, stats, profile, the
device link, a live room's host and participant screens); each test runs it in a
context of its own and checks every stop:

* a phone (375x812, touch): no sideways scroll, every visible tap target >= 44 px, the
  grade bar and Show answer pinned to the bottom, no key hints (overflow: scrollWidth
  against innerWidth and screen.width);
* dark and light: axe-core finds no serious or critical violation;
* the served HTML of every stop has no Nu HTML checker error.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

PACK = "flask_core"
ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
TAP_MIN = 44

# Tap targets under TAP_MIN px, described; links inside a sentence are exempt (WCAG
# 2.5.8's inline exception), as are targets a checkbox's or radio's label enlarges.
SMALL_TARGETS = """() => {
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width * r.height > 4 && s.visibility !== "hidden" && s.display !== "none";
  };
  const inSentence = el => getComputedStyle(el).display === "inline"
    && el.parentElement.textContent.trim() !== el.textContent.trim();
  const out = [];
  for (const el of document.querySelectorAll(
      "button, a[href], input:not([type=hidden]), select, summary, textarea")) {
    const target = el.matches("input[type=checkbox], input[type=radio]")
      ? (el.closest("label") || el) : el;
    if (!shown(target) || (el.matches("a") && inSentence(el))) continue;
    const r = target.getBoundingClientRect();
    if (r.width < 44 || r.height < 44) {
      const text = target.textContent.trim().slice(0, 30);
      out.push(`${target.tagName.toLowerCase()}.${target.className || ""} "${text}" `
        + `${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return out;
}"""


def card(page):
    return page.locator("#card")


def tour(browser, live_server, check, **options):
    """Visit every page in a fresh context with ``options``; ``check(page, stop, get)``
    at each stop (``get``: whether the page's URL can be fetched again by GET)."""
    context = browser.new_context(**options)
    page = context.new_page()
    base = live_server.url

    def visit(path, stop):
        page.goto(base + path)
        check(page, stop, True)

    visit("/", "home")
    visit("/packs", "packs")
    visit("/search?q=blueprint", "search")
    visit(f"/modes/{PACK}", "modes")
    visit(f"/practice/{PACK}", "question side")
    page.locator("#card .reveal").click()
    expect(card(page)).to_have_attribute("data-side", "answer")
    check(page, "answer side", True)
    page.locator("#card .grade-3").click()
    expect(card(page)).to_have_attribute("data-side", "question")
    page.locator("#typed").fill("Blueprints group routes; register them with a url_prefix.")
    page.locator(".answer-first button[type=submit]").click()
    expect(card(page).locator(".compare")).to_be_visible()
    check(page, "answer first", False)
    page.goto(base + f"/modes/{PACK}")
    page.locator(".mode a.button", has_text="Browse").click()
    expect(card(page)).to_have_attribute("data-mode", "browse")
    check(page, "browse", True)
    page.goto(base + f"/modes/{PACK}")
    page.locator("form.mode button", has_text="Start Focus").click()
    expect(card(page)).to_have_attribute("data-mode", "focus")
    check(page, "focus", True)
    page.locator("#card .reveal").click()
    expect(card(page)).to_have_attribute("data-side", "answer")
    check(page, "focus answer", True)
    page.goto(base + f"/modes/{PACK}")
    page.locator("form.mode button", has_text="Start mock interview").click()
    expect(page.locator("section.mock")).to_be_visible()
    check(page, "mock interview", True)
    visit("/stats", "stats")
    visit("/plan", "study plan")
    visit("/profile", "profile")
    page.locator("button.offer-link").click()
    expect(page.locator("img.qr")).to_be_visible()
    check(page, "device link", False)
    page.goto(base + "/live/")
    check(page, "live index", True)
    page.select_option("#live-pack", PACK)
    page.fill("#live-count", "1")
    page.get_by_role("button", name="Create session").click()
    join_url = page.locator(".join-url a").inner_text()
    check(page, "live host", True)
    other = browser.new_context(**options)
    player = other.new_page()
    player.goto(join_url)
    check(player, "live join", True)
    player.fill("#live-name", "Ann")
    player.locator("#live-name").press("Enter")
    expect(player.locator(".live-meta .me")).to_have_text("Ann")
    check(player, "live participant", True)
    other.close()
    context.close()


def test_every_page_fits_a_phone_with_big_tap_targets(browser, live_server):
    problems = []
    pinned = []

    def check(page, stop, _get):
        page.wait_for_load_state()
        # a phone widens its layout viewport to fit wide content, so innerWidth alone
        # would grow with the page: the screen's width is the measure
        wide, window, screen = page.evaluate("() => [document.documentElement.scrollWidth, "
                                             "window.innerWidth, screen.width]")
        if wide > min(window, screen):
            problems.append(f"{stop}: {wide} px wide on a {screen} px screen")
        problems.extend(f"{stop}: small tap target {t}" for t in page.evaluate(SMALL_TARGETS))
        kbd = page.locator("button kbd, a kbd, label kbd, summary kbd")
        if any(kbd.nth(i).is_visible() for i in range(kbd.count())):
            problems.append(f"{stop}: a key hint shows on a touch screen")
        bar = page.locator("#card .reveal:visible, #card .grade-buttons:visible")
        if bar.count():
            box = bar.first.bounding_box()
            pinned.append((stop, box["y"] + box["height"]))

    tour(browser, live_server, check, **PHONE)
    assert not problems, "\n".join(problems)
    assert {stop for stop, _ in pinned} >= {"question side", "answer side", "focus answer"}
    for stop, bottom in pinned:  # within thumb reach: at the bottom of the screen
        assert bottom >= PHONE["viewport"]["height"] - 2, stop


def axe_violations(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` "
                    "(make install-test does when node is present)")
@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_finds_nothing_serious(browser, live_server, scheme):
    problems = []

    def check(page, stop, _get):
        page.wait_for_load_state()
        problems.extend(f"{scheme} {stop}: {v}" for v in axe_violations(page))

    tour(browser, live_server, check, color_scheme=scheme, bypass_csp=True, **PHONE)
    assert not problems, "\n".join(problems)


def test_the_theme_button_and_the_dark_colours(page, live_server, console_errors):
    page.emulate_media(color_scheme="light")
    page.goto(live_server.url + f"/practice/{PACK}")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "auto")
    background = "() => getComputedStyle(document.documentElement).backgroundColor"
    light = page.evaluate(background)
    page.get_by_role("button", name="Theme: auto").click()
    expect(html).to_have_attribute("data-theme", "light")
    assert f"/practice/{PACK}/" in page.url  # back where it was pressed
    page.get_by_role("button", name="Theme: light").click()
    expect(html).to_have_attribute("data-theme", "dark")
    dark = page.evaluate(background)
    assert dark != light
    page.goto(live_server.url + "/stats")
    expect(html).to_have_attribute("data-theme", "dark")  # kept by the profile
    page.get_by_role("button", name="Theme: dark").click()
    expect(html).to_have_attribute("data-theme", "auto")
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(background) == dark  # auto follows the device
    assert console_errors == []


def test_the_served_html_is_valid(browser, live_server, tmp_path):
    if shutil.which("java") is None or not VNU.exists():
        pytest.skip("the Nu HTML checker needs java and node_modules/vnu-jar "
                    "(make install-test installs it when node is present)")
    pages = {}

    def check(page, stop, get):
        page.wait_for_load_state()
        if get:
            pages[stop] = page.request.get(page.url).text()
        else:  # the answer to a POST: what the browser holds
            pages[stop] = "<!doctype html>\n" + page.evaluate(
                "() => document.documentElement.outerHTML")

    tour(browser, live_server, check)
    files = []
    for number, (stop, html) in enumerate(pages.items()):
        path = tmp_path / f"{number:02d}-{re.sub(r'[^a-z]+', '-', stop)}.html"
        path.write_text(html)
        files.append(str(path))
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                          *files], capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}"
              for m in messages if m.get("type") == "error"]
    assert len(files) >= 15
    assert not errors, "\n".join(errors)
