"""An Anki package (``.apkg``, ``.colpkg``) turned into a data pack (docs/anki.md).

The package is someone else's file, so it is handled as a pack zip is and more:

1. the zip is checked in memory first, with the limits of pack zips (size, entries,
   ratio, safe names, no links), and only the names an Anki package holds;
2. the official ``anki`` library (``pip install 'interview-trainer[anki]'``) reads it in
   a child process (:func:`_child`), in a temporary folder outside the packs folder,
   with a CPU limit, a per-file size limit, a wall-clock limit and the folder's size
   watched: Anki unpacks its zstd entries without a bound, and a hostile SQLite
   database may make the reader fail in any way, so the child may die and we say so;
3. each note becomes a question file in our Markdown (HTML converted by
   :class:`_Markdown`: script, style and every attribute but ``src``, ``alt`` and
   ``href`` are dropped), each image a pack asset, and the result goes through
   :func:`~trainer.packs.install.install_files`: written to staging, loaded by the real
   loader (which renders and sanitises with nh3 exactly as for any pack), moved into
   place only if it loads without a problem. A refusal writes nothing.

The child also reads each note's review history (the revlog of its first card), which
:attr:`Converted.history` hands on by question id: trainer/study/anki_progress.py
replays it into a learner's progress when asked to (``--with-progress``).
"""

import contextlib
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from trainer.packs.archive import (
    MAX_ARCHIVE_BYTES,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNPACKED_BYTES,
    RATIO_FLOOR,
    PackFiles,
    name_problem,
)
from trainer.packs.assets import (
    ASSETS_DIR,
    MAX_ASSET_BYTES,
    MAX_ASSETS,
    MAX_PACK_ASSET_BYTES,
    sniff,
)
from trainer.packs.install import install_files
from trainer.packs.loader import ID, MAX_FILE_BYTES, MAX_QUESTIONS, TAG
from trainer.packs.model import DIFFICULTIES, PackRefused, is_control

NEEDS_ANKI = ("reading Anki packages needs the optional 'anki' library: "
              "pip install 'interview-trainer[anki]'")
PACKAGE_ENTRY = re.compile(r"^(collection\.anki2|collection\.anki21|collection\.anki21b|media"
                           r"|meta|\d{1,6})$")
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
CHILD_SECONDS = 60
CHILD_DISK_BYTES = 2 * MAX_UNPACKED_BYTES
MAX_NOTES_JSON = 64 * 1024 * 1024
MAX_TITLE = 300
MAX_REVIEWS_PER_CARD = 5000
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
ROLES = {
    "question": {"front", "question", "prompt", "text"},
    "answer": {"back", "answer", "extra", "back extra", "notes", "explanation"},
    "why": {"why it matters", "why", "context"},
    "key_points": {"key points", "keypoints", "points"},
    "follow_ups": {"follow ups", "followups", "follow up"},
    "difficulty": {"difficulty", "level"},
}
CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.S)
SOUND = re.compile(r"\[sound:[^\]]*\]")
OUR_GUID = re.compile(r"^trainer:([a-z0-9][a-z0-9_-]{0,63}):([a-z0-9][a-z0-9_-]{0,63})$")


@dataclass
class Converted:
    """A deck as pack files, and what did not come across (one sentence each)."""

    files: PackFiles
    notes: int
    lost: list = field(default_factory=list)
    # question id -> {"type": Anki's card type now (0 new), "reviews": [[id (ms), ease,
    # revlog type, time (ms), ivl], ...] oldest first}, for questions with a history
    history: dict = field(default_factory=dict)


# 1. The package as a zip ------------------------------------------------------------

