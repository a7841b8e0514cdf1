"""Atomic TinyDB storage, one lock per file, and loud failure on a corrupt file."""

import json
import os
import threading

import pytest

from trainer import storage
from trainer.profiles.settings import scheduler_for_profile
from trainer.profiles.store import Profile, ProfileStore
from trainer.storage import DataFileError, atomic_write_bytes, lock_for, open_db
from trainer.study.scheduling import grade


def test_write_replaces_file_atomically(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    db = open_db(path)
    db.insert({"a": 1})
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(storage.os, "replace", boom)
    with pytest.raises(OSError):
        db.insert({"b": 2})
    assert path.read_bytes() == before  # old file intact
    assert [p.name for p in tmp_path.iterdir()] == ["db.json"]  # no temp file left


def test_failed_write_does_not_leave_memory_ahead_of_disk(tmp_path, monkeypatch):
    db = open_db(tmp_path / "db.json")
    db.insert({"a": 1})
    monkeypatch.setattr(storage.os, "replace", lambda *a: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        db.insert({"b": 2})
    monkeypatch.undo()
    assert db.all() == [{"a": 1}]


def test_data_survives_reopen(tmp_path):
    db = open_db(tmp_path / "db.json")
    db.insert({"a": 1})
    assert open_db(tmp_path / "db.json").all() == [{"a": 1}]


def test_corrupt_file_names_itself_and_is_kept(tmp_path):
    path = tmp_path / "db.json"
    path.write_text("{not json")
    with pytest.raises(DataFileError) as info:
        open_db(path)
    assert str(path) in str(info.value)
    assert path.read_text() == "{not json"


def test_corrupt_profile_gives_clear_error_page(app, client, data_dir, csrf):
    client.post("/profile", data={"name": "Ada", "csrf_token": csrf})
    with client.session_transaction() as sess:
        profile_id = sess["profile"]
    path = data_dir / "profiles" / f"{profile_id}.json"
    assert path.exists()
    app.extensions["trainer"].profiles.forget(profile_id)
    path.write_text("garbage")
    response = client.get("/")
    assert response.status_code == 500
    assert str(path) in response.get_data(as_text=True)
    assert path.read_text() == "garbage"


def test_one_lock_per_file(tmp_path):
    assert lock_for(tmp_path / "a") is lock_for(str(tmp_path / "a"))
    assert lock_for(tmp_path / "a") is not lock_for(tmp_path / "b")


def test_concurrent_grades_lose_no_update(tmp_path):
    """Threads write one profile through two stores (as two apps would); none is lost."""
    folder = tmp_path / "profiles"
    profile_id = "p" * 22
    handles = [ProfileStore(folder).get(profile_id), ProfileStore(folder).get(profile_id)]
    assert handles[0] is handles[1]
    per_thread, threads = 25, 8

    def work(n):
        profile = handles[n % 2]
        for i in range(per_thread):
            q = f"q{n}-{i}"
            profile.save_review({"pack": "x", "question": q, "due": 0},
                                {"pack": "x", "question": q, "rating": 3})

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    on_disk = json.loads((folder / f"{profile_id}.json").read_text())["cards"]
    assert len(on_disk) == per_thread * threads
    assert len(Profile(folder, profile_id).reviews()) == per_thread * threads


def test_concurrent_grades_of_one_card_all_count(tmp_path):
    """Threads grade the same card as the grade view does (under the profile's lock)."""
    folder = tmp_path / "profiles"
    profile_id = "s" * 22
    store = ProfileStore(folder)
    count = 16
    barrier = threading.Barrier(count)

    def work():
        profile = store.get(profile_id)
        barrier.wait()
        with profile.lock:
            state, review = grade(scheduler_for_profile(profile), "x", "q",
                                  profile.card("x", "q"), 3)
            profile.save_review(state, review)

    workers = [threading.Thread(target=work) for _ in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert store.get(profile_id).card("x", "q")["reps"] == count
    reopened = Profile(folder, profile_id)
    assert reopened.card("x", "q")["reps"] == count
    assert len(reopened.reviews()) == count
    assert len(reopened.reviews_path.read_bytes().splitlines()) == count


def test_torn_last_review_line_is_skipped_with_a_warning(tmp_path, caplog):
    profile = Profile(tmp_path, "t" * 22)
    profile.save_review({"pack": "x", "question": "a", "due": 0}, {"rating": 3})
    with open(profile.reviews_path, "ab") as fh:
        fh.write(b'{"rating": 4')  # a crash mid-line: never acknowledged
    assert profile.reviews() == [{"rating": 3}]
    assert list(profile.reviews_newest_first()) == [{"rating": 3}]
    assert str(profile.reviews_path) in caplog.text and "cut short" in caplog.text


@pytest.mark.parametrize("torn", [b'{"rating": 4', b"\0" * 4096, b"x" * 200_000])
def test_the_next_review_after_a_torn_line_cuts_it_off(tmp_path, torn):
    profile = Profile(tmp_path, "t" * 22)
    profile.save_review({"pack": "x", "question": "a", "due": 0}, {"rating": 3})
    with open(profile.reviews_path, "ab") as fh:
        fh.write(torn)
    profile.save_review({"pack": "x", "question": "a", "due": 1}, {"rating": 1})
    assert profile.reviews() == [{"rating": 3}, {"rating": 1}]
    assert profile.reviews_path.read_bytes() == b'{"rating":3}\n{"rating":1}\n'


def test_a_log_that_is_all_torn_line_starts_afresh(tmp_path):
    profile = Profile(tmp_path, "t" * 22)
    profile.reviews_path.write_bytes(b'{"rat')
    profile.append_records([{"rating": 2}])
    assert profile.reviews() == [{"rating": 2}]


def test_a_damaged_line_inside_the_log_names_the_file_and_line(tmp_path):
    profile = Profile(tmp_path, "t" * 22)
    profile.reviews_path.write_bytes(b'{"rating":3}\n{"rat\n{"rating":1}\n')
    with pytest.raises(DataFileError, match=r"line 2 is not JSON") as info:
        profile.reviews()
    assert str(profile.reviews_path) in str(info.value)
    with pytest.raises(DataFileError, match="line 2"):
        list(profile.reviews_newest_first())


def test_profile_ids_cannot_escape_the_folder(tmp_path):
    with pytest.raises(ValueError):
        Profile(tmp_path, "../../etc/passwd-xxxxxxxxxxxx")
    assert not ProfileStore(tmp_path).exists("../x")


def test_atomic_write_sets_private_mode(tmp_path):
    atomic_write_bytes(tmp_path / "f", b"x")
    assert oct(os.stat(tmp_path / "f").st_mode & 0o777) == "0o600"


def test_only_recent_profiles_stay_open_and_a_held_one_is_never_doubled(tmp_path,
                                                                        monkeypatch):
    import gc

    from trainer.profiles import store as profiles

    monkeypatch.setattr(profiles, "RECENT_MAX", 4)
    store = ProfileStore(tmp_path / "profiles")
    ids = [f"{'a' * 31}{i}" for i in range(10)]
    held = store.get(ids[0])
    held.update_settings(name="Held")
    for pid in ids[1:]:
        store.get(pid).update_settings(name=pid[-1])
    gc.collect()
    assert len(profiles._recent) == 4
    open_now = {p.id for p in profiles._open_profiles.values()}
    assert ids[0] in open_now  # evicted from the recent list, but someone holds it
    assert ids[1] not in open_now  # nobody holds it: closed
    assert store.get(ids[0]) is held  # the one handle on its file, not a second copy
    again = store.get(ids[1])  # reopened from disk with its data
    assert again.name == "1"


def test_a_profiles_derived_counts_follow_every_change_to_its_cards(tmp_path):
    profile = ProfileStore(tmp_path / "profiles").get("b" * 32)
    scheduler = scheduler_for_profile(profile)
    assert profile.cards_in("p") == {} and profile.introduced_since(0) == 0
    for question in ("q1", "q2"):
        state, review = grade(scheduler, "p", question, profile.card("p", question), 3)
        profile.save_review(state, review)
    state, review = grade(scheduler, "other", "q1", None, 3)
    profile.save_review(state, review)
    assert sorted(profile.cards_in("p")) == ["q1", "q2"]
    assert profile.introduced_since(0) == 3
    assert profile.introduced_since(10**12) == 0  # nothing introduced in the future
    profile.drop_card("p", "q1")
    assert sorted(profile.cards_in("p")) == ["q2"] and profile.introduced_since(0) == 2
    profile.put_card(state | {"pack": "p", "question": "q9"})
    assert sorted(profile.cards_in("p")) == ["q2", "q9"] and profile.introduced_since(0) == 3
    profile.drop_pack("p")
    assert profile.cards_in("p") == {} and profile.introduced_since(0) == 1
    returned = profile.cards_in("other")
    returned.clear()  # a caller's copy: the profile's own index is untouched
    assert list(profile.cards_in("other")) == ["q1"]


def test_a_whole_last_record_without_its_newline_is_kept(tmp_path):
    """A log edited by hand may lose its final newline: the record is still a record."""
    profile = Profile(tmp_path, "t" * 22)
    profile.reviews_path.write_bytes(b'{"rating":3}\n{"rating":4}')
    assert profile.reviews() == [{"rating": 3}, {"rating": 4}]
    assert list(profile.reviews_newest_first()) == [{"rating": 4}, {"rating": 3}]
    profile.save_review({"pack": "x", "question": "a", "due": 0}, {"rating": 1})
    assert profile.reviews_path.read_bytes() == b'{"rating":3}\n{"rating":4}\n{"rating":1}\n'
    profile.reviews_path.write_bytes(b'{"rating":3}\n[4]')  # JSON, but not a record
    profile.append_records([{"rating": 2}])
    assert profile.reviews_path.read_bytes() == b'{"rating":3}\n{"rating":2}\n'


def test_the_lock_map_keeps_only_locks_someone_holds(tmp_path):
    import gc

    before = len(storage._locks)
    for n in range(300):  # cookieless visitors, each a profile let go of
        Profile(tmp_path, f"{'v' * 20}{n:04d}")
    gc.collect()
    assert len(storage._locks) <= before + 1
    held = Profile(tmp_path, "h" * 22)
    gc.collect()
    assert lock_for(held.path) is held.lock  # still the one lock of its file
    other = lock_for(tmp_path / "shared")
    gc.collect()
    assert lock_for(str(tmp_path / "shared")) is other


@pytest.mark.parametrize(("content", "reason"), [
    ("[]", "top level is not a JSON object"),
    ('{"cards": []}', "table 'cards' is not a JSON object"),
    ('{"cards": {"x": {}}}', "document id 'x'"),
    ('{"cards": {"1": [1, 2]}}', "document 1 of table 'cards' is not a JSON object"),
    ('{"cards": {"1": {"pack": "sample"}}}', "card 1 has no pack or question id"),
    ('{"marks": {"1": {"question": 5}}}', "mark 1 has no pack or question id"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_a_profile_file_of_the_wrong_shape_names_itself(tmp_path, content, reason):
    path = tmp_path / f"{'w' * 22}.json"
    path.write_text(content)
    with pytest.raises(DataFileError, match=reason) as info:
        ProfileStore(tmp_path).get("w" * 22)
    assert str(path) in str(info.value)
    assert path.read_text() == content  # left as it was, for the operator


def test_a_log_line_that_is_not_a_record_names_the_file_and_line(tmp_path):
    profile = Profile(tmp_path, "t" * 22)
    profile.reviews_path.write_bytes(b'{"rating":3}\n[1]\n')
    with pytest.raises(DataFileError, match="line 2 is not a JSON object") as info:
        profile.reviews()
    assert str(profile.reviews_path) in str(info.value)


def test_a_profile_of_the_wrong_shape_gives_the_clear_error_page(app, client, data_dir, csrf):
    client.post("/profile", data={"name": "Ada", "csrf_token": csrf})
    with client.session_transaction() as sess:
        profile_id = sess["profile"]
    path = data_dir / "profiles" / f"{profile_id}.json"
    app.extensions["trainer"].profiles.forget(profile_id)
    path.write_text('{"cards": {"1": {"pack": "sample"}}}')
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "A data file cannot be read" in page and str(path) in page


def test_stale_temp_files_are_swept_and_nothing_else(tmp_path):
    from trainer.storage import sweep_stale_temp_files

    now = 1_000_000.0
    stale = tmp_path / ".ABCDEFGHJ.json.k2j4_x9q.tmp"
    fresh = tmp_path / ".p.json.abcdefgh.tmp"  # a write under way right now
    mine = tmp_path / "notes.tmp"  # not one of ours
    folder = tmp_path / ".x.json.abcdefgh.tmp"  # a folder, whatever its name
    for path in (stale, fresh, mine):
        path.write_text("{}")
    folder.mkdir()
    for path in (stale, mine, folder):
        os.utime(path, (now - 120, now - 120))
    os.utime(fresh, (now - 5, now - 5))
    assert sweep_stale_temp_files(tmp_path, now=now) == [stale.name]
    assert not stale.exists() and fresh.exists() and mine.exists() and folder.is_dir()
    assert sweep_stale_temp_files(tmp_path / "missing", now=now) == []


def test_a_crash_s_temp_files_are_swept_at_start(data_dir):
    from trainer import create_app
    from trainer.storage import STALE_TEMP_SECONDS

    old = 1_000_000.0
    left = []
    for folder in ("", "profiles", "rooms", "cache"):
        (data_dir / folder).mkdir(parents=True, exist_ok=True)
        path = data_dir / folder / ".f.json.abcd1234.tmp"
        path.write_text('{"host_token": "secret"}')
        os.utime(path, (old, old))
        left.append(path)
    kept = data_dir / "rooms" / ".g.json.abcd1234.tmp"
    kept.write_text("{}")  # younger than STALE_TEMP_SECONDS: maybe another server's write
    assert STALE_TEMP_SECONDS <= 300
    create_app({"DATA_DIR": data_dir, "SECRET_KEY": "k" * 40, "LOAD_ENTRY_POINTS": False,
                "PACK_DIRS": [], "TESTING": True})
    assert [p for p in left if p.exists()] == []
    assert kept.exists()
