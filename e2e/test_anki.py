"""An Anki deck through the packs page: uploaded as the operator, practised by keyboard
with its picture on the answer side, and downloaded back as an .apkg, plain and with the
learner's progress (the card arrives in Anki as a review card, with its two grades)."""

import sys
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.packs.test_anki import build_deck, open_package, open_with_schedule
from tests.packs.test_assets import png

pytest.importorskip("anki.collection")


def test_upload_a_deck_practise_it_and_take_it_back(page, live_server, console_errors,
                                                    tmp_path):
    deck = build_deck(tmp_path / "caching.apkg", [
        ("Basic", {"Front": "What does HTTP 304 mean?",
                   "Back": 'Not modified: use your copy.<br><img src="flow.png" '
                           'alt="The revalidation flow" onerror="alert(1)">'}, ["http"]),
    ], media=[("flow.png", png(8, 4))])
    page.goto(live_server.url + "/packs")
    page.locator("#archive").set_input_files(
        {"name": "caching.apkg", "mimeType": "application/octet-stream",
         "buffer": deck.read_bytes()})
    page.locator("#pack-id").fill("caching")
    page.locator(".upload-pack button[type=submit]").focus()
    page.keyboard.press("Enter")
    # The package is read in a child process with the anki library: seconds, not 5 (busy CI).
    expect(page.locator(".flash").first).to_contain_text("(caching 1.0.0): 1 question.",
                                                         timeout=30_000)

    page.locator('tr[data-pack="caching"]').get_by_role("link", name="Practise").click()
    card = page.locator("#card")
    expect(card).to_have_attribute("data-side", "question")
    page.keyboard.press("Space")
    expect(card).to_have_attribute("data-side", "answer")
    image = card.get_by_role("img", name="The revalidation flow")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 8
    expect(card.locator(".image-alt").first).to_have_text("The revalidation flow")
    page.keyboard.press("3")  # Good: a learning step, back at once (learn-ahead)
    expect(card).to_have_attribute("data-side", "question")
    page.keyboard.press("Space")
    expect(card).to_have_attribute("data-side", "answer")
    page.keyboard.press("3")  # graduates: days away
    expect(card.locator("h1.done")).to_be_visible()

    page.goto(live_server.url + "/packs")
    with page.expect_download() as info:
        page.locator('tr[data-pack="caching"] .export-anki').click()
    out = tmp_path / "back.apkg"
    info.value.save_as(out)
    assert zipfile.is_zipfile(out)
    notes, _ = open_package(out, tmp_path / "anki")
    [(_, fields, tags)] = notes.values()
    assert "What does HTTP 304 mean?" in fields["Question"]
    assert 'src="caching-flow.png"' in fields["Answer"]
    assert tags == ["difficulty::mid", "http"]

    with page.expect_download() as info:
        page.locator('tr[data-pack="caching"]').get_by_role(
            "link", name="for Anki with my progress").click()
    assert info.value.suggested_filename == "caching-progress.apkg"
    info.value.save_as(tmp_path / "mine.apkg")
    [(scheduled, revlog)] = open_with_schedule(tmp_path / "mine.apkg",
                                               tmp_path / "anki-mine")[0].values()
    assert (scheduled.type, scheduled.queue, scheduled.reps) == (2, 2, 2)
    assert [ease for ease, _, _ in revlog] == [3, 3]
    assert console_errors == []
