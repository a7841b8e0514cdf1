"""``trainer packs ...`` and ``trainer install``: the pack author's and operator's tools.

* ``packs list [--json]``: every pack the server would load, with its load errors;
* ``packs validate PATH``: a pack folder, a folder of packs or a zip; each problem is
  printed as ``FILE:LINE: message`` (editors jump to it; inside a zip FILE is
  ``X.zip!ENTRY``, the archive and its member) and the exit status is 1;
* ``packs new ID [--package]``: a scaffold that validates, as a data pack or as a
  pip-installable ``trainer-<id>`` distribution;
* ``packs install PATH_OR_ZIP`` / ``packs remove ID``: data packs in ``<data>/packs``;
* ``packs import-anki DECK.apkg [--id ID]`` / ``packs export-anki ID OUT.apkg``: Anki
  packages in and out (docs/anki.md; needs the ``anki`` extra); ``--with-progress
  [--profile ID]`` takes a learner's progress along (trainer/study/anki_progress.py);
* ``install NAME...`` / ``uninstall NAME...``: pip in the trainer's own environment, for
  code packs (a running server picks them up on its next start).
"""

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import click

from trainer.config import data_dir_from_env, extra_pack_dirs_from_env
from trainer.packs.anki_export import write_package
from trainer.packs.anki_import import read_package_file
from trainer.packs.archive import PackRefused, read_zip_file
from trainer.packs.install import (
    find_installed,
    install_files,
    install_path,
    remove_pack,
    taken_ids,
)
from trainer.packs.listing import describe
from trainer.packs.loader import ID, MANIFEST, load_pack
from trainer.packs.model import DIFFICULTIES
from trainer.packs.registry import PackRegistry
from trainer.plugins import make_plugin_manager
from trainer.profiles.store import PROFILE_ID, ProfileStore
from trainer.study.anki_progress import progress_for_anki, take_anki_history


def _data_option(command):
    command = click.option(
        "--packs-dir", "packs_dirs", multiple=True,
        type=click.Path(exists=True, file_okay=False),
        help="Another folder of data packs to include (repeatable).")(command)
    return click.option(
        "--data-dir", type=click.Path(file_okay=False), default=None,
        help="Data folder (default: $TRAINER_DATA_DIR or a per-user folder).")(command)


def _packs_folder(data_dir):
    return (Path(data_dir) if data_dir else data_dir_from_env()) / "packs"


def _registry(data_dir, packs_dirs=(), plugins=True):
    """The packs exactly as ``trainer serve`` with the same options would load them."""
    dirs = [_packs_folder(data_dir), *extra_pack_dirs_from_env(), *map(Path, packs_dirs)]
    return PackRegistry(make_plugin_manager(load_entry_points=plugins), dirs)


@click.group()
def packs():
    """List, check, create, install and remove question packs."""


@packs.command("list")
@_data_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead.")
@click.option("--no-plugins", is_flag=True, help="Leave out pip-installed (code) packs.")
def list_packs(data_dir, packs_dirs, as_json, no_plugins):
    """Every pack the server would load, and the ones that fail with their errors."""
    rows = describe(_registry(data_dir, packs_dirs, plugins=not no_plugins))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No packs found. Make one with 'trainer packs new ID'.")
    for row in rows:
        if row["loaded"]:
            click.echo(f"{row['id']}  {row['version']}  {_questions(row['questions'])}  "
                       f"{row['title']}  [{row['source']}]")
        else:
            click.echo(f"{row['id'] or '?'}  NOT LOADED  {row['path']}  [{row['source']}]")
            for error in row["errors"]:
                click.echo(f"    {error}")


def _refused(source, exc):
    """Say that ``source`` was refused, with every reason, and stop with status 1."""
    click.echo(f"Refused {source}: nothing was installed.", err=True)
    for reason in exc.reasons:
        click.echo(f"  {reason}", err=True)
    sys.exit(1)


def _installed(done):
    """The line that says what an install did."""
    verb = f"Replaced {done.pack_id} {done.replaced} with" if done.replaced else "Installed"
    return (f"{verb} {done.pack_id} {done.version} ({_questions(done.questions)}) in "
            f"{done.path}.")


