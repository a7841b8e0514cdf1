"""``python -m bench``: run every part, print the table, write ``bench/results.json``.

``--only http,history,browser,cold,live,search,import`` runs some parts (while working on one);
``--quick`` sends fewer requests (a smoke run; its figures are noisier).
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import coldstart, http_bench, importing, live, optimize, report, search
from bench.seed import generate_packs, new_secret

PARTS = ("http", "history", "browser", "cold", "live", "search", "optimize", "import")
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


class Run:
    """One run's shared state: temp folder, secret key, scale and the figures so far."""

    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.secret = new_secret()
        self.scale = 0.2 if args.quick else 1.0
        self.packs_dir = work / "packs"
        self.results = environment()
        self.failed = []

    def n(self, count):
        return int(count * self.scale)

    def part(self, title, measure):
        """Run one part; a part that fails is reported and the others still run."""
        began = step(title)
        try:
            measure()
        except Exception as exc:  # reported and counted: the run exits non-zero
            traceback.print_exc()
            self.failed.append(title)
            self.results[f"error_{len(self.failed)}"] = f"{title}: {exc}"[:300]
        print(f"   {time.perf_counter() - began:.1f} s", flush=True)

    def http_and_browser(self):
        server = http_bench.start_server(self.work / "main", self.secret)
        try:
            if "http" in self.args.only:
                self.results.update(http_bench.throughput(
                    server, self.secret, requests_c1=self.n(3000), requests_c8=self.n(6000),
                    grades_c1=self.n(300), grades_c8=self.n(400)))
            if "browser" in self.args.only:
                step("Chromium: key press to paint, bytes")
                from bench.browser import key_to_paint

                self.results.update(key_to_paint(f"http://{server.host}:{server.port}"))
        finally:
            server.stop()

    def history(self):
        pack_ids, users = http_bench.prepare_history(self.work / "history", self.packs_dir,
                                                     self.secret)
        server = http_bench.start_server(self.work / "history", self.secret,
                                         TRAINER_PACKS_DIR=str(self.packs_dir))
        try:
            self.results.update(http_bench.grade_history(server, self.secret, pack_ids, users,
                                                         grades=self.n(300)))
        finally:
            server.stop()

    def cold(self):
        pack_ids = [f"bench-{p:02d}" for p in range(coldstart.PACKS)]
        if not (self.packs_dir / pack_ids[0]).is_dir():
            pack_ids = generate_packs(self.packs_dir, coldstart.PACKS, coldstart.QUESTIONS)
        self.results.update(coldstart.cold_start(self.work / "cold", self.packs_dir, pack_ids))
        # The slower of the very first start (empty data folder, nothing rendered yet)
        # and a restart (the render cache from the first run): both must be quick.
        self.results["cold_start_s"] = max(self.results["cold_start_first_s"],
                                           self.results["cold_start_second_s"])

    def live(self):
        if not live.live_feature_present():
            figures, reason = live.live_session(None, None)
        else:
            server = http_bench.start_server(self.work / "live", self.secret)
            try:
                figures, reason = live.live_session(
                    server, lambda: http_bench.User.make(self.secret))
            finally:
                server.stop()
        if figures:
            self.results.update(figures)
        else:
            print(f"   skipped: {reason}", flush=True)
            self.results["live_skipped"] = reason

    def searching(self):
        if not (self.packs_dir / f"bench-{http_bench.HISTORY_PACKS - 1:02d}").is_dir():
            generate_packs(self.packs_dir, http_bench.HISTORY_PACKS,
                           http_bench.HISTORY_QUESTIONS)
        server = http_bench.start_server(self.work / "search", self.secret,
                                         TRAINER_PACKS_DIR=str(self.packs_dir))
        try:
            self.results.update(search.search_latency(server, self.secret,
                                                      requests=self.n(600)))
        finally:
            server.stop()

    def optimizer(self):
        self.results.update(optimize.optimize_10k(self.work / "optimize"))

    def progress_import(self):
        self.results.update(importing.import_10k(self.work / "import", self.packs_dir))


def run(args, work):
    """Every part asked for; returns (results, titles of the parts that failed)."""
    bench_run = Run(args, work)
    if "http" in args.only or "browser" in args.only:
        bench_run.part("server for flip, grade and the floor", bench_run.http_and_browser)
    if "history" in args.only:
        bench_run.part("grade against 100 / 1,000 / 10,000 past reviews", bench_run.history)
    if "cold" in args.only:
        bench_run.part("cold start with 10 packs of 200 questions", bench_run.cold)
    if "live" in args.only:
        bench_run.part("live session: 50 and 200 participants polling each second",
                       bench_run.live)
    if "search" in args.only:
        bench_run.part("search over 2,000 questions", bench_run.searching)
    if "optimize" in args.only:
        bench_run.part("optimize my scheduler with 10,000 past reviews",
                       bench_run.optimizer)
    if "import" in args.only:
        bench_run.part("progress import: a 10,000-review export into an empty profile",
                       bench_run.progress_import)
    return bench_run.results, bench_run.failed


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmp:
        results, failed = run(args, Path(tmp))
    results["bench_seconds"] = time.perf_counter() - began
    results["load_avg_1m_end"] = os.getloadavg()[0]
    print()
    for line in report.table(results):
        print(line)
    path = report.write_results(results, args.out)
    missing = list(report.missing_keys(results)) if set(args.only) == set(PARTS) else []
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
    if failed:
        print("parts that failed (traceback above): " + "; ".join(failed))
    return 1 if missing or failed else 0


if __name__ == "__main__":
    sys.exit(main())