def check_package(data):
    """Refuse a package zip that breaks the pack-zip limits or holds anything but what
    an Anki package holds; return the name of its collection entry."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise PackRefused([f"the package is {len(data)} bytes; the limit is "
                           f"{MAX_ARCHIVE_BYTES} bytes"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # any failure to read the directory
        raise PackRefused(["the file is not an Anki package (not a readable zip "
                           "archive)"]) from None
    if len(infos) > MAX_ENTRIES:
        raise PackRefused([f"the package holds {len(infos)} entries; the limit is "
                           f"{MAX_ENTRIES}"])
    reasons, names, total = [], set(), 0
    for info in infos:
        name = info.filename
        problem = name_problem(name)
        if problem is None and not PACKAGE_ENTRY.match(name):
            problem = f"'{name}' is not part of an Anki package"
        if problem is None and info.create_system == 3 and (info.external_attr >> 16) \
                & 0o170000 not in (0, 0o100000):
            problem = f"'{name}' is not a regular file"
        if problem is None and info.flag_bits & 0x1:
            problem = f"'{name}' is encrypted"
        if problem is None and name in names:
            problem = f"'{name}' appears twice in the package"
        limit = MAX_UNPACKED_BYTES if name in COLLECTIONS else MAX_ASSET_BYTES
        if problem is None and info.file_size > limit:
            problem = (f"'{name}' unpacks to {info.file_size} bytes; the limit is {limit} "
                       "bytes")
        if problem is None and info.file_size > RATIO_FLOOR and info.file_size > \
                MAX_RATIO * max(info.compress_size, 1):
            problem = f"'{name}' is compressed more than {MAX_RATIO} to 1"
        if problem:
            reasons.append(problem)
            continue
        names.add(name)
        total += info.file_size
    if total > MAX_UNPACKED_BYTES:
        reasons.append(f"the package unpacks to {total} bytes; the limit is "
                       f"{MAX_UNPACKED_BYTES} bytes")
    collection = next((c for c in COLLECTIONS if c in names), None)
    if collection is None and not reasons:
        reasons.append("the package holds no Anki collection (collection.anki2 or "
                       "collection.anki21b)")
    if reasons:
        raise PackRefused(reasons)
    return collection


# 2. The package read by the anki library, in a child process -------------------------

def anki_available():
    try:
        import anki.collection  # noqa: F401 (optional extra)
    except ImportError:
        return False
    return True


def _limits():
    """The child's own bounds, set first thing in it: CPU seconds and file size."""
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_SECONDS, CHILD_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_UNPACKED_BYTES + MAX_ASSET_BYTES,) * 2)


