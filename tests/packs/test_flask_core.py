"""The built-in Flask pack: complete, valid, in our own words, and its code works.

Every ```python block must compile; blocks fenced as ```python runnable are executed
against the installed Flask, each in a fresh namespace, and must pass their asserts.
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from trainer.packs.loader import load_pack

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "packs" / "flask_core"
SEED_OVERLAP = ROOT.parent / "shared" / "tools" / "seed-overlap"
SEED_TOPICS = [
    "decorators", "flask-vs-django", "routing", "request-response-cycle", "blueprints",
    "jinja-templating", "flask-wtf-validation", "file-uploads", "extensions", "sessions",
    "flask-sqlalchemy", "authentication-flask-login", "deployment-options", "wsgi",
    "flask-advantages", "performance-optimization",
]
FENCE = re.compile(r"^```(\S*)([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


def code_blocks():
    """(file name, line, info string, code) for every fenced block in the pack."""
    blocks = []
    for path in sorted((PACK_DIR / "questions").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            info = (match.group(1) + match.group(2)).strip()
            blocks.append((path.name, line, info, match.group(3)))
    return blocks


BLOCKS = code_blocks()
PYTHON = [b for b in BLOCKS if b[2].split()[:1] == ["python"]]
RUNNABLE = [b for b in PYTHON if "runnable" in b[2].split()[1:]]


@pytest.fixture(scope="module")
def pack():
    loaded, errors = load_pack(PACK_DIR, source="test")
    assert errors == []
    return loaded


def test_pack_validates_and_is_broad(pack):
    assert pack.id == "flask_core"
    assert len(pack.questions) >= 60
    spread = Counter(q.difficulty for q in pack.questions)
    assert min(spread[d] for d in ("junior", "mid", "senior")) >= 15, spread
    assert all(q.tags for q in pack.questions)


def test_every_seed_topic_has_its_own_question(pack):
    missing = [topic for topic in SEED_TOPICS if pack.question(topic) is None]
    assert missing == []


def test_version_is_in_the_changelog(pack):
    changelog = (PACK_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {pack.version}" in changelog


def test_cli_validate_accepts_the_pack():
    result = subprocess.run([sys.executable, "-m", "trainer", "packs", "validate",
                             str(PACK_DIR)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not SEED_OVERLAP.exists(), reason="../shared/tools is not beside the repo")
def test_no_sentence_is_copied_from_the_seed():
    result = subprocess.run([sys.executable, str(SEED_OVERLAP), str(ROOT / "packs")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_the_pack_has_runnable_examples():
    assert len(PYTHON) >= 40
    assert len(RUNNABLE) >= 15


@pytest.mark.parametrize("name,line,info,code", PYTHON, ids=[f"{b[0]}:{b[1]}" for b in PYTHON])
def test_python_block_compiles(name, line, info, code):
    compile(code, f"{name}:{line}", "exec")


@pytest.mark.parametrize("name,line,info,code", RUNNABLE,
                         ids=[f"{b[0]}:{b[1]}" for b in RUNNABLE])
def test_runnable_block_runs_against_installed_flask(name, line, info, code):
    namespace = {"__name__": "pack_example"}
    exec(compile(code, f"{name}:{line}", "exec"), namespace)
