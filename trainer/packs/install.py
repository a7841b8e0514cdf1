"""Installs and removes data packs in the packs folder, so a bad pack never lands there.

An install takes files already checked by :mod:`trainer.packs.archive`, writes them to a
hidden staging folder next to the packs (same disk, so the final move is one atomic
rename), loads them with the real loader, and only a pack that loads without a single
error is moved to ``<packs>/<id>``. Replacing a pack (an upgrade) swaps the folders by
rename too, so the packs folder never holds half a pack.

A staging folder left by a crash mid-install (``<packs>/.staging-*``) is removed by the
next install or registry load once no install in this process is using it and it is
older than :data:`STALE_STAGING_SECONDS` (so another process's install in flight is left
alone). Like every dot folder, it is never loaded as a pack.

A removed pack, and the old version a replacement pushed out, move to
``<packs>/.removed/<id>-<time>/`` (the registry skips dot folders), from where they can be
copied back. Only the latest :data:`REMOVED_KEPT` copies stay: each removal prunes the
older ones, so the folder cannot grow without end. Profiles keep the progress on a
removed pack's questions; it shows again if the pack comes back (question ids are
stable across versions).
"""

import logging
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from trainer.packs.archive import read_folder, read_zip, read_zip_file
from trainer.packs.loader import ID, load_pack, peek_id
from trainer.packs.model import PackRefused
from trainer.storage import fsync_dir, lock_for

RETIRED = ".removed"
REMOVED_KEPT = 5
RETIRED_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}-(\d{8}T\d{6}(?:\d{6})?Z)-[0-9a-f]{6}$")
SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
STAGING_PREFIX = ".staging-"
STAGING_NAME = re.compile(r"^\.staging-[0-9a-f]{16}$")
STALE_STAGING_SECONDS = 300
log = logging.getLogger(__name__)
_staging_in_use: set[str] = set()
_staging_guard = threading.Lock()


@dataclass
class Installed:
    """What an install did: the pack as loaded, and the version it replaced, if any."""

    pack_id: str
    version: str
    title: str
    questions: int
    replaced: str | None
    path: Path


def _staging_name(name):
    cleaned = SAFE_NAME.sub("-", name).strip("-")[:64]
    return cleaned or "pack"


def _write_tree(root, files):
    for relative, data in files.items():
        target = root.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def remove_stale_staging(packs_dir, max_age=STALE_STAGING_SECONDS):
    """Delete staging folders in ``packs_dir`` that no install is still writing.

    A folder in use by an install in this process is kept; one from elsewhere (a crash,
    or ``trainer packs install`` in another process) only once it is ``max_age`` seconds
    old. Returns the names removed. Never raises: a folder we cannot list is left as is.
    """
    removed = []
    try:
        children = list(Path(packs_dir).iterdir())
    except OSError:
        return removed
    now = time.time()
    for child in children:
        if not STAGING_NAME.match(child.name) or child.is_symlink():
            continue
        with _staging_guard:
            if str(child) in _staging_in_use:
                continue
        try:
            if now - child.stat().st_mtime < max_age:
                continue
        except OSError:
            continue
        shutil.rmtree(child, ignore_errors=True)
        if not child.exists():
            removed.append(child.name)
            log.warning("removed %s, left by an install that did not finish", child)
    return removed


def _installed_version(folder):
    pack, _ = load_pack(folder)
    return pack.version if pack else "unknown (it does not load)"


def install_files(pack_files, packs_dir, taken=None, replace=False):
    """Validate ``pack_files`` and move them into ``packs_dir/<id>``.

    ``taken`` maps pack ids already provided by something other than the packs folder
    (a pip-installed pack, another folder) to where they come from; such an id is
    refused rather than shadowed. Raises :class:`PackRefused` with every reason, and
    nothing else: a disk that cannot take the files is a refusal too, and leaves the
    packs folder as it was.
    """
    packs_dir = Path(packs_dir)
    try:
        packs_dir.mkdir(parents=True, exist_ok=True)
        return _install(pack_files, packs_dir, taken or {}, replace)
    except OSError as exc:
        log.exception("installing %s into %s failed", pack_files.name, packs_dir)
        raise PackRefused([f"the pack cannot be written to the packs folder: "
                           f"{exc.strerror or exc}"]) from None


