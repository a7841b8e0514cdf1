"""Live team sessions (issues 5, 15): 50, 200, 500, 1,000 simulated participants
polling one room, until fan-out passes FANOUT_LIMIT_S or the server's CPU CPU_LIMIT_PCT of
a core: the one-process ceiling (docs/performance.md).

Each participant is a browser as htmx drives it: its own keep-alive connection and
signed session cookie, joined through the join form, then ``GET /live/<code>/stage?v=``
every second with the version its page was drawn at (the phases spread over the
second, as real browsers' are). Meanwhile the host starts the session, reveals and
moves on. Measured, per room size:

* the server's CPU while the room runs, as % of one core (``/proc``, the server
  process only);
* p99 latency of a poll (mostly "no change": 200, empty body);
* fan-out: from a host action's response until the last participant's poll has
  brought the new stage, the worst of the three actions;
* then the moment every room dreads: all participants send an answer of about 300
  characters at once (as htmx does, the new stage comes back in the answer's response),
  and after the reveal all grade themselves at once. p99 of an answer and of a grade,
  how long the whole burst took, and the size of the room file on disk afterwards (each
  answer changes the room, and group commit writes many answers in one rewrite).

Skipped, with the reason printed, when the build has no live sessions.
"""

import importlib.util
import threading
import time
from urllib.parse import urlencode

from bench.client import Connection, Request
from bench.stats import percentile

ROUND_SECONDS = 3.0  # between host actions
ACTIONS = ("start", "reveal", "next")
SETTLE_SECONDS = 2.0  # polling before the first action
POLL_INTERVAL = 1.0
WORKER_SHARE = 8  # participants per client thread
SIZES = (50, 200, 500, 1000)
FANOUT_LIMIT_S = 1.5
CPU_LIMIT_PCT = 80.0


def live_feature_present():
    return importlib.util.find_spec("trainer.live") is not None


class Browser:
    """A cookie jar of one: keeps the ``session`` cookie the server last set."""

    def __init__(self, user, server):
        self.user = user
        self.cookie = user.cookie
        self.conn = Connection(server.host, server.port)

    def headers(self, **extra):
        return {"Cookie": f"session={self.cookie}", **extra}

    def send(self, request, allow=(200,)):
        conn = self.conn.conn
        began = time.perf_counter()
        conn.request(request.method, request.path, body=request.body, headers=request.headers)
        response = conn.getresponse()
        body = response.read()
        took = time.perf_counter() - began
        if response.status not in allow:
            raise RuntimeError(f"{request.method} {request.path} answered {response.status}: "
                               f"{body[:300]!r}")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split("=", 1)[1].split(";", 1)[0]
        return response, body, took

    def post_form(self, path, fields, allow=(200, 303), htmx=False):
        extra = {"HX-Request": "true"} if htmx else {}
        return self.send(Request("POST", path, self.headers(**{
            "X-CSRF-Token": self.user.csrf,
            "Content-Type": "application/x-www-form-urlencoded", **extra}),
            urlencode(fields).encode()), allow)


class Participant:
    def __init__(self, browser, code, phase):
        self.browser = browser
        self.code = code
        self.phase = phase
        self.version = ""
        self.seen = {}  # version -> perf_counter time it arrived

    def poll(self):
        path = f"/live/{self.code}/stage?" + urlencode({"v": self.version})
        response, body, took = self.browser.send(
            Request("GET", path, self.browser.headers(**{"HX-Request": "true"})))
        version = response.getheader("X-Live-Version")
        if body and version and version != self.version:
            self.version = version
            self.seen[version] = time.perf_counter()
        return took


def worker_groups(people):
    """Participants split over client threads, WORKER_SHARE to a thread."""
    n = max(1, len(people) // WORKER_SHARE)
    return [people[i::n] for i in range(n)]


def make_room(server, host, participants, make_user):
    """A room for ``participants`` people, created and joined through the forms."""
    response, _, _ = host.post_form("/live/", {"pack": "flask_core", "count": "5",
                                               "order": "fixed", "timer": "0"}, allow=(303,))
    code = response.getheader("Location").rstrip("/").split("/")[-2]
    people = []
    for i in range(participants):
        browser = Browser(make_user(), server)
        browser.post_form(f"/live/{code}/join", {"name": f"Participant {i:03d}"}, allow=(303,))
        people.append(Participant(browser, code, phase=i / participants * POLL_INTERVAL))
    for person in people:
        person.poll()  # the page load: learn the version
    return code, people


def run_room(server, host, code, people):
    """Poll on schedule, fire the host actions, return the figures."""
    latencies, errors = [], []
    stop = threading.Event()
    began = time.perf_counter() + 0.2
    end = began + SETTLE_SECONDS + ROUND_SECONDS * len(ACTIONS)
    groups = worker_groups(people)

    def worker(group):
        due = [began + p.phase for p in group]
        mine = []
        try:
            while not stop.is_set():
                i = min(range(len(group)), key=due.__getitem__)
                wait = due[i] - time.perf_counter()
                if due[i] >= end:
                    break
                if wait > 0:
                    time.sleep(wait)
                mine.append(group[i].poll())
                due[i] += POLL_INTERVAL
        except Exception as exc:
            errors.append(exc)
        latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(g,), daemon=True) for g in groups]
    cpu_before, wall_before = server.cpu_seconds(), time.perf_counter()
    for t in threads:
        t.start()
    fired = []
    for n, action in enumerate(ACTIONS):
        time.sleep(max(0.0, began + SETTLE_SECONDS + n * ROUND_SECONDS - time.perf_counter()))
        fired.append(time.perf_counter())  # the host's click: the clock starts here
        # confirm: N leaves the reveal at once although nobody graded (issue 15's guard)
        host.post_form(f"/live/{code}/host/{action}", {"confirm": "1"}, allow=(200, 303))
    for t in threads:
        t.join()
    cpu = server.cpu_seconds() - cpu_before
    wall = time.perf_counter() - wall_before
    stop.set()
    if errors:
        raise errors[0]
    fanouts = []
    for at in fired:
        arrivals = [min((t for t in p.seen.values() if t >= at), default=None) for p in people]
        if any(a is None for a in arrivals):
            raise RuntimeError("a participant never saw a host action")
        fanouts.append(max(arrivals) - at)
    return {"cpu_pct": 100 * cpu / wall, "poll_p50_ms": percentile(latencies, 50) * 1000,
            "poll_p99_ms": percentile(latencies, 99) * 1000, "fanout_s": max(fanouts),
            "polls": len(latencies)}


