"""In Chromium: key press to next card painted, and the bytes a first visit costs.

The timing is taken inside the page, on the page's own clock (``performance.now()``):
from the ``keydown`` of ``j`` to the first animation frame after htmx's
``htmx:afterSettle`` (the frame in which the new card is painted). The listeners are
added with Playwright's ``page.evaluate``; the pages themselves carry no benchmark code.
The frame after ``htmx:afterSwap`` is recorded too: the gap between the two is htmx's
settle delay, not our server.
"""

import os

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
    }
