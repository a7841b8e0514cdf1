"""Reads a data pack from a zip archive or a folder into memory, refusing anything unsafe.

An uploaded zip comes from someone else's machine, so nothing in it is trusted. Every
check runs on the archive's directory and on the bytes in memory, before a single file
is written anywhere:

* the archive itself, the number of entries, each file and the unpacked total are
  bounded, and so is the compression ratio (a "zip bomb" unpacks to gigabytes);
* a name may not be absolute, contain ``..``, a backslash or a control character (and
  every name is made :func:`~trainer.packs.model.printable` before it is shown);
* the archive file is measured before it is read (:func:`read_zip_file`);
* an image (``assets/...``) may hold up to ``MAX_ASSET_BYTES``, a text file 64 KiB;
* the files are those :func:`trainer.packs.layout.layout_problems` allows: the same
  rule ``packs validate`` and the server's loader apply, with regular files only and
  no Python code (install and upload take data packs; code packs install with pip).

The CLI (``trainer packs install`` and ``validate``) and the packs page share these
checks; a folder given on the command line goes through the same layout and size rules.
"""

import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from trainer.packs.assets import MAX_ASSET_BYTES, MAX_ASSETS, is_asset_path
from trainer.packs.layout import (
    MANIFEST,
    Entry,
    TooManyEntries,
    is_skipped,
    layout_problems,
    walk_folder,
)
from trainer.packs.loader import MAX_FILE_BYTES, MAX_QUESTIONS
from trainer.packs.model import PackRefused

MAX_ARCHIVE_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = MAX_QUESTIONS + 10 + MAX_ASSETS
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024
SAFE_PART = re.compile(r"^[^\x00-\x1f\x7f/\\:*?\"<>|]{1,120}$")


@dataclass
class PackFiles:
    """A pack's files in memory: relative POSIX path -> bytes, a name for messages, and
    ``top``, the folder ("NAME/") the pack sat in inside its archive, or ""."""

    name: str
    files: dict = field(default_factory=dict)
    top: str = ""


def name_problem(name):
    """Why an archive entry's name is unsafe (absolute, ``..``, backslash...), or None."""
    if "\\" in name:
        return f"'{name}' contains a backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return f"'{name}' is an absolute path"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return f"'{name}' climbs out of the pack with '..'"
    if any(not SAFE_PART.match(part) for part in parts if part != "."):
        return f"'{name}' has an empty part or a character not allowed in a file name"
    return None


def _entry_kind(info):
    """'dir', 'file' or the name of a type we refuse (links, devices...)."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    # Made on Unix, the high bits carry the file type; many tools leave it at 0.
    if info.create_system == 3 and kind:
        if kind == stat.S_IFLNK:
            return "symbolic link"
        if kind == stat.S_IFDIR:
            return "dir"
        if kind != stat.S_IFREG:
            return "special file"
    return "dir" if info.filename.endswith("/") else "file"


def _strip_top(names):
    """The prefix to drop so that ``pack.toml`` is at the top, or None if there is none."""
    if MANIFEST in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop() + "/"
        if top + MANIFEST in names and all(name.startswith(top) for name in names):
            return top
    return None


def _unreadable():
    return PackRefused(["the file is not a readable zip archive"])


def read_zip_file(path):
    """Check the zip archive at ``path``: its size first (from the file system, before a
    byte is read), then its contents as :func:`read_zip` does."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size <= MAX_ARCHIVE_BYTES:
            with open(path, "rb") as fh:
                data = fh.read(MAX_ARCHIVE_BYTES + 1)  # bounded, should the file grow
            size = len(data)
    except OSError as exc:
        raise PackRefused([f"the file cannot be read: {exc.strerror or exc}"]) from None
    if size > MAX_ARCHIVE_BYTES:
        raise PackRefused([f"the archive is {size} bytes; the limit is "
                           f"{MAX_ARCHIVE_BYTES} bytes"])
    return read_zip(data, name=path.stem)


def _entries(archive):
    """``(info, path, kind)`` per entry that is neither a folder nor skipped, and the
    reasons to refuse entries whose names or kinds are unsafe."""
    reasons, found, seen = [], [], set()
    for info in archive.infolist():
        problem = name_problem(info.filename)
        if problem:
            reasons.append(problem)
            continue
        kind = _entry_kind(info)
        path = "/".join(p for p in info.filename.rstrip("/").split("/") if p != ".")
        if kind == "dir" or not path or is_skipped(path):
            continue
        if path in seen:
            reasons.append(f"'{info.filename}' appears twice in the archive")
            continue
        seen.add(path)
        found.append((info, path, kind))
    return found, reasons


