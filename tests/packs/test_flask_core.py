"""The built-in Flask pack: complete, valid, in our own words, and its code works.

Every ```python block is fenced either ``python runnable`` (executed against the installed
Flask, each in a fresh namespace, and must pass its asserts; ``requires=flask_login,...``
names the extensions it imports, from the test extra) or ``python illustrative`` followed
by the reason it cannot run here. Every block compiles and imports nothing it does not
use. The installed Flask and Werkzeug are at least the pack's ``[requires]`` minimums;
``make pack-check-min`` runs the blocks on exactly those minimums.
"""

import importlib.util
import json
import math
import re
import subprocess
import sys
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pytest

from trainer.packs.loader import load_pack
from trainer.study.answer_check import suggested_points

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
RUNNABLE = [b for b in PYTHON if b[2].split()[1:2] == ["runnable"]]
# What a runnable block may import without naming it in requires=: the standard library,
# Flask and what Flask itself depends on.
FLASK_ITSELF = {"flask", "werkzeug", "jinja2", "markupsafe", "click", "blinker", "itsdangerous"}
RUNNABLE_INFO = re.compile(r"^python runnable(?: requires=([a-z0-9_]+(?:,[a-z0-9_]+)*))?$")
ILLUSTRATIVE_INFO = re.compile(r"^python illustrative\W+\w+(\W+\w+)+")  # and a reason


def _requires(info):
    match = RUNNABLE_INFO.match(info)
    return match.group(1).split(",") if match and match.group(1) else []


def _imports(code):
    """The top-level module names a block imports."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _release(text):
    """``"3.1.2"`` as ``(3, 1, 2)``; a suffix such as ``rc1`` or ``.post1`` is dropped."""
    return tuple(int(part) for part in re.findall(r"\d+", text.split("+")[0])[:3])


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
    for module in _requires(info):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (it is in the test extra)")
    namespace = {"__name__": "pack_example"}
    exec(compile(code, f"{name}:{line}", "exec"), namespace)


def test_every_python_block_runs_or_says_why_not():
    wrong = [f"{name}:{line}: ```{info}" for name, line, info, _ in PYTHON
             if not (RUNNABLE_INFO.match(info) or ILLUSTRATIVE_INFO.match(info))]
    assert wrong == [], ("fence each python block as 'python runnable', 'python runnable "
                         "requires=flask_login,...' or 'python illustrative: <why it cannot "
                         "run here>'")


def test_runnable_blocks_name_the_extensions_they_import():
    unnamed = []
    for name, line, info, code in RUNNABLE:
        extra = _imports(code) - FLASK_ITSELF - set(sys.stdlib_module_names) - set(
            _requires(info))
        if extra:
            unnamed.append(f"{name}:{line}: requires={','.join(sorted(extra))}")
    assert unnamed == []


def test_no_python_block_imports_what_it_does_not_use(tmp_path):
    pytest.importorskip("ruff")
    for number, (_, _, _, code) in enumerate(PYTHON):
        (tmp_path / f"block{number}.py").write_text(code, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache",
                             "--select", "F401", "--output-format", "json", str(tmp_path)],
                            capture_output=True, text=True, check=False)
    unused = []
    for problem in json.loads(result.stdout):
        name, line, _, _ = PYTHON[int(Path(problem["filename"]).stem.removeprefix("block"))]
        # the fence line is the block's line 0
        unused.append(f"{name}:{line + problem['location']['row']}: {problem['message']}")
    assert unused == []


def test_installed_libraries_meet_the_pack_minimums(pack):
    assert set(pack.requires) == {"flask", "werkzeug"}
    for library, minimum in pack.requires.items():
        assert _release(version(library)) >= _release(minimum), (library, minimum)


def test_every_question_has_a_say_it(pack):
    missing = [q.source for q in pack.questions if q.say_it_html is None]
    assert missing == []


def test_every_say_it_mentions_at_least_half_its_key_points(pack):
    """Said aloud in a minute, the answer still covers what matters: by the check that
    ticks a typed answer's key points, it mentions at least half of them."""
    short = []
    for question in pack.questions:
        if question.say_it_text is None:
            continue
        mentioned = suggested_points(question.say_it_text, question.key_points)
        wanted = math.ceil(len(question.key_points) / 2)
        if len(mentioned) < wanted:
            missed = [str(p) for i, p in enumerate(question.key_points) if i not in mentioned]
            short.append(f"{question.source}: mentions {len(mentioned)} of "
                         f"{len(question.key_points)} key points, needs {wanted}; not "
                         f"mentioned: {missed}")
    assert short == []