def _folder_bytes(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def read_notes(data, workdir):
    """The package's notes as plain records, and the folder holding its media."""
    if not anki_available():
        raise PackRefused([NEEDS_ANKI])
    package = Path(workdir) / "deck.apkg"
    package.write_bytes(data)
    out = Path(workdir) / "out"
    out.mkdir()
    child = subprocess.Popen(  # our own module, our own interpreter
        [sys.executable, "-m", "trainer.packs.anki_import", str(package), str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=workdir)
    deadline = time.monotonic() + CHILD_SECONDS
    reason = None
    while child.poll() is None:
        if time.monotonic() > deadline:
            reason = f"reading it took more than {CHILD_SECONDS} seconds"
        elif _folder_bytes(out) > CHILD_DISK_BYTES:
            reason = f"it unpacks to more than {CHILD_DISK_BYTES} bytes"
        if reason:
            child.kill()
            child.wait()
            raise PackRefused([f"the Anki package was refused: {reason}"])
        time.sleep(0.05)
    error = child.stderr.read(4000).decode("utf-8", "replace").strip()
    child.stderr.close()
    notes_file = out / "notes.json"
    if child.returncode != 0 or not notes_file.is_file():
        last = error.splitlines()[-1] if error else f"the reader stopped ({child.returncode})"
        raise PackRefused([f"the Anki package cannot be read: {last[:300]}"])
    if notes_file.stat().st_size > MAX_NOTES_JSON:
        raise PackRefused(["the Anki package holds more text than a pack may"])
    return json.loads(notes_file.read_text(encoding="utf-8")), out / "media"


def _child(package, out):
    """In the child: open a fresh collection, import the package, write notes.json."""
    from anki.collection import (
        Collection,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    _limits()
    out = Path(out)
    col = Collection(str(out / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package),
            options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False)))
        ids = col.find_notes("")
        if len(ids) > MAX_QUESTIONS:
            raise SystemExit(f"the package holds {len(ids)} notes; a pack holds at most "
                             f"{MAX_QUESTIONS} questions")
        notes = []
        for note_id in ids:
            note = col.get_note(note_id)
            kind = note.note_type()
            cards = sorted((col.get_card(c) for c in note.card_ids()), key=lambda c: c.ord)
            deck = col.decks.name(cards[0].did) if cards else ""
            notes.append({"guid": note.guid, "cloze": kind["type"] == 1, "deck": deck,
                          "fields": [[f["name"], value] for f, value in
                                     zip(kind["flds"], note.fields, strict=False)],
                          "tags": list(note.tags),
                          "card_type": int(cards[0].type) if cards else 0,
                          "reviews": col.db.all(
                              "select id, ease, type, time, ivl from revlog where cid = ? "
                              "order by id limit ?", cards[0].id, MAX_REVIEWS_PER_CARD)
                          if cards else []})
        media = Path(col.media.dir())
    finally:
        col.close()
    media.rename(out / "media")
    (out / "notes.json").write_text(json.dumps({"notes": notes}), encoding="utf-8")


# 3. Notes to questions --------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]<>#!|~&])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)]|(?=\S))")
_MARK = "\x00"  # a line our own converter started (a list item), never in the text
_BREAK = "\x01"  # a <br>: a hard line break where a line follows
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "pre", "blockquote", "tr", "table", "hr",
           "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "dl", "dt", "dd"}
_DROPPED = {"script", "style", "iframe", "object", "embed", "svg", "math", "template",
            "noscript", "head", "title", "audio", "video", "canvas", "form", "select",
            "textarea", "button", "frame", "frameset", "applet"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "track", "wbr", "area",
         "base", "col", "param"}


def _escape(text):
    return _ESCAPE.sub(r"\\\1", text)


class _Markdown(HTMLParser):
    """Anki's note HTML as our Markdown: text, emphasis, code, lists, links (http/s) and
    images (pack assets, through ``image``). Everything else keeps its text only;
    script, style and the like are dropped with their content, attributes never pass."""

    def __init__(self, image):
        super().__init__(convert_charrefs=True)
        self._image = image  # src, alt -> "assets/NAME" or None
        self.out, self._dropped, self._pre, self._href = [], [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._dropped or tag in _DROPPED:
            if tag not in _VOID:
                self._dropped.append(tag)
            return
        if self._pre is not None:
            return
        if tag == "pre":
            self._pre = []
        elif tag == "br":
            self.out.append(f"{_BREAK}\n")
        elif tag in ("li", "dt"):
            self.out.append(f"\n{_MARK}- ")
        elif tag in _BLOCKS:
            self.out.append("\n\n")
        elif tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag == "a":
            href = (attrs.get("href") or "").strip()
            keep = re.match(r"^https?://[^\s<>()]{1,500}$", href) is not None
            self._href.append(href if keep else None)
            if keep:
                self.out.append("[")
        elif tag == "img":
            src, alt = attrs.get("src") or "", (attrs.get("alt") or "").strip()
            asset = self._image(src, alt)
            if asset:
                shown = " ".join(alt.split()) or Path(src).stem.replace("_", " ") or "image"
                self.out.append(f"![{_escape(shown[:200])}]({asset})")
            elif alt:
                self.out.append(_escape(" ".join(alt.split())))

    def handle_endtag(self, tag):
        if self._dropped:
            if tag == self._dropped[-1]:
                self._dropped.pop()
            return
        if tag == "pre" and self._pre is not None:
            code = "".join(self._pre).strip("\n")
            fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", code)), default=0))
            self.out.append(f"\n\n{fence}\n{code}\n{fence}\n\n")
            self._pre = None
        elif self._pre is not None:
            return
        elif tag in ("b", "strong"):
            self.out.append("**")
        elif tag in ("i", "em"):
            self.out.append("*")
        elif tag == "code":
            self.out.append("`")
        elif tag == "a" and self._href:
            href = self._href.pop()
            if href:
                self.out.append(f"]({href})")
        elif tag in _BLOCKS and tag not in ("li", "dt", "br"):
            self.out.append("\n\n")

    def handle_data(self, data):
        if self._dropped:
            return
        if self._pre is not None:
            self._pre.append(data)
            return
        self.out.append(_escape(re.sub(r"\s+", " ", data)))

    def markdown(self):
        self.close()
        text, fenced, lines = "".join(self.out), False, []
        for line in text.split("\n"):
            if line.startswith("```"):
                fenced = not fenced
                lines.append(line)
                continue
            if fenced:
                lines.append(line)
                continue
            line = line.strip()
            if line.startswith(_MARK):
                lines.append(line[1:])
            else:
                lines.append(_LINE_START.sub(
                    lambda m: "\\" + m.group(2) if m.group(2) else "", line, count=1))
        for i, line in enumerate(lines):
            if line.endswith(_BREAK):
                line = line.rstrip(_BREAK).rstrip()
                following = lines[i + 1].strip() if i + 1 < len(lines) else ""
                hard = line and following and not following.startswith(("```", "- "))
                lines[i] = line + "\\" if hard else line
        text = "\n".join(lines).replace(_MARK, "").replace(_BREAK, "")
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _role(name):
    plain = " ".join(re.sub(r"[-_:]+", " ", name.lower()).split())
    return next((role for role, names in ROLES.items() if plain in names), None)


def _shown_cloze(text):
    return CLOZE.sub(lambda m: f"<b>{m.group(1)}</b>", text)


def _hidden_cloze(text):
    return CLOZE.sub(lambda m: f"[{m.group(2)}]" if m.group(2) else "[...]", text)


def _tag(raw):
    tag = re.sub(r"[^a-z0-9_+.-]+", "-", raw.lower().replace("::", "."))
    tag = re.sub(r"-{2,}", "-", tag).lstrip("-_+.")[:40].rstrip("-")
    return tag if TAG.match(tag) else ""


def _plain(text):
    return " ".join("".join(ch for ch in text if not is_control(ch)).split())


def _first_line(markdown):
    for line in markdown.split("\n"):
        line = line.rstrip("\\").strip()
        if re.search(r"\w", line) and not line.startswith(("```", "!")):
            return line if len(line) <= 200 else line[:200].rsplit(" ", 1)[0] + " …"
    return "See the answer"


def _toml(value):
    return json.dumps(value, ensure_ascii=False)


class _Media:
    """The deck's images that become pack assets, by their Anki name."""

    def __init__(self, folder, lost, prefix=""):
        self.folder, self.lost, self.prefix = Path(folder), lost, prefix  # ours: <pack>-
        self.assets, self._by_name, self._bytes = {}, {}, 0

    def __call__(self, src, _alt):
        name = html.unescape(src).strip()
        if name in self._by_name:
            return self._by_name[name]
        self._by_name[name] = asset = self._add(name)
        return asset

    def _add(self, name):
        shown = _plain(name)[:80]
        if not name or "/" in name or "\\" in name or name.startswith(".") or ":" in name:
            self.lost.append(f"image '{shown}' is not in the package: left out (its alt "
                             "text is kept)")
            return None
        path = self.folder / name
        try:
            if path.is_symlink() or not path.is_file():
                raise FileNotFoundError(name)
            with open(path, "rb") as fh:
                data = fh.read(MAX_ASSET_BYTES + 1)
        except OSError:
            self.lost.append(f"image '{shown}' is not in the package: left out")
            return None
        kind = sniff(data)
        if kind is None:
            self.lost.append(f"image '{shown}' is not PNG, JPEG or WebP: left out (its alt "
                             "text is kept)")
            return None
        if len(data) > MAX_ASSET_BYTES or len(self.assets) >= MAX_ASSETS or \
                self._bytes + len(data) > MAX_PACK_ASSET_BYTES:
            self.lost.append(f"image '{shown}' is over the image limits: left out")
            return None
        stem = Path(name).stem.removeprefix(self.prefix) or Path(name).stem
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:80] or "image"
        asset = f"{ASSETS_DIR}/{stem}{EXTENSIONS[kind]}"
        if asset in self.assets and self.assets[asset] != data:
            asset = f"{ASSETS_DIR}/{stem}-{hashlib.sha1(data).hexdigest()[:6]}{EXTENSIONS[kind]}"  # noqa: S324
        self.assets[asset] = data
        self._bytes += len(data)
        return asset


def _markdown_of(value, media):
    parser = _Markdown(media)
    parser.feed(SOUND.sub("", value))
    return parser.markdown()


def _question(note, media, deck, lost, number):
    """``(question id, Markdown file text)`` for one note, or None after noting why."""
    fields = [(name, value or "") for name, value in note["fields"]]
    if any(SOUND.search(value) for _, value in fields):
        lost.append(f"note {number}: its sounds are left out")
    roles = {}
    for name, value in fields:
        roles.setdefault(_role(name), []).append((name, value))
    if note["cloze"]:
        asked = roles.get("question", [fields[0]])[0]
        title_html, answer_parts = _hidden_cloze(asked[1]), [("", _shown_cloze(asked[1]))]
        answer_parts += [(n, v) for n, v in fields if (n, v) != asked and _role(n) not in
                         ("why", "key_points", "follow_ups", "difficulty")]
    else:
        asked = roles.get("question", [fields[0]])[0]
        title_html = asked[1]
        answer_parts = [(n, v) for n, v in fields if (n, v) != asked
                        and _role(n) not in ("why", "key_points", "follow_ups", "difficulty")]
    title = " ".join(_markdown_of(title_html, media).split())
    if not title:
        lost.append(f"note {number}: its question field is empty; the note is left out")
        return None
    extra_question = ""
    if len(title) > MAX_TITLE:
        extra_question = _markdown_of(title_html, media) + "\n\n"
        title = title[:MAX_TITLE].rsplit(" ", 1)[0] + " …"
    paragraphs = []
    for name, value in answer_parts:
        body = _markdown_of(value, media)
        if body:
            label = "" if not name or _role(name) == "answer" else f"**{_escape(name)}:**\n\n"
            paragraphs.append(label + body)
    answer = extra_question + "\n\n".join(paragraphs)
    if not answer.strip():
        lost.append(f"note {number}: it has no answer; the note is left out")
        return None
    why = "\n\n".join(_markdown_of(v, media) for _, v in roles.get("why", [])).strip() or \
        _escape(f"From the Anki deck “{deck}”.")
    key_points = _items(roles.get("key_points", []), media) or [_first_line(answer)]
    follow_ups = _items(roles.get("follow_ups", []), media) or [
        "What would you add to this answer?"]
    tags, difficulty = [], "mid"
    for value in (v for _, v in roles.get("difficulty", [])):
        if _plain(html.unescape(re.sub(r"<[^>]*>", "", value))).lower() in DIFFICULTIES:
            difficulty = _plain(html.unescape(re.sub(r"<[^>]*>", "", value))).lower()
    for raw in note["tags"]:
        tag = _tag(raw)
        if tag.startswith("difficulty.") and tag.split(".", 1)[1] in DIFFICULTIES:
            difficulty = tag.split(".", 1)[1]
        elif tag and tag not in tags:
            tags.append(tag)
    text = "\n".join([
        "+++", f"id = {_toml('')}", f"difficulty = {_toml(difficulty)}",
        f"tags = {_toml(tags[:20] or ['anki'])}", "+++", "", f"# {title}", "",
        "## Answer", "", answer, "", "## Why it matters", "", why, "", "## Key points", "",
        *(f"- {p}" for p in key_points), "", "## Follow-ups", "",
        *(f"- {f}" for f in follow_ups), ""])
    return text


def _items(parts, media):
    items = []
    for _, value in parts:
        for line in _markdown_of(value, media).split("\n"):
            line = re.sub(r"^(- |\\[-+*] |\\?\d+\\?[.)] )", "", line.strip()).strip()
            if line and not line.startswith("```"):
                items.append(line)
    return items[:50]


def _pack_id(wanted, title):
    if wanted:
        if not ID.match(wanted):
            raise PackRefused([f"the pack id {wanted[:70]!r} is not allowed: use lowercase "
                               "letters, digits, '-' or '_', at most 64 characters"])
        return wanted
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64].strip("-")
    return slug if ID.match(slug) else "anki-deck"


