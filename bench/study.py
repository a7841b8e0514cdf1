"""``python -m bench.study``: how the study features cost with a long history.

A profile with 10,000 past reviews over 2,000 cards (10 generated packs of 200
questions) is served by the real server (``trainer serve``). Timed, one request at a
time over HTTP: the stats page, the next card of Review mode, a grade followed by its
undo, a progress export, and importing that export back (every item a duplicate, so the
whole merge path runs). Prints median and 95th percentile per request.
"""

import argparse
import http.client
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.seed import generate_packs, new_secret, question_ids, seed_profile, session_cookie
from bench.server import Server


def _request(server, method, path, cookie, csrf, body=None, content_type=None):
    headers = {"Cookie": f"session={cookie}", "X-CSRF-Token": csrf}
    if content_type:
        headers["Content-Type"] = content_type
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        began = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - began
    finally:
        conn.close()
    if response.status >= 400:
        message = re.findall(rb'role="alert">([^<]*)<', data) or [data[-300:]]
        raise RuntimeError(f"{method} {path}: {response.status} {message[0]!r}")
    return elapsed, data


def _multipart(csrf, raw):
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"progress.json\"\r\nContent-Type: application/json\r\n\r\n").encode()
    body = head + raw + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _summary(name, seconds):
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{name:<34} n={len(ms):<4} median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms"


def run(reviews=10_000, rounds=30):
    with tempfile.TemporaryDirectory(prefix="bench-study-") as tmp:
        tmp = Path(tmp)
        packs = generate_packs(tmp / "packs")
        cards = [(p, q) for p in packs for q in question_ids(200)]
        profile_id = "bench_study_profile_0001"
        made, states = seed_profile(tmp / "data" / "profiles", profile_id, reviews, cards)
        secret, csrf = new_secret(), "bench-csrf-token"
        cookie = session_cookie(secret, profile_id, csrf)
        env = {"TRAINER_SECRET_KEY": secret, "TRAINER_PACKS_DIR": str(tmp / "packs")}
        lines = [f"profile: {made} reviews, {states} cards; {len(packs)} packs"]
        with Server(tmp / "data", env=env) as server:
            pack = packs[0]
            timings = {k: [] for k in ("GET /stats", "GET /practice/<pack> (Review)",
                                       "POST grade", "POST undo", "GET /profile/export",
                                       "POST /profile/import (all dupes)")}
            for _ in range(rounds):
                timings["GET /stats"].append(_request(server, "GET", "/stats", cookie, csrf)[0])
                timings["GET /practice/<pack> (Review)"].append(
                    _request(server, "GET", f"/practice/{pack}", cookie, csrf)[0])
                body = b"rating=3"
                timings["POST grade"].append(_request(
                    server, "POST", f"/practice/{pack}/q000/grade", cookie, csrf, body,
                    "application/x-www-form-urlencoded")[0])
                timings["POST undo"].append(_request(
                    server, "POST", f"/practice/{pack}/undo", cookie, csrf, b"",
                    "application/x-www-form-urlencoded")[0])
            for _ in range(max(3, rounds // 5)):
                elapsed, exported = _request(server, "GET", "/profile/export", cookie, csrf)
                timings["GET /profile/export"].append(elapsed)
                body, ctype = _multipart(csrf, exported)
                timings["POST /profile/import (all dupes)"].append(
                    _request(server, "POST", "/profile/import", cookie, csrf, body, ctype)[0])
            lines.append(f"export size: {len(exported) / 1024:.0f} KiB")
            lines += [_summary(name, values) for name, values in timings.items()]
        return lines


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.study", description=__doc__)
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    for line in run(args.reviews, args.rounds):
        print(line)


if __name__ == "__main__":
    main()
