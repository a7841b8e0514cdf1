"""Which Chromium the browser tests use: the system one when it exists, else Playwright's."""

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("e2e_conftest", ROOT / "e2e" / "conftest.py")
e2e_conftest = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(e2e_conftest)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "chromium"
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_an_existing_chromium_is_the_executable(program):
    args = e2e_conftest.launch_args({"args": ["--mine"]}, {"CHROMIUM": str(program)})
    assert args["executable_path"] == str(program)
    assert args["args"] == ["--mine", *FLAGS]


def test_a_missing_chromium_leaves_playwright_its_own(tmp_path):
    args = e2e_conftest.launch_args({"headless": True}, {"CHROMIUM": str(tmp_path / "none")})
    assert "executable_path" not in args
    assert args == {"headless": True, "args": FLAGS}


def test_a_file_that_is_not_a_program_is_not_used(program):
    program.chmod(0o644)
    assert e2e_conftest.system_chromium({"CHROMIUM": str(program)}) is None


def _exported(chromium):
    """What ``make`` hands its recipes as $CHROMIUM, with ``chromium`` set to this."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    env = {"PATH": os.path.dirname(make), "CHROMIUM": chromium}
    show = 'show-chromium: ; @echo "[$$CHROMIUM]"'
    out = subprocess.run(
        [make, "-s", "-f", str(ROOT / "Makefile"), "--eval", show, "show-chromium"],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.strip()


def test_make_exports_chromium_only_when_it_is_a_program(program, tmp_path):
    assert _exported(str(program)) == f"[{program}]"
    assert _exported(str(tmp_path / "missing")) == "[]"