def _question_id(guid, taken):
    ours = OUR_GUID.match(guid or "")
    wanted = ours.group(2) if ours else "anki-" + hashlib.blake2b(
        (guid or "").encode(), digest_size=6).hexdigest()
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted[:58]}-{n}"
    taken.add(candidate)
    return candidate


def convert(records, media_folder, name, pack_id=None):
    """Pack files from the notes the child read; see docs/anki.md for the mapping."""
    notes = records.get("notes", [])
    decks = Counter(_plain(n.get("deck", "")) for n in notes if n.get("deck"))
    deck = decks.most_common(1)[0][0] if decks else ""
    title = (deck or _plain(name) or "Anki deck")[:120].strip() or "Anki deck"
    ours = {m.group(1) for m in (OUR_GUID.match(n.get("guid") or "") for n in notes) if m}
    if not pack_id and len(ours) == 1 and all(OUR_GUID.match(n.get("guid") or "")
                                              for n in notes):
        pack_id = ours.pop()  # a package we exported: it comes back under its own id
    pack_id = _pack_id(pack_id, title)
    lost, files, taken, history = [], {}, set(), {}
    media = _Media(media_folder, lost, prefix=f"{pack_id}-")
    for number, note in enumerate(notes, start=1):
        text = _question(note, media, deck or title, lost, number)
        if text is None:
            continue
        question_id = _question_id(note.get("guid"), taken)
        text = text.replace('id = ""', f"id = {_toml(question_id)}", 1)
        data = text.encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            lost.append(f"note {number}: longer than {MAX_FILE_BYTES} bytes as a question; "
                        "left out")
            continue
        files[f"questions/{len(files) + 1:05d}-{question_id}.md"] = data
        reviews = _reviews(note.get("reviews"))
        if reviews:
            card_type = note.get("card_type")
            history[question_id] = {"type": card_type if isinstance(card_type, int) else 0,
                                    "reviews": reviews}
    if not files:
        raise PackRefused(["the Anki package holds no note that can become a question",
                           *lost[:10]])
    count = len(files)
    files.update(media.assets)
    description = _plain(f"Imported from the Anki package {name}: {count} of "
                         f"{len(notes)} notes.")
    files["pack.toml"] = "\n".join([
        f"id = {_toml(pack_id)}", f"title = {_toml(title)}", 'version = "1.0.0"',
        f"description = {_toml(description[:1000])}", ""]).encode("utf-8")
    return Converted(PackFiles(name=pack_id, files=files), count, lost, history)


