"""One description of every pack, loaded or not, for ``packs list``, the packs page and
``/-/packs.json``: the same facts everywhere, so they cannot disagree.
"""

import os
from collections import Counter
from pathlib import Path

from trainer.packs.model import DIFFICULTIES, printable

FOLDER_SOURCE = "folder "


def describe(registry, paths=True):
    """A list of dicts, loaded packs first (by id), then the packs that failed to load.

    Each has at least ``id``, ``title``, ``version``, ``requires`` (library to the minimum
    version the pack is written for), ``source``, ``questions`` (a count),
    ``difficulties`` (count per level), ``loaded`` and ``errors`` (``FILE:LINE: message``
    strings; empty for a pack that loaded). Every string is :func:`printable`: a folder
    or title with a terminal escape in it cannot reach ``packs list`` as one.

    With ``paths`` (the CLI, the operator) each row also has ``path``, where the pack is on
    the server. Without it (any other visitor) there is no ``path``, and the server's
    pack folders in ``source`` and in messages are shortened to their names.
    """
    rows = [_printable(row) for row in _rows(registry)]
    if paths:
        return rows
    folders = sorted({str(Path(d)) for d in getattr(registry, "pack_dirs", ())},
                     key=len, reverse=True)
    for row in rows:
        del row["path"]
        row["source"] = _short_source(row["source"])
        row["errors"] = [_without_folders(e, folders) for e in row["errors"]]
    return rows


def _printable(row):
    for key, value in row.items():
        if isinstance(value, str):
            row[key] = printable(value)
        elif key == "errors":
            row[key] = [printable(e) for e in value]
    return row


def _short_source(source):
    if source.startswith(FOLDER_SOURCE):
        return FOLDER_SOURCE + Path(source[len(FOLDER_SOURCE):]).name
    return source


def _without_folders(message, folders):
    """``message`` with each pack folder's absolute path cut to the part below it."""
    for folder in folders:
        message = message.replace(folder + os.sep, "").replace(folder, Path(folder).name)
    return message


def _rows(registry):
    rows = []
    for pack in registry:
        levels = Counter(q.difficulty for q in pack.questions)
        rows.append({
            "id": pack.id, "title": pack.title, "version": pack.version,
            "requires": {name: printable(v) for name, v in sorted(pack.requires.items())},
            "description": pack.description, "author": pack.author, "licence": pack.licence,
            "source": pack.source, "path": pack.path, "questions": len(pack.questions),
            "difficulties": {level: levels.get(level, 0) for level in DIFFICULTIES},
            "loaded": True, "errors": [],
        })
    for problem in registry.errors:
        rows.append({
            "id": problem.id, "title": "", "version": "", "requires": {}, "description": "",
            "author": "", "licence": "", "source": problem.source, "path": problem.path,
            "questions": 0,
            "difficulties": dict.fromkeys(DIFFICULTIES, 0),
            "loaded": False, "errors": list(problem.errors),
        })
    return rows
