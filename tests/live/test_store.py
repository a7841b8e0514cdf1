"""The room store: files on every change, resume after a restart, expiry, making way."""

import json
import threading

import pytest

from trainer.live import limits
from trainer.live import rooms as R
from trainer.live import store as store_module
from trainer.live.rooms import RoomError
from trainer.live.store import RoomStore


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def make(folder, clock=None):
    return RoomStore(folder, clock=clock or Clock())


def settings(n=2):
    return {"pack_id": "sample", "question_ids": [f"q{i}" for i in range(1, n + 1)]}


def on_disk(folder, code):
    data = json.loads((folder / f"{code}.json").read_text())
    return data["room"]["1"]


def test_every_change_is_on_disk_and_a_new_store_resumes(tmp_path):
    rooms = make(tmp_path)
    room = rooms.create(**settings(), timer=30)
    ann = rooms.apply(room, "join", "Ann", progress=True)
    rooms.apply(room, "start")
    rooms.apply(room, "answer", ann.token, "saved", "know")
    assert on_disk(tmp_path, room.code)["version"] == room.version

    again = make(tmp_path)
    resumed = again.get(room.code)
    assert resumed is not room
    assert resumed.to_dict() == room.to_dict()
    assert resumed.participant(ann.token).entry(0)["text"] == "saved"
    again.apply(resumed, "reveal")
    assert on_disk(tmp_path, room.code)["state"] == R.REVEALED


def test_a_refused_action_writes_nothing(tmp_path):
    rooms = make(tmp_path)
    room = rooms.create(**settings())
    before = (tmp_path / f"{room.code}.json").read_bytes()
    with pytest.raises(RoomError):
        rooms.apply(room, "reveal")
    assert (tmp_path / f"{room.code}.json").read_bytes() == before


def test_concurrent_answers_all_reach_the_disk(tmp_path):
    rooms = make(tmp_path)
    room = rooms.create(**settings())
    people = [rooms.apply(room, "join", f"p{i}") for i in range(40)]
    rooms.apply(room, "start")
    barrier = threading.Barrier(len(people))

    def answer(person):
        barrier.wait()
        rooms.apply(room, "answer", person.token, f"answer of {person.name}", None)

    threads = [threading.Thread(target=answer, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = on_disk(tmp_path, room.code)
    assert stored["version"] == room.version
    texts = {p["name"]: p["answers"]["0"]["text"] for p in stored["participants"]}
    assert texts == {p.name: f"answer of {p.name}" for p in people}


def test_an_unreadable_room_file_is_reported_and_left_alone(tmp_path):
    rooms = make(tmp_path)
    good = rooms.create(**settings())
    bad = tmp_path / "ABCDEFGHJ.json"
    bad.write_text("{not json")
    (tmp_path / "notes.json").write_text("{}")  # not a room code: ignored
    again = make(tmp_path)
    assert again.get(good.code) is not None
    assert again.get("ABCDEFGHJ") is None
    assert len(again.problems) == 1 and "ABCDEFGHJ" in again.problems[0]
    assert bad.read_text() == "{not json"


def test_expired_rooms_are_swept_on_the_next_look(tmp_path):
    clock = Clock()
    rooms = make(tmp_path, clock)
    idle = rooms.create(**settings())
    done = rooms.create(**settings())
    rooms.apply(done, "finish")
    clock.now += R.IDLE_TTL + 1
    assert rooms.get(idle.code) is None
    assert rooms.get(done.code) is done  # a finished room keeps its summary longer
    assert not (tmp_path / f"{idle.code}.json").exists()
    clock.now += R.FINISHED_TTL
    assert rooms.get(done.code) is None
    assert list(tmp_path.glob("*.json")) == []
    assert make(tmp_path, clock).get(done.code) is None


def test_a_store_at_start_drops_rooms_that_expired_while_it_was_down(tmp_path):
    clock = Clock()
    room = make(tmp_path, clock).create(**settings())
    clock.now += R.IDLE_TTL + 1
    make(tmp_path, clock)
    assert not (tmp_path / f"{room.code}.json").exists()


def test_too_many_open_rooms_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "ROOMS_MAX", 3)
    rooms = make(tmp_path)
    for _ in range(3):
        rooms.create(**settings())
    with pytest.raises(RoomError) as info:
        rooms.create(**settings())
    assert info.value.status == 503



def test_a_full_server_frees_finished_then_empty_unattended_rooms_first(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "ROOMS_MAX", 4)
    clock = Clock()
    rooms = make(tmp_path, clock)
    busy, watched, empty, done = (rooms.create(**settings()) for _ in range(4))
    rooms.apply(busy, "join", "Ann")
    rooms.apply(done, "finish")
    clock.now += limits.EMPTY_AFTER
    watched.host_seen(clock.now - 1)  # its host screen is open
    first = rooms.create(**settings())  # the finished room makes way
    assert rooms.get(done.code) is None and not (tmp_path / f"{done.code}.json").exists()
    rooms.create(**settings())  # then the empty room no host screen looks at
    assert rooms.get(empty.code) is None
    with pytest.raises(RoomError) as info:  # busy and watched rooms stay
        rooms.create(**settings())
    assert info.value.status == 503
    assert all(rooms.get(r.code) for r in (busy, watched, first))
    clock.now += limits.QUIET_AFTER  # an hour with nothing happening, no host screen
    rooms.create(**settings())
    assert rooms.get(watched.code) is None  # an empty room before one people are in
    assert rooms.get(busy.code) is not None and len(rooms) == 4
