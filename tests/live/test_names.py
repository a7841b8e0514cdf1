"""One person, one name: the look-alike skeleton (trainer/profiles/names.py) in a room."""

import pytest

from trainer.live import rooms as R
from trainer.live.rooms import Room, RoomError
from trainer.profiles.names import NameRefused, clean_display_name, name_key


@pytest.mark.parametrize("variant", [
    "ann", "ANN", "\uff21\uff4e\uff4e",  # case, fullwidth
    "\u0410nn", "\u0430nn",  # Cyrillic A
    "\u0391nn",  # Greek Alpha
    "A\u0301nn",  # an accent
    "A nn",  # a space
])
def test_look_alikes_share_one_key(variant):
    assert name_key(variant) == name_key("Ann")


@pytest.mark.parametrize(("one", "other"), [
    ("B1ll", "Bill"), ("BiII", "Bill"), ("B0b", "Bob"), ("Ma\u0433ia", "Maria"),
    ("rnary", "mary"), ("\u0440\u0430\u0443\u0440\u0430l", "paypal"),
])
def test_digits_and_other_scripts_pass_for_latin(one, other):
    assert name_key(one) == name_key(other)


def test_different_names_stay_different():
    assert name_key("Ann") != name_key("Anna")
    assert name_key("Bob") != name_key("Rob")


@pytest.mark.parametrize("raw", ["A\u200bnn", "Ann\u200d", "\u3164", "A\u034fnn",
                                 "\u2800", "An\u00adn", "Ann\u202e"])
def test_invisible_and_control_characters_are_refused(raw):
    with pytest.raises(NameRefused):
        clean_display_name(raw)


def test_a_removed_name_cannot_come_back_as_a_look_alike():
    room = Room.create("sample", ["q1"], 0)
    ann = room.join("Ann", 1)
    room.kick(ann.pid, 2)
    for variant in ["\u0410nn", "\uff41nn", "A\u0301nn", "ANN"]:
        with pytest.raises(RoomError) as info:
            room.join(variant, 3)
        assert info.value.status in (400, 403)
    room.join("Bo", 3)
    with pytest.raises(RoomError):
        room.join("B\u043e", 4)  # Cyrillic o
    assert len(room.participants) == 1
    assert R.name_key("B0") == R.name_key("Bo")
