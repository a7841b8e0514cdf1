"""The profile page: study settings, export/import edge cases, pack reset."""

import io
import json

import pytest

from tests.conftest import post, profile_of
from trainer.profiles import transfer as progress_io
from trainer.views import profile as profile_view


def save(client, csrf, **form):
    data = {"name": "Ada", "retention": "90", "new_per_day": "20", "csrf_token": csrf, **form}
    return client.post("/profile/settings", data=data)


def upload(client, csrf, payload, name="progress.json"):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post("/profile/import", data={
        "csrf_token": csrf, "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data")


def test_settings_are_saved_and_validated(app, client, csrf):
    assert save(client, csrf, retention="85", new_per_day="3").status_code == 303
    settings = profile_of(app, client).settings
    assert settings == {"name": "Ada", "desired_retention": 0.85, "new_per_day": 3}
    html = client.get("/profile").get_data(as_text=True)
    assert 'value="85"' in html and 'value="3"' in html
    for field, value, message in [("retention", "50", "between 70% and 97%"),
                                  ("retention", "abc", "must be a number"),
                                  ("new_per_day", "-1", "0 to 500"),
                                  ("new_per_day", "2.5", "whole number"),
                                  ("name", "", "1 to 40 characters")]:
        response = save(client, csrf, **{field: value})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert profile_of(app, client).settings["desired_retention"] == 0.85


def test_daily_new_limit_holds_back_new_questions(client, csrf):
    save(client, csrf, new_per_day="2")
    post(client, csrf, "/practice/sample/q1/grade", rating="4")
    html = post(client, csrf, "/practice/sample/q2/grade", rating="4").get_data(as_text=True)
    assert "All caught up" in html
    assert "limit of 2 new questions" in html
    assert client.get("/practice/sample").status_code == 200  # no redirect to a new card
    save(client, csrf, new_per_day="3")
    assert client.get("/practice/sample").headers["Location"] == "/practice/sample/q3"


def test_desired_retention_changes_the_schedule(app, client, csrf):
    save(client, csrf, retention="97")
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    high = profile_of(app, client).card("sample", "q1")
    save(client, csrf, retention="70")
    post(client, csrf, "/practice/sample/q2/grade", rating="3")
    post(client, csrf, "/practice/sample/q2/grade", rating="3")
    low = profile_of(app, client).card("sample", "q2")
    assert low["due"] - low["last_review"] > high["due"] - high["last_review"]


def test_export_then_import_into_another_profile(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q2/grade", rating="1")
    post(client, csrf, "/practice/sample/q2/star")
    post(client, csrf, "/practice/sample/q2/note", note="remember g")
    response = client.get("/profile/export")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = response.get_json()
    assert exported["format"] == progress_io.FORMAT and exported["version"] == 1
    assert [c["question"] for c in exported["cards"]] == ["q1", "q2"]
    assert len(exported["log"]) == 2

    other = app.test_client()
    other_csrf = other.get("/").get_data(as_text=True).split('name="csrf_token" value="')[1]
    other_csrf = other_csrf.split('"')[0]
    html = upload(other, other_csrf, exported).get_data(as_text=True)
    assert '<span class="cards-added">2</span>' in html
    assert '<span class="log-added">2</span>' in html
    assert '<span class="marks-merged">1</span>' in html
    assert "Nothing was skipped." in html
    mine = profile_of(app, other)
    assert mine.card("sample", "q2")["lapses"] == 0 and mine.mark("sample", "q2")["note"]
    again = upload(other, other_csrf, exported).get_data(as_text=True)
    assert '<span class="cards-kept">2</span>' in again
    assert '<span class="log-duplicates">2</span>' in again
    assert len(mine.reviews()) == 2  # nothing doubled


def test_import_refuses_bad_files_and_changes_nothing(app, client, csrf):
    cases = [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"\xff\xfe", "not UTF-8"),
        (json.dumps([1, 2]).encode(), "not an Interview Trainer progress export"),
        (json.dumps({"format": progress_io.FORMAT, "version": 2}).encode(),
         "export version 2"),
        (json.dumps({"format": progress_io.FORMAT, "version": 1, "cards": {}}).encode(),
         "must be a list"),
    ]
    for raw, message in cases:
        response = upload(client, csrf, raw)
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "Nothing was imported." in text and message in text, message
    assert profile_of(app, client).all_cards() == []
    assert upload(client, csrf, b"", name="").status_code == 400


def test_import_refuses_a_file_over_the_size_limit(client, csrf, monkeypatch):
    monkeypatch.setattr(profile_view, "IMPORT_MAX_BYTES", 2 * 1024 * 1024)
    boundary = "xXboundaryXx"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.json\"\r\nContent-Type: application/json\r\n\r\n").encode()
    body += b" " * (2 * 1024 * 1024 + 1) + f"\r\n--{boundary}--\r\n".encode()
    response = client.post("/profile/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert "larger than 2 MB" in response.get_data(as_text=True)


def test_import_reports_every_skipped_item_with_its_reason(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q1/note", note="mine")
    exported = client.get("/profile/export").get_json()
    good = exported["cards"][0]
    payload = {
        "format": progress_io.FORMAT, "version": 1,
        "profile": {"name": "x" * 99, "desired_retention": 0.2},
        "cards": [
            {**good, "question": "gone"},
            {**good, "pack": "elsewhere"},
            {**good, "fsrs": {"nonsense": True}},
            "a string",
            {**good, "question": "q3", "last_review": 5.0},
        ],
        "marks": [{"pack": "sample", "question": "q1", "note": "theirs", "starred": True}],
        "log": [{"pack": "sample", "question": "q1", "rating": 7, "at": 1.0},
                {"pack": "sample", "question": "nope", "rating": 3, "at": 2.0},
                {"kind": "mystery", "pack": "sample", "at": 3.0}],
    }
    html = upload(client, csrf, payload).get_data(as_text=True)
    assert '<span class="cards-added">1</span>' in html  # q3
    assert '<span class="skipped-count">10</span>' in html
    for reason in ["pack &#39;sample&#39; has no question &#39;gone&#39; here",
                   "pack &#39;elsewhere&#39; is not installed here",
                   "scheduler state that cannot be read", "not an object",
                   "you have a different note there; kept yours", "has no rating 1-4",
                   "unknown kind", "not 1 to 40 characters", "not between 0.7 and 0.97"]:
        assert reason in html, reason
    profile = profile_of(app, client)
    assert profile.mark("sample", "q1") == {
        **profile.mark("sample", "q1"), "note": "mine", "starred": True}


def test_newer_imported_card_replaces_older_local_one(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    exported = client.get("/profile/export").get_json()
    exported["cards"][0]["last_review"] += 60
    exported["cards"][0]["reps"] = 9
    html = upload(client, csrf, exported).get_data(as_text=True)
    assert '<span class="cards-updated">1</span>' in html
    assert profile_of(app, client).card("sample", "q1")["reps"] == 9


def test_reset_needs_confirmation_and_keeps_history(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q2/star")
    page = client.get("/profile/reset/sample").get_data(as_text=True)
    assert "<strong>1</strong> cards" in page
    refused = client.post("/profile/reset/sample", data={"csrf_token": csrf, "confirm": "x"})
    assert refused.status_code == 303
    profile = profile_of(app, client)
    assert profile.card("sample", "q1") is not None
    done = client.post("/profile/reset/sample", data={"csrf_token": csrf, "confirm": "sample"},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 card states and 1 marks cleared" in done
    assert profile.cards_in("sample") == {} and profile.marks_in("sample") == {}
    assert [r.get("kind", "review") for r in profile.reviews()] == ["review", "reset"]
    assert client.get("/practice/sample").headers["Location"] == "/practice/sample/q1"
    assert client.post("/profile/reset/sample", data={"confirm": "sample"}).status_code == 400
    assert client.get("/profile/reset/nope").status_code == 404


def test_import_skips_reviews_whose_earlier_state_cannot_be_read(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    exported = client.get("/profile/export").get_json()
    second = exported["log"][1]
    assert second["previous"] is not None and "fsrs" not in second["previous_state"]
    exported["log"] = [
        {**second, "at": 10.0, "previous": {"bad": 1}},
        {**second, "at": 11.0, "previous_state": "text"},
        {**second, "at": 12.0, "previous": None},
    ]
    html = upload(client, csrf, exported).get_data(as_text=True)
    assert "FSRS record before it that cannot be read" in html
    assert "has a state before it that cannot be read" in html
    assert "has a state before it but no FSRS record" in html
    assert '<span class="log-added">0</span>' in html


def test_what_is_worked_out_from_the_settings_follows_every_change(tmp_path):
    """The plan, the scheduler and the limits are kept per settings version: a change
    through the profile, or a reload after an import, is seen at once."""
    from trainer.profiles import settings as profile_settings
    from trainer.profiles.store import ProfileStore
    from trainer.study import plan

    profile = ProfileStore(tmp_path).get("p" * 22)
    before = profile_settings.scheduler_for_profile(profile)
    assert profile_settings.scheduler_for_profile(profile) is before  # kept
    assert profile_settings.new_limit(profile) == profile_settings.NEW_LIMIT_DEFAULT
    profile.update_settings(desired_retention=0.8, new_per_day=3, learn_ahead_minutes=0)
    assert profile_settings.scheduler_for_profile(profile) is not before
    assert profile_settings.scheduler_for_profile(profile).desired_retention == 0.8
    assert profile_settings.new_limit(profile) == 3
    assert profile_settings.learn_ahead_seconds(profile) == 0
    assert plan.current_plan(profile) is None
    profile.merge_import(settings={"new_per_day": 7})  # reloads the file
    assert profile_settings.new_limit(profile) == 7


def test_a_settings_write_that_fails_leaves_nothing_stale(tmp_path, monkeypatch):
    from trainer.profiles import settings as profile_settings
    from trainer.profiles.store import ProfileStore

    profile = ProfileStore(tmp_path).get("q" * 22)
    assert profile_settings.new_limit(profile) == profile_settings.NEW_LIMIT_DEFAULT
    storage = profile._db.storage

    def refuse(_data):
        raise OSError("disk full")

    monkeypatch.setattr(storage, "write", refuse)
    with pytest.raises(OSError):
        profile.update_settings(new_per_day=2)
    monkeypatch.undo()
    assert profile_settings.new_limit(profile) == profile.settings.get(
        "new_per_day", profile_settings.NEW_LIMIT_DEFAULT)
