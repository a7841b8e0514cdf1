"""Devices of one profile (profiles/devices.py), the theme setting, and their views."""

import re
import threading

import pytest

from tests.conftest import csrf_from
from trainer.profiles import devices
from trainer.profiles.appearance import ThemeRefused, next_theme, set_theme, theme
from trainer.profiles.store import Profile

CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/126.0.0.0 Mobile Safari/537.36")
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture
def profile(tmp_path):
    return Profile(tmp_path, "p" * 22)


@pytest.mark.parametrize(("agent", "name"), [
    (CHROME_ANDROID, "Chrome on Android"), (FIREFOX_LINUX, "Firefox on Linux"),
    (SAFARI_IPHONE, "Safari on iPhone"), ("", "Unknown browser"), ("curl/8.0", "Unknown browser"),
    ("x" * 10_000 + " Firefox/1", "Unknown browser"),
])
def test_browser_name_is_short(agent, name):
    assert devices.browser_name(agent) == name
    assert len(devices.browser_name(agent)) <= devices.NAME_MAX


def test_last_seen_is_written_at_most_once_a_minute(profile):
    assert devices.seen(profile, "device-one-id", CHROME_ANDROID, 1000.0)
    assert not devices.seen(profile, "device-one-id", CHROME_ANDROID, 1059.0)
    assert devices.devices(profile)[0]["seen"] == 1000.0
    assert devices.seen(profile, "device-one-id", CHROME_ANDROID, 1060.0)
    [listed] = devices.devices(profile)
    assert listed == {"id": "device-one-id", "name": "Chrome on Android", "added": 1000.0,
                      "seen": 1060.0}


def test_devices_are_listed_newest_first_and_bounded(profile):
    for number in range(devices.DEVICES_MAX + 3):
        devices.seen(profile, f"device-{number:06d}", FIREFOX_LINUX, 1000.0 + number)
    listed = devices.devices(profile)
    assert len(listed) == devices.DEVICES_MAX
    assert listed[0]["id"] == f"device-{devices.DEVICES_MAX + 2:06d}"


def test_an_unlinked_device_is_refused_for_good(profile):
    devices.seen(profile, "device-one-id", CHROME_ANDROID, 1000.0)
    devices.seen(profile, "device-two-id", FIREFOX_LINUX, 1000.0)
    assert devices.unlink(profile, "device-two-id")
    assert devices.is_unlinked(profile, "device-two-id")
    assert not devices.is_unlinked(profile, "device-one-id")
    assert not devices.seen(profile, "device-two-id", FIREFOX_LINUX, 5000.0)
    assert [d["id"] for d in devices.devices(profile)] == ["device-one-id"]
    assert not devices.unlink(profile, "device-two-id")  # not listed any more
    assert not devices.unlink(profile, "never-seen-id")


def test_a_link_works_once_within_ten_minutes(profile):
    secret = devices.offer_link(profile, 1000.0)
    assert secret not in str(profile.settings)  # only its hash is stored
    assert devices.link_is_open(profile, secret, 1000.0 + devices.LINK_TTL)
    assert not devices.take_link(profile, "x" * 32, 1001.0)
    assert devices.take_link(profile, secret, 1001.0)
    assert not devices.take_link(profile, secret, 1002.0)
    late = devices.offer_link(profile, 2000.0)
    assert not devices.take_link(profile, late, 2000.0 + devices.LINK_TTL + 1)
    assert not devices.take_link(profile, None, 2001.0)


def test_theme_setting(profile):
    assert theme(profile) == "auto"
    set_theme(profile, "dark")
    assert theme(profile) == "dark"
    with pytest.raises(ThemeRefused):
        set_theme(profile, "sepia")
    profile.update_settings(theme="sepia")  # a file edited by hand
    assert theme(profile) == "auto"
    assert [next_theme(t) for t in ("auto", "light", "dark", "?")] == [
        "light", "dark", "auto", "light"]


# views ----------------------------------------------------------------------------------

def profile_id_of(client):
    with client.session_transaction() as session:
        return session["profile"]


