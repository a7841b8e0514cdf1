"""Pictures a pack ships in ``assets/``: which files may be there, how they are checked,
and the one URL they are served from.

A pack's Markdown shows an image with ``![what it shows](assets/name.png)``. The rule
(docs/packs.md, "Images"):

* ``assets/<name>`` directly in ``assets/``; the name is letters, digits, ``.``, ``-``
  and ``_`` and ends in ``.png``, ``.jpg``, ``.jpeg`` or ``.webp`` (lower case);
* the file's first bytes must say the same type as its name (PNG, JPEG or WebP): a
  browser never has to guess, and a script renamed ``x.png`` is refused;
* SVG is refused, not sanitised: an SVG is a document that can hold script and links,
  and a raster image says the same in a diagram;
* at most :data:`MAX_ASSET_BYTES` a file, :data:`MAX_ASSETS` files and
  :data:`MAX_PACK_ASSET_BYTES` in all;
* every image is used by a question, and every image a question shows is in the
  folder, with alt text (a pack never holds a file the trainer would ignore).

Images are served from our own origin at :data:`ASSET_URL` (CSP ``img-src 'self'``),
which ``render.py`` writes into the HTML; nothing else may be an image source.
"""

import re
from pathlib import Path, PurePosixPath

from markdown_it import MarkdownIt

