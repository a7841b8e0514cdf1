"""One description of every pack, loaded or not, for ``packs list``, the packs page and
``/-/packs.json``: the same facts everywhere, so they cannot disagree.
"""

from collections import Counter

from trainer.packs.model import DIFFICULTIES


def describe(registry):
    """A list of dicts, loaded packs first (by id), then the packs that failed to load.

    Each has at least ``id``, ``title``, ``version``, ``source``, ``questions`` (a count),
    ``difficulties`` (count per level), ``loaded`` and ``errors`` (``FILE:LINE: message``
    strings; empty for a pack that loaded).
    """
    rows = []
    for pack in registry:
        levels = Counter(q.difficulty for q in pack.questions)
        rows.append({
            "id": pack.id, "title": pack.title, "version": pack.version,
            "description": pack.description, "author": pack.author, "licence": pack.licence,
            "source": pack.source, "path": pack.path, "questions": len(pack.questions),
            "difficulties": {level: levels.get(level, 0) for level in DIFFICULTIES},
            "loaded": True, "errors": [],
        })
    for problem in registry.errors:
        rows.append({
            "id": problem.id, "title": "", "version": "", "description": "", "author": "",
            "licence": "", "source": problem.source, "path": problem.path, "questions": 0,
            "difficulties": dict.fromkeys(DIFFICULTIES, 0),
            "loaded": False, "errors": list(problem.errors),
        })
    return rows
