"""The example third-party pack (tests/example_pack, pip-installed into a folder of its
own for the test run) is found through its entry point by the real server and practised
by keyboard."""

import re
from importlib import metadata
from pathlib import Path

import pytest
from conftest import LiveServer, with_site
from playwright.sync_api import expect

PACK = "http_basics"


@pytest.fixture
def example_server(tmp_path, example_pack_site):
    server = LiveServer(tmp_path / "data", with_site(example_pack_site)).start()
    yield server
    server.kill()


def test_the_example_distribution_is_installed(example_pack_site, monkeypatch):
    monkeypatch.syspath_prepend(str(example_pack_site))
    dist = metadata.distribution("trainer-example-pack")
    points = [ep for ep in dist.entry_points if ep.group == "trainer"]
    assert [ep.value for ep in points] == ["trainer_example_pack"]


def test_pip_installed_pack_is_listed_and_practised(page, example_server, console_errors):
    live_server = example_server
    page.goto(live_server.url + "/packs")
    row = page.locator(f'tr[data-pack="{PACK}"]')
    expect(row.locator(".version")).to_have_text("1.2.0")
    expect(row.locator(".source")).to_have_text("trainer-example-pack 1.2.0")
    expect(row.locator(".question-count")).to_have_text("3")

    page.goto(live_server.url + "/")
    expect(page.locator(f'tr[data-pack="{PACK}"] .new-count')).to_have_text("3")
    page.goto(live_server.url + f"/practice/{PACK}")
    card = page.locator("#card")
    expect(card).to_have_attribute("data-question", "safe-idempotent")
    expect(card.locator("h1")).to_contain_text("safe and an idempotent")
    page.keyboard.press("Space")
    expect(card).to_have_attribute("data-side", "answer")
    expect(card.locator(".answer pre").first).to_contain_text("PUT /users/7/email")
    expect(card.locator(".key-points li")).to_have_count(3)
    with page.expect_response(lambda r: r.url.endswith("/grade")):  # sent in the background
        page.keyboard.press("3")
    expect(card).to_have_attribute("data-question", "status-401-403")
    expect(page).to_have_url(re.compile(rf"/practice/{PACK}/status-401-403$"))

    page.goto(live_server.url + "/")
    expect(page.locator(f'tr[data-pack="{PACK}"] .new-count')).to_have_text("2")
    assert console_errors == []


@pytest.fixture
def broken_server(tmp_path, example_pack_site):
    broken = Path(__file__).resolve().parent.parent / "tests" / "broken_packs"
    server = LiveServer(tmp_path / "data", with_site(
        example_pack_site, {"TRAINER_PACKS_DIR": str(broken)})).start()
    yield server
    server.kill()


def test_broken_packs_are_shown_and_the_rest_still_work(page, broken_server, console_errors):
    page.goto(broken_server.url + "/packs")
    errors = page.locator(".pack-errors[role=alert]")
    expect(errors).to_contain_text("Packs that could not load")
    expect(errors).to_contain_text("not_utf8/questions/001.md:11: is not UTF-8 text")
    expect(errors).to_contain_text(
        "front_matter_unknown_field/questions/001.md:5: unknown field 'level'")
    expect(page.locator(f'tr[data-pack="{PACK}"]')).to_be_visible()
    page.goto(broken_server.url + f"/practice/{PACK}")
    page.keyboard.press("Space")
    expect(page.locator("#card")).to_have_attribute("data-side", "answer")
    assert console_errors == []
