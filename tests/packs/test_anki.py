"""Anki packages in and out: the mapping, a round trip checked with the anki library
itself, images both ways, and hostile packages refused with nothing written."""

import io
import shutil
import sqlite3
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import DATA, csrf_from
from tests.packs.test_assets import pack_with_image, png
from tests.packzip import SYMLINK, zip_entries
from trainer import create_app
from trainer.packs import anki_import
from trainer.packs.anki_export import FIELDS, NOTE_TYPE, write_package
from trainer.packs.anki_import import NEEDS_ANKI, check_package, read_package, read_package_file
from trainer.packs.cli import packs as packs_cli
from trainer.packs.install import install_files
from trainer.packs.loader import load_pack
from trainer.packs.model import PackRefused
from trainer.profiles.settings import scheduler_for_profile
from trainer.profiles.store import ProfileStore, new_profile_id
from trainer.study.anki_progress import progress_for_anki, take_anki_history
from trainer.study.card_actions import undo_last_grade
from trainer.study.history import effective_reviews
from trainer.study.scheduling import grade

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection


def build_deck(path, notes, media=()):
    """An .apkg made with the anki library: ``notes`` are ``(type, fields, tags)``."""
    folder = Path(path).parent / "build"
    folder.mkdir(exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        deck = col.decks.id("Web::HTTP basics")
        for kind, fields, tags in notes:
            note = col.new_note(col.models.by_name(kind))
            for name, value in fields.items():
                note[name] = value
            note.tags = tags
            col.add_note(note, deck)
        for name, data in media:
            col.media.write_data(name, data)
        col.export_anki_package(
            out_path=str(path),
            options=anki_collection.ExportAnkiPackageOptions(with_media=True), limit=None)
    finally:
        col.close()
    return Path(path)


def open_package(path, folder):
    """The notes of an .apkg as Anki itself imports them into a fresh collection."""
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    col.import_anki_package(anki_collection.ImportAnkiPackageRequest(
        package_path=str(path), options=anki_collection.ImportAnkiPackageOptions()))
    notes = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        notes[note.guid] = (note.note_type()["name"], dict(note.items()), sorted(note.tags))
    media = {name: (Path(col.media.dir()) / name).read_bytes()
             for name in col.media.check().unused}
    col.close()
    return notes, media


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    path = tmp_path_factory.mktemp("deck") / "http.apkg"
    return build_deck(path, [
        ("Basic", {"Front": "What does <b>HTTP 304</b> mean?",
                   "Back": 'Not modified.<br><img src="flow chart.png" alt="The flow">'
                           '<script>alert(1)</script><a href="javascript:alert(2)">x</a>'
                           '<img src="x.gif" onerror="alert(3)">'},
         ["HTTP::Caching", "Difficulty::Senior", "needs_review!"]),
        ("Cloze", {"Text": "A {{c1::GET}} is {{c2::safe::property}}.",
                   "Back Extra": "RFC 9110"}, []),
        ("Basic", {"Front": "", "Back": "no question"}, []),
    ], media=[("flow chart.png", png()), ("x.gif", b"GIF89a...")])


@pytest.fixture(scope="module")
def converted(deck):
    return read_package_file(deck)


def questions(converted):
    return [v.decode() for k, v in sorted(converted.files.files.items())
            if k.startswith("questions/")]


def test_notes_become_questions_by_the_documented_rule(converted):
    basic, cloze = sorted(questions(converted), key=lambda text: "{{" in text or "[...]" in text)
    assert "# What does **HTTP 304** mean?\n" in basic
    assert 'difficulty = "senior"' in basic
    assert 'tags = ["http.caching", "needs_review"]' in basic
    assert "![The flow](assets/flow-chart.png)" in basic
    assert "# A \\[...\\] is \\[property\\].\n" in cloze
    assert "A **GET** is **safe**." in cloze and "RFC 9110" in cloze
    assert converted.files.files["assets/flow-chart.png"] == png()
    assert any("x.gif" in lost and "not PNG, JPEG or WebP" in lost for lost in converted.lost)
    assert any("question field is empty" in lost for lost in converted.lost)
    assert b'title = "Web::HTTP basics"' in converted.files.files["pack.toml"]


def test_scripts_and_handlers_never_reach_the_pack(converted, tmp_path):
    done = install_files(converted.files, tmp_path / "packs")
    pack, problems = load_pack(done.path)
    assert problems == []
    html = "".join(str(q.answer_html) + str(q.title_html) for q in pack.questions)
    for bad in ("<script", "alert(", "onerror", "javascript:"):
        assert bad not in html
    assert 'src="/packs/web-http-basics/assets/flow-chart.png" alt="The flow"' in html


def test_round_trip_through_anki(tmp_path):
    folder, _, _ = pack_with_image(tmp_path / "src")
    pack, problems = load_pack(folder)
    assert problems == []
    out = tmp_path / "sample.apkg"
    assert write_package(pack, out) == len(pack.questions)

    notes, media = open_package(out, tmp_path / "anki")
    assert len(notes) == len(pack.questions)
    for question in pack.questions:
        kind, fields, tags = notes[f"trainer:sample:{question.id}"]
        assert kind == NOTE_TYPE and tuple(fields) == FIELDS
        assert tags == sorted([*question.tags, f"difficulty::{question.difficulty}"])
        assert fields["Question"] == str(question.title_html)
        for point in question.key_points:
            assert f"<li>{point}</li>" in fields["Key points"]
    first = notes["trainer:sample:q1"][1]["Answer"]
    assert 'src="sample-red.png"' in first
    assert media == {} or "sample-red.png" not in media  # the image is used, not unused

    back = read_package_file(out)
    assert back.files.name == "sample"  # our own package comes back under its id
    again, problems = load_pack(install_files(back.files, tmp_path / "packs").path)
    assert problems == []
    assert [q.id for q in again.questions] == [q.id for q in pack.questions]
    assert [q.tags for q in again.questions] == [q.tags for q in pack.questions]
    assert [q.difficulty for q in again.questions] == [q.difficulty for q in pack.questions]
    assert [q.title for q in again.questions] == [q.title for q in pack.questions]
    assert "/packs/sample/assets/red.png" in str(again.question("q1").answer_html)


def _refused(data):
    with pytest.raises(PackRefused) as refused:
        check_package(data)
    return " ".join(refused.value.reasons)


@pytest.mark.parametrize(("entries", "reason"), [
    ([("collection.anki2", b"x"), ("../evil", b"x")], "climbs out of the pack"),
    ([("collection.anki2", b"x"), ("/etc/passwd", b"x")], "is an absolute path"),
    ([("collection.anki2", b"x"), ("evil.sh", b"x")], "is not part of an Anki package"),
    ([("collection.anki2", b"x"), ("1", b"/etc/passwd", SYMLINK)], "is not a regular file"),
    ([("collection.anki2", b"\0" * 5_000_000)], "is compressed more than 100 to 1"),
    ([("media", b"{}")], "holds no Anki collection"),
])
def test_hostile_zips_are_refused_before_anki_reads_them(entries, reason):
    assert reason in _refused(zip_entries(entries))


def test_a_package_past_the_limits_is_refused():
    assert "the limit is" in _refused(b"x" * (9 * 1024 * 1024))
    assert "not an Anki package" in _refused(b"not a zip")
    many = zip_entries([("collection.anki2", b"x")] + [(str(i), b"") for i in range(5300)])
    assert "entries; the limit is" in _refused(many)


def _package(collection):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", b"{}")
    return buffer.getvalue()


def test_a_malformed_database_is_a_clear_error_and_writes_nothing(tmp_path):
    for collection in (b"SQLite format 3\0" + b"\xff" * 4000, b"not a database at all"):
        with pytest.raises(PackRefused) as refused:
            read_package(_package(collection), "broken")
        assert refused.value.reasons[0].startswith("the Anki package cannot be read")
    db = tmp_path / "hostile.anki2"  # a real SQLite file, but not Anki's schema
    with sqlite3.connect(db) as conn:
        conn.execute("create table notes (id integer, flds text)")
        conn.execute("insert into notes values (1, '<script>alert(1)</script>')")
    conn.close()
    with pytest.raises(PackRefused) as refused:
        read_package(_package(db.read_bytes()), "hostile")
    assert "cannot be read" in refused.value.reasons[0]


def test_without_the_anki_library_the_message_says_how_to_get_it(monkeypatch, deck):
    monkeypatch.setattr(anki_import, "anki_available", lambda: False)
    with pytest.raises(PackRefused) as refused:
        read_package_file(deck)
    assert refused.value.reasons == [NEEDS_ANKI]
    assert "pip install 'interview-trainer[anki]'" in NEEDS_ANKI


def test_the_commands_import_and_export(deck, tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    result = runner.invoke(packs_cli, ["import-anki", str(deck), "--id", "http",
                                       "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "Installed http 1.0.0 (2 questions)" in result.output
    assert "left out: image 'x.gif'" in result.output
    out = tmp_path / "http.apkg"
    result = runner.invoke(packs_cli, ["export-anki", "http", str(out), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out)
    result = runner.invoke(packs_cli, ["import-anki", str(deck), "--id", "Bad Id!",
                                       "--data-dir", str(data)])
    assert result.exit_code == 1 and "is not allowed" in result.output


def test_upload_and_download_on_the_packs_page(deck, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA / "sample", data / "packs" / "sample")
    app = create_app({"DATA_DIR": data, "SECRET_KEY": "s" * 40, "LOAD_ENTRY_POINTS": False,
                      "TESTING": True})
    client = app.test_client()
    page = client.get("/packs").get_data(as_text=True)
    response = client.post("/packs/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "archive": (io.BytesIO(deck.read_bytes()), "http.apkg"),
        "pack_id": "http"})
    assert response.status_code == 303
    assert (data / "packs" / "http" / "assets" / "flow-chart.png").is_file()
    download = client.get("/packs/http/export.apkg")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="http.apkg"'
    assert zipfile.is_zipfile(io.BytesIO(download.data))
    remote = client.post("/packs/upload", content_type="multipart/form-data",
                         environ_base={"REMOTE_ADDR": "192.0.2.7"}, data={
                             "csrf_token": csrf_from(page),
                             "archive": (io.BytesIO(deck.read_bytes()), "again.apkg")})
    assert remote.status_code == 403


def test_a_collection_package_imports_too(tmp_path):
    col = Collection(str(tmp_path / "collection.anki2"))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "What is a colpkg?", "A whole collection."
    col.add_note(note, col.decks.id("Everything"))
    col.export_collection_package(str(tmp_path / "all.colpkg"), True, False)
    col.close()
    converted = read_package_file(tmp_path / "all.colpkg")
    assert converted.files.name == "everything" and converted.notes == 1


# Progress both ways -----------------------------------------------------------------

DAY = 86400


def graded(profile, pack_id, question_id, ratings_and_times):
    """Grade a card through the real scheduler at the given times (epoch seconds)."""
    scheduler = scheduler_for_profile(profile)
    for rating, at in ratings_and_times:
        state, review = grade(scheduler, pack_id, question_id,
                              profile.card(pack_id, question_id), rating,
                              datetime.fromtimestamp(at, UTC), duration_ms=4000)
        profile.save_review(state, review)


def open_with_schedule(path, folder, days_old=100):
    """Each card of an .apkg as Anki schedules it after an import into a collection made
    ``days_old`` days ago: {guid: (card, its revlog rows)}, and that collection's today."""
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    col.crt -= days_old * DAY  # a learner's collection is older than today's export
    col.close()
    col = Collection(str(folder / "collection.anki2"))
    col.import_anki_package(anki_collection.ImportAnkiPackageRequest(
        package_path=str(path),
        options=anki_collection.ImportAnkiPackageOptions(with_scheduling=True)))
    cards = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        cards[card.note().guid] = (card, col.db.all(
            "select ease, type, time from revlog where cid = ? order by id", card_id))
    today = col.sched.today
    col.close()
    return cards, today


def test_export_with_progress_schedules_the_cards_in_anki(tmp_path):
    pack, _ = load_pack(shutil.copytree(DATA / "sample", tmp_path / "sample"))
    profile = ProfileStore(tmp_path / "profiles").get(new_profile_id())
    now = time.time()
    graded(profile, "sample", "q1", [(3, now - 20 * DAY), (3, now - 19 * DAY),
                                     (3, now - 15 * DAY), (4, now - 2 * DAY)])
    graded(profile, "sample", "q2", [(3, now - 9 * DAY), (3, now - 8 * DAY),
                                     (1, now - 600)])  # a lapse: relearning
    graded(profile, "sample", "q3", [(1, now - 60), (3, now - 30)])  # learning
    graded(profile, "sample", "q4", [(3, now - 5 * DAY), (3, now - 4 * DAY - 3600)])
    undo_last_grade(profile, "sample", now)  # q3's last grade is taken back
    out = tmp_path / "progress.apkg"
    write_package(pack, out, progress_for_anki(profile, pack))

    cards, today = open_with_schedule(out, tmp_path / "anki")
    reviews = effective_reviews(profile.reviews())
    for question in pack.questions:
        card, revlog = cards[f"trainer:sample:{question.id}"]
        state = profile.card("sample", question.id)
        if state is None:
            assert (card.type, card.queue, revlog) == (0, 0, [])
            continue
        due_in = card.due - today if card.queue in (2, 3) else (card.due - now) / DAY
        assert abs(due_in - (state["due"] - now) / DAY) <= 1, question.id
        mine = [r for r in reviews if r["question"] == question.id]
        assert [row[0] for row in revlog] == [r["rating"] for r in mine]
        assert all(row[2] == 4000 for row in revlog)
        assert (card.reps, card.lapses) == (state["reps"], state["lapses"])
        assert card.memory_state.stability == pytest.approx(state["fsrs"]["stability"],
                                                            rel=1e-4)
    assert cards["trainer:sample:q1"][0].type == 2 and cards["trainer:sample:q1"][0].ivl > 3
    assert cards["trainer:sample:q2"][0].type == 3  # relearning after the lapse
    assert [row[1] for row in cards["trainer:sample:q2"][1]] == [0, 0, 1]
    assert len(cards["trainer:sample:q3"][1]) == 1  # the undone grade is not history
    assert cards["trainer:sample:q5"][0].type == 0  # never studied: new in Anki


def deck_with_history(path):
    """An .apkg whose cards Anki has reviewed: q-a three times (written as revlog rows,
    days ago), q-b once just now (col.sched.answerCard), q-new never, q-reset reviewed
    once and then reset to new."""
    folder = path.parent / "build-history"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    now_ms = int(time.time() * 1000)
    rows = {"a": [(3, 0, -10), (3, 0, -9), (0, 4, -5), (2, 1, -3)], "b": [],
            "new": [], "reset": [(3, 0, -4)]}
    ids = {}
    try:
        deck = col.decks.id("History")
        for name, reviews in rows.items():
            note = col.new_note(col.models.by_name("Basic"))
            note["Front"], note["Back"] = f"Question {name}?", f"Answer {name}."
            note.guid = f"trainer:history:q-{name}"
            col.add_note(note, deck)
            card = note.cards()[0]
            ids[name] = card.id
            for ease, kind, days in reviews:
                col.db.execute(
                    "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, "
                    "type) values (?, ?, -1, ?, 1, 0, 2500, 7000, ?)",
                    now_ms + days * DAY * 1000, card.id, ease, kind)
            if name == "a":
                card.type, card.queue, card.due, card.ivl = 2, 2, col.sched.today + 2, 4
                col.update_card(card)
        answered = col.get_card(ids["b"])
        answered.start_timer()
        col.sched.answerCard(answered, 1)
        col.export_anki_package(
            out_path=str(path), limit=None, options=anki_collection.ExportAnkiPackageOptions(
                with_scheduling=True, with_media=True))
    finally:
        col.close()
    return path, rows, now_ms


def test_import_replays_the_deck_history_through_our_scheduler(tmp_path):
    deck, rows, now_ms = deck_with_history(tmp_path / "history.apkg")
    converted = read_package_file(deck)
    assert converted.files.name == "history"
    pack, problems = load_pack(install_files(converted.files, tmp_path / "packs").path)
    assert problems == []
    profile = ProfileStore(tmp_path / "profiles").get(new_profile_id())

    report = take_anki_history(profile, pack, converted.history)
    scheduler = scheduler_for_profile(profile)
    expected = None
    for ease, _, days in rows["a"]:
        if ease:
            expected, _ = grade(scheduler, "history", "q-a", expected, ease,
                                datetime.fromtimestamp(now_ms / 1000 + days * DAY, UTC),
                                duration_ms=7000)
    assert profile.card("history", "q-a") == expected
    assert expected["fsrs"]["state"] == 2 and expected["reps"] == 3
    answered = profile.card("history", "q-b")  # Anki's own answer, "Again" just now
    assert answered["last_rating"] == 1 and answered["fsrs"]["state"] == 1
    assert profile.card("history", "q-new") is None
    assert profile.card("history", "q-reset") is None
    assert (report.cards_added, report.cards_updated, report.reviews_added) == (2, 0, 4)
    reasons = " ".join(f"{what}: {why}" for what, why in report.skipped)
    assert "q-reset: the card is new again in Anki" in reasons
    assert "1 Anki entry of history/q-a: rescheduled by hand" in reasons
    log = profile.reviews()
    assert [(r["question"], r["rating"]) for r in log] == [
        ("q-a", 3), ("q-a", 3), ("q-a", 2), ("q-b", 1)]
    assert log[0]["duration_ms"] == 7000

    again = take_anki_history(profile, pack, converted.history)
    assert (again.cards_added, again.cards_updated, again.reviews_added) == (0, 0, 0)
    assert again.cards_kept == 2
    assert profile.reviews() == log
    assert profile.card("history", "q-a") == expected


def test_import_never_overwrites_newer_progress_here(tmp_path):
    deck, _, _ = deck_with_history(tmp_path / "history.apkg")
    converted = read_package_file(deck)
    pack, _ = load_pack(install_files(converted.files, tmp_path / "packs").path)
    profile = ProfileStore(tmp_path / "profiles").get(new_profile_id())
    graded(profile, "history", "q-a", [(4, time.time())])  # after every Anki review
    mine = profile.card("history", "q-a")
    report = take_anki_history(profile, pack, converted.history)
    assert profile.card("history", "q-a") == mine
    assert (report.cards_kept, report.cards_added) == (1, 1)
    assert any("of history/q-a" in what and "your progress is kept" in why
               for what, why in report.skipped)


def test_the_commands_carry_progress(tmp_path):
    deck, _, _ = deck_with_history(tmp_path / "history.apkg")
    data = tmp_path / "data"
    profile = ProfileStore(data / "profiles").get(new_profile_id())
    profile.update_settings(name="Ada")  # the profile file exists
    runner = CliRunner()
    result = runner.invoke(packs_cli, ["import-anki", str(deck), "--with-progress",
                                       "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert f"Progress of profile {profile.id}: 4 reviews taken from Anki" in result.output
    assert "skipped: history of history/q-reset" in result.output
    assert profile.card("history", "q-a")["reps"] == 3
    out = tmp_path / "back.apkg"
    result = runner.invoke(packs_cli, ["export-anki", "history", str(out), "--with-progress",
                                       "--profile", profile.id, "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "2 with their schedule and history" in result.output
    cards, _ = open_with_schedule(out, tmp_path / "anki")
    assert len(cards["trainer:history:q-a"][1]) == 3
    result = runner.invoke(packs_cli, ["export-anki", "history", str(out), "--with-progress",
                                       "--profile", "x" * 22, "--data-dir", str(data)])
    assert result.exit_code == 1 and "no profile" in result.output


def test_the_packs_page_takes_and_gives_progress(tmp_path):
    deck, _, _ = deck_with_history(tmp_path / "history.apkg")
    data = tmp_path / "data"
    app = create_app({"DATA_DIR": data, "SECRET_KEY": "s" * 40, "LOAD_ENTRY_POINTS": False,
                      "TESTING": True})
    client = app.test_client()
    page = client.get("/packs").get_data(as_text=True)
    assert 'name="with_progress"' in page
    response = client.post("/packs/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "with_progress": "1",
        "archive": (io.BytesIO(deck.read_bytes()), "history.apkg")})
    assert response.status_code == 303
    shown = client.get("/packs").get_data(as_text=True)
    assert "4 reviews taken from Anki" in shown
    with client.session_transaction() as session:
        profile = app.extensions["trainer"].profiles.get(session["profile"])
    assert profile.card("history", "q-a")["reps"] == 3
    assert 'class="button export-anki-progress"' in shown
    download = client.get("/packs/history/export.apkg?progress=1")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == \
        'attachment; filename="history-progress.apkg"'
    out = tmp_path / "mine.apkg"
    out.write_bytes(download.data)
    cards, _ = open_with_schedule(out, tmp_path / "anki")
    assert [len(cards[f"trainer:history:q-{n}"][1]) for n in ("a", "b", "new")] == [3, 1, 0]
