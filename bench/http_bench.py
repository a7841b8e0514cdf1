"""Flip, grade and the floor over HTTP, plus grade latency against review history.

A *flip* is what htmx asks for when you press ``j``: ``GET /practice/<pack>/<question>``
with ``HX-Request: true`` and the session cookie, answered with the card fragment. A
*grade* is the ``POST .../grade`` that a key 1-4 sends, with the CSRF header. The *floor*
is ``GET /_bench/floor?bytes=N`` on the same server (``trainer/views/floor.py``): the
same stack and the same number of bytes as a flip, with no work of its own.
"""

import secrets
from dataclasses import dataclass

from bench.client import Connection, Request, run_load
from bench.seed import (
    BUILT_IN_PACK,
    generate_packs,
    question_ids,
    read_session_cookie,
    seed_profile,
    session_cookie,
)
from bench.server import Server
from bench.stats import ratio, summarise
from trainer.packs.loader import load_pack
from trainer.profiles.store import new_profile_id

PACK = "flask_core"
# Floor and flip take turns, in ten rounds and in alternating order (floor-flip, then
# flip-floor), so a busy neighbour or a drifting clock speed slows both alike.
ROUNDS = 10


@dataclass
class User:
    """One browser: a profile in a signed session cookie, and its CSRF token."""

    profile_id: str
    csrf: str
    cookie: str

    @classmethod
    def make(cls, secret, profile_id=None):
        profile_id = profile_id or new_profile_id()
        csrf = secrets.token_urlsafe(32)
        return cls(profile_id, csrf, session_cookie(secret, profile_id, csrf))

    def headers(self, **extra):
        return {"Cookie": f"session={self.cookie}", "HX-Request": "true",
                "HX-Target": "card", **extra}


def built_in_question_ids():
    pack, problems = load_pack(BUILT_IN_PACK)
    if pack is None:
        raise RuntimeError(f"the built-in pack does not load: {problems}")
    return pack.question_ids


def flip_plan(user, pack_id, qids, offset=0):
    def plan(n):
        qid = qids[(offset + n) % len(qids)]
        return Request("GET", f"/practice/{pack_id}/{qid}", user.headers())
    return plan


def floor_plan(user, size):
    def plan(_n):
        return Request("GET", f"/_bench/floor?bytes={size}", user.headers())
    return plan


def grade_plan(user, pack_id, qids, offset=0):
    def plan(n):
        qid = qids[(offset + n) % len(qids)]
        return Request("POST", f"/practice/{pack_id}/{qid}/grade", user.headers(**{
            "X-CSRF-Token": user.csrf,
            "Content-Type": "application/x-www-form-urlencoded"}), b"rating=3")
    return plan


def check_session(server, user, secret):
    """The server must read our cookie as the profile we seeded, not start a new one.

    A session it could not read would come back as a fresh profile in ``Set-Cookie``.
    A cookie the server does send is kept from then on, as a browser keeps it.
    """
    conn = Connection(server.host, server.port)
    try:
        conn.send(Request("GET", "/", {"Cookie": f"session={user.cookie}"}))
        sent = conn.last_response.getheader("Set-Cookie", "")
    finally:
        conn.close()
    if "session=" in sent:
        value = sent.split("session=", 1)[1].split(";", 1)[0]
        if read_session_cookie(secret, value).get("profile") != user.profile_id:
            raise RuntimeError("the server did not accept the benchmark's session cookie")
        user.cookie = value


def flip_size(server, user, qids):
    """Mean bytes of a flip's body, so the floor can answer with as many."""
    conn = Connection(server.host, server.port)
    try:
        sizes = [len(conn.send(flip_plan(user, PACK, qids)(n))[2]) for n in range(len(qids))]
    finally:
        conn.close()
    return round(sum(sizes) / len(sizes))


