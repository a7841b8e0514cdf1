"""The rules of a live room, without Flask: stages, joining, answers, grades, points."""

import math

import pytest

from trainer.live import rooms as R
from trainer.live.rooms import Room, RoomError


def make_room(n=3, timer=0, now=1000.0):
    return Room.create("sample", [f"q{i}" for i in range(1, n + 1)], now, timer=timer)


def codes_status(fn):
    with pytest.raises(RoomError) as info:
        fn()
    return info.value.status


def test_codes_are_long_random_and_readable_aloud():
    codes = {R.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert math.log2(len(R.CODE_ALPHABET)) * R.CODE_LENGTH >= 40
    for banned in "0O1I":
        assert banned not in R.CODE_ALPHABET
    assert all(len(c) == 9 and set(c) <= set(R.CODE_ALPHABET) for c in codes)
    assert R.format_code("ABCDEFGHJ") == "ABC-DEF-GHJ"
    assert R.normalize_code(" abc-def ghj ") == "ABCDEFGHJ"
    assert R.normalize_code("ABC-DEF-GH0") is None  # 0 is not in the alphabet
    assert R.normalize_code("ABCDEF") is None
    assert R.normalize_code(None) is None


def test_a_whole_session_moves_through_every_stage():
    room = make_room(n=2)
    ann = room.join("Ann", 1001)
    bob = room.join("Bob", 1002)
    assert room.state == R.LOBBY and room.question_id is None
    room.start(1003)
    assert (room.state, room.question_id) == (R.QUESTION, "q1")
    room.answer(ann.token, "An answer", "know", 1004)
    room.answer(bob.token, "", "no_idea", 1005)
    assert [p.name for p in room.answered()] == ["Ann", "Bob"]
    room.reveal(1006)
    room.grade(ann.token, 4, 1007)
    room.grade(bob.token, 1, 1008)
    assert [p.name for p in room.still_grading()] == ["Bob"]  # Bob rates Ann's answer
    room.rate(bob.token, 0, 3, 1008)
    room.next(1009)
    assert room.state == R.SCOREBOARD
    # Ann: peers 3 + 1 for an honest Easy; Bob sent only a confidence, graded Again: 0
    assert [(rank, p.name, s) for rank, p, s in room.scoreboard()] == [(1, "Ann", 4), (2, "Bob", 0)]
    room.next(1010)
    assert (room.state, room.question_id) == (R.QUESTION, "q2")
    room.reveal(1011)
    assert room.next(1012) is False  # two still grading: the first N only arms
    assert room.state == R.REVEALED and room.next_armed == room.stage
    room.next(1012)  # N again, on purpose
    room.next(1013)
    assert room.state == R.FINISHED
    with pytest.raises(RoomError):
        room.next(1014)


def test_host_actions_out_of_order_are_refused():
    room = make_room()
    assert codes_status(lambda: room.reveal(1)) == 409
    assert codes_status(lambda: room.next(1)) == 409
    room.start(2)
    assert codes_status(lambda: room.start(3)) == 409
    assert codes_status(lambda: room.next(3)) == 409  # reveal first
    version = room.version
    with pytest.raises(RoomError):
        room.start(4)
    assert room.version == version  # a refused action changes nothing


def test_a_stale_host_screen_cannot_move_the_session_twice():
    room = make_room()
    room.join("Ann", 1)
    room.step("start", room.stage, 2)
    room.step("reveal", room.stage, 3)
    room.grade(next(iter(room.participants)), 3, 3)
    seen = room.stage
    room.step("next", seen, 4)  # to the scoreboard
    assert room.state == R.SCOREBOARD
    assert codes_status(lambda: room.step("next", seen, 5)) == 409  # the second press of N
    assert room.state == R.SCOREBOARD and room.index == 0
    room.step("next", None, 6)  # no stage seen (a plain form from an old page): as asked
    assert room.state == R.QUESTION and room.index == 1
    assert codes_status(lambda: room.step("kick", room.stage, 7)) == 404


# Every action at every stage: what the rules allow (True) or refuse with a status.
ACTIONS = {
    "start": lambda room, t: room.start(t),
    "reveal": lambda room, t: room.reveal(t),
    "next": lambda room, t: room.next(t, confirm=True),
    "finish": lambda room, t: room.finish(t),
    "answer": lambda room, t: room.answer(room.token_of_ann, "an answer", None, t),
    "grade": lambda room, t: room.grade(room.token_of_ann, 3, t),
    "join": lambda room, t: room.join("Late", t),
}
ALLOWED = {
    R.LOBBY: {"start", "finish", "join"},
    R.QUESTION: {"reveal", "finish", "answer", "join"},
    R.REVEALED: {"next", "finish", "grade", "join"},
    R.SCOREBOARD: {"next", "finish", "join"},
    R.FINISHED: set(),
}


def room_at(stage):
    room = make_room(n=2)
    room.token_of_ann = room.join("Ann", 1).token
    for move in {R.LOBBY: [], R.QUESTION: ["start"], R.REVEALED: ["start", "reveal"],
                 R.SCOREBOARD: ["start", "reveal", "next"],
                 R.FINISHED: ["finish"]}[stage]:
        if move == "next":
            room.next(2, confirm=True)
        else:
            getattr(room, move)(2)
    assert room.state == stage
    return room


@pytest.mark.parametrize("stage", R.STATES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_at_every_stage(stage, action):
    room = room_at(stage)
    before = room.to_dict()
    if action in ALLOWED[stage]:
        ACTIONS[action](room, 3)
        assert room.version > before["version"]
    else:
        assert codes_status(lambda: ACTIONS[action](room, 3)) in (409, 410)
        assert room.to_dict() == before  # a refused action changes nothing


def test_names_are_unique_bounded_and_cleaned():
    room = make_room()
    assert room.join("  Ann   Lee ", 1).name == "Ann Lee"
    assert codes_status(lambda: room.join("ann lee", 2)) == 400
    assert codes_status(lambda: room.join("", 2)) == 400
    assert codes_status(lambda: room.join("x" * 41, 2)) == 400
    assert codes_status(lambda: room.join("bad\u202ename", 2)) == 400
    assert room.join("x" * 40, 2).name == "x" * 40
    assert room.join("<script>alert(1)</script>", 3).name == "<script>alert(1)</script>"


def test_late_join_unless_locked_and_a_full_room_refuses():
    room = make_room()
    room.start(1)
    late = room.join("Late", 2)
    room.answer(late.token, "yes", None, 3)
    room.set_locked(True, 4)
    assert codes_status(lambda: room.join("Later", 5)) == 403
    room.set_locked(False, 6)
    for i in range(R.PARTICIPANTS_MAX - 1):
        room.join(f"p{i}", 7)
    assert len(room.participants) == R.PARTICIPANTS_MAX
    assert codes_status(lambda: room.join("one too many", 8)) == 403


def test_finished_room_refuses_joins():
    room = make_room()
    room.finish(1)
    assert codes_status(lambda: room.join("Ann", 2)) == 410


def test_a_kicked_token_cannot_act_and_its_view_says_so():
    room = make_room()
    ann = room.join("Ann", 1)
    room.start(2)
    room.kick(ann.pid, 3)
    assert room.participant(ann.token) is None
    assert room.view_version(ann.token) == "kicked.undo"  # the host may still undo it
    assert codes_status(lambda: room.answer(ann.token, "hi", None, 4)) == 403
    assert codes_status(lambda: room.kick(ann.pid, 5)) == 404
    # The name stays taken, in any case or width: a fresh cookie under it is refused.
    for same in ("Ann", "ANN", "\uff21\uff4e\uff4e"):
        assert codes_status(lambda name=same: room.join(name, 6)) == 403
    assert room.join("Annie", 6).token != ann.token


def test_names_that_only_differ_in_width_or_case_are_the_same_name():
    room = make_room()
    room.join("Ann", 1)
    assert codes_status(lambda: room.join("\uff41\uff4e\uff4e", 2)) == 400  # fullwidth ann


def test_a_kick_redraws_other_screens_only_where_they_show_the_kicked_person():
    room = make_room()
    ann, bob = room.join("Ann", 1), room.join("Bob", 1)
    room.start(2)
    seen = room.view_version(bob.token)
    room.kick(ann.pid, 3)  # Bob may be typing his answer: his screen must not be redrawn
    assert room.view_version(bob.token) == seen
    carl = room.join("Carl", 3)
    room.reveal(4)
    room.next(5, confirm=True)  # scoreboard: every screen ranks everyone
    seen = room.view_version(bob.token)
    room.kick(carl.pid, 6)
    assert room.view_version(bob.token) != seen


def test_answers_are_bounded_and_need_something():
    room = make_room()
    ann = room.join("Ann", 1)
    assert codes_status(lambda: room.answer(ann.token, "early", None, 2)) == 409
    room.start(2)
    assert codes_status(lambda: room.answer(ann.token, "x" * 2001, None, 3)) == 400
    assert codes_status(lambda: room.answer(ann.token, "  ", None, 3)) == 400
    assert codes_status(lambda: room.answer(ann.token, "ok", "certain", 3)) == 400
    assert codes_status(lambda: room.answer("not-a-token", "ok", None, 3)) == 403
    room.answer(ann.token, "x" * 2000, None, 3)
    room.answer(ann.token, "changed my mind", "unsure", 4)
    assert ann.entry(0)["text"] == "changed my mind"


def test_the_timer_closes_answers_after_a_short_grace():
    room = make_room(timer=30, now=0)
    ann = room.join("Ann", 0)
    room.start(100)
    assert room.remaining(110) == 20
    room.answer(ann.token, "just in time", None, 100 + 30 + R.TIMER_GRACE)
    assert codes_status(lambda: room.answer(ann.token, "late", None, 133)) == 409
    room.reveal(140)
    assert room.remaining(140) is None


def test_self_grades_give_points_once_and_only_for_an_answer():
    room = make_room()
    ann, bob = room.join("Ann", 1), room.join("Bob", 1)
    room.start(2)
    room.answer(ann.token, "", "know", 3)
    assert codes_status(lambda: room.grade(ann.token, 3, 4)) == 409  # not revealed yet
    room.reveal(4)
    assert codes_status(lambda: room.answer(ann.token, "too late", None, 5)) == 409
    assert codes_status(lambda: room.grade(ann.token, 5, 5)) == 400
    room.grade(ann.token, 3, 5)
    assert codes_status(lambda: room.grade(ann.token, 4, 6)) == 409
    room.grade(bob.token, 4, 6)  # no answer sent: graded, no points
    # Nobody rated Ann's (confidence-only) answer: her self-grade counts, capped.
    assert (room.points_of(ann), room.points_of(bob)) == (R.SELF_ONLY_MAX, 0)
    assert sorted(p.name for p in room.graded()) == ["Ann", "Bob"]


def test_versions_move_so_polls_know_what_changed():
    room = make_room()
    ann = room.join("Ann", 1)
    bob = room.join("Bob", 1)
    host_v, ann_v, bob_v = room.version, room.view_version(ann.token), room.view_version(bob.token)
    room.start(2)
    assert room.version > host_v and room.view_version(ann.token) != ann_v
    host_v, ann_v, bob_v = room.version, room.view_version(ann.token), room.view_version(bob.token)
    room.answer(ann.token, "a", None, 3)
    assert room.version > host_v  # the host's roster shows who answered
    assert room.view_version(ann.token) != ann_v
    assert room.view_version(bob.token) == bob_v  # others' pages stay put: no re-render


def test_team_answers_have_no_names_and_only_text():
    room = make_room()
    ann, bob, cy = room.join("Ann", 1), room.join("Bob", 1), room.join("Cy", 1)
    room.start(2)
    room.answer(ann.token, "use a blueprint", None, 3)
    room.answer(bob.token, "", "unsure", 3)
    room.answer(cy.token, "app factory", None, 3)
    room.reveal(4)
    shown, total = room.team_answers()
    assert sorted(shown) == ["app factory", "use a blueprint"] and total == 2
    shown, total = room.team_answers(limit=1, chars=5)
    assert total == 2 and len(shown) == 1 and shown[0] in ("app…", "use…")


def test_a_room_round_trips_through_a_dict():
    room = make_room(timer=20)
    ann = room.join("Ann", 1)
    bob = room.join("Bob", 1)
    room.start(2)
    room.answer(ann.token, "a", "know", 3)
    room.kick(bob.pid, 4)
    copy = Room.from_dict(room.to_dict())
    assert copy.to_dict() == room.to_dict()
    assert copy.participant(ann.token).entry(0)["text"] == "a"
    assert copy.is_kicked(bob.token)
    assert copy.view_version(ann.token) == room.view_version(ann.token)


def test_rooms_expire_when_idle_or_long_finished():
    room = make_room(now=0)
    assert not room.is_expired(R.IDLE_TTL)
    assert room.is_expired(R.IDLE_TTL + 1)
    room.finish(10)
    assert not room.is_expired(10 + R.FINISHED_TTL)
    assert room.is_expired(11 + R.FINISHED_TTL)


def test_create_checks_its_settings():
    assert codes_status(lambda: Room.create("p", [], 0)) == 400
    assert codes_status(lambda: Room.create("p", ["q"] * 51, 0)) == 400
    assert codes_status(lambda: Room.create("p", ["q"], 0, timer=601)) == 400
    assert codes_status(lambda: Room.create("p", ["q"], 0, timer=-1)) == 400


def test_progress_opt_in_is_per_person_and_members_only():
    room = make_room()
    ann = room.join("Ann", 1)
    room.set_progress(ann.token, True, 2)
    assert ann.progress and ann.rev == 1
    assert codes_status(lambda: room.set_progress("nobody", True, 3)) == 403


def test_a_host_handover_secret_works_once_and_expires():
    room = make_room()
    secret = room.offer_handover(10)
    assert codes_status(lambda: room.take_handover("wrong", 11)) == 403
    token = room.take_handover(secret, 11)
    assert token != room.host_token and room.is_host(token) and room.is_host(room.host_token)
    assert codes_status(lambda: room.take_handover(secret, 12)) == 403  # used up
    late = room.offer_handover(20)
    assert room.offer_handover(21) != late  # a new offer replaces the last one
    assert codes_status(lambda: room.take_handover(late, 22)) == 403
    fresh = room.offer_handover(30)
    assert codes_status(lambda: room.take_handover(fresh, 31 + R.HANDOVER_TTL)) == 403
    copy = Room.from_dict(room.to_dict())  # a pending offer survives a restart
    assert copy.handover_secret == room.handover_secret
    room.finish(40)
    assert codes_status(lambda: room.offer_handover(41)) == 409


def test_each_host_device_has_its_own_token_and_the_first_is_never_handed_out():
    room = make_room()
    first = room.host_token
    devices = [room.take_handover(room.offer_handover(n), n) for n in range(1, R.HOSTS_MAX)]
    assert first not in devices and len(set(devices)) == R.HOSTS_MAX - 1
    assert all(room.is_host(token) for token in [first, *devices])
    assert not room.is_host("x" * len(first)) and not room.is_host(None)
    assert not room.is_host("")
    assert codes_status(lambda: room.offer_handover(50)) == 409
    copy = Room.from_dict(room.to_dict())
    assert copy.host_tokens == room.host_tokens and copy.host_token == first
    assert "host_token" not in room.to_dict()


def test_a_room_file_from_before_host_devices_still_loads():
    room = make_room()
    room.join("Ann", 1)
    old = room.to_dict()
    old["host_token"] = old.pop("host_tokens")[0]
    copy = Room.from_dict(old)
    assert copy.host_tokens == [room.host_token] and copy.is_host(room.host_token)
    assert copy.to_dict() == room.to_dict()
    old.pop("host_token")
    with pytest.raises(TypeError):
        Room.from_dict(old)
    with pytest.raises(ValueError, match="no host token"):
        Room.from_dict({**room.to_dict(), "host_tokens": []})
