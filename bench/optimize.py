"""Optimize my scheduler with 10,000 past reviews: how long, and whether it blocks.

A profile with 10,000 reviews over 2,000 cards is seeded (``bench/seed.py``), then
``trainer.study.optimizer.optimize`` runs as the view calls it: the log read, the inputs
built, the fit, both evaluations and the suggested retention in the spawned child.
While it runs, a Python thread of this process counts how long it was ever kept from
running: in a server that pause is what every other request would wait.

* ``optimize_10k_s``: the whole call, seconds (target ≤ 10);
* ``optimize_10k_longest_pause_ms``: the longest the other thread had to wait.
"""

import threading
import time
from pathlib import Path

from bench.seed import question_ids, seed_profile
from trainer.profiles.store import Profile
from trainer.study import optimizer

REVIEWS = 10_000
PROFILE_ID = "bench-optimizer-profile"


def optimize_10k(folder, reviews=REVIEWS):
    cards = [(f"bench-{p:02d}", q) for p in range(10) for q in question_ids(200)]
    seed_profile(Path(folder), PROFILE_ID, reviews, cards)
    profile = Profile(folder, PROFILE_ID)
    longest, stop = [0.0], threading.Event()

    def beside():
        last = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            longest[0] = max(longest[0], now - last)
            last = now
            time.sleep(0.001)

    thread = threading.Thread(target=beside, daemon=True)
    thread.start()
    began = time.perf_counter()
    proposal = optimizer.optimize(profile)
    elapsed = time.perf_counter() - began
    stop.set()
    thread.join()
    print(f"   {proposal['reviews']} reviews, {proposal['items']} items: log loss "
          f"{proposal['default']['log_loss']} (default) -> {proposal['fitted']['log_loss']}"
          f" (fitted)", flush=True)
    return {"optimize_10k_s": elapsed,
            "optimize_10k_longest_pause_ms": longest[0] * 1000}
