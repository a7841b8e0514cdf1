"""Live sessions through the test client: hosting, joining, polling, leaks, refusals, resume."""

import csv
import io
import re

import pytest

from tests.conftest import csrf_from
from trainer import create_app
from trainer.live import limits
from trainer.live import rooms as R
from trainer.live import store as store_module

HX = {"HX-Request": "true"}
ANSWER_MARK = "Answer body"  # every model answer in the sample pack starts so
WHY_MARK = "Reason "
POINT_MARK = "point 1 a"
FOLLOW_UP_MARK = "follow-up "


class Person:
    """One browser: its own cookie jar and CSRF token."""

    def __init__(self, app, start="/live/", address=None):
        self.client = app.test_client()
        if address:
            self.client.environ_base["REMOTE_ADDR"] = address
        self.csrf = csrf_from(self.client.get(start).get_data(as_text=True))

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, htmx=True, **kw):
        headers = dict(HX) if htmx else {}
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})},
                                headers=headers, **kw)


def host_session(app, address=None, **form):
    host = Person(app, address=address)
    data = {"pack": "sample", "count": "3", **form}
    response = host.post("/live/", data, htmx=False)
    assert response.status_code == 303, response.get_data(as_text=True)
    code = response.headers["Location"].rsplit("/", 2)[-2]
    return host, code


def join(app, code, name, **form):
    person = Person(app)
    page = person.get(f"/live/{code}").get_data(as_text=True)
    person.csrf = csrf_from(page)
    response = person.post(f"/live/{code}/join", {"name": name, **form}, htmx=False)
    assert response.status_code == 303, response.get_data(as_text=True)
    return person


def version_of(response):
    return response.headers["X-Live-Version"]


