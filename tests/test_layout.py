"""The layout holds: Flask lives in the web layer only (docs/architecture.md).

``trainer/web/``, ``trainer/views/``, ``app.py`` and ``cli.py`` may import Flask and its
kin; the domain packages (study, profiles, packs, live) and the plumbing beside them
may not, so each can be read, tested and reused without a request.
"""

import ast
from pathlib import Path

TRAINER = Path(__file__).resolve().parent.parent / "trainer"
WEB_LAYER = {"web", "views", "app.py", "cli.py", "__init__.py"}
FLASK_FAMILY = {"flask", "werkzeug", "htmx_flask", "jinja2_fragments"}


def _imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0]


def test_only_the_web_layer_imports_flask():
    offenders = []
    for path in sorted(TRAINER.rglob("*.py")):
        top = path.relative_to(TRAINER).parts[0]
        if top in WEB_LAYER:
            continue
        bad = sorted(set(_imported_roots(path)) & FLASK_FAMILY)
        if bad:
            offenders.append(f"{path.relative_to(TRAINER.parent)}: {', '.join(bad)}")
    assert offenders == []


# Which of our own packages each may import (docs/architecture.md, "What may import what").
ALLOWED = {
    "study": {"study", "profiles", "packs", "storage"},
    "profiles": {"profiles", "study", "storage"},
    "packs": {"packs", "storage", "config", "plugins", "hookspecs"},
    "live": {"live", "profiles", "storage"},
    "storage.py": set(),
    "config.py": {"storage"},
}
# Single files beyond their package's rule, each with its reason in docs/architecture.md.
ALLOWED_FILES = {
    "packs/cli.py": {"profiles", "study"},  # --with-progress: a learner's progress to Anki
}


def _our_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                 and not node.level else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "trainer" and len(parts) > 1:
                yield parts[1].removesuffix(".py")


def test_domain_packages_import_only_what_the_architecture_allows():
    offenders = []
    for path in sorted(TRAINER.rglob("*.py")):
        top = path.relative_to(TRAINER).parts[0]
        allowed = ALLOWED.get(top)
        if allowed is None:
            continue
        allowed = allowed | ALLOWED_FILES.get(path.relative_to(TRAINER).as_posix(), set())
        for imported in _our_imports(path):
            target = imported if (TRAINER / imported).is_dir() else f"{imported}.py"
            if imported not in allowed and target != top:
                offenders.append(f"{path.relative_to(TRAINER.parent)} imports {imported}")
    assert offenders == []


def test_the_rule_sees_an_import_of_flask(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom flask import g\nimport werkzeug.utils\n")
    assert set(_imported_roots(module)) == {"os", "flask", "werkzeug"}


def test_the_domain_packages_exist_where_the_docs_say():
    for package in ("web", "study", "profiles", "packs", "live", "views"):
        assert (TRAINER / package / "__init__.py").is_file(), package
