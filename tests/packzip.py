"""Builds pack zips for tests: good ones from a folder, bad ones entry by entry."""

import io
import stat
import zipfile
from pathlib import Path


def zip_folder(folder, top=None, extra=()):
    """The bytes of a zip holding ``folder`` (under ``top/`` when given) plus ``extra``
    entries, each ``(name, data)``."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "expected.txt":
                name = path.relative_to(folder).as_posix()
                archive.writestr(f"{top}/{name}" if top else name, path.read_bytes())
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_entries(entries):
    """A zip from ``(name, data)`` or ``(name, data, unix_mode)`` entries, as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            name, data = entry[0], entry[1]
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if len(entry) > 2:
                info.create_system = 3
                info.external_attr = entry[2] << 16
            archive.writestr(info, data)
    return buffer.getvalue()


SYMLINK = stat.S_IFLNK | 0o777
