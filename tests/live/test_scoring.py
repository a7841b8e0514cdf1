"""Scores that reward knowing: the peer round, the stated rule, ties, the podium, N's
confirm, time's up, removal kept and undone, shuffled anonymous answers."""

import pytest

from trainer.live import rooms as R
from trainer.live import summary as S
from trainer.live.rooms import Room, RoomError


def room_with(names, n=1, **kw):
    room = Room.create("sample", [f"q{i}" for i in range(n)], 0, **kw)
    return room, {name: room.join(name, 1) for name in names}


def test_round_points_follow_the_rule():
    rp = Room.round_points
    assert rp(None) == (0, 0)
    assert rp({"at": None, "grade": 4}) == (0, 0)  # no answer, no points
    assert rp({"at": 1, "grade": 4}) == (R.SELF_ONLY_MAX, 0)  # no peer: capped
    assert rp({"at": 1, "grade": 4, "peer": [0, 1]}) == (1, 1)  # Easy on 0.5: no bonus
    assert rp({"at": 1, "grade": 1, "peer": [0, 1]}) == (2, 1)  # honest Again wins
    assert rp({"at": 1, "grade": 3, "peer": [3, 3]}) == (4, 3)


def test_always_pressing_easy_cannot_win():
    room, people = room_with(["Ann", "Bob", "Cy", "Dee"])
    room.start(2)
    for name, person in people.items():
        room.answer(person.token, f"answer of {name}", None, 3)
    room.reveal(4)
    good = {people["Ann"].token, people["Bob"].token}
    for name, person in people.items():
        room.grade(person.token, 4 if name in ("Cy", "Dee") else 3, 5)
        tasks = room.peer_tasks[person.token]
        assert person.token not in tasks and len(tasks) == R.PEER_TASKS
        for slot, target in enumerate(tasks):
            room.rate(person.token, slot, 3 if target in good else 0, 6)
    assert not room.still_grading()
    top = [p.name for _, p, _ in room.scoreboard()[:2]]
    assert sorted(top) == ["Ann", "Bob"]
    with pytest.raises(RoomError):
        room.rate(people["Ann"].token, 0, 2, 7)  # once each


def test_ties_break_by_peer_points_then_answers_and_the_podium():
    room, people = room_with(["Ann", "Bob", "Cy"], n=2)
    ann, bob, cy = people.values()
    ann.answers = {"0": {"at": 1, "grade": 1, "peer": [1]}, "1": {"at": 1}}  # 2 (1 peer)
    bob.answers = {"0": {"at": 1, "grade": 4}, "1": {"at": 1, "grade": 4}}  # 1 + 1
    cy.answers = {"0": {"at": 1, "grade": 2}}  # 1
    room.version += 1
    board = [(rank, p.name, pts) for rank, p, pts in room.scoreboard()]
    assert board == [(1, "Ann", 2), (2, "Bob", 2), (3, "Cy", 1)]
    assert [p.name for _, p, _ in room.podium()] == ["Ann", "Bob", "Cy"]
    assert "Ties" in R.SCORING_RULE


def test_n_arms_before_leaving_a_reveal_while_people_grade():
    room, _people = room_with(["Ann", "Bob"], n=2)
    room.start(2)
    room.reveal(3)
    stage = room.stage
    assert room.step("next", stage, 4) is False and room.state == R.REVEALED
    assert room.next_armed == stage
    room.step("next", stage, 5)
    assert room.state == R.SCOREBOARD
    room.next(6)
    room.reveal(7)
    assert room.next_armed == 0  # a new reveal needs its own second press
    room.step("next", room.stage, 8, confirm=True)  # the confirm flag moves at once
    assert room.state == R.SCOREBOARD


def test_time_is_up_says_so_and_auto_reveal_waits_for_the_grace():
    room, people = room_with(["Ann"], timer=10, auto_reveal=True)
    room.start(100)
    with pytest.raises(RoomError) as info:
        room.answer(people["Ann"].token, "late", None, 100 + 10 + R.TIMER_GRACE + 1)
    assert "Time's up" in info.value.message
    assert not room.reveal_due(111)
    version = room.version
    room.tick(111)
    assert room.version == version  # nothing due: no change, nothing written
    room.tick(113)
    assert room.state == R.REVEALED
    assert not Room.create("s", ["q"], 0, auto_reveal=True).auto_reveal  # needs a timer


def test_team_answers_are_shuffled_per_reveal():
    room, people = room_with([f"P{i}" for i in range(12)], n=8)
    orders = set()
    for i in range(8):
        room.next(i * 10, confirm=True) if i else room.start(0)
        for person in people.values():
            room.answer(person.token, f"{person.name}", None, i * 10 + 1)
        room.reveal(i * 10 + 2)
        orders.add(tuple(room.team_answers()[0]))
        room.next(i * 10 + 3, confirm=True)
    assert len(orders) > 1


def test_a_removal_is_kept_marked_and_undone_until_the_next_question():
    room, people = room_with(["Ann", "Bob"], n=2, keep_answers=True)
    ann = people["Ann"]
    room.start(2)
    room.answer(ann.token, "mine", None, 3)
    room.kick(ann.pid, 4)
    assert [p.name for p in room.restorable()] == ["Ann"]
    room.restore(ann.pid, 5)
    assert room.participant(ann.token) is ann and not room.is_kicked(ann.token)
    room.kick(ann.pid, 6)
    room.reveal(7)
    room.next(8, confirm=True)
    room.next(9)  # the next question: too late to undo
    with pytest.raises(RoomError) as info:
        room.restore(ann.pid, 10)
    assert info.value.status == 409
    copy = Room.from_dict(room.to_dict())
    data = S.build(copy, None)
    assert any(p["name"] == "Ann" and p["removed"] for p in data["people"])
    rows = [r for r in data["rows"] if r["name"] == "Ann" and r["number"] == 1]
    assert rows[0]["answered"] and rows[0]["text"] == "mine" and rows[0]["seconds"] == 1
    csv_text = S.to_csv(data)
    assert "round,1,Ann,yes,yes,1" in csv_text and "mine" in csv_text
    assert "Ann (removed)" in S.to_markdown(copy, data)


def test_plural():
    assert (R.plural(1, "point"), R.plural(0, "point"), R.plural(2, "point")) == (
        "1 point", "0 points", "2 points")
