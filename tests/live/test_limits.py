"""The limits: wrong codes per browser, per address and from other sites; room creation."""

import pytest

from trainer.live import limits as L
from trainer.live.rooms import Room, RoomError


class Clock:
    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


def test_a_browsers_wrong_codes_block_that_browser_not_its_neighbours():
    clock = Clock()
    throttle = L.JoinThrottle(clock=clock, per_browser=3, per_address=10)
    typo = L.Caller("10.0.0.1", "browser-a")
    neighbour = L.Caller("10.0.0.1", "browser-b")
    for _ in range(3):
        assert throttle.blocked(typo) is None
        throttle.fail(typo)
    assert throttle.blocked(typo) == "browser"
    assert throttle.blocked(neighbour) is None
    clock.now = 61
    assert throttle.blocked(typo) is None


def test_an_address_is_blocked_only_after_many_wrong_codes():
    throttle = L.JoinThrottle(clock=Clock(), per_browser=3, per_address=10)
    for n in range(10):
        throttle.fail(L.Caller("10.0.0.1", f"browser-{n}"))
    assert throttle.blocked(L.Caller("10.0.0.1", "someone-new")) == "address"
    assert throttle.blocked(L.Caller("10.0.0.1")) == "address"  # no cookie either
    assert throttle.blocked(L.Caller("10.0.0.2", "someone-new")) is None


def test_requests_from_other_sites_count_only_against_other_sites():
    throttle = L.JoinThrottle(clock=Clock(), per_browser=3, per_address=10,
                              from_other_sites=20)
    foreign = L.Caller("10.0.0.1", None, first_party=False)
    for _ in range(19):
        throttle.fail(foreign)
    assert throttle.blocked(L.Caller("10.0.0.1")) is None
    assert throttle.blocked(L.Caller("10.0.0.1", "browser-a")) is None
    assert throttle.blocked(foreign) is None
    throttle.fail(foreign)
    assert throttle.blocked(foreign) == "other_sites"  # a script faking the header
    assert throttle.blocked(L.Caller("10.0.0.1", "browser-a")) is None
    assert set(L.BLOCKED_MESSAGES) == {"browser", "address", "other_sites"}


def test_the_counter_forgets_the_oldest_key_when_full():
    counter = L.WindowCounter(limit=1, window=60, clock=Clock(), max_keys=2)
    for key in ("a", "b", "c"):
        counter.add(key)
    assert not counter.full("a")
    assert counter.full("b") and counter.full("c")
    assert not counter.full(None)


def test_creation_is_limited_per_browser_and_per_address_an_hour():
    clock = Clock()
    limits = L.CreateLimits(clock=clock, per_browser=2, per_address_hour=3)
    limits.check("10.0.0.1", open_rooms=1)
    with pytest.raises(RoomError) as info:
        limits.check("10.0.0.1", open_rooms=2)
    assert info.value.status == 429 and "You have 2 live sessions open" in info.value.message
    for _ in range(3):
        limits.opened("10.0.0.1")
    with pytest.raises(RoomError) as info:
        limits.check("10.0.0.1", open_rooms=0)
    assert info.value.status == 429 and "from your network in the last hour" in info.value.message
    limits.check("10.0.0.2", open_rooms=0)
    clock.now = 3601
    limits.check("10.0.0.1", open_rooms=0)


def test_which_rooms_make_way_and_in_which_order():
    def room(now=0):
        return Room.create("p", ["q1", "q2"], now)

    empty, busy, done, watched = room(), room(), room(), room()
    busy.join("Ann", 0)
    done.finish(0)
    watched.host_seen(L.EMPTY_AFTER)
    now = L.EMPTY_AFTER
    assert L.freeable(done, now) < L.freeable(empty, now)
    assert L.freeable(busy, now) is None and L.freeable(watched, now) is None
    assert L.freeable(empty, now - 1) is None
    later = L.EMPTY_AFTER + L.QUIET_AFTER
    assert L.freeable(empty, later) < L.freeable(busy, later)
    assert L.freeable(done, 0) is not None  # finished is finished, however recent