ANSWER_TEXT = ("An application context holds current_app and g for one unit of work; "
               "the request context adds request and session. Both are pushed by Flask "
               "around each request and popped afterwards, and tests push them with "
               "app.app_context() or test_request_context() when no request is running.")


def burst(people, send):
    """Everyone at once: ``send(participant)`` from WORKER_SHARE-sized groups in parallel.

    Returns the latencies and the wall time from the first send to the last answer.
    """
    latencies, errors = [], []
    groups = worker_groups(people)
    gate = threading.Barrier(len(groups) + 1)

    def worker(group):
        gate.wait()
        try:
            latencies.extend(send(person) for person in group)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(g,), daemon=True) for g in groups]
    for t in threads:
        t.start()
    gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return latencies, time.perf_counter() - began


def answer_and_grade(server, host, code, people):
    """The next question: everyone answers at once; the reveal: everyone grades at once."""
    host.post_form(f"/live/{code}/host/next", {}, allow=(200, 303))  # scoreboard -> question

    def answer(person):
        _, _, took = person.browser.post_form(
            f"/live/{code}/answer", {"text": ANSWER_TEXT, "confidence": "unsure"},
            allow=(200,), htmx=True)
        return took

    def grade(person):
        _, _, took = person.browser.post_form(f"/live/{code}/grade", {"rating": "3"},
                                              allow=(200,), htmx=True)
        return took

    answers, answer_wall = burst(people, answer)
    host.post_form(f"/live/{code}/host/reveal", {}, allow=(200, 303))
    grades, grade_wall = burst(people, grade)
    room_file = server.data_dir / "rooms" / f"{code}.json"
    return {"answer_p50_ms": percentile(answers, 50) * 1000,
            "answer_p99_ms": percentile(answers, 99) * 1000,
            "answer_burst_s": answer_wall,
            "grade_p99_ms": percentile(grades, 99) * 1000,
            "grade_burst_s": grade_wall,
            "room_kb": room_file.stat().st_size / 1024}


def live_session(server, make_user, sizes=SIZES):
    """Return ``(figures, None)``, or ``(None, reason)`` when there is nothing to measure.

    Sizes run smallest first and stop after the first one past a limit;
    ``live_ceiling`` is the largest size within both.
    """
    if not live_feature_present():
        return None, "live sessions (issue 5) are not in this build yet"
    results = {"live_ceiling": 0}
    for size in sizes:
        host = Browser(make_user(), server)
        try:
            code, people = make_room(server, host, size, make_user)
        except RuntimeError as exc:  # a room full at PARTICIPANTS_MAX: the cap, not a ceiling
            results[f"live_{size}_skipped"] = str(exc)[:200]
            host.conn.close()
            break
        try:
            figures = run_room(server, host, code, people)
            figures.update(answer_and_grade(server, host, code, people))
        finally:
            for person in people:
                person.browser.conn.close()
            host.conn.close()
        results.update({f"live_{size}_{k}": v for k, v in figures.items()})
        print(f"   live {size}: fan-out {figures['fanout_s']:.2f} s, "
              f"CPU {figures['cpu_pct']:.0f} %", flush=True)
        if figures["fanout_s"] > FANOUT_LIMIT_S or figures["cpu_pct"] > CPU_LIMIT_PCT:
            break
        results["live_ceiling"] = size
    return results, None


def main():
    """``python -m bench.live``: this part alone, against a fresh server."""
    import secrets
    import tempfile
    from pathlib import Path

    from bench import http_bench
    secret = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as work:
        server = http_bench.start_server(Path(work) / "live", secret,
                                         TRAINER_LIVE_PARTICIPANTS_MAX=str(max(SIZES)))
        try:
            figures, reason = live_session(server, lambda: http_bench.User.make(secret))
        finally:
            server.stop()
    for key, value in sorted((figures or {}).items()):
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
    if reason:
        print("skipped:", reason)


if __name__ == "__main__":
    main()