def _questions(count):
    return f"{count} question{'' if count == 1 else 's'}"


def _print_problems(problems, base):
    for problem in problems:
        line = problem.line or 1
        click.echo(f"{base / problem.file if base else problem.file}:{line}: {problem.message}")


def _summary(pack):
    levels = Counter(q.difficulty for q in pack.questions)
    spread = ", ".join(f"{levels[level]} {level}" for level in DIFFICULTIES if levels[level])
    return f"ok: {pack.id} {pack.version}: {_questions(len(pack.questions))} ({spread})"


def _validate_folder(folder):
    pack, problems = load_pack(folder)
    if pack is not None:
        click.echo(_summary(pack))
        return 0
    _print_problems(problems, folder.parent)
    return len(problems)


def _validate_zip(path):
    """Check a zip as an upload would be checked: measured, then read, then loaded."""
    try:
        files = read_zip_file(path)
    except PackRefused as exc:
        for reason in exc.reasons:
            click.echo(f"{path}:1: {reason}")
        return len(exc.reasons)
    with tempfile.TemporaryDirectory(prefix="trainer-validate-") as tmp:
        root = Path(tmp) / files.name
        for relative, content in files.files.items():
            target = root.joinpath(*relative.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        pack, problems = load_pack(root)
    if pack is not None:
        click.echo(_summary(pack))
        return 0
    for problem in problems:
        click.echo(f"{_archive_member(path, files.top, files.name, problem.file)}:"
                   f"{problem.line or 1}: {problem.message}")
    return len(problems)


def _archive_member(path, top, name, label):
    """``X.zip!ENTRY`` for a problem the loader labelled ``NAME/...``."""
    if label == name or label.startswith(f"{name}/"):
        label = (top + label[len(name) + 1:]).rstrip("/")
    return f"{path}!{label}" if label else str(path)


SKIPPED_DIRS = {"node_modules", "__pycache__", "site-packages", "build", "dist"}
MAX_DEPTH = 4


def _packs_below(root):
    """Folders holding a pack.toml under ``root`` (not inside another pack), sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        depth = len(Path(folder).relative_to(root).parts)
        if MANIFEST in files and depth:
            found.append(Path(folder))
            dirs.clear()
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS
                   and depth < MAX_DEPTH]
    return sorted(found)


@packs.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def validate(path):
    """Check a pack folder, a folder of packs, a pack distribution, or a pack zip.

    Prints each problem as FILE:LINE: message; exits with status 1 when there is any.
    """
    if path.is_file():
        count = _validate_zip(path)
    elif (path / MANIFEST).exists():
        count = _validate_folder(path)
    elif any((child / MANIFEST).exists() for child in path.iterdir() if child.is_dir()):
        count = sum(_validate_folder(child) for child in sorted(path.iterdir())
                    if child.is_dir() and not child.name.startswith("."))
    else:  # e.g. a trainer-<name> distribution: its pack sits a few folders down
        below = _packs_below(path)
        count = (sum(_validate_folder(folder) for folder in below) if below
                 else _validate_folder(path))
    if count:
        click.echo(f"{count} problem{'s' if count != 1 else ''} in {path}", err=True)
        sys.exit(1)


MANIFEST_TEMPLATE = '''id = "{id}"
title = "{title}"
version = "0.1.0"
description = "What this pack is about, in one or two sentences."
author = "Your Name"
licence = "CC-BY-4.0"
'''

QUESTION_TEMPLATE = '''+++
id = "first-question"
difficulty = "junior"
tags = ["example"]
references = ["https://example.org/where-to-read-more"]
+++

# What does this first question ask?

## Answer

Write the model answer in Markdown. Code blocks are highlighted:

```python
print("hello")
```

## Why it matters

Why an interviewer asks this, and what a good answer shows.

## Key points

- The first thing a good answer mentions
- The second thing

## Follow-ups

- A question the interviewer might ask next?
'''

PYPROJECT_TEMPLATE = '''[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "trainer-{dashed}"
version = "0.1.0"
description = "{title}: a question pack for Interview Trainer."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["interview-trainer"]

[project.entry-points.trainer]
{id} = "{module}"

[tool.hatch.build.targets.wheel]
packages = ["{module}"]
'''

PLUGIN_TEMPLATE = '''"""The {title} pack for Interview Trainer, handed over through the hook."""

from pathlib import Path

from trainer.hookspecs import hookimpl


@hookimpl
def trainer_register_packs(register):
    register(Path(__file__).resolve().parent / "pack")
'''

README_TEMPLATE = '''# {title}

A question pack for Interview Trainer. Check it with `trainer packs validate {check}`.
'''


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@packs.command()
@click.argument("pack_id")
@click.option("--title", default=None, help="The pack's title (default: from the id).")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Where to create it.")
@click.option("--package", is_flag=True,
              help="Make a pip-installable trainer-<id> distribution instead of a data pack.")
def new(pack_id, title, parent, package):
    """Create a new pack that validates, ready to edit."""
    if not ID.match(pack_id):
        raise click.BadParameter("use lowercase letters, digits, '-' or '_' (at most 64, "
                                 "starting with a letter or digit)", param_hint="ID")
    title = title or pack_id.replace("-", " ").replace("_", " ").capitalize()
    if '"' in title or "\\" in title or len(title) > 120:
        raise click.BadParameter("a title of at most 120 characters, without quotes or "
                                 "backslashes", param_hint="--title")
    dashed = pack_id.replace("_", "-")
    module = "trainer_" + pack_id.replace("-", "_")
    root = parent / (f"trainer-{dashed}" if package else pack_id)
    if root.exists():
        raise click.ClickException(f"{root} already exists; pick another id or folder")
    pack_dir = root / module / "pack" if package else root
    _write(pack_dir / MANIFEST, MANIFEST_TEMPLATE.format(id=pack_id, title=title))
    _write(pack_dir / "questions" / "001-first-question.md", QUESTION_TEMPLATE)
    check = f"{module}/pack" if package else "."
    _write(root / "README.md", README_TEMPLATE.format(title=title, check=check))
    if package:
        _write(root / "pyproject.toml", PYPROJECT_TEMPLATE.format(
            id=pack_id, dashed=dashed, title=title, module=module))
        _write(root / module / "__init__.py", PLUGIN_TEMPLATE.format(title=title))
    pack, problems = load_pack(pack_dir)
    if pack is None:  # the templates are ours: this is a bug, say so loudly
        raise click.ClickException("the scaffold does not validate: "
                                   + "; ".join(map(str, problems)))
    click.echo(f"Created {root}. Edit {pack_dir / 'questions'}, then run "
               f"'trainer packs validate {pack_dir}'.")
    if package:
        click.echo(f"Install it with 'trainer install -e {root}'; publish it as "
                   f"trainer-{dashed} on PyPI.")


@packs.command("install")
@_data_option
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace an installed pack with the same id.")
def install_pack(data_dir, packs_dirs, source, replace):
    """Install a data pack (folder or .zip) into <data>/packs, after validating it."""
    folder = _packs_folder(data_dir)
    registry = _registry(data_dir, packs_dirs)
    try:
        done = install_path(source, folder, taken_ids(registry, folder), replace)
    except PackRefused as exc:
        _refused(source, exc)
    click.echo(_installed(done) + " A running server shows it after a restart or an upload.")


@packs.command("remove")
@_data_option
@click.argument("pack_id")
def remove(data_dir, packs_dirs, pack_id):
    """Remove a data pack from <data>/packs. Progress on its questions is kept."""
    folder = _packs_folder(data_dir)
    if find_installed(folder, pack_id) is None:
        pack = _registry(data_dir, packs_dirs).get(pack_id)
        if pack is not None:
            raise click.ClickException(
                f"pack '{pack_id}' is not in {folder}; it comes from {pack.source or pack.path}"
                " (a pip package: remove it with 'trainer uninstall NAME')")
        raise click.ClickException(f"no data pack '{pack_id}' in {folder}")
    kept = remove_pack(folder, pack_id)
    click.echo(f"Removed {pack_id}; its files are kept in {kept}. Progress on its questions "
               "is kept and shows again if the pack is installed again.")


def _profile_option(command):
    command = click.option(
        "--profile", "profile_id", default=None, metavar="ID",
        help="Whose progress: a profile id (the name of <data>/profiles/ID.json); may be "
             "left out when there is one profile.")(command)
    return click.option(
        "--with-progress", is_flag=True,
        help="Take a learner's progress along: card schedules and review history "
             "(docs/anki.md).")(command)


def _profile(data_dir, profile_id):
    """The profile ``--profile`` names, or the only one there is."""
    folder = _packs_folder(data_dir).parent / "profiles"
    store = ProfileStore(folder)
    if profile_id is None:
        ids = sorted(p.stem for p in folder.glob("*.json") if PROFILE_ID.match(p.stem)) \
            if folder.is_dir() else []
        if len(ids) != 1:
            raise click.ClickException(
                f"there {'is no profile' if not ids else f'are {len(ids)} profiles'} in "
                f"{folder}: name one with --profile ID")
        profile_id = ids[0]
    if not store.exists(profile_id):
        raise click.ClickException(f"no profile '{profile_id[:70]}' in {folder}")
    return store.get(profile_id)


@packs.command("import-anki")
@_data_option
@click.argument("deck", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "pack_id", default=None, help="The new pack's id (default: from the "
              "deck's name).")
@click.option("--replace", is_flag=True, help="Replace an installed pack with the same id.")
@_profile_option
def import_anki(data_dir, packs_dirs, deck, pack_id, replace, with_progress, profile_id):
    """Install an Anki package (.apkg, .colpkg) as a data pack in <data>/packs."""
    folder = _packs_folder(data_dir)
    profile = _profile(data_dir, profile_id) if with_progress else None
    try:
        converted = read_package_file(deck, pack_id)
        done = install_files(converted.files, folder,
                             taken_ids(_registry(data_dir, packs_dirs), folder), replace)
    except PackRefused as exc:
        _refused(deck, exc)
    click.echo(_installed(done))
    for lost in converted.lost:
        click.echo(f"  left out: {lost}")
    if profile is not None:
        pack, _ = load_pack(done.path)
        report = take_anki_history(profile, pack, converted.history)
        click.echo(f"Progress of profile {profile.id}: {report.summary()}.")
        for what, reason in report.skipped:
            click.echo(f"  skipped: {what}: {reason}")


@packs.command("export-anki")
@_data_option
@click.argument("pack_id")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@_profile_option
def export_anki(data_dir, packs_dirs, pack_id, out, with_progress, profile_id):
    """Write a pack as an Anki package (.apkg): one note per question."""
    pack = _registry(data_dir, packs_dirs).get(pack_id)
    if pack is None:
        raise click.ClickException(f"no pack '{pack_id}' (see 'trainer packs list')")
    progress = progress_for_anki(_profile(data_dir, profile_id), pack) if with_progress \
        else None
    try:
        count = write_package(pack, out, progress)
    except PackRefused as exc:
        raise click.ClickException("; ".join(exc.reasons)) from None
    learnt = f", {len(progress)} with their schedule and history" if progress else ""
    click.echo(f"Wrote {out}: {count} note{'' if count == 1 else 's'} of {pack.id} "
               f"{pack.version}{learnt}.")


def _pip(args):
    """Run pip in the interpreter that runs the trainer, so the server sees the result."""
    return subprocess.run([sys.executable, "-m", "pip", *args], check=False).returncode


@click.command("install")
@click.argument("names", nargs=-1, required=True)
@click.option("-U", "--upgrade", is_flag=True, help="Upgrade packages already installed.")
@click.option("-e", "--editable", is_flag=True, help="Install a local folder in editable mode.")
def install(names, upgrade, editable):
    """pip install code packs (e.g. trainer-NAME) into the trainer's environment."""
    args = ["install", *(["--upgrade"] if upgrade else [])]
    for name in names:
        args.extend(["-e", name] if editable else [name])
    sys.exit(_pip(args))


@click.command("uninstall")
@click.argument("names", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(names, yes):
    """pip uninstall code packs from the trainer's environment."""
    sys.exit(_pip(["uninstall", *(["-y"] if yes else []), *names]))


def attach(group):
    """Add these commands to the ``trainer`` group."""
    group.add_command(packs)
    group.add_command(install)
    group.add_command(uninstall)