def started(app, agent=FIREFOX_LINUX):
    """A test client with a profile on disk (it graded a card) and its CSRF token."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/practice/sample/q1/grade", data={"rating": "3", "csrf_token": csrf},
                       ).status_code == 303
    return client, csrf


def link(app, first, csrf, agent=CHROME_ANDROID):
    """A second client attached to ``first``'s profile by the one-time link."""
    page = first.post("/profile/devices/link", data={"csrf_token": csrf})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    url = re.search(r'href="http://localhost(/profile/devices/take/[^"]+)"',
                    page.get_data(as_text=True)).group(1)
    second = app.test_client()
    second.environ_base["HTTP_USER_AGENT"] = agent
    confirm = second.get(url)
    assert confirm.status_code == 200
    assert profile_id_of(second) != profile_id_of(first)  # a GET changes nothing
    taken = second.post(url, data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert taken.status_code == 303
    assert profile_id_of(second) == profile_id_of(first)
    again = app.test_client().get(url)
    assert again.status_code == 404  # used up
    return second


def test_theme_is_saved_and_put_on_the_page(app):
    client, csrf = started(app)
    assert '<html lang="en" data-theme="auto">' in client.get("/stats").get_data(as_text=True)
    response = client.post("/profile/theme", data={"theme": "dark", "next": "/stats",
                                                   "csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"] == "/stats"
    assert 'data-theme="dark"' in client.get("/stats").get_data(as_text=True)
    assert client.post("/profile/theme", data={"theme": "x", "csrf_token": csrf}
                       ).status_code == 400
    away = client.post("/profile/theme", data={"theme": "light", "next": "//evil.example",
                                               "csrf_token": csrf})
    assert away.headers["Location"] == "/profile"
    assert client.post("/profile/theme", data={"theme": "dark"}).status_code in (400, 403)


def test_a_linked_device_shares_the_profile_and_can_be_unlinked(app):
    first, csrf = started(app)
    second = link(app, first, csrf)
    listing = first.get("/profile").get_data(as_text=True)
    assert "Firefox on Linux" in listing and "Chrome on Android" in listing
    assert listing.count('class="unlink"') == 1  # not this browser itself
    assert second.get("/stats").status_code == 200
    device = re.search(r'name="device" value="([^"]+)"', listing).group(1)
    with second.session_transaction() as session:
        assert session["device"] == device
    assert first.post("/profile/devices/unlink", data={"device": device, "csrf_token": csrf}
                      ).status_code == 303
    shared = profile_id_of(first)
    second.get("/")
    assert profile_id_of(second) != shared  # refused for good: a fresh profile
    assert "Chrome on Android" not in first.get("/profile").get_data(as_text=True)


def test_a_browser_cannot_unlink_itself(app):
    client, csrf = started(app)
    with client.session_transaction() as session:
        device = session["device"]
    assert client.post("/profile/devices/unlink", data={"device": device, "csrf_token": csrf}
                       ).status_code == 400


def test_a_wrong_link_is_404(app):
    client, _ = started(app)
    assert client.get(f"/profile/devices/take/{profile_id_of(client)}/{'a' * 32}"
                      ).status_code == 404
    assert client.get(f"/profile/devices/take/{'b' * 22}/{'a' * 32}").status_code == 404


def test_two_devices_grading_at_once_lose_nothing(app):
    first, csrf = started(app)
    second = link(app, first, csrf)
    second_csrf = csrf_from(second.get("/").get_data(as_text=True))
    questions = [f"q{n}" for n in range(1, 4)]
    errors = []

    def grade_all(client, token):
        try:
            for _ in range(5):
                for question in questions:
                    response = client.post(f"/practice/sample/{question}/grade",
                                           data={"rating": "3", "csrf_token": token})
                    assert response.status_code == 303
        except AssertionError as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=grade_all, args=pair)
               for pair in ((first, csrf), (second, second_csrf))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    profile = app.extensions["trainer"].profiles.get(profile_id_of(first))
    grades = [r for r in profile.reviews() if r.get("rating") == 3]
    assert len(grades) == 1 + 2 * 5 * len(questions)
    assert {c["question"] for c in profile.all_cards()} >= set(questions)
    assert len(devices.devices(profile)) == 2


def test_live_pages_follow_the_chosen_theme_too(app):
    """The live host and participant pages have their own frame (no app menu): the
    profile's theme still reaches it."""
    from tests.views.test_live import host_session

    host, code = host_session(app)
    host.post("/profile/theme", {"theme": "light", "next": f"/live/{code}/host"}, htmx=False)
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert '<html lang="en" class="live-html" data-theme="light">' in page
