"""The ``import`` part: a 10,000-review progress export imported into an empty profile.

The export is made the way a person makes one: a profile seeded with 10,000 past reviews
over 2,000 cards (``bench/seed.py``, 10 generated packs of 200 questions) is exported
with ``trainer.profiles.transfer.export_bytes``. Timed is ``import_progress`` into a new
profile in another folder, against the same packs loaded by the pack loader: parsing,
checking every item, merging, and storing (one append and fsync of the log, one atomic
write of the profile file). Best of a few rounds, each into a fresh profile, so the
figure is the import's own cost and not a neighbour's burst.
"""

import time

from bench.seed import generate_packs, question_ids, seed_profile
from trainer.packs.loader import load_pack
from trainer.profiles.store import Profile
from trainer.profiles.transfer import export_bytes, import_progress

REVIEWS = 10_000
PACKS, QUESTIONS = 10, 200
ROUNDS = 3


def import_10k(work, packs_dir, rounds=ROUNDS):
    """Seconds to import a 10,000-review export into an empty profile (best of ``rounds``)."""
    pack_ids = [f"bench-{p:02d}" for p in range(PACKS)]
    if not (packs_dir / pack_ids[0]).is_dir():
        pack_ids = generate_packs(packs_dir, PACKS, QUESTIONS)
    cards = [(p, q) for q in question_ids(QUESTIONS) for p in pack_ids]
    seed_profile(work / "source", "s" * 22, REVIEWS, cards)
    raw = export_bytes(Profile(work / "source", "s" * 22))
    packs = {}  # what the registry holds, without rendering 2,000 questions first
    for pack_id in pack_ids:
        pack, problems = load_pack(packs_dir / pack_id)
        if problems:
            raise RuntimeError(f"generated pack {pack_id} does not load: {problems[0]}")
        packs[pack_id] = pack
    best = None
    for n in range(rounds):
        profile = Profile(work / f"target-{n}", f"{'t' * 21}{n}")
        began = time.perf_counter()
        report = import_progress(profile, packs, raw)
        elapsed = time.perf_counter() - began
        if report.log_added != REVIEWS or report.skipped:
            raise RuntimeError(f"the import merged {report.log_added} of {REVIEWS} reviews "
                               f"and skipped {len(report.skipped)} items")
        best = elapsed if best is None else min(best, elapsed)
    return {"import_10k_reviews_s": best, "import_10k_export_mb": len(raw) / 1e6}
