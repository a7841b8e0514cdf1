"""Limits no one outside the team can trip, in real Chromium (issue #16, part 2).

Every browser here reaches the server from 127.0.0.1, as an office behind one NAT (or
the trainer behind a reverse proxy) does.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

PACK = "flask_core"
WRONG = "WRNGC0DE2"  # not even a possible code: 0 is not in the alphabet
IMAGES = 15


@pytest.fixture
def other_site(live_server):
    """Another site (``localhost`` on another port): a page of <img> at wrong codes."""
    images = "".join(f'<img src="{live_server.url}/live/{WRONG}?n={n}" alt="">'
                     for n in range(IMAGES))
    body = f"<!doctype html><title>Elsewhere</title><p>Cat pictures</p>{images}".encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}/"
    server.shutdown()
    server.server_close()


def create_room(host, live_server):
    host.goto(live_server.url + "/live/")
    host.select_option("#live-pack", PACK)
    host.fill("#live-count", "1")
    host.get_by_role("button", name="Create session").click()
    return host.locator(".join-code").get_attribute("data-code")


def join_by_typing(page, live_server, code, name):
    page.goto(live_server.url + "/live/")
    page.fill("#join-code", code)
    page.keyboard.press("Enter")
    page.fill("#live-name", name)
    page.keyboard.press("Enter")
    expect(page.locator("#stage")).to_have_attribute("data-state", "lobby")


def load_other_site(page, url, times=1):
    for _ in range(times):
        page.goto(url)
        images = page.locator("img")
        expect(images).to_have_count(IMAGES)
        page.wait_for_function(
            "[...document.images].every(img => img.complete && img.naturalWidth === 0)")


def test_another_sites_images_of_wrong_codes_do_not_stop_a_teammate(page, browser,
                                                                   live_server, other_site):
    code = create_room(page, live_server)
    teammate = browser.new_context().new_page()
    load_other_site(teammate, other_site)  # the teammate's own browser sends them
    bystander = browser.new_context().new_page()
    load_other_site(bystander, other_site, times=2)
    join_by_typing(teammate, live_server, code, "Ann")
    bystander.goto(f"{live_server.url}/live/{code}")  # the join link, as from chat
    bystander.fill("#live-name", "Bob")
    bystander.keyboard.press("Enter")
    expect(bystander.locator("#stage")).to_have_attribute("data-state", "lobby")
    expect(page.locator(".roster li[data-pid]")).to_have_count(2)


def test_one_browsers_typos_block_only_that_browser(page, browser, live_server):
    code = create_room(page, live_server)
    typo = browser.new_context().new_page()
    typo.goto(live_server.url + "/live/")
    for n in range(10):
        typo.fill("#join-code", f"ABC-DEF-{2 + n % 8}{2 + n % 8}{2 + n % 8}")
        typo.keyboard.press("Enter")
        expect(typo.locator(".live-join-by-code .flash-error")).to_contain_text(
            "No live session has that code")
    typo.fill("#join-code", code)
    typo.keyboard.press("Enter")
    expect(typo.locator("main")).to_contain_text("wrong session codes from this browser")
    teammate = browser.new_context().new_page()  # same address, own browser
    join_by_typing(teammate, live_server, code, "Ann")
    expect(page.locator(".roster li[data-pid]")).to_have_count(1)
