"""In Chromium: key press to next card painted, and the bytes a first visit costs.

Also the card's own keys (#14) at an emulated round trip of 0, 50 and 100 ms (CDP
``Network.emulateNetworkConditions``): Space to the answer side painted, and a grade to
the next card painted, each from the ``keydown`` to the first animation frame after the
card changed in the DOM (a MutationObserver). Before each grade the run waits until the
page holds the next card and has sent the grades before, as it would for a person, who
takes longer than a round trip to read an answer.

The timing is taken inside the page, on the page's own clock (``performance.now()``):
from the ``keydown`` of ``j`` to the first animation frame after htmx's
``htmx:afterSettle`` (the frame in which the new card is painted). The listeners are
added with Playwright's ``page.evaluate``; the pages themselves carry no benchmark code.
The frame after ``htmx:afterSwap`` is recorded too: the gap between the two is htmx's
settle delay, not our server.
"""

import os
import time

from bench.stats import percentile

FLIPS = 50
WARMUP_FLIPS = 5

LISTEN = """() => {
  const bench = window.__bench = {t0: null, paint: [], swapPaint: [], notify: null};
  window.addEventListener("keydown", (e) => {
    if (e.key === "j") bench.t0 = performance.now();
  }, true);
  document.addEventListener("htmx:afterSwap", () => {
    const t0 = bench.t0;
    if (t0 !== null) requestAnimationFrame(() => bench.swapPaint.push(performance.now() - t0));
  });
  document.addEventListener("htmx:afterSettle", () => {
    const t0 = bench.t0;
    if (t0 === null) return;
    bench.t0 = null;
    requestAnimationFrame(() => {
      bench.paint.push(performance.now() - t0);
      if (bench.notify) bench.notify();
    });
  });
}"""

# Resolves once the n-th flip has painted. A promise handed to page.evaluate, not
# wait_for_function: that one evaluates strings, which our CSP (rightly) forbids.
PAINTED = """(n) => new Promise((resolve, reject) => {
  const bench = window.__bench;
  const timer = setTimeout(() => reject(new Error("no paint within 10 s")), 10000);
  const check = () => {
    if (bench.paint.length > n) { clearTimeout(timer); bench.notify = null; resolve(); }
  };
  bench.notify = check;
  check();
})"""