def throughput(server, secret, requests_c1=1500, requests_c8=3000, grades_c1=300,
               grades_c8=400):
    """Floor, flip and grade at concurrency 1 and 8; figures keyed for results.json."""
    qids = built_in_question_ids()
    users = [User.make(secret) for _ in range(8)]
    check_session(server, users[0], secret)
    size = flip_size(server, users[0], qids)
    results = {"flip_body_bytes": size, "bench_pack_questions": len(qids)}
    for c, count in ((1, requests_c1), (8, requests_c8)):
        pooled = {"floor": ([], 0.0, 0.0), "flip": ([], 0.0, 0.0)}
        for n in range(ROUNDS):
            for name in (("floor", "flip") if n % 2 == 0 else ("flip", "floor")):
                plans = [floor_plan(u, size) if name == "floor" else flip_plan(u, PACK, qids, i)
                         for i, u in enumerate(users[:c])]
                cpu = server.cpu_seconds()
                lat, elapsed, _ = run_load(server.host, server.port, plans, count // ROUNDS)
                cpu = server.cpu_seconds() - cpu
                old = pooled[name]
                pooled[name] = (old[0] + lat, old[1] + elapsed, old[2] + cpu)
        for name, (lat, elapsed, cpu) in pooled.items():
            results.update(_keyed(f"{name}_c{c}", summarise(lat, elapsed)))
            results[f"{name}_c{c}_cpu_ms"] = 1000 * cpu / len(lat)
        results[f"flip_c{c}_vs_floor"] = ratio(results[f"flip_c{c}_rps"],
                                               results[f"floor_c{c}_rps"])
        # The same ratio from the server's CPU per request: far less moved by other work
        # on the machine than requests per second are.
        results[f"flip_c{c}_cpu_vs_floor"] = ratio(results[f"floor_c{c}_cpu_ms"],
                                                   results[f"flip_c{c}_cpu_ms"])
    results["flip_vs_floor"] = results["flip_c1_vs_floor"]
    for c, count in ((1, grades_c1), (8, grades_c8)):
        plans = [grade_plan(u, PACK, qids, i * 3) for i, u in enumerate(users[:c])]
        lat, elapsed, _ = run_load(server.host, server.port, plans, count)
        results.update(_keyed(f"grade_c{c}", summarise(lat, elapsed)))
        results[f"grade_c{c}_vs_floor"] = ratio(results[f"grade_c{c}_rps"],
                                                results[f"floor_c{c}_rps"])
    return results


def _keyed(prefix, summary):
    return {f"{prefix}_{k}": v for k, v in summary.items() if k != "requests"}


HISTORY_SIZES = (100, 1_000, 10_000)
HISTORY_PACKS = 10
HISTORY_QUESTIONS = 200


def prepare_history(data_dir, packs_dir, secret):
    """Generated packs plus one seeded profile per history size; returns the users."""
    pack_ids = generate_packs(packs_dir, HISTORY_PACKS, HISTORY_QUESTIONS)
    cards = [(p, q) for q in question_ids(HISTORY_QUESTIONS) for p in pack_ids]
    users = {}
    for size in HISTORY_SIZES:
        user = User.make(secret)
        seed_profile(data_dir / "profiles", user.profile_id, size, cards)
        users[size] = user
    return pack_ids, users


def grade_history(server, secret, pack_ids, users, grades=200):
    """Grade and flip latency (c1) for profiles holding 100, 1,000 and 10,000 reviews."""
    results = {}
    qids = question_ids(HISTORY_QUESTIONS)
    for size, user in users.items():
        check_session(server, user, secret)
        label = {100: "100", 1_000: "1k", 10_000: "10k"}[size]
        for name, plan in (("flip", flip_plan(user, pack_ids[-1], qids)),
                           ("grade", grade_plan(user, pack_ids[0], qids))):
            lat, elapsed, _ = run_load(server.host, server.port, [plan], grades)
            summary = summarise(lat, elapsed)
            results.update({f"{name}_{label}_p50_ms": summary["p50_ms"],
                            f"{name}_{label}_p99_ms": summary["p99_ms"]})
    return results


def start_server(data_dir, secret, **env):
    """A server to measure: started, and done with its first rendering of the packs."""
    server = Server(data_dir, env={"TRAINER_SECRET_KEY": secret, "TRAINER_BENCH_FLOOR": "1",
                                   **env}).start()
    try:
        server.wait_rendered()
    except Exception:
        server.stop()
        raise
    return server