def _install(pack_files, packs_dir, taken, replace):
    with lock_for(packs_dir):
        remove_stale_staging(packs_dir)
        staging = packs_dir / f"{STAGING_PREFIX}{secrets.token_hex(8)}"
        with _staging_guard:
            _staging_in_use.add(str(staging))
        try:
            staged = staging / _staging_name(pack_files.name)
            staged.mkdir(parents=True)
            _write_tree(staged, pack_files.files)
            pack, problems = load_pack(staged)
            if pack is None:
                raise PackRefused([str(p) for p in problems])
            if pack.id in taken:
                raise PackRefused([f"pack id '{pack.id}' is already used by {taken[pack.id]};"
                                      " change the id in pack.toml"])
            target = packs_dir / pack.id
            installed = find_installed(packs_dir, pack.id)
            replaced = None
            if installed is not None or target.exists():
                installed = installed or target
                replaced = _installed_version(installed)
                if not replace:
                    raise PackRefused([
                        f"pack '{pack.id}' is already installed (version {replaced}); replace "
                        "it to upgrade ('--replace' on the command line, 'Replace' on the "
                        "packs page)"])
                old = _retired_path(packs_dir, pack.id)
                os.rename(installed, old)
                try:
                    os.rename(staged, target)
                except OSError:
                    os.rename(old, installed)  # put the installed version back
                    raise
                prune_removed(packs_dir)
            else:
                os.rename(staged, target)
            fsync_dir(packs_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            with _staging_guard:
                _staging_in_use.discard(str(staging))
    return Installed(pack.id, pack.version, pack.title, len(pack.questions), replaced, target)


def install_path(path, packs_dir, taken=None, replace=False):
    """Install from a ``.zip`` file or a pack folder; errors raise :class:`PackRefused`."""
    path = Path(path)
    if path.is_dir():
        files = read_folder(path)
    elif path.is_file():
        files = read_zip_file(path)  # measured before a byte is read into memory
    else:
        raise PackRefused([f"{path} does not exist"])
    return install_files(files, packs_dir, taken, replace)


def install_zip_bytes(data, name, packs_dir, taken=None, replace=False):
    """Install from an uploaded zip held in memory."""
    files = read_zip(data, name=Path(name or "pack").stem)
    return install_files(files, packs_dir, taken, replace)


def find_installed(packs_dir, pack_id):
    """The folder in ``packs_dir`` holding pack ``pack_id``, or None."""
    packs_dir = Path(packs_dir)
    if not ID.match(pack_id) or not packs_dir.is_dir():
        return None
    direct = packs_dir / pack_id
    if direct.is_dir() and not direct.is_symlink():
        return direct
    for child in sorted(packs_dir.iterdir()):
        if (child.is_dir() and not child.name.startswith(".") and not child.is_symlink()
                and peek_id(child) == pack_id):
            return child
    return None


def _retired_path(packs_dir, pack_id):
    """A fresh place in ``<packs>/.removed/`` for a pack leaving the packs folder."""
    retired = packs_dir / RETIRED
    retired.mkdir(exist_ok=True)
    now = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9))
    return retired / f"{pack_id}-{stamp}{now // 1000 % 10**6:06d}Z-{secrets.token_hex(3)}"


def prune_removed(packs_dir, keep=REMOVED_KEPT):
    """Delete all but the newest ``keep`` copies in ``<packs>/.removed``; return the
    names deleted. Only folders named as :func:`remove_pack` names them are counted or
    touched; anything else an operator put there stays. Never raises."""
    try:
        copies = [c for c in (Path(packs_dir) / RETIRED).iterdir()
                  if RETIRED_NAME.match(c.name) and c.is_dir() and not c.is_symlink()]
    except OSError:
        return []
    copies.sort(key=lambda c: (RETIRED_NAME.match(c.name).group(1), c.name), reverse=True)
    pruned = []
    for old in copies[keep:]:
        shutil.rmtree(old, ignore_errors=True)
        if not old.exists():
            pruned.append(old.name)
    return pruned


def remove_pack(packs_dir, pack_id):
    """Move the data pack ``pack_id`` out of ``packs_dir``; return where it went.

    Raises LookupError when no such data pack is there. Progress is not touched.
    """
    packs_dir = Path(packs_dir)
    with lock_for(packs_dir):
        folder = find_installed(packs_dir, pack_id)
        if folder is None:
            raise LookupError(f"no data pack '{pack_id}' in {packs_dir}")
        retired = _retired_path(packs_dir, pack_id)
        os.rename(folder, retired)
        fsync_dir(packs_dir)
        prune_removed(packs_dir)
    return retired


def taken_ids(registry, packs_dir):
    """Pack ids the registry has from anywhere but ``packs_dir`` itself."""
    packs_dir = Path(packs_dir).resolve()
    taken = {}
    for pack in registry:
        if Path(pack.path).resolve().parent != packs_dir:
            taken[pack.id] = pack.source or pack.path
    return taken
