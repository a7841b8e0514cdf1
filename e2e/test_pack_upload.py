"""Installing a data pack by zip upload on the packs page, in the browser: accepted
archives appear at once and can be practised; refused ones say why and write nothing."""

import io
import shutil
import stat
import zipfile
from pathlib import Path

from conftest import LiveServer
from playwright.sync_api import expect

TESTS = Path(__file__).resolve().parent.parent / "tests"
SAMPLE = TESTS / "data" / "sample"
BROKEN = TESTS / "broken_packs"


def make_zip(entries):
    """Zip bytes from ``(name, data)`` or ``(name, data, unix_mode)`` entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, *mode in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode:
                info.create_system = 3
                info.external_attr = mode[0] << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def folder_entries(folder, top, replace=None):
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "expected.txt":
            data = path.read_bytes()
            if replace and path.name == "pack.toml":
                data = data.replace(*replace)
            entries.append((f"{top}/{path.relative_to(folder).as_posix()}", data))
    return entries


def upload(page, name, data, replace=False):
    page.locator("#archive").set_input_files(
        {"name": name, "mimeType": "application/zip", "buffer": data})
    if replace:
        page.locator("input[name=replace]").check()
    submit = page.locator(".upload-pack button[type=submit]")
    submit.focus()
    page.keyboard.press("Enter")


def not_refusals(errors):
    """Console errors other than the browser noting a refused upload's 400 status."""
    return [e for e in errors if "status of 400 (BAD REQUEST)" not in e]


def installed(live_server):
    folder = live_server.data_dir / "packs"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_upload_a_pack_then_practise_it(page, live_server, console_errors):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Manage packs").click()
    expect(page).to_have_url(live_server.url + "/packs")
    good = make_zip(folder_entries(SAMPLE, "sample-pack"))
    upload(page, "sample-pack.zip", good)
    expect(page.locator(".flash")).to_have_text(
        "Installed Sample pack (sample 0.1.0): 6 questions.")
    row = page.locator('tr[data-pack="sample"]')
    expect(row.locator(".source")).to_contain_text(str(live_server.data_dir / "packs"))
    expect(row.locator(".question-count")).to_have_text("6")
    assert installed(live_server) == ["sample"]

    row.get_by_role("link", name="Practise").click()
    card = page.locator("#card")
    expect(card).to_have_attribute("data-question", "q1")
    page.keyboard.press("Space")
    expect(card).to_have_attribute("data-side", "answer")
    page.keyboard.press("4")
    expect(card).to_have_attribute("data-question", "q2")

    page.goto(live_server.url + "/packs")  # an upgrade replaces it; progress stays
    upgrade = make_zip(folder_entries(SAMPLE, "sample", (b'"0.1.0"', b'"0.2.0"')))
    upload(page, "sample-0.2.0.zip", upgrade)
    expect(page.locator(".upload-refused")).to_contain_text(
        "pack 'sample' is already installed (version 0.1.0)")
    upload(page, "sample-0.2.0.zip", upgrade, replace=True)
    expect(page.locator(".flash")).to_have_text(
        "Replaced sample 0.1.0 with 0.2.0: 6 questions.")
    expect(page.locator('tr[data-pack="sample"] .new-count')).to_have_text("5")

    page.goto("about:blank")  # no request in flight while the server is killed
    live_server.restart()  # the installed pack is on disk, not only in memory
    page.goto(live_server.url + "/packs")
    expect(page.locator('tr[data-pack="sample"] .version')).to_have_text("0.2.0")

    page.locator('tr[data-pack="sample"] .remove-pack button').click()
    expect(page.locator(".flash")).to_contain_text("Removed sample.")
    expect(page.locator('tr[data-pack="sample"]')).to_have_count(0)
    assert installed(live_server) == []
    assert not_refusals(console_errors) == []


def test_refused_archives_say_why_and_write_nothing(page, live_server, console_errors):
    manifest = (SAMPLE / "pack.toml").read_bytes()
    question = (SAMPLE / "questions" / "001-q1.md").read_bytes()
    cases = [
        ("escape.zip", make_zip([("pack.toml", manifest), ("../../evil.md", question)]),
         "'../../evil.md' climbs out of the pack with '..'"),
        ("absolute.zip", make_zip([("/etc/pack.toml", manifest)]),
         "'/etc/pack.toml' is an absolute path"),
        ("backslash.zip", make_zip([("pack.toml", manifest), ("questions\\q.md", question)]),
         "'questions\\q.md' contains a backslash"),
        ("link.zip", make_zip([("pack.toml", manifest),
                               ("questions/q.md", b"/etc/passwd", stat.S_IFLNK | 0o777)]),
         "'questions/q.md' is a symbolic link"),
        ("bomb.zip", make_zip([("pack.toml", manifest), ("questions/q.md", b"a" * 65000)]),
         "'questions/q.md' is compressed more than 100 to 1"),
        ("code.zip", make_zip([("pack.toml", manifest), ("questions/q.md", question),
                               ("setup.py", b"import os")]),
         "unexpected file 'setup.py'"),
        ("broken.zip", make_zip(folder_entries(BROKEN / "duplicate_ids", "dupes")),
         "dupes/questions/002.md:2: duplicate question id 'q1' (also in "
         "dupes/questions/001.md)"),
        ("fake.zip", b"this is not a zip", "the file is not a readable zip archive"),
    ]
    page.goto(live_server.url + "/packs")
    for name, data, reason in cases:
        upload(page, name, data)
        refused = page.locator(".upload-refused")
        expect(refused).to_contain_text(f"Nothing was installed from {name}.")
        expect(refused).to_contain_text(reason)
        assert installed(live_server) == [], name
    expect(page.locator("tr[data-pack]")).not_to_have_count(0)  # the other packs are fine
    assert not_refusals(console_errors) == []


def test_a_remote_operator_removes_a_pack_with_the_admin_token(page, tmp_path, console_errors):
    """Through a proxy (so not loopback), the Remove button asks for the admin token.

    A reverse proxy on the same machine connects from loopback; its X-Forwarded-For
    header is what tells the app the visitor is someone else (``trainer serve`` keeps
    that header for the app instead of letting waitress drop it).
    """
    token = "remote-operator-" + "t" * 24
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data / "packs" / "sample")
    server = LiveServer(data, env={"TRAINER_ADMIN_TOKEN": token}).start()
    try:
        page.set_extra_http_headers({"X-Forwarded-For": "198.51.100.4"})
        page.goto(server.url + "/packs")
        expect(page.locator('tr[data-pack="sample"] .source')).to_have_text("folder packs")
        assert str(data) not in page.content()  # no server path for a remote visitor
        row = page.locator('tr[data-pack="sample"]')
        row.get_by_label("Admin token").fill("wrong")
        row.get_by_label("Admin token").press("Enter")
        expect(page.locator("body")).to_contain_text("Only the operator can change packs")
        assert (data / "packs" / "sample").is_dir()

        page.goto(server.url + "/packs")
        row.get_by_label("Admin token").fill(token)
        row.get_by_label("Admin token").press("Enter")
        expect(page.locator(".flash")).to_contain_text("Removed sample.")
        expect(page.locator('tr[data-pack="sample"]')).to_have_count(0)
        assert not (data / "packs" / "sample").exists()
        assert [e for e in console_errors if "403" not in e] == []
    finally:
        server.kill()
