"""``python -m bench``: run every part, print the table, write ``bench/results.json``.

``--only http,history,browser,cold,live`` runs some parts (while working on one);
``--quick`` sends fewer requests (a smoke run; its figures are noisier).
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import coldstart, http_bench, live, report
from bench.seed import generate_packs, new_secret

PARTS = ("http", "history", "browser", "cold", "live")
RESULTS = Path(__file__).resolve().parent / "results.json"
PARTIAL = RESULTS.with_name("results-partial.json")
BUSY_LOAD = 0.5  # load average per core above which a run is flagged as noisy


def environment():
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, cwd=Path(__file__).parent).stdout
    return {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": commit + ("+changes" if dirty.strip() else ""),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0],
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default=",".join(PARTS),
                        help="comma-separated parts: " + ", ".join(PARTS))
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to write results (default: {RESULTS.name} for a full "
                             f"run, {PARTIAL.name} for --only or --quick)")
    args = parser.parse_args(argv)
    args.only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.only) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    if args.out is None:  # a part or a smoke run never overwrites the full results
        args.out = RESULTS if set(args.only) == set(PARTS) and not args.quick else PARTIAL
    return args


def step(title):
    print(f"== {title}", flush=True)
    return time.perf_counter()


def run(args, work):
    results = environment()
    secret = new_secret()
    scale = 0.2 if args.quick else 1.0
    packs_dir = work / "packs"

    if "http" in args.only or "browser" in args.only:
        began = step("server for flip, grade and the floor")
        server = http_bench.start_server(work / "main", secret)
        try:
            if "http" in args.only:
                results.update(http_bench.throughput(
                    server, secret, requests_c1=int(3000 * scale), requests_c8=int(6000 * scale),
                    grades_c1=int(300 * scale), grades_c8=int(400 * scale)))
            if "browser" in args.only:
                step("Chromium: key press to paint, bytes")
                from bench.browser import key_to_paint

                results.update(key_to_paint(f"http://{server.host}:{server.port}"))
        finally:
            server.stop()
        print(f"   {time.perf_counter() - began:.1f} s", flush=True)

    if "history" in args.only:
        began = step("grade against 100 / 1,000 / 10,000 past reviews")
        pack_ids, users = http_bench.prepare_history(work / "history", packs_dir, secret)
        server = http_bench.start_server(work / "history", secret,
                                         TRAINER_PACKS_DIR=str(packs_dir))
        try:
            results.update(http_bench.grade_history(server, secret, pack_ids, users,
                                                    grades=int(300 * scale)))
        finally:
            server.stop()
        print(f"   {time.perf_counter() - began:.1f} s", flush=True)

    if "cold" in args.only:
        began = step("cold start with 10 packs of 200 questions")
        pack_ids = [f"bench-{p:02d}" for p in range(coldstart.PACKS)]
        if not (packs_dir / pack_ids[0]).is_dir():
            pack_ids = generate_packs(packs_dir, coldstart.PACKS, coldstart.QUESTIONS)
        results.update(coldstart.cold_start(work / "cold", packs_dir, pack_ids))
        # A start on a data folder the server has run on before: every start but the
        # very first (cold_start_first_s renders all 2,000 questions; see the docs).
        results["cold_start_s"] = results["cold_start_second_s"]
        print(f"   {time.perf_counter() - began:.1f} s", flush=True)

    if "live" in args.only:
        began = step("live session: 50 and 200 participants polling each second")
        if live.live_feature_present():
            server = http_bench.start_server(work / "live", secret)
            try:
                figures, reason = live.live_session(
                    server, lambda: http_bench.User.make(secret))
            finally:
                server.stop()
        else:
            figures, reason = live.live_session(None, None)
        if figures:
            results.update(figures)
        else:
            print(f"   skipped: {reason}", flush=True)
            results["live_skipped"] = reason
        print(f"   {time.perf_counter() - began:.1f} s", flush=True)
    return results


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmp:
        results = run(args, Path(tmp))
    results["bench_seconds"] = time.perf_counter() - began
    results["load_avg_1m_end"] = os.getloadavg()[0]
    print()
    for line in report.table(results):
        print(line)
    path = report.write_results(results, args.out)
    missing = [k for k in report.missing_keys(results)] if set(args.only) == set(PARTS) else []
    print(f"\nwrote {path}")
    if missing:
        print("missing figures: " + ", ".join(missing))
    busy = results["load_avg_1m"]  # before the run: at the end it counts our own load too
    if busy > BUSY_LOAD * (os.cpu_count() or 1):
        print(f"warning: the machine was busy (load average {busy:.1f} on "
              f"{os.cpu_count()} cores): latencies, p99 above all, are noisy; run again "
              "when it is quiet before comparing")
    missed = report.misses(results)
    print("targets missed: " + (", ".join(missed) if missed else "none"))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
