"""Reads a data pack from a zip archive or a folder into memory, refusing anything unsafe.

An uploaded zip comes from someone else's machine, so nothing in it is trusted. Every
check runs on the archive's directory and on the bytes in memory, before a single file
is written anywhere:

* the archive itself, the number of entries, each file and the unpacked total are
  bounded, and so is the compression ratio (a "zip bomb" unpacks to gigabytes);
* a name may not be absolute, contain ``..``, a backslash or a control character;
* only regular files are accepted: no symbolic links, devices or encrypted entries;
* the layout is that of a data pack: ``pack.toml``, ``questions/*.md`` and optionally a
  README, a LICENSE or a CHANGELOG, at the top or inside one top folder.

The CLI (``trainer packs install``) and the packs page share these checks; a folder
given on the command line goes through the same layout and size rules.
"""

import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from trainer.packs.loader import MANIFEST, MAX_FILE_BYTES, MAX_QUESTIONS, QUESTIONS_DIR
from trainer.packs.model import PackRefused

MAX_ARCHIVE_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = MAX_QUESTIONS + 10
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024
EXTRA_FILES = {
    "README.md", "README.txt", "README", "LICENSE", "LICENSE.md", "LICENSE.txt",
    "LICENCE", "LICENCE.md", "LICENCE.txt", "CHANGELOG.md",
}
SAFE_PART = re.compile(r"^[^\x00-\x1f\x7f/\\:*?\"<>|]{1,120}$")
MAX_LISTED = 8


@dataclass
class PackFiles:
    """A pack's files in memory: relative POSIX path -> bytes, and a name for messages."""

    name: str
    files: dict = field(default_factory=dict)


def _is_junk(parts):
    """Files that zip tools add on their own (macOS resource forks, Finder state)."""
    return parts[0] == "__MACOSX" or parts[-1].startswith(".")


def _name_problem(name):
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
        top = tops.pop()
        if f"{top}/{MANIFEST}" in names:
            return top + "/"
    return None


def _layout_problems(relative_names):
    """Reasons for files that have no place in a data pack."""
    strays = []
    for name in relative_names:
        parts = PurePosixPath(name).parts
        ok = (name == MANIFEST or (len(parts) == 1 and name in EXTRA_FILES)
              or (len(parts) == 2 and parts[0] == QUESTIONS_DIR and name.endswith(".md")))
        if not ok:
            strays.append(name)
    if not strays:
        return []
    listed = ", ".join(f"'{s}'" for s in strays[:MAX_LISTED])
    more = f" and {len(strays) - MAX_LISTED} more" if len(strays) > MAX_LISTED else ""
    return [f"unexpected file {listed}{more}: a data pack holds only {MANIFEST}, "
            f"{QUESTIONS_DIR}/*.md and optionally a README, LICENSE or CHANGELOG "
            "(a pack with Python code installs with 'trainer install')"]


def _finish(name, prefix, contents, reasons):
    if prefix is None:
        reasons.append(f"no {MANIFEST} at the top of the archive or inside one top folder")
    else:
        relative = {path[len(prefix):]: data for path, data in contents.items()}
        reasons.extend(_layout_problems(sorted(relative)))
        contents = relative
        if prefix:
            name = prefix.rstrip("/")
    if reasons:
        raise PackRefused(reasons)
    return PackFiles(name=name, files=contents)


def read_zip(data, name="pack"):
    """Check a zip archive (bytes) and return its pack files, or raise :class:`PackRefused`."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise PackRefused([f"the archive is {len(data)} bytes; the limit is "
                            f"{MAX_ARCHIVE_BYTES} bytes"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise PackRefused(["the file is not a readable zip archive"]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise PackRefused([f"the archive holds {len(infos)} entries; the limit is "
                                f"{MAX_ENTRIES}"])
        reasons, wanted, total = [], [], 0
        seen = set()
        for info in infos:
            problem = _name_problem(info.filename)
            if problem:
                reasons.append(problem)
                continue
            kind = _entry_kind(info)
            parts = [p for p in info.filename.rstrip("/").split("/") if p != "."]
            path = "/".join(parts)
            if kind == "dir" or not parts or _is_junk(parts):
                continue
            if kind != "file":
                reasons.append(f"'{info.filename}' is a {kind}; only regular files are allowed")
                continue
            if info.flag_bits & 0x1:
                reasons.append(f"'{info.filename}' is encrypted")
                continue
            if path in seen:
                reasons.append(f"'{info.filename}' appears twice in the archive")
                continue
            seen.add(path)
            if info.file_size > MAX_FILE_BYTES:
                reasons.append(f"'{info.filename}' unpacks to {info.file_size} bytes; the "
                               f"limit per file is {MAX_FILE_BYTES} bytes")
                continue
            if info.file_size > RATIO_FLOOR and (
                    info.file_size > MAX_RATIO * max(info.compress_size, 1)):
                reasons.append(f"'{info.filename}' is compressed more than {MAX_RATIO} to 1, "
                               "which no real question file needs")
                continue
            total += info.file_size
            wanted.append((info, path))
        if total > MAX_UNPACKED_BYTES:
            reasons.append(f"the archive unpacks to {total} bytes; the limit is "
                           f"{MAX_UNPACKED_BYTES} bytes")
        if reasons:
            raise PackRefused(reasons)
        contents = {}
        for info, path in wanted:
            try:
                with archive.open(info) as member:
                    body = member.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                reasons.append(f"'{info.filename}' cannot be unpacked: {exc}")
                continue
            if len(body) != info.file_size:
                reasons.append(f"'{info.filename}' does not hold the size its header claims")
                continue
            contents[path] = body
    if reasons:
        raise PackRefused(reasons)
    return _finish(name, _strip_top(list(contents)), contents, [])


def read_folder(folder):
    """Check a pack folder on disk by the same rules and return its files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PackRefused([f"{folder} is not a folder"])
    reasons, contents, total, count = [], {}, 0, 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        parts = relative.split("/")
        if any(part.startswith(".") for part in parts) or "__pycache__" in parts:
            continue
        count += 1
        if count > MAX_ENTRIES:
            raise PackRefused([f"the folder holds more than {MAX_ENTRIES} entries"])
        if path.is_symlink():
            reasons.append(f"'{relative}' is a symbolic link; only regular files are allowed")
            continue
        if path.is_dir():
            continue
        if not path.is_file():
            reasons.append(f"'{relative}' is a special file; only regular files are allowed")
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            reasons.append(f"'{relative}' is {size} bytes; the limit per file is "
                           f"{MAX_FILE_BYTES} bytes")
            continue
        total += size
        if total > MAX_UNPACKED_BYTES:
            raise PackRefused([f"the folder holds more than {MAX_UNPACKED_BYTES} bytes"])
        contents[relative] = path.read_bytes()
    prefix = "" if MANIFEST in contents else None
    return _finish(folder.name, prefix, contents, reasons)
