"""The one rule for which files a pack may hold, applied to a folder and to a zip alike.

``trainer packs validate``, ``trainer packs install``, the upload form and the server's
own loading all call :func:`layout_problems`, so a pack that passes one passes them all.
The rule (docs/packs.md, "What a pack folder may hold"):

* ``pack.toml`` at the top, and each question as ``questions/<name>.md``, directly in
  ``questions/`` (no sub-folders) and with the extension in lower case;
* optionally a README, a LICENSE or a CHANGELOG at the top;
* optionally images in ``assets/`` (PNG, JPEG, WebP: the rule is in
  :mod:`trainer.packs.assets`, which also checks their bytes and their use);
* a code pack (a folder that is a Python package, with ``__init__.py`` at its top) may
  also hold Python files at its top; a data pack may not, and install and upload take
  data packs only;
* regular files only: a symbolic link or a special file anywhere is an error;
* names starting with ``.`` (``.git``, ``.DS_Store``, a draft ``.q.md``), ``__pycache__``
  and ``__MACOSX`` are tool droppings: skipped everywhere, never read and never loaded;
* anything else is an error: a pack never holds a file the trainer would ignore.
"""

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from trainer.packs.assets import asset_path_problem, is_asset_path

MANIFEST = "pack.toml"
QUESTIONS_DIR = "questions"
EXTRA_FILES = {
    "README.md", "README.txt", "README", "LICENSE", "LICENSE.md", "LICENSE.txt",
    "LICENCE", "LICENCE.md", "LICENCE.txt", "CHANGELOG.md",
}
PACKAGE_MARKER = "__init__.py"
SKIPPED = {"__pycache__", "__MACOSX"}
MAX_LISTED = 8
ALLOWED = (f"a data pack holds only {MANIFEST}, {QUESTIONS_DIR}/*.md and optionally a "
           "README, LICENSE or CHANGELOG")


@dataclass(frozen=True)
class Entry:
    """One thing in a pack: its POSIX path relative to the pack's top, and its kind:
    ``file``, ``symbolic link`` or ``special file``."""

    name: str
    kind: str = "file"


def is_skipped(name):
    """True for a path (relative, POSIX) that the rule skips: a dot name or tool folder."""
    return any(part.startswith(".") or part in SKIPPED for part in name.split("/"))


def is_code_pack(names):
    """A pack folder that is a Python package (``__init__.py`` at its top)."""
    return PACKAGE_MARKER in names


def question_names(entries):
    """The question files among ``entries`` (regular files only), in load order."""
    return sorted(e.name for e in entries if e.kind == "file" and _is_question(e.name))


def _is_question(name):
    parts = PurePosixPath(name).parts
    return len(parts) == 2 and parts[0] == QUESTIONS_DIR and name.endswith(".md")


@dataclass(frozen=True)
class LayoutProblem:
    """One break of the rule, said two ways: ``detail`` completes a sentence whose subject
    is the file (the loader prints it after ``FILE:LINE:``), ``reason`` names the file
    itself (for an archive's list of reasons). ``name`` is "" for the count of the rest."""

    name: str
    detail: str
    reason: str


def _misplaced(name, code_pack):
    """Why a regular file has no place in a pack, as ``(detail, why)``, or None."""
    parts = PurePosixPath(name).parts or ("",)
    if name == MANIFEST or _is_question(name) or (len(parts) == 1 and name in EXTRA_FILES):
        return None
    python = len(parts) == 1 and (name.endswith(".py") or name == "py.typed")
    if python and code_pack:
        return None
    if is_asset_path(name):
        return asset_path_problem(name)
    if parts[0] == QUESTIONS_DIR and name.lower().endswith(".md"):
        if len(parts) > 2:
            return (f"question files sit directly in {QUESTIONS_DIR}/, not in a folder "
                    "inside it: move it up a level")
        return (f"a question file's name ends in lower-case '.md', not "
                f"'.{name.rsplit('.', 1)[1]}': rename it")
    if python:
        return f"{ALLOWED} (a pack with Python code installs with 'trainer install')"
    return ALLOWED


def layout_problems(entries, code_pack=False):
    """The :class:`LayoutProblem` of each entry that breaks the rule, in name order.

    ``entries`` are :class:`Entry` records; skipped names may be among them and are left
    out here. After :data:`MAX_LISTED` misplaced files the rest are counted in one last
    problem.
    """
    problems, misplaced = [], 0
    for entry in sorted(entries, key=lambda e: e.name):
        if is_skipped(entry.name):
            continue
        if entry.kind != "file":
            detail = f"is a {entry.kind}; only regular files are allowed"
            problems.append(LayoutProblem(entry.name, detail, f"'{entry.name}' {detail}"))
            continue
        why = _misplaced(entry.name, code_pack)
        if why is None:
            continue
        misplaced += 1
        if misplaced <= MAX_LISTED:
            problems.append(LayoutProblem(entry.name, f"unexpected file: {why}",
                                          f"unexpected file '{entry.name}': {why}"))
    if misplaced > MAX_LISTED:
        more = f"and {misplaced - MAX_LISTED} more unexpected files: {ALLOWED}"
        problems.append(LayoutProblem("", more, more))
    return problems


class TooManyEntries(Exception):
    """A folder holds more entries than any pack may."""


def walk_folder(folder, limit):
    """Every entry below ``folder`` as :class:`Entry` records, skipped names not entered.

    Links are reported, never followed. Raises :class:`TooManyEntries` past ``limit``
    entries and ``OSError`` when the folder cannot be read.
    """
    folder = Path(folder)
    entries, count = [], 0
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(folder / relative if relative else folder) as listing:
            children = sorted(listing, key=lambda c: c.name)
        for child in children:
            name = f"{relative}/{child.name}" if relative else child.name
            if is_skipped(child.name):
                continue
            count += 1
            if count > limit:
                raise TooManyEntries(limit)
            if child.is_symlink():
                entries.append(Entry(name, "symbolic link"))
            elif child.is_dir(follow_symlinks=False):
                pending.append(name)
            elif child.is_file(follow_symlinks=False):
                entries.append(Entry(name, "file"))
            else:
                entries.append(Entry(name, "special file"))
    return entries
