"""A live change is acknowledged only once it is on disk; unreadable room files are named."""

import json
import threading
import time

import pytest

from trainer import storage
from trainer.live import rooms as R
from trainer.live.store import RoomNotSaved, RoomStore


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def settings():
    return {"pack_id": "sample", "question_ids": ["q1", "q2"]}


def on_disk(folder, code):
    return json.loads((folder / f"{code}.json").read_text())["room"]["1"]


def refuse(src, dst):
    raise OSError(28, "No space left on device")


def started(folder):
    rooms = RoomStore(folder, clock=Clock())
    room = rooms.create(**settings())
    ann = rooms.apply(room, "join", "Ann")
    bob = rooms.apply(room, "join", "Bob")
    rooms.apply(room, "start")
    return rooms, room, ann, bob


def test_an_answer_the_disk_refuses_is_undone_and_refused(tmp_path, monkeypatch):
    rooms, room, ann, _ = started(tmp_path)
    before = on_disk(tmp_path, room.code)
    seen = room.view_version(ann.token)
    monkeypatch.setattr(storage.os, "replace", refuse)
    with pytest.raises(RoomNotSaved) as info:
        rooms.apply(room, "answer", ann.token, "lost?", "know")
    assert info.value.status == 503 and "No space left on device" in info.value.message
    assert room.participant(ann.token).entry(0) is None  # not shown as sent
    assert room.answered() == []  # nor counted
    assert on_disk(tmp_path, room.code) == before
    assert room.version > before["version"]  # no screen drawn from the undone change matches
    assert room.view_version(ann.token) != seen
    monkeypatch.undo()
    rooms.apply(room, "answer", ann.token, "kept", "know")
    assert on_disk(tmp_path, room.code)["participants"][0]["answers"]["0"]["text"] == "kept"
    resumed = RoomStore(tmp_path, clock=Clock()).get(room.code)
    assert resumed.participant(ann.token).entry(0)["text"] == "kept"


def test_a_change_queued_behind_a_failed_write_is_refused_too(tmp_path, monkeypatch):
    """Bob's answer is made while Ann's write fails: it was never on disk, so it fails too."""
    rooms, room, ann, bob = started(tmp_path)
    writing, go = threading.Event(), threading.Event()

    def slow_refuse(src, dst):
        writing.set()
        go.wait(10)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(storage.os, "replace", slow_refuse)
    errors = {}

    def answer(person, text):
        try:
            rooms.apply(room, "answer", person.token, text, "know")
        except RoomNotSaved as exc:
            errors[person.name] = exc.message

    first = threading.Thread(target=answer, args=(ann, "from Ann"))
    first.start()
    assert writing.wait(10)
    second = threading.Thread(target=answer, args=(bob, "from Bob"))
    second.start()
    deadline = time.monotonic() + 10
    while room.participant(bob.token).entry(0) is None and time.monotonic() < deadline:
        time.sleep(0.005)  # Bob's answer is in memory, his write waits for Ann's
    monkeypatch.undo()
    go.set()
    first.join(10)
    second.join(10)
    assert sorted(errors) == ["Ann", "Bob"]
    assert "Input/output error" in errors["Ann"]
    assert room.answered() == []
    rooms.apply(room, "answer", bob.token, "again", "know")
    assert [p["name"] for p in on_disk(tmp_path, room.code)["participants"]
            if p["answers"]] == ["Bob"]


def test_a_room_the_disk_refuses_to_create_is_not_kept(tmp_path, monkeypatch):
    rooms = RoomStore(tmp_path, clock=Clock())
    monkeypatch.setattr(storage.os, "replace", refuse)
    with pytest.raises(RoomNotSaved):
        rooms.create(**settings())
    monkeypatch.undo()
    assert len(rooms) == 0 and list(tmp_path.glob("*.json")) == []
    assert rooms.get(rooms.create(**settings()).code) is not None


@pytest.mark.parametrize("content", [
    "[]", '{"room": []}', '{"room": {"1": [1]}}', '{"room": {"1": {"code": 5}}}'])
def test_a_room_file_of_the_wrong_shape_is_reported_by_name(tmp_path, content):
    bad = tmp_path / "ABCDEFGHJ.json"
    bad.write_text(content)
    rooms = RoomStore(tmp_path, clock=Clock())
    assert rooms.get("ABCDEFGHJ") is None
    assert len(rooms.problems) == 1 and str(bad) in rooms.problems[0]
    assert bad.read_text() == content
    bad.rename(tmp_path / "aside.bak")  # moved aside by the operator: no longer a problem
    assert rooms.problems == []


def test_healthz_names_an_unreadable_room_file(data_dir):
    from trainer import create_app

    (data_dir / "rooms").mkdir(parents=True)
    bad = data_dir / "rooms" / "ABCDEFGHJ.json"
    bad.write_text('{"room": []}')
    app = create_app({"DATA_DIR": data_dir, "SECRET_KEY": "k" * 40,
                      "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [], "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and str(bad) in body["detail"]
    assert len(body["problems"]) == 1
    bad.unlink()
    assert app.test_client().get("/healthz").status_code == 200


def test_the_web_answers_a_refused_write_with_the_reason(app, client, csrf, monkeypatch):
    rooms = app.extensions["live_rooms"]
    room = rooms.create(**settings())
    ann = rooms.apply(room, "join", "Ann")
    rooms.apply(room, "start")
    with client.session_transaction() as session:
        session["live_p"] = [[room.code, ann.token]]
    monkeypatch.setattr(storage.os, "replace", refuse)
    form = {"text": "my answer", "confidence": "know", "csrf_token": csrf}
    page = client.post(f"/live/{room.code}/answer", data=form)
    assert page.status_code == 503
    assert "Not saved" in page.get_data(as_text=True)
    fragment = client.post(f"/live/{room.code}/answer", data=form,
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Not saved" in fragment and "Answer sent" not in fragment
    assert room.participant(ann.token).entry(0) is None
    assert room.state == R.QUESTION