def _reviews(rows):
    """The revlog rows the child read, kept only where each is five whole numbers."""
    if not isinstance(rows, list):
        return []
    return [row for row in rows[:MAX_REVIEWS_PER_CARD] if isinstance(row, list)
            and len(row) == 5 and all(isinstance(v, int) and not isinstance(v, bool)
                                      for v in row)]


def read_package(data, name, pack_id=None):
    """Check and read an Anki package (bytes); return :class:`Converted` or raise
    :class:`PackRefused`. Nothing is written outside a temporary folder."""
    check_package(data)
    workdir = tempfile.mkdtemp(prefix="trainer-anki-")
    try:
        records, media = read_notes(data, workdir)
        if not isinstance(records, dict) or not isinstance(records.get("notes"), list):
            raise PackRefused(["the Anki package cannot be read: no notes"])
        return convert(records, media, name, pack_id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def read_package_file(path, pack_id=None):
    """:func:`read_package` for a file, measured before it is read."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_ARCHIVE_BYTES:
            raise PackRefused([f"the package is {path.stat().st_size} bytes; the limit is "
                               f"{MAX_ARCHIVE_BYTES} bytes"])
        data = path.read_bytes()
    except OSError as exc:
        raise PackRefused([f"the file cannot be read: {exc.strerror or exc}"]) from None
    return read_package(data, path.stem, pack_id)


def install_package(data, name, packs_dir, taken=None, replace=False, pack_id=None):
    """Read an Anki package and install it as a data pack: ``(Installed, Converted)``."""
    converted = read_package(data, name, pack_id)
    return install_files(converted.files, packs_dir, taken, replace), converted


if __name__ == "__main__":  # the child process of read_notes
    _child(sys.argv[1], sys.argv[2])