ASSETS_DIR = "assets"
ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".webp": "image/webp"}
TYPE_NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP"}
MAX_ASSET_BYTES = 1024 * 1024
MAX_ASSETS = 200
MAX_PACK_ASSET_BYTES = 8 * 1024 * 1024
ASSET_URL = "/packs/{pack_id}/assets/{name}"
ASSET_URL_PATTERN = re.compile(
    r"^/packs/[a-z0-9][a-z0-9_-]{0,63}/assets/[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
ALLOWED_ASSETS = (f"{ASSETS_DIR}/ holds .png, .jpg, .jpeg or .webp images only, directly "
                  "inside it, named with letters, digits, '.', '-' and '_' (SVG is refused)")


def is_asset_path(name):
    """A path (relative, POSIX) inside the pack's ``assets/`` folder."""
    return PurePosixPath(name).parts[:1] == (ASSETS_DIR,)


def asset_path_problem(name):
    """Why ``name`` (under ``assets/``) cannot be a pack image, or None when it can."""
    parts = PurePosixPath(name).parts
    if len(parts) != 2:
        return f"images sit directly in {ASSETS_DIR}/, not in a folder inside it"
    filename = parts[1]
    suffix = PurePosixPath(filename).suffix
    if suffix.lower() == ".svg":
        return ("SVG images are refused (an SVG can hold script); export it as PNG or "
                "WebP")
    if suffix.lower() in IMAGE_TYPES and suffix not in IMAGE_TYPES:
        return f"an image's name ends in lower case ('{suffix.lower()}'): rename it"
    if suffix not in IMAGE_TYPES or not ASSET_NAME.match(filename):
        return ALLOWED_ASSETS
    return None


def sniff(data):
    """The image type the bytes say they are (``image/png``...), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_type_problem(name, data):
    """Why the bytes of image ``name`` are not what its name says, or None."""
    if len(data) > MAX_ASSET_BYTES:
        return (f"is {len(data)} bytes; the limit per image is {MAX_ASSET_BYTES} bytes "
                "(make it smaller)")
    wanted = IMAGE_TYPES.get(PurePosixPath(name).suffix)
    found = sniff(data)
    if found is None:
        return (f"is not a {TYPE_NAMES.get(wanted, 'PNG, JPEG or WebP')} image (its first "
                "bytes are not an image's)")
    if found != wanted:
        return f"holds a {TYPE_NAMES[found]} image but its name says {TYPE_NAMES[wanted]}"
    return None


def asset_url(pack_id, src):
    """The served URL for ``src`` (``assets/NAME``) in pack ``pack_id``, or None when
    ``src`` is not one of a pack's images."""
    if not pack_id or not src or not src.startswith(f"{ASSETS_DIR}/"):
        return None
    name = src[len(ASSETS_DIR) + 1:]
    if not ASSET_NAME.match(name) or PurePosixPath(name).suffix not in IMAGE_TYPES:
        return None
    return ASSET_URL.format(pack_id=pack_id, name=name)


def read_asset(folder, name):
    """``(bytes, mimetype)`` of image ``name`` in the pack at ``folder``, or None when it
    is not a pack image (bad name, missing, a link, too big, not the type it says)."""
    if not ASSET_NAME.match(name or "") or asset_path_problem(f"{ASSETS_DIR}/{name}"):
        return None
    path = Path(folder) / ASSETS_DIR / name
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with open(path, "rb") as fh:
            data = fh.read(MAX_ASSET_BYTES + 1)
    except OSError:
        return None
    if image_type_problem(name, data):
        return None
    return data, sniff(data)


_parser = MarkdownIt("commonmark", {"html": False})
_parser.enable("table")


def image_references(text):
    """``(line, src, alt)`` for each image the Markdown ``text`` shows (code excluded);
    ``line`` is 1-based in ``text``."""
    if "![" not in text:
        return []
    found = []
    lines = text.split("\n")
    for token in _parser.parse(text):
        if token.type != "inline" or not token.children or token.map is None:
            continue
        for child in token.children:
            if child.type != "image":
                continue
            src = child.attrGet("src") or ""
            line = token.map[0] + 1
            for number in range(token.map[0], token.map[1]):
                if src and src in lines[number]:
                    line = number + 1
                    break
            found.append((line, src, child.content.strip()))
    return found


def asset_problems(folder, entries, question_files, read_limit):
    """``(label, line, message)`` for each image problem of the pack at ``folder``.

    ``entries`` are its layout entries, ``question_files`` its question paths (relative);
    a question that cannot be read is the loader's to report, and is skipped here.
    """
    folder = Path(folder)
    problems, used, total = [], set(), 0
    images = sorted(e.name for e in entries if e.kind == "file" and is_asset_path(e.name)
                    and asset_path_problem(e.name) is None)
    for name in question_files:
        try:
            raw = (folder / name).read_bytes()[:read_limit]
            text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError):
            continue
        for line, src, alt in image_references(text):
            label = f"{folder.name}/{name}"
            if not src.startswith(f"{ASSETS_DIR}/"):
                problems.append((label, line, f"image '{src[:80]}' is not in the pack: show "
                                 f"images from {ASSETS_DIR}/, as ![what it shows]"
                                 f"({ASSETS_DIR}/name.png)"))
            elif src not in images:
                problems.append((label, line, f"image '{src[:80]}' is not in the pack's "
                                 f"{ASSETS_DIR}/ folder"))
            elif not alt:
                problems.append((label, line, f"image '{src}' has no alt text: say what it "
                                 f"shows, as ![a diagram of the request flow]({src})"))
            used.add(src)
    if len(images) > MAX_ASSETS:
        problems.append((f"{folder.name}/{ASSETS_DIR}", 1, f"holds {len(images)} images; "
                         f"the limit is {MAX_ASSETS}"))
        return problems
    for name in images:
        label = f"{folder.name}/{name}"
        try:
            with open(folder / name, "rb") as fh:
                data = fh.read(MAX_ASSET_BYTES + 1)
        except OSError as exc:
            problems.append((label, 1, f"cannot be read: {exc.strerror or exc}"))
            continue
        total += len(data)
        problem = image_type_problem(name, data)
        if problem:
            problems.append((label, 1, problem))
        elif name not in used:
            problems.append((label, 1, "is not shown by any question: remove it, or show "
                             f"it with ![what it shows]({name})"))
    if total > MAX_PACK_ASSET_BYTES:
        problems.append((f"{folder.name}/{ASSETS_DIR}", 1, f"holds {total} bytes of images; "
                         f"the limit per pack is {MAX_PACK_ASSET_BYTES} bytes"))
    return problems
