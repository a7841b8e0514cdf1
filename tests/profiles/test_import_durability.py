"""A progress import is stored in one go, within one stated limit, and refuses clearly."""

import json
import os

import pytest

from bench.seed import question_ids, seed_profile
from trainer import config, storage
from trainer.profiles.store import Profile
from trainer.profiles.transfer import export_bytes, export_progress, import_progress


class Packs:
    """Stands in for the registry: every question of the packs named is installed."""

    class Pack:
        def question(self, question_id):
            return question_id

    def __init__(self, *pack_ids):
        self.ids = set(pack_ids)

    def get(self, pack_id):
        return self.Pack() if pack_id in self.ids else None


def upload(client, csrf, raw):
    """Post ``raw`` as the import form does, the body built here: a large file given to
    the test client as a file would be spooled to a temporary file it never closes."""
    boundary = "xXboundaryXx"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"progress.json\"\r\nContent-Type: application/json\r\n\r\n").encode()
    body += raw + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/profile/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def exported(tmp_path):
    """An export of 2,000 reviews over 400 cards of two packs, with a star and a note."""
    cards = [(p, q) for q in question_ids(200) for p in ("pa", "pb")]
    seed_profile(tmp_path / "source", "s" * 22, 2_000, cards)
    source = Profile(tmp_path / "source", "s" * 22)
    source.set_mark("pa", "q000", starred=True, note="mine")
    return source, export_bytes(source)


def test_an_import_is_one_write_of_the_file_and_one_fsynced_append(tmp_path, exported,
                                                                   monkeypatch):
    source, raw = exported
    target = Profile(tmp_path / "target", "t" * 22)
    writes, fsyncs = [], []
    real_write, real_fsync = storage.atomic_write_bytes, os.fsync

    def counted_write(path, data, **kw):
        writes.append(path)
        return real_write(path, data, **kw)

    monkeypatch.setattr(storage, "atomic_write_bytes", counted_write)
    monkeypatch.setattr(os, "fsync", lambda fd: fsyncs.append(fd) or real_fsync(fd))
    report = import_progress(target, Packs("pa", "pb"), raw)
    monkeypatch.undo()
    assert (report.cards_added, report.log_added, report.marks_merged) == (400, 2_000, 1)
    assert report.skipped == []
    assert writes == [target.path]
    assert len(fsyncs) <= 3  # the log, the new profile file, its folder

    mine, theirs = export_progress(target, 0), export_progress(source, 0)
    assert mine["cards"] == theirs["cards"] and mine["marks"] == theirs["marks"]
    assert mine["log"] == sorted(theirs["log"], key=lambda r: r["at"])  # merged by time
    reopened = Profile(tmp_path / "target", "t" * 22)  # what the disk holds, not memory
    assert export_progress(reopened, 0) == mine
    assert reopened.cards_in("pa") == target.cards_in("pa")

    again = import_progress(target, Packs("pa", "pb"), raw)
    assert (again.cards_kept, again.log_duplicates, again.changed) == (400, 2_000, False)
    assert len(Profile(tmp_path / "target", "t" * 22).reviews()) == 2_000


def test_an_import_the_disk_refuses_leaves_memory_as_the_disk_is(tmp_path, exported,
                                                                 monkeypatch):
    _, raw = exported
    target = Profile(tmp_path / "target", "t" * 22)
    target.update_settings(name="Ada")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", refuse)
    with pytest.raises(OSError):
        import_progress(target, Packs("pa", "pb"), raw)
    monkeypatch.undo()
    assert target.all_cards() == [] and target.all_marks() == []
    assert target.settings == {"name": "Ada"}
    assert Profile(tmp_path / "target", "t" * 22).all_cards() == []
    report = import_progress(target, Packs("pa", "pb"), raw)  # the log is not doubled
    assert report.cards_added == 400 and report.log_duplicates == 2_000


def test_a_card_listed_twice_in_one_file_keeps_the_later_review(tmp_path, exported):
    _, raw = exported
    data = json.loads(raw)
    first = data["cards"][0]
    data["cards"].append({**first, "reps": 42, "last_review": first["last_review"] + 60})
    data["cards"].append({**first, "reps": 7})  # older than the one just listed
    target = Profile(tmp_path / "target", "t" * 22)
    report = import_progress(target, Packs("pa", "pb"), json.dumps(data).encode())
    assert (report.cards_added, report.cards_updated, report.cards_kept) == (400, 1, 1)
    assert target.card(first["pack"], first["question"])["reps"] == 42


def test_a_very_deep_file_is_refused_with_a_reason(client, csrf):
    response = upload(client, csrf, b"[" * 200_000 + b"]" * 200_000)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported." in page and "nests lists or objects too deeply" in page


def test_one_import_limit_for_the_request_the_check_and_the_page(app, client, csrf):
    limit = config.IMPORT_MAX_BYTES
    assert app.config["MAX_CONTENT_LENGTH"] > limit  # the file and the form around it
    page = client.get("/profile").get_data(as_text=True)
    assert f"Up to {limit // (1024 * 1024)} MB." in page
    envelope = json.dumps({"format": "interview-trainer-progress", "version": 1}).encode()
    big = envelope[:-1] + b" " * (21 * 1024 * 1024) + b"}"  # a 21 MB export
    response = upload(client, csrf, big)
    assert response.status_code == 200, response.status_code
    assert "Nothing was skipped." in response.get_data(as_text=True)


def test_an_import_the_disk_refuses_is_a_clear_error_page(app, client, csrf, monkeypatch):
    client.post("/practice/sample/q1/grade", data={"rating": "3"},
                headers={"X-CSRF-Token": csrf})
    exported = client.get("/profile/export").get_data()
    other = app.test_client()
    other_csrf = other.get("/").get_data(as_text=True).split(
        'name="csrf_token" value="')[1].split('"')[0]

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "replace", refuse)
    response = upload(other, other_csrf, exported)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The import was not saved" in page and "No space left on device" in page
