"""Finds the templates/ and static/ folders in a wheel or a source checkout.

The wheel carries them inside the ``trainer`` package; a source checkout (and an
editable install) keeps them at the top of the repository, next to ``trainer/``.
"""

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # trainer/


def asset_dir(name):
    """Return the folder ``name`` ("templates" or "static") that this install uses."""
    inside = _PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / name
