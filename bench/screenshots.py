"""``python -m bench.screenshots`` (``make screenshots``): the practice card at 375, 768
and 1920 px, light and dark, into docs/screenshots/ (shown in README.md).

The real server (``trainer serve``) on a throwaway data folder, the system Chromium
(``$CHROMIUM``) through Playwright; the phone shot is a touch screen, as a phone is.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from e2e.conftest import LiveServer, launch_args  # noqa: E402 (needs the checkout on the path)

OUT = ROOT / "docs" / "screenshots"
PACK = "flask_core"
SIZES = {375: {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2},
         768: {"viewport": {"width": 768, "height": 1024}},
         1920: {"viewport": {"width": 1920, "height": 1080}}}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "data").start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_args({}))
                for width, options in SIZES.items():
                    for scheme in ("light", "dark"):
                        context = browser.new_context(color_scheme=scheme, **options)
                        page = context.new_page()
                        page.goto(f"{server.url}/practice/{PACK}")
                        page.locator("#card .reveal").click()
                        expect(page.locator("#card")).to_have_attribute("data-side", "answer")
                        path = OUT / f"practice-{width}-{scheme}.png"
                        page.screenshot(path=path)
                        print(path.relative_to(ROOT))
                        context.close()
                browser.close()
        finally:
            server.kill()


if __name__ == "__main__":
    main()