def test_host_creates_a_room_with_code_url_qr_and_roster(app):
    host, code = host_session(app, tags="sample", difficulty="junior", order="random",
                              timer="45", show_answers="1")
    assert re.fullmatch(f"[{R.CODE_ALPHABET}]{{9}}", code)
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert R.format_code(code) in page
    assert f"http://localhost/live/{code}" in page
    assert f'src="/live/{code}/qr.svg"' in page
    svg = host.get(f"/live/{code}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.data.startswith(b"<svg") and b"<path" in svg.data
    join(app, code, "Ann")
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert '<span class="name">Ann</span>' in page
    room = app.extensions["live_rooms"].get(code)
    assert room.timer == 45 and room.show_answers and len(room.question_ids) == 3


@pytest.mark.parametrize(("form", "message"), [
    ({"pack": "nope"}, "Pick a pack."),
    ({"tags": "no-such-tag"}, "No question in this pack matches"),
    ({"difficulty": "guru"}, "Difficulty is junior"),
    ({"count": "0"}, "Number of questions must be"),
    ({"count": "many"}, "Number of questions must be"),
    ({"timer": "601"}, "The timer must be"),
    ({"order": "shuffled"}, "Order is fixed or random"),
])
def test_create_form_refuses_bad_settings_with_a_message(app, form, message):
    host = Person(app)
    response = host.post("/live/", {"pack": "sample", **form}, htmx=False)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert len(app.extensions["live_rooms"]) == 0


def test_every_post_needs_the_csrf_token(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    for client, url in [(host.client, f"/live/{code}/host/start"),
                        (ann.client, f"/live/{code}/answer"),
                        (ann.client, f"/live/{code}/join"),
                        (host.client, "/live/")]:
        assert client.post(url, data={"text": "x", "pack": "sample"}).status_code == 400
    assert app.extensions["live_rooms"].get(code).state == R.LOBBY


def test_polls_answer_no_change_until_the_host_acts(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    first = ann.get(f"/live/{code}")
    v = version_of(first)
    assert f'hx-get="/live/{code}/stage?v={v}"' in first.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in first.get_data(as_text=True)
    quiet = ann.get(f"/live/{code}/stage?v={v}", headers=HX)
    assert quiet.status_code == 200 and quiet.data == b""
    assert quiet.headers["HX-Reswap"] == "none"
    hv = version_of(host.get(f"/live/{code}/host"))
    assert host.get(f"/live/{code}/host/stage?v={hv}", headers=HX).data == b""
    assert host.post(f"/live/{code}/host/start").status_code == 200
    fresh = ann.get(f"/live/{code}/stage?v={v}", headers=HX)
    body = fresh.get_data(as_text=True)
    assert fresh.status_code == 200 and body.lstrip().startswith('<section id="stage"')
    assert 'data-state="question"' in body and "<html" not in body
    assert version_of(fresh) != v
    assert host.get(f"/live/{code}/host/stage?v={hv}", headers=HX).data != b""


def test_the_model_answer_never_reaches_a_participant_before_the_reveal(app):
    host, code = host_session(app, count="2", show_answers="1")
    ann = join(app, code, "Ann")
    bob = join(app, code, "Bob")
    host.post(f"/live/{code}/host/start")
    ann.post(f"/live/{code}/answer", {"text": "my guess", "confidence": "unsure"})
    participant_urls = [f"/live/{code}", f"/live/{code}/stage", f"/live/{code}/stage?v=0",
                        f"/live/{code}/qr.svg", f"/live/{code}/summary",
                        f"/live/{code}/summary.md", f"/live/{code}/summary.csv"]
    for person in (ann, bob):
        for url in participant_urls:
            for headers in ({}, HX):
                body = person.get(url, headers=headers).get_data(as_text=True)
                for secret in (ANSWER_MARK, WHY_MARK, POINT_MARK, FOLLOW_UP_MARK):
                    assert secret not in body, (url, headers)
        body = person.post(f"/live/{code}/answer", {"text": "again"}).get_data(as_text=True)
        assert ANSWER_MARK not in body
    host_page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert ANSWER_MARK not in host_page  # the projector does not show it either
    host.post(f"/live/{code}/host/reveal")
    revealed = bob.get(f"/live/{code}").get_data(as_text=True)
    assert ANSWER_MARK in revealed and POINT_MARK in revealed
    assert FOLLOW_UP_MARK in revealed  # follow-ups, for the team to talk over
    assert "again" in revealed  # the team's answers, as the host allowed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in revealed


def test_only_the_host_controls_the_room(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    join(app, code, "Bob")
    stranger = Person(app)
    room = app.extensions["live_rooms"].get(code)
    for person in (ann, stranger):
        for action in ("start", "reveal", "next", "lock", "unlock", "finish"):
            assert person.post(f"/live/{code}/host/{action}").status_code == 403
        bob_pid = next(p.pid for p in room.participants.values() if p.name == "Bob")
        assert person.post(f"/live/{code}/host/kick", {"pid": bob_pid}).status_code == 403
        assert person.get(f"/live/{code}/host").status_code == 403
        assert person.get(f"/live/{code}/host/stage?v=0").status_code == 403
    assert room.state == R.LOBBY and len(room.participants) == 2 and not room.locked
    assert host.post(f"/live/{code}/host/start").status_code == 200
    assert room.state == R.QUESTION


def test_a_participant_acts_only_for_themselves(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    stranger = Person(app)
    host.post(f"/live/{code}/host/start")
    assert stranger.post(f"/live/{code}/answer", {"text": "hi"}).status_code == 403
    assert stranger.get(f"/live/{code}/stage?v=0").status_code == 403
    # A form field cannot name someone else: the token only comes from the cookie.
    ann.post(f"/live/{code}/answer", {"text": "mine", "token": "whatever", "pid": "x"})
    room = app.extensions["live_rooms"].get(code)
    assert [p.name for p in room.answered()] == ["Ann"]
    page = ann.get(f"/live/{code}").get_data(as_text=True)
    for person in room.participants.values():
        assert person.token not in page  # tokens never appear in a page
    assert room.host_token not in host.get(f"/live/{code}/host").get_data(as_text=True)


def test_reload_keeps_identity_answer_and_score(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    host.post(f"/live/{code}/host/start")
    ann.post(f"/live/{code}/answer", {"text": "kept across reloads", "confidence": "know"})
    page = ann.get(f"/live/{code}").get_data(as_text=True)
    assert "kept across reloads" in page and "Update answer" in page
    host.post(f"/live/{code}/host/reveal")
    ann.post(f"/live/{code}/grade", {"rating": "4"})
    page = ann.get(f"/live/{code}").get_data(as_text=True)
    assert "1 point<" in page and "You graded yourself" in page  # alone: no peer, capped
    again = ann.post(f"/live/{code}/join", {"name": "Ann two"}, htmx=False)
    assert again.status_code == 303  # already in: no second identity
    assert len(app.extensions["live_rooms"].get(code).participants) == 1


def test_a_kick_sticks(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    room = app.extensions["live_rooms"].get(code)
    pid = next(iter(room.participants.values())).pid
    assert host.post(f"/live/{code}/host/kick", {"pid": pid}).status_code == 200
    page = ann.get(f"/live/{code}")
    assert page.status_code == 403 and "You were removed" in page.get_data(as_text=True)
    assert ann.post(f"/live/{code}/join", {"name": "Ann again"}, htmx=False).status_code == 403
    assert ann.post(f"/live/{code}/join", {"name": "Ann"}, htmx=False).status_code == 403
    poll = ann.get(f"/live/{code}/stage?v=1.0", headers=HX)
    assert "You were removed" in poll.get_data(as_text=True)
    assert "hx-trigger" in poll.get_data(as_text=True)  # the host may still undo it
    host.post(f"/live/{code}/host/start")
    poll = ann.get(f"/live/{code}/stage?v={version_of(poll)}", headers=HX)
    assert "You were removed" in poll.get_data(as_text=True)
    assert "hx-trigger" not in poll.get_data(as_text=True)  # too late to undo: stops polling
    assert ann.post(f"/live/{code}/answer", {"text": "sneaky"}).status_code == 403
    assert len(room.participants) == 0
    # A fresh browser (cookie cleared) under the same name is refused too.
    fresh = Person(app, start=f"/live/{code}")
    refused = fresh.post(f"/live/{code}/join", {"name": "ann"}, htmx=False)
    assert refused.status_code == 403
    assert "removed someone of that name" in refused.get_data(as_text=True)


def test_lock_stops_late_joins_and_unlock_lets_them_in(app):
    host, code = host_session(app)
    host.post(f"/live/{code}/host/start")
    join(app, code, "Late but fine")
    host.post(f"/live/{code}/host/lock")
    late = Person(app)
    response = late.post(f"/live/{code}/join", {"name": "Too late"}, htmx=False)
    assert response.status_code == 403 and "locked" in response.get_data(as_text=True)
    host.post(f"/live/{code}/host/unlock")
    assert late.post(f"/live/{code}/join", {"name": "Too late"}, htmx=False).status_code == 303


def test_duplicate_and_oversized_names_are_refused_and_names_escaped(app):
    host, code = host_session(app)
    join(app, code, "<b>Ann</b>")
    eve = Person(app)
    for name, status in [("<B>ann</b>", 400), ("x" * 41, 400), ("   ", 400)]:
        assert eve.post(f"/live/{code}/join", {"name": name}, htmx=False).status_code == status
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page and "<b>Ann</b>" not in page


def test_answers_over_the_limit_are_refused_with_a_message(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    host.post(f"/live/{code}/host/start")
    plain = ann.post(f"/live/{code}/answer", {"text": "x" * 2001}, htmx=False)
    assert plain.status_code == 400 and "at most 2000 characters" in plain.get_data(as_text=True)
    shown = ann.post(f"/live/{code}/answer", {"text": "x" * 2001})
    assert "at most 2000 characters" in shown.get_data(as_text=True)
    assert not app.extensions["live_rooms"].get(code).answered()


def test_wrong_codes_are_rate_limited_per_address(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    guesser = Person(app)
    wrong = "ABCDEFGHJ" if code != "ABCDEFGHJ" else "KLMNPQRST"
    for _ in range(10):
        assert guesser.get(f"/live/{wrong}").status_code == 404
    assert guesser.get(f"/live/{wrong}").status_code == 429
    assert guesser.get(f"/live/{code}").status_code == 429  # even a right guess now
    assert guesser.get(f"/live/join?code={code}").status_code == 429
    # Teammates already in the room, behind the same address, carry on.
    assert ann.get(f"/live/{code}/stage?v=0", headers=HX).status_code == 200
    assert host.post(f"/live/{code}/host/start").status_code == 200
    other = app.test_client()
    assert other.get(f"/live/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_typed_code_finds_the_room(app):
    _, code = host_session(app)
    person = Person(app)
    typed = R.format_code(code).lower().replace("-", " ")
    response = person.get(f"/live/join?code={typed}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/live/{code}")
    missing = person.get("/live/join?code=nope")
    assert missing.status_code == 404 and "No live session has that code" in missing.get_data(
        as_text=True)


def play_through(app, host, code, people, grades, peer=2):
    host.post(f"/live/{code}/host/start")
    room = app.extensions["live_rooms"].get(code)
    for _round in range(len(room.question_ids)):
        for person in people:
            person.post(f"/live/{code}/answer", {"text": "an answer", "confidence": "know"})
        host.post(f"/live/{code}/host/reveal")
        for person, rating in zip(people, grades, strict=True):
            person.post(f"/live/{code}/grade", {"rating": str(rating)})
            for slot in range(R.PEER_TASKS):
                person.post(f"/live/{code}/rate", {"slot": str(slot), "rating": str(peer)})
        assert room.state == R.REVEALED and not room.still_grading()
        host.post(f"/live/{code}/host/next")
        host.post(f"/live/{code}/host/next")
    return room


def test_summary_page_and_downloads(app):
    host, code = host_session(app, count="2")
    ann, bob = join(app, code, "=Ann"), join(app, code, "Bob|Pipe")
    assert ann.get(f"/live/{code}/summary").status_code == 403  # not before the end
    room = play_through(app, host, code, [ann, bob], [4, 1])
    assert room.state == R.FINISHED
    page = ann.get(f"/live/{code}/summary")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Weakest topics" in text and "sample" in text and "2.50" in text
    md = host.get(f"/live/{code}/summary.md")
    assert md.mimetype == "text/markdown" and "attachment" in md.headers["Content-Disposition"]
    assert "Bob\\|Pipe" in md.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(ann.get(f"/live/{code}/summary.csv").get_data(
        as_text=True))))
    people = {row[2]: row for row in rows if row[0] == "person"}
    # Peers rated both answers 2: Ann's Easy is within one step (2 + 1 a round), Bob's
    # Again is not (2 a round).
    assert people["'=Ann"][-1] == "6"  # no formula in a spreadsheet
    assert people["Bob|Pipe"][-1] == "4"
    assert [row[11] for row in rows if row[0] == "question"] == ["2.50", "2.50"]


def test_opted_in_self_grades_count_in_personal_progress(app):
    host, code = host_session(app, count="1")
    ann = join(app, code, "Ann", progress="1")
    bob = join(app, code, "Bob")
    room = play_through(app, host, code, [ann, bob], [3, 3])
    question_id = room.question_ids[0]
    profiles = app.extensions["trainer"].profiles
    ids = [p.stem for p in profiles.folder.glob("*.json")]
    graded = {pid: profiles.get(pid).card("sample", question_id) for pid in ids}
    counted = [pid for pid, state in graded.items() if state is not None]
    assert len(counted) == 1
    assert graded[counted[0]]["last_rating"] == 3
    assert len(profiles.get(counted[0]).reviews()) == 1


def test_a_restarted_server_resumes_the_room(app, data_dir):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    host.post(f"/live/{code}/host/start")
    ann.post(f"/live/{code}/answer", {"text": "before the restart"})
    files = list((data_dir / "rooms").glob("*.json"))
    assert [f.name for f in files] == [f"{code}.json"]

    again = create_app(dict(app.config))  # a new process reads the same files
    for person in (host, ann):  # the browsers keep their signed cookies
        cookie = person.client.get_cookie("session")
        person.client = again.test_client()
        person.client.set_cookie("session", cookie.value, domain=cookie.domain)
    room = again.extensions["live_rooms"].get(code)
    assert room.state == R.QUESTION
    page = ann.get(f"/live/{code}").get_data(as_text=True)
    assert "before the restart" in page and "Ann" in page
    assert host.post(f"/live/{code}/host/reveal").status_code == 200
    assert room.state == R.REVEALED


def test_polls_do_not_write_but_changes_do(app, data_dir):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    path = data_dir / "rooms" / f"{code}.json"
    before = path.stat().st_mtime_ns
    v = version_of(ann.get(f"/live/{code}"))
    for _ in range(5):
        ann.get(f"/live/{code}/stage?v={v}", headers=HX)
        host.get(f"/live/{code}/host/stage?v=1", headers=HX)
    assert path.stat().st_mtime_ns == before
    host.post(f"/live/{code}/host/start")
    assert '"state":"question"' in path.read_text()


def test_expired_rooms_are_swept_with_their_files(app, data_dir):
    host, code = host_session(app)
    store = app.extensions["live_rooms"]
    real_clock = store.clock
    store.clock = lambda: real_clock() + R.IDLE_TTL + 10
    assert store.get(code) is None
    store.sweep()
    assert not (data_dir / "rooms" / f"{code}.json").exists()
    assert host.get(f"/live/{code}/host").status_code == 404


def test_an_open_tab_of_an_expired_room_stops_polling_and_is_no_guess(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    store = app.extensions["live_rooms"]
    real_clock = store.clock
    store.clock = lambda: real_clock() + R.IDLE_TTL + 10
    for _ in range(15):  # more than the wrong-code limit
        poll = ann.get(f"/live/{code}/stage?v=1.0", headers=HX)
        assert poll.status_code == 286  # htmx stops polling on 286
        assert "This session has ended" in poll.get_data(as_text=True)
        assert "hx-trigger" not in poll.get_data(as_text=True)
    assert host.get(f"/live/{code}/host/stage?v=1", headers=HX).status_code == 286
    assert ann.get(f"/live/{code}").status_code == 404
    store.clock = real_clock
    _, other = host_session(app)
    assert Person(app).get(f"/live/{other}").status_code == 200  # the address is not blocked


def test_a_double_press_does_not_skip_the_scoreboard(app):
    host, code = host_session(app)
    ann, bob = join(app, code, "Ann"), join(app, code, "Bob")
    for action in ("start", "reveal"):
        assert host.post(f"/live/{code}/host/{action}").status_code == 200
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    seen = re.search(r'name="stage" value="(\d+)"', page).group(1)
    assert host.post(f"/live/{code}/host/next", {"stage": seen}).status_code == 200
    room = app.extensions["live_rooms"].get(code)
    assert room.state == R.REVEALED  # two still grading: the first N only arms
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert "2 still grading" in page and 'name="confirm" value="1"' in page
    assert host.post(f"/live/{code}/host/next", {"stage": seen}).status_code == 200
    assert room.state == R.SCOREBOARD  # N again, on purpose
    again = host.post(f"/live/{code}/host/next", {"stage": seen})
    assert "already moved on" in again.get_data(as_text=True)
    assert room.state == R.SCOREBOARD and room.index == 0
    assert host.post(f"/live/{code}/host/next", {"stage": seen}, htmx=False).status_code == 409
    assert ann and bob


def test_n_moves_on_at_once_when_everyone_has_graded(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    host.post(f"/live/{code}/host/start")
    host.post(f"/live/{code}/host/reveal")
    ann.post(f"/live/{code}/grade", {"rating": "2"})
    host.post(f"/live/{code}/host/next")
    assert app.extensions["live_rooms"].get(code).state == R.SCOREBOARD


def test_a_host_action_out_of_turn_says_why(app):
    host, code = host_session(app)
    shown = host.post(f"/live/{code}/host/reveal")
    assert shown.status_code == 200
    assert "Not now: the session is at the lobby stage." in shown.get_data(as_text=True)
    plain = host.post(f"/live/{code}/host/reveal", htmx=False)
    assert plain.status_code == 409
    assert host.post(f"/live/{code}/host/explode").status_code == 404
    assert host.post(f"/live/{code}/host/kick", {"pid": "nobody"}).status_code == 200


def test_host_controls_carry_their_keys_and_warn_about_localhost(app):
    host, code = host_session(app)
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert 'data-keys="s S"' in page and 'data-keys="l L"' in page
    assert "teammates cannot reach that" in page  # opened as localhost
    cookie = host.client.get_cookie("session")
    host.client.set_cookie("session", cookie.value, domain="192.168.1.20")
    lan = host.get(f"/live/{code}/host", base_url="http://192.168.1.20:8000")
    text = lan.get_data(as_text=True)
    assert "teammates cannot reach that" not in text
    assert f"http://192.168.1.20:8000/live/{code}" in text
    host.post(f"/live/{code}/host/start")
    page = host.get(f"/live/{code}/host").get_data(as_text=True)
    assert 'data-keys="r R"' in page
    host.post(f"/live/{code}/host/reveal")
    assert 'data-keys="n N"' in host.get(f"/live/{code}/host").get_data(as_text=True)


def test_a_participant_can_switch_personal_progress_on_and_off(app):
    _host, code = host_session(app, count="1")
    ann = join(app, code, "Ann")
    room = app.extensions["live_rooms"].get(code)
    person = room.roster()[0]
    assert not person.progress
    page = ann.post(f"/live/{code}/progress", {"on": "1"}).get_data(as_text=True)
    assert person.progress and "Stop counting them" in page
    ann.post(f"/live/{code}/progress", {"on": "0"})
    assert not person.progress
    assert Person(app).post(f"/live/{code}/progress", {"on": "1"}).status_code == 403


def test_the_cookie_remembers_the_newest_rooms(app, monkeypatch):
    from trainer.views import live as views
    monkeypatch.setattr(views, "COOKIE_ROOMS_MAX", 2)
    host = Person(app)
    codes = []
    for _ in range(3):
        response = host.post("/live/", {"pack": "sample", "count": "1"}, htmx=False)
        codes.append(response.headers["Location"].rsplit("/", 2)[-2])
    assert host.get(f"/live/{codes[0]}/host").status_code == 403  # the oldest is forgotten
    assert host.get(f"/live/{codes[1]}/host").status_code == 200
    assert host.get(f"/live/{codes[2]}/host").status_code == 200


def test_a_session_ended_early_marks_the_questions_never_asked(app):
    host, code = host_session(app, count="3")
    ann = join(app, code, "Ann")
    host.post(f"/live/{code}/host/start")
    ann.post(f"/live/{code}/answer", {"text": "one"})
    host.post(f"/live/{code}/host/reveal")
    assert host.post(f"/live/{code}/host/finish").status_code == 200
    page = ann.get(f"/live/{code}/summary").get_data(as_text=True)
    assert page.count("(not asked)") == 2
    assert host.get(f"/live/{code}/summary.md").get_data(as_text=True).count("(not asked)") == 2


def test_a_host_hands_over_to_another_browser_once(app):
    host, code = host_session(app)
    ann = join(app, code, "Ann")
    assert ann.post(f"/live/{code}/host/handover", htmx=False).status_code == 403
    page = host.post(f"/live/{code}/host/handover", htmx=False)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    link = re.search(r'<p class="handover-link"><a href="([^"]+)"', html).group(1)
    assert 'src="data:image/svg+xml' in html  # its QR code, drawn on the server
    path = link.split("://", 1)[1].split("/", 1)[1]
    projector = Person(app, start=f"/{path}")  # the GET only asks to confirm
    assert projector.get(f"/live/{code}/host").status_code == 403
    taken = projector.post(f"/{path}", htmx=False)
    assert taken.status_code == 303 and taken.headers["Location"].endswith(f"/live/{code}/host")
    assert projector.post(f"/live/{code}/host/start").status_code == 200
    assert app.extensions["live_rooms"].get(code).state == R.QUESTION
    assert host.post(f"/live/{code}/host/reveal").status_code == 200  # still a host too
    other = Person(app, start=f"/{path}")
    refused = other.post(f"/{path}", htmx=False)
    assert refused.status_code == 403 and "works once" in refused.get_data(as_text=True)


# limits (issue #16: no one blocks the team) ------------------------------------------
def wrong_code(code):
    return "ABCDEFGHJ" if code != "ABCDEFGHJ" else "KLMNPQRST"


def create_status(person):
    response = person.post("/live/", {"pack": "sample", "count": "1"}, htmx=False)
    return response.status_code, response.get_data(as_text=True)


def test_a_flood_of_anonymous_rooms_does_not_stop_a_real_host(app, monkeypatch):
    rooms = app.extensions["live_rooms"]
    statuses = [create_status(Person(app, address="203.0.113.9"))[0] for _ in range(100)]
    assert statuses.count(303) == limits.ADDRESS_CREATES_PER_HOUR
    status, page = create_status(Person(app, address="203.0.113.9"))
    assert status == 429 and "Too many sessions were opened from your network" in page
    host_session(app, address="198.51.100.7")  # a real host elsewhere is not refused
    # A flood from many addresses fills the server: its empty, unwatched rooms make way.
    for n in range(store_module.ROOMS_MAX - len(rooms) - 1):
        create_status(Person(app, address=f"10.1.{n // 200}.{n % 200}"))
    _, code = host_session(app, address="198.51.100.8")  # the last place: a real team
    ann = join(app, code, "Ann")
    assert len(rooms) == store_module.ROOMS_MAX
    status, page = create_status(Person(app, address="198.51.100.9"))
    assert status == 503 and "finish one first" in page  # all of them minutes old
    later = rooms.clock() + limits.EMPTY_AFTER
    monkeypatch.setattr(rooms, "clock", lambda: later)
    _, code_2 = host_session(app, address="198.51.100.9")
    assert len(rooms) == store_module.ROOMS_MAX and rooms.get(code_2)
    assert ann.get(f"/live/{code}/stage?v=0", headers=HX).status_code == 200  # kept


def test_one_browser_keeps_a_few_rooms_open_at_a_time(app):
    host = Person(app)
    codes = []
    for _ in range(limits.BROWSER_ROOMS_MAX):
        response = host.post("/live/", {"pack": "sample", "count": "1"}, htmx=False)
        codes.append(response.headers["Location"].rsplit("/", 2)[-2])
    status, page = create_status(host)
    assert status == 429
    assert f"You have {limits.BROWSER_ROOMS_MAX} live sessions open; finish one first" in page
    assert create_status(Person(app))[0] == 303  # someone else, same address
    host.post(f"/live/{codes[0]}/host/finish")
    assert create_status(host)[0] == 303


def test_a_cross_site_wrong_code_counts_nothing(app):
    _, code = host_session(app)
    page_elsewhere = app.test_client()  # an <img src=/live/WRONG> on another site
    for n in range(15):
        response = page_elsewhere.get(f"/live/{wrong_code(code)}?n={n}",
                                      headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 404
    for site in ("same-site", "cross-site"):
        assert page_elsewhere.get(f"/live/{code}", headers={"Sec-Fetch-Site": site}
                                  ).status_code == 200
    newcomer = Person(app)
    assert newcomer.get(f"/live/join?code={code}").status_code == 303
    join(app, code, "Ann")


def test_one_browsers_wrong_codes_block_that_browser_not_the_office(app):
    _, code = host_session(app)
    typo = Person(app)
    for n in range(limits.WRONG_CODES_PER_BROWSER):
        response = typo.get(f"/live/join?code={wrong_code(code)}&n={n}",
                            headers={"Sec-Fetch-Site": "same-origin"})
        assert response.status_code == 404
    blocked = typo.get(f"/live/join?code={code}")
    assert blocked.status_code == 429
    assert "wrong session codes from this browser" in blocked.get_data(as_text=True)
    assert Person(app).get(f"/live/join?code={code}").status_code == 303  # same address
    join(app, code, "Bob")


def test_a_whole_address_waits_only_after_many_wrong_codes(app):
    _, code = host_session(app)
    ann = join(app, code, "Ann")
    for n in range(limits.WRONG_CODES_PER_ADDRESS):
        app.test_client().get(f"/live/{wrong_code(code)}?n={n}")  # no cookie: a script
    blocked = Person(app).get(f"/live/{code}")
    assert blocked.status_code == 429
    assert "from your network" in blocked.get_data(as_text=True)
    assert ann.get(f"/live/{code}/stage?v=0", headers=HX).status_code == 200  # a member
    assert Person(app, address="10.0.0.9").get(f"/live/{code}").status_code == 200


def host_tokens_in(person):
    with person.client.session_transaction() as cookie:
        return dict(cookie.get("live_h", []))


def test_a_hand_over_gives_the_new_device_a_token_of_its_own(app):
    host, code = host_session(app)
    html = host.post(f"/live/{code}/host/handover", htmx=False).get_data(as_text=True)
    link = re.search(r'<p class="handover-link"><a href="([^"]+)"', html).group(1)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "1 browser hosts this session now" in html
    projector = Person(app, start=path)
    assert projector.post(path, htmx=False).status_code == 303
    again = projector.post(f"/live/{code}/host/handover", htmx=False).get_data(as_text=True)
    assert "2 browsers host this session now" in again
    original, handed = host_tokens_in(host)[code], host_tokens_in(projector)[code]
    room = app.extensions["live_rooms"].get(code)
    assert handed != original and room.host_tokens == [original, handed]
    assert projector.post(f"/live/{code}/host/start").status_code == 200
    assert host.post(f"/live/{code}/host/reveal").status_code == 200


def test_no_participant_id_in_any_participant_page(app):
    host, code = host_session(app, show_answers="1", count="1")
    ann, bob = join(app, code, "Ann"), join(app, code, "Bob")
    room = app.extensions["live_rooms"].get(code)
    pids = [p.pid for p in room.participants.values()]
    pages = []
    host.post(f"/live/{code}/host/start")
    for person in (ann, bob):
        person.post(f"/live/{code}/answer", {"text": "an answer"})
        pages.append(person.get(f"/live/{code}").get_data(as_text=True))
    host.post(f"/live/{code}/host/reveal")
    for person in (ann, bob):
        person.post(f"/live/{code}/grade", {"rating": "2"})
        pages.append(person.post(f"/live/{code}/rate", {"slot": "0", "rating": "1"})
                     .get_data(as_text=True))
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/next")
    for person in (ann, bob):
        pages.append(person.get(f"/live/{code}").get_data(as_text=True))
        pages.append(person.get(f"/live/{code}/summary").get_data(as_text=True))
    assert room.state == R.FINISHED
    for page in pages:
        assert not any(pid in page for pid in pids)
        assert "data-pid" not in page


def test_a_late_answer_says_why_and_the_printable_summary(app):
    host, code = host_session(app, timer="5", keep_answers="1", count="1")
    ann = join(app, code, "Ann")
    store = app.extensions["live_rooms"]
    host.post(f"/live/{code}/host/start")
    ann.post(f"/live/{code}/answer", {"text": "in time"})
    real_clock = store.clock
    store.clock = lambda: real_clock() + 60
    try:
        late = ann.post(f"/live/{code}/answer", {"text": "late"}).get_data(as_text=True)
    finally:
        store.clock = real_clock
    assert "Time&#39;s up" in late or "Time's up" in late
    host.post(f"/live/{code}/host/finish")
    page = host.get(f"/live/{code}/summary/print").get_data(as_text=True)
    assert "Per person and question" in page and "in time" in page
    assert "1 participant " in page or "1 participant<" in page or "1 participant ·" in page