PAGE_BYTES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  return {html: nav.transferSize, assets: res.reduce((n, r) => n + r.transferSize, 0),
          requests: 1 + res.length};
}"""

FLIP_BYTES = """() => performance.getEntriesByType("resource")
  .filter((r) => r.initiatorType === "xmlhttprequest").map((r) => r.transferSize)"""


RTTS_MS = (0, 50, 100)
CARD_ROUNDS = 30
CARD_WARMUP = 3

# Records keydown of Space and 3, and the frame after the card's side or question changed.
CARD_LISTEN = """() => {
  const b = window.__cardBench = {t0: null, key: null, reveal: [], grade: [], notify: null};
  window.addEventListener("keydown", (e) => {
    if (e.key === " " || e.key === "3") { b.t0 = performance.now(); b.key = e.key; }
  }, true);
  let last = null;
  const state = () => {
    const c = document.getElementById("card");
    return c ? [c.dataset.question, c.dataset.side].join(":") : "";
  };
  last = state();
  new MutationObserver(() => {
    const now = state();
    if (now === last) return;
    last = now;
    const t0 = b.t0;
    if (t0 === null) return;
    const list = b.key === " " ? b.reveal : b.grade;
    b.t0 = null;
    requestAnimationFrame(() => { list.push(performance.now() - t0); if (b.notify) b.notify(); });
  }).observe(document.querySelector("main"), {subtree: true, childList: true,
                                              attributes: true, attributeFilter: ["data-side"]});
}"""

CARD_PAINTED = """([kind, n]) => new Promise((resolve, reject) => {
  const b = window.__cardBench;
  const timer = setTimeout(() => reject(new Error(kind + ": no paint within 10 s")), 10000);
  const check = () => {
    if (b[kind].length > n) { clearTimeout(timer); b.notify = null; resolve(); }
  };
  b.notify = check;
  check();
})"""

# The page holds the card a grade brings, and has no grade waiting to be sent.
HELD_READY = """() => {
  const c = document.getElementById("card");
  if (!c || !c.dataset.after) return false;
  if ((localStorage.getItem("trainer-outbox") || "[]") !== "[]") return false;
  const after = new URL(c.dataset.after, location.href).href;
  return performance.getEntriesByType("resource").some(
    (r) => r.name.startsWith(after) && r.responseEnd > 0);
}"""


def _wait_ready(page, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(HELD_READY):
        if time.monotonic() > deadline:
            raise RuntimeError("the page did not hold the next card within 10 s")
        time.sleep(0.02)


def card_keys(browser, base_url, pack, rtt_ms):
    """Space to the answer painted, grade to the next card painted, at ``rtt_ms``.

    Browse mode, a profile of its own (a new context): every grade goes on to the next
    question of the pack, never held back by the day's new-question limit.
    """
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base_url}/practice/{pack}/{_first_question(page, base_url, pack)}"
                  "?mode=browse", wait_until="load")
        if rtt_ms:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": rtt_ms, "downloadThroughput": -1,
                "uploadThroughput": -1})
        page.evaluate(CARD_LISTEN)
        for n in range(CARD_WARMUP + CARD_ROUNDS):
            _wait_ready(page)
            page.keyboard.press("Space")
            page.evaluate(CARD_PAINTED, ["reveal", n])
            page.keyboard.press("3")
            page.evaluate(CARD_PAINTED, ["grade", n])
        measured = page.evaluate("() => window.__cardBench")
    finally:
        context.close()
    out = {}
    for kind in ("reveal", "grade"):
        values = measured[kind][CARD_WARMUP:]
        out[f"key_to_paint_{kind}_rtt{rtt_ms}_p50_ms"] = percentile(values, 50)
        out[f"key_to_paint_{kind}_rtt{rtt_ms}_p95_ms"] = percentile(values, 95)
    return out


def _first_question(page, base_url, pack):
    page.goto(f"{base_url}/practice/{pack}", wait_until="load")
    return page.locator("#card").get_attribute("data-question")


def chromium_path():
    return os.environ.get("CHROMIUM") or "/usr/bin/chromium"


def launch_args():
    """The same Chromium and flags as the browser tests."""
    from e2e.conftest import CHROMIUM_FLAGS

    return {"executable_path": chromium_path(), "args": list(CHROMIUM_FLAGS)}


def first_load(browser, url):
    """Bytes (headers + bodies, as Chromium counts them) of a first visit to ``url``."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        return page.evaluate(PAGE_BYTES)
    finally:
        context.close()


def key_to_paint(base_url, pack="flask_core"):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_args())
        try:
            home = first_load(browser, base_url + "/")
            card = first_load(browser, f"{base_url}/practice/{pack}")
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base_url}/practice/{pack}", wait_until="load")
            page.wait_for_selector("#card[data-question]")
            page.evaluate(LISTEN)
            for n in range(WARMUP_FLIPS + FLIPS):
                page.keyboard.press("j")
                page.evaluate(PAINTED, n)
            measured = page.evaluate("() => window.__bench")
            flip_sizes = page.evaluate(FLIP_BYTES)
            context.close()
            cards = {}
            for rtt in RTTS_MS:
                cards.update(card_keys(browser, base_url, pack, rtt))
        finally:
            browser.close()
    paint = measured["paint"][WARMUP_FLIPS:]
    swap = measured["swapPaint"][WARMUP_FLIPS:]
    return {
        "key_to_paint_p50_ms": percentile(paint, 50),
        "key_to_paint_p95_ms": percentile(paint, 95),
        "key_to_swap_paint_p50_ms": percentile(swap, 50),
        "key_to_swap_paint_p95_ms": percentile(swap, 95),
        "key_to_paint_flips": len(paint),
        "first_load_bytes": card["html"] + card["assets"],
        "first_load_html_bytes": card["html"],
        "first_load_requests": card["requests"],
        "home_first_load_bytes": home["html"] + home["assets"],
        "flip_bytes": round(sum(flip_sizes) / len(flip_sizes)) if flip_sizes else 0,
        **cards,
    }