def file_limit(relative):
    """The most bytes one file of a pack may hold: an image more than a text."""
    return MAX_ASSET_BYTES if is_asset_path(relative) else MAX_FILE_BYTES


def _size_problem(info, limit=MAX_FILE_BYTES):
    if info.flag_bits & 0x1:
        return f"'{info.filename}' is encrypted"
    if info.file_size > limit:
        return (f"'{info.filename}' unpacks to {info.file_size} bytes; the limit per file "
                f"is {limit} bytes")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
            info.compress_size, 1):
        return (f"'{info.filename}' is compressed more than {MAX_RATIO} to 1, which no "
                "real question file needs")
    return None


def read_zip(data, name="pack"):
    """Check a zip archive (bytes) and return its pack files, or raise :class:`PackRefused`.

    Never raises anything else: a damaged archive can fail inside :mod:`zipfile` in many
    ways, and each is a refusal.
    """
    if len(data) > MAX_ARCHIVE_BYTES:
        raise PackRefused([f"the archive is {len(data)} bytes; the limit is "
                            f"{MAX_ARCHIVE_BYTES} bytes"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # any failure to read the directory: not a zip we can use
        raise _unreadable() from None
    with archive:
        count = len(archive.infolist())
        if count > MAX_ENTRIES:
            raise PackRefused([f"the archive holds {count} entries; the limit is "
                                f"{MAX_ENTRIES}"])
        found, reasons = _entries(archive)
        if reasons:  # an unsafe name: nothing else about the archive matters
            raise PackRefused(reasons)
        prefix = _strip_top([path for _, path, _ in found])
        if prefix is None:
            reasons.append(f"no {MANIFEST} at the top of the archive or inside one top folder")
            raise PackRefused(reasons)
        inside = {path[len(prefix):]: (info, kind) for info, path, kind in found}
        layout = layout_problems([Entry(n, kind) for n, (_, kind) in inside.items()])
        reasons.extend(problem.reason for problem in layout)
        broken = {problem.name for problem in layout}
        wanted, total = [], 0
        for relative, (info, _) in sorted(inside.items()):
            if relative in broken:
                continue
            problem = _size_problem(info, file_limit(relative))
            if problem:
                reasons.append(problem)
                continue
            total += info.file_size
            wanted.append((info, relative))
        if total > MAX_UNPACKED_BYTES:
            reasons.append(f"the archive unpacks to {total} bytes; the limit is "
                           f"{MAX_UNPACKED_BYTES} bytes")
        if reasons:
            raise PackRefused(reasons)
        contents = {}
        for info, relative in wanted:
            try:
                with archive.open(info) as member:
                    body = member.read(MAX_FILE_BYTES + 1)
            except Exception as exc:  # zlib, lzma, bz2 and zipfile each fail their own way
                reasons.append(f"'{info.filename}' cannot be unpacked: {exc}")
                continue
            if len(body) != info.file_size:
                reasons.append(f"'{info.filename}' does not hold the size its header claims")
                continue
            contents[relative] = body
    if reasons:
        raise PackRefused(reasons)
    return PackFiles(name=prefix.rstrip("/") or name, files=contents, top=prefix)


def read_folder(folder):
    """Check a pack folder on disk by the same rules and return its files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PackRefused([f"{folder} is not a folder"])
    try:
        entries = walk_folder(folder, MAX_ENTRIES)
    except TooManyEntries:
        raise PackRefused([f"the folder holds more than {MAX_ENTRIES} entries"]) from None
    except OSError as exc:
        raise PackRefused([f"{folder} cannot be read: {exc.strerror or exc}"]) from None
    layout = layout_problems(entries)
    reasons = [problem.reason for problem in layout]
    broken = {problem.name for problem in layout}
    names = [e.name for e in entries if e.name not in broken and not is_skipped(e.name)]
    if MANIFEST not in names:
        reasons.append(f"no {MANIFEST} at the top of the folder")
    contents, total = {}, 0
    for relative in sorted(names):
        path = folder.joinpath(*relative.split("/"))
        try:
            size = path.stat().st_size
            if size > file_limit(relative):
                reasons.append(f"'{relative}' is {size} bytes; the limit per file is "
                               f"{file_limit(relative)} bytes")
                continue
            total += size
            if total > MAX_UNPACKED_BYTES:
                raise PackRefused([f"the folder holds more than {MAX_UNPACKED_BYTES} bytes"])
            contents[relative] = path.read_bytes()
        except OSError as exc:
            reasons.append(f"'{relative}' cannot be read: {exc.strerror or exc}")
    if reasons:
        raise PackRefused(reasons)
    return PackFiles(name=folder.name, files=contents)
