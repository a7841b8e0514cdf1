"""Run flask_core's code blocks against the lowest Flask and Werkzeug the pack names.

``make pack-check-min``, or ``python scripts/pack_check_min.py [--flask X] [--werkzeug Y]
[-- PYTEST ARGS]``. The pack's ``[requires]`` says which versions its answers are written
for; the fast suite proves them only on whatever is installed (usually the newest). This
builds a virtual environment in ``/tmp/trainer-pack-check/`` with exactly
``flask==<min>`` and ``werkzeug==<min>`` from PyPI, the trainer itself and the Flask
extensions of the test extra, then runs the code-block tests of
``tests/packs/test_flask_core.py`` in it. Its exit status is pytest's.

``--flask``/``--werkzeug`` try other versions (to find a minimum: a version below the
pack's minimum fails the "installed is at least the minimum" test, so pass ``-- -k
runnable_block`` to run the blocks alone).
"""

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
import venv
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "packs" / "flask_core"
TEST = "tests/packs/test_flask_core.py"
WHERE = Path(tempfile.gettempdir()) / "trainer-pack-check"  # /tmp unless $TMPDIR says
DEFAULT_SELECTION = ["-k", "runnable_block or installed_libraries"]


def minimums():
    """The pack's ``[requires]`` table: ``{"flask": "3.1.1", ...}``."""
    manifest = tomllib.loads((PACK / "pack.toml").read_text(encoding="utf-8"))
    return manifest.get("requires", {})


def test_extras():
    """The test extra's Flask extensions (the blocks import them) and pytest, pinned to
    the pytest running here when there is one, so the project's pytest settings apply."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = project["project"]["optional-dependencies"]["test"]
    wanted = [spec for spec in extra if re.match(r"(?i)flask[-_]", spec)]
    try:
        wanted.append(f"pytest=={version('pytest')}")
    except PackageNotFoundError:
        wanted.append(next(spec for spec in extra if spec.startswith("pytest>")))
    return wanted


def environment(flask, werkzeug):
    """A virtual environment with exactly these versions (made once, then reused)."""
    folder = WHERE / f"flask-{flask}-werkzeug-{werkzeug}"
    python = folder / "bin" / "python"
    if not python.exists():
        venv.create(folder, with_pip=True, clear=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"flask=={flask}", f"werkzeug=={werkzeug}", "-e", str(ROOT),
                    *test_extras()], check=True)
    return python


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    required = minimums()
    parser.add_argument("--flask", default=required.get("flask"))
    parser.add_argument("--werkzeug", default=required.get("werkzeug"))
    parser.add_argument("pytest_args", nargs="*", help="after --, passed to pytest")
    args = parser.parse_args(argv)
    if not (args.flask and args.werkzeug):
        parser.error("packs/flask_core/pack.toml names no flask and werkzeug in [requires]")
    python = environment(args.flask, args.werkzeug)
    shown = subprocess.run([python, "-c", "import importlib.metadata as m; print("
                            "'flask', m.version('flask'), 'werkzeug', m.version('werkzeug'))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    print(f"pack-check-min: {shown} in {python.parent.parent}", flush=True)
    command = [python, "-m", "pytest", TEST, "-q", "-p", "no:cacheprovider", "-rf",
               *(args.pytest_args or DEFAULT_SELECTION)]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
