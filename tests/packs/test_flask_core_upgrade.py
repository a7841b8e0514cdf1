"""Upgrading flask_core from 1.0.1 to 2.0.0 keeps a learner's progress: the question ids
of 1.0.1 are all still there, every card graded on them keeps its state, and only the
questions 2.0.0 adds are new cards."""

from datetime import UTC, datetime
from pathlib import Path

from trainer.packs.loader import load_pack
from trainer.profiles.store import ProfileStore, new_profile_id
from trainer.study.grading import grade_card
from trainer.study.queue import review_counts

ROOT = Path(__file__).resolve().parents[2]
# The ids of the 70 questions of flask_core 1.0.1 in file order, read from its commit
# (0b8bfb7) with git, so the test needs no history.
IDS_1_0_1 = (Path(__file__).with_name("flask_core_1.0.1_ids.txt")
             .read_text(encoding="utf-8").split())


def test_a_profile_graded_on_1_0_1_keeps_its_cards_on_2_0_0(tmp_path):
    assert len(IDS_1_0_1) == 70
    store = ProfileStore(tmp_path / "profiles")
    profile_id = new_profile_id()
    profile = store.get(profile_id)
    when = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    for number, question_id in enumerate(IDS_1_0_1):
        grade_card(profile, "flask_core", question_id, 1 + number % 4, when=when)
    graded = {q: profile.card("flask_core", q) for q in IDS_1_0_1}
    assert all(graded.values())

    pack, errors = load_pack(ROOT / "packs" / "flask_core")
    assert errors == []
    assert pack.version == "2.0.0"
    assert [q for q in IDS_1_0_1 if pack.question(q) is None] == []  # ids unchanged
    reopened = ProfileStore(tmp_path / "profiles").get(profile_id)
    states = reopened.cards_in(pack.id)
    assert {q: states.get(q) for q in IDS_1_0_1} == graded
    added = [q for q in pack.question_ids if q not in IDS_1_0_1]
    assert [q for q in added if q in states] == []
    counts = review_counts(pack, reopened, states, when.timestamp())
    assert counts["new_count"] + counts["new_held"] == len(added)
