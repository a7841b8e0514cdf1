"""On a shared network, in real Chromium against ``trainer serve``: a foreign ``Host`` is
refused, links for teammates come from the public URL, and a page of another origin in
the same browser cannot act as the operator.

DNS rebinding is replayed with Chromium's own resolver (``--host-resolver-rules``): the
browser believes ``evil.example`` and ``trainer.test`` are 127.0.0.1, as it would after
an attacker's DNS answer or a LAN's DNS.
"""

import base64
import http.client
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import segno
from conftest import LiveServer, free_port, launch_args
from playwright.sync_api import expect

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "sample"
PACK = "flask_core"


@pytest.fixture
def resolving_browser(browser_type, browser_type_launch_args):
    """A Chromium of its own whose resolver sends two names to 127.0.0.1."""
    base = launch_args(browser_type_launch_args)
    rules = "MAP evil.example 127.0.0.1, MAP trainer.test 127.0.0.1"
    browser = browser_type.launch(**{**base, "args": [*base["args"],
                                                      f"--host-resolver-rules={rules}"]})
    yield browser
    browser.close()


@pytest.fixture
def public_server(tmp_path):
    """``trainer serve`` started with ``TRAINER_PUBLIC_URL=http://trainer.test:PORT``."""
    server = LiveServer(tmp_path / "data")
    server.public = f"http://trainer.test:{server.port}"
    server.env["TRAINER_PUBLIC_URL"] = server.public
    server.start()
    yield server
    server.kill()


def pack_zip(pack_id):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(SAMPLE.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                if path.name == "pack.toml":
                    data = data.replace(b'id = "sample"', f'id = "{pack_id}"'.encode())
                archive.writestr(path.relative_to(SAMPLE).as_posix(), data)
    return buffer.getvalue()


def test_a_foreign_host_gets_the_400_page(live_server, resolving_browser):
    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    connection.request("GET", "/packs", headers={"Host": f"evil.example:{live_server.port}"})
    try:
        raw = connection.getresponse()
        status, body = raw.status, raw.read().decode()
    finally:
        connection.close()
    assert status == 400 and "does not answer as <strong>evil.example" in body
    page = resolving_browser.new_page()
    response = page.goto(f"http://evil.example:{live_server.port}/packs")
    assert response.status == 400
    expect(page.locator("h1")).to_have_text("400 · Not this server's address")
    expect(page.locator("main")).to_contain_text(
        f"This server answers as http://127.0.0.1:{live_server.port}")
    assert str(live_server.data_dir) not in page.content()
    # The rebound page reading "its own" JSON, as the attack would: refused too.
    listing = page.evaluate("fetch('/-/packs.json').then(r => r.status)")
    assert listing == 400
    page.close()


def test_the_join_link_and_qr_use_the_public_url(page, public_server, resolving_browser):
    page.goto(public_server.url + "/live/")  # the host at the machine, by loopback
    page.select_option("#live-pack", PACK)
    page.get_by_role("button", name="Create session").click()
    code = page.locator(".join-code").get_attribute("data-code")
    join = f"{public_server.public}/live/{code}"
    expect(page.locator(".join-url a")).to_have_text(join)
    expect(page.locator(".join-url a")).to_have_attribute("href", join)
    expect(page.get_by_text("teammates cannot reach that")).to_have_count(0)
    qr = page.locator("img.qr")
    expect(qr).to_have_js_property("complete", True)
    svg = page.request.get(public_server.url + qr.get_attribute("src")).body()
    expected = io.BytesIO()
    segno.make(join, error="m").save(expected, kind="svg", scale=8, border=2,
                                     xmldecl=False, svgclass="qr", title="Join QR")
    assert svg == expected.getvalue()
    # A teammate whose network resolves the public name follows the link and can join.
    teammate = resolving_browser.new_page()
    assert teammate.goto(join).status == 200
    expect(teammate.locator("#live-name")).to_be_visible()
    teammate.close()


def test_a_page_of_another_origin_cannot_act_as_operator(page, live_server):
    """Another port on 127.0.0.1 is another origin but the same site: the browser sends
    our session cookie along, and the attacker is given our CSRF token too (a local
    service can read the cookie it is sent). Only the Origin tells the request apart."""
    ours = page.goto(live_server.url + "/packs")
    assert ours.status == 200
    token = page.locator("form.upload-pack input[name=csrf_token]").input_value()
    hostile = f"http://127.0.0.1:{free_port()}"
    html = f"""<!doctype html><title>Free prizes</title>
<form id="f" method="post" enctype="multipart/form-data"
      action="{live_server.url}/packs/upload">
  <input type="hidden" name="csrf_token" value="{token}">
  <input type="file" name="archive" id="archive">
</form>
<script>
  const bytes = Uint8Array.from(atob({json.dumps(base64.b64encode(pack_zip("hostile")).decode())}),
                                c => c.charCodeAt(0));
  const files = new DataTransfer();
  files.items.add(new File([bytes], "hostile.zip", {{type: "application/zip"}}));
  document.getElementById("archive").files = files.files;
</script>"""
    page.route(f"{hostile}/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body=html))
    page.goto(hostile + "/prize")
    with page.expect_navigation() as navigation:
        page.evaluate("document.getElementById('f').submit()")
    assert navigation.value.status == 403
    expect(page.locator("main")).to_contain_text("Only the operator can change packs")
    page.goto(live_server.url + "/packs")
    expect(page.locator("tr[data-pack=hostile]")).to_have_count(0)
    assert not (live_server.data_dir / "packs" / "hostile").exists()
    # The same archive from our own page is the operator's: the refusal was the origin.
    page.set_input_files("#archive", files=[{"name": "hostile.zip",
                                             "mimeType": "application/zip",
                                             "buffer": pack_zip("hostile")}])
    page.get_by_role("button", name="Check and install").click()
    expect(page.locator("tr[data-pack=hostile]")).to_have_count(1)
    assert re.search(r"Installed .* \(hostile ", page.content())
