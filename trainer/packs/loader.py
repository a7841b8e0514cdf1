"""Reads a pack folder from disk into a :class:`Pack`, or a list of precise errors.

The format (``docs/packs.md`` is the author's guide):

* ``pack.toml``: ``id``, ``title``, ``version``, ``description``, ``author``, ``licence``,
  and an optional ``[requires]`` table of minimum library versions (``flask = "3.1.1"``);
* ``questions/*.md``, loaded in file-name order, each with TOML front matter between
  ``+++`` lines (``id``, ``difficulty``, ``tags``, optional ``references``), then
  ``# The question``, an optional ``## Say it`` (the answer as said aloud: 120 to 180
  words of prose, no code block, table or heading), and the sections ``## Answer``,
  ``## Why it matters``, ``## Key points`` and ``## Follow-ups`` (the last two are
  ``- `` lists).

Every problem is reported as a :class:`PackError` with the file and a line: the line of
the offending field or heading where there is one, else line 1 (a problem with the whole
file). A pack with any error is not loaded, and never stops another pack from loading:
whatever goes wrong inside one file (even an exception we did not foresee, such as a
recursion limit on TOML nested hundreds deep) becomes that file's error, and
:func:`load_pack` never raises.

Which files a pack may hold is decided by :mod:`trainer.packs.layout`, the same rule
``packs install`` and the upload form apply.
"""

import logging
import re
import tomllib
from pathlib import Path

from trainer.packs.assets import MAX_ASSETS, asset_problems
from trainer.packs.layout import (
    MANIFEST,
    QUESTIONS_DIR,
    TooManyEntries,
    is_code_pack,
    layout_problems,
    question_names,
    walk_folder,
)
from trainer.packs.model import DIFFICULTIES, Pack, PackError, Question, is_control
from trainer.packs.render import images_of, render_block, render_inline

__all__ = ["MANIFEST", "QUESTIONS_DIR", "load_pack", "peek_id"]
log = logging.getLogger(__name__)
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TAG = re.compile(r"^[a-z0-9][a-z0-9_+.-]{0,39}$")
MAX_FILE_BYTES = 64 * 1024
MAX_QUESTIONS = 5000
MAX_TAGS = 20
MANIFEST_FIELDS = {
    "id": True, "title": True, "version": True, "description": False, "author": False,
    "licence": False, "requires": False,
}
FRONT_FIELDS = {"id": True, "difficulty": True, "tags": True, "references": False}
SECTIONS = ("Answer", "Why it matters", "Key points", "Follow-ups")
SAY_IT = "Say it"
SAY_IT_WORDS = (120, 180)  # about 60 to 75 seconds aloud
REQUIRES_MAX = 20
LIBRARY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")
TABLE_ROW = re.compile(r"^\s*\|")
TABLE_RULE = re.compile(r"^\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
VERSION = re.compile(r"^\d+(\.\d+){0,2}([-.+][0-9A-Za-z.]+)?$")


class _Problems(list):
    def add(self, file, line, message):
        self.append(PackError(str(file), line, message))


def _read_text(path, problems, label):
    """The file's text, or None after reporting why it cannot be used."""
    try:
        if not path.is_file():
            problems.add(label, 1, "is not a regular file")
            return None
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.add(label, 1, f"is {size} bytes; the limit is {MAX_FILE_BYTES} bytes "
                         "(split the text or shorten the answer)")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(label, 1, f"cannot be read: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(label, line, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save "
                     "the file as UTF-8")
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _shown(value, limit=60):
    """A value as it appears in a message: quoted like Python, cut to ``limit``."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _parse_toml(text, problems, label, what, first_line):
    """The TOML table in ``text``, or None after reporting why it cannot be read.

    ``what`` starts each message ("" for a whole file, "front matter " for a part);
    ``first_line`` is the file line ``text`` starts on. Valid TOML can still defeat the
    reader (arrays nested hundreds deep exhaust Python's recursion limit; integers with
    thousands of digits exceed its conversion limit): those are reported as well.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.add(label, _toml_error_line(exc, text) + first_line - 1,
                     f"{what}is not valid TOML: {exc}")
    except RecursionError:
        problems.add(label, first_line, f"{what}nests arrays or tables too deeply to read; "
                     "a pack needs only strings and lists of strings")
    except ValueError:
        problems.add(label, first_line, f"{what}holds a number too long to read; a pack "
                     "needs only strings and lists of strings")
    return None


def _toml_error_line(exc, text):
    """The 1-based line a TOML error is on; the last line for "at end of document"."""
    match = re.search(r"line (\d+)", str(exc))
    if match:
        return int(match.group(1))
    return len(text.rstrip("\n").split("\n")) if text.strip() else 1


FIELD_LINE = re.compile(r"""^\s*\[*\s*["']?([A-Za-z0-9_-]+)["']?\s*[.=\]]""")


def _field_lines(text, first_line):
    """Map each top-level TOML key to the file line it is set on (first occurrence).

    Best effort: a key written with escapes (``"\\u0069d"``) is not found, so every
    lookup falls back to a default line."""
    lines = {}
    for offset, line in enumerate(text.split("\n")):
        match = FIELD_LINE.match(line)
        if match:
            lines.setdefault(match.group(1), first_line + offset)
    return lines


def _check_fields(data, spec, problems, label, where, start):
    """Report missing fields at ``start`` and unknown ones at their own line."""
    ok = True
    for name, required in spec.items():
        if required and name not in data:
            problems.add(label, start, f"missing required field '{name}'")
            ok = False
    for name in data:
        if name not in spec:
            known = ", ".join(spec)
            shown = name if len(name) <= 60 else name[:56] + "..."
            problems.add(label, where.get(name, start),
                         f"unknown field '{shown}' (known fields: {known})")
            ok = False
    return ok


MAX_DESCRIPTION = 1000


def load_manifest(folder, problems):
    label = f"{folder.name}/{MANIFEST}"
    path = folder / MANIFEST
    if not path.exists():
        problems.add(label, 1, "missing: every pack needs a pack.toml manifest")
        return None
    text = _read_text(path, problems, label)
    if text is None:
        return None
    data = _parse_toml(text, problems, label, "", 1)
    if data is None:
        return None
    where = _field_lines(text, 1)
    if not _check_fields(data, MANIFEST_FIELDS, problems, label, where, 1):
        return None
    for name in MANIFEST_FIELDS:
        if name == "requires":
            continue
        if name in data and not isinstance(data[name], str):
            problems.add(label, where.get(name, 1), f"field '{name}' must be a string "
                         "in double quotes")
            return None
    if not ID.match(data["id"]):
        problems.add(label, where.get("id", 1), f"field 'id' is {_shown(data['id'])}: use "
                     "lowercase letters, digits, '-' or '_', at most 64 characters")
        return None
    if not VERSION.match(data["version"]):
        problems.add(label, where.get("version", 1), f"field 'version' is "
                     f"{_shown(data['version'])}: use a version such as 1.0.0")
        return None
    if not data["title"].strip() or len(data["title"]) > 120:
        problems.add(label, where.get("title", 1), "field 'title' must be 1 to 120 characters")
        return None
    for name in ("title", "description", "author", "licence"):
        if any(map(is_control, data.get(name, ""))):
            problems.add(label, where.get(name, 1), f"field '{name}' holds a control "
                         "character (a line break, tab or terminal escape); use plain text")
            return None
    for name in ("description", "author", "licence"):
        if len(data.get(name, "")) > MAX_DESCRIPTION:
            problems.add(label, where.get(name, 1), f"field '{name}' is longer than "
                         f"{MAX_DESCRIPTION} characters")
            return None
    if "requires" in data:
        requires = _requires(data["requires"], text, problems, label, where.get("requires", 1))
        if requires is None:
            return None
        data["requires"] = requires
    return data


def _requires(value, text, problems, label, start):
    """The ``[requires]`` table as ``{library: "3.1.1"}``, or None after reporting it.

    Each value is the lowest version of that library the pack is written for, as dotted
    numbers only: the packs page and a pack's own tests compare it with what is installed.
    """
    if not isinstance(value, dict) or not value or len(value) > REQUIRES_MAX:
        problems.add(label, start, f"field 'requires' must be a table of 1 to {REQUIRES_MAX} "
                     "libraries and their minimum versions, such as [requires] then "
                     'flask = "3.1.1" on the next line')
        return None
    lines = _field_lines("\n".join(text.split("\n")[start:]), start + 1)
    for name, version in value.items():
        line = lines.get(name, start)
        if not LIBRARY.match(name):
            problems.add(label, line, f"requires: {_shown(name)} is not a library name "
                         "(letters, digits, '.', '-', '_')")
            return None
        if not isinstance(version, str) or not MIN_VERSION.match(version):
            problems.add(label, line, f"requires: '{name}' is {_shown(version)}: write the "
                         'minimum version as dotted numbers in double quotes, such as "3.1.1"')
            return None
    return {name.lower(): version for name, version in value.items()}


def _split_front_matter(text, problems, label):
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        problems.add(label, 1, "must start with TOML front matter between '+++' lines")
        return None, None, 0
    for i in range(1, len(lines)):
        if lines[i].strip() == "+++":
            return "\n".join(lines[1:i]), lines[i + 1:], i + 1
    problems.add(label, 1, "front matter is not closed by a '+++' line")
    return None, None, 0


def _front_matter(raw, problems, label):
    """Parse and check the front matter; its first line is line 2 of the file."""
    data = _parse_toml(raw, problems, label, "front matter ", 2)
    if data is None:
        return None
    where = _field_lines(raw, 2)
    if not _check_fields(data, FRONT_FIELDS, problems, label, where, 1):
        return None
    for name in ("id", "difficulty"):
        if not isinstance(data[name], str):
            problems.add(label, where.get(name, 1), f"front matter field '{name}' must be a "
                         "string in double quotes")
            return None
    if not ID.match(data["id"]):
        problems.add(label, where.get("id", 1), f"field 'id' is {_shown(data['id'])}: use "
                     "lowercase letters, digits, '-' or '_', at most 64 characters")
        return None
    if data["difficulty"] not in DIFFICULTIES:
        problems.add(label, where.get("difficulty", 1), f"field 'difficulty' is "
                     f"{_shown(data['difficulty'])}: use one of " + ", ".join(DIFFICULTIES))
        return None
    tags = data["tags"]
    if not isinstance(tags, list) or not tags or len(tags) > MAX_TAGS or not all(
        isinstance(t, str) and TAG.match(t) for t in tags
    ):
        problems.add(label, where.get("tags", 1), f"field 'tags' must be a list of 1 to "
                     f"{MAX_TAGS} lowercase tags such as [\"routing\", \"http\"]")
        return None
    refs = data.get("references", [])
    if not isinstance(refs, list) or len(refs) > MAX_TAGS or not all(
        isinstance(r, str) and r.startswith(("https://", "http://")) and len(r) <= 500
        for r in refs
    ):
        problems.add(label, where.get("references", 1), "field 'references' must be a list "
                     f"of at most {MAX_TAGS} http(s) URLs")
        return None
    data["_id_line"] = where.get("id", 1)
    return data


def _body(lines, first_line, problems, label):
    """Split the Markdown body into the title and the four sections."""
    title = None
    sections = {}
    current = None
    fence = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        marker = FENCE.match(line)
        if fence is not None or marker:
            # Inside a code block a '# ' line is a comment, not a heading.
            if fence is None:
                fence = marker.group(1)
            elif line.strip().startswith(fence[0] * len(fence)) and not line.strip(
                    ).strip(fence[0]):
                fence = None
            if current is not None:
                sections[current][0].append(line)
            continue
        if line.startswith("# "):
            if title is not None:
                problems.add(label, number, "a second '# ' title; a question has one")
                return None
            title = (line[2:].strip(), number)
        elif line.startswith("## "):
            name = line[3:].strip()
            if name not in SECTIONS and name != SAY_IT:
                problems.add(label, number, f"unknown section '## {name}' (sections: "
                             f"{SAY_IT} (optional), " + ", ".join(SECTIONS) + ")")
                return None
            if name in sections:
                problems.add(label, number, f"section '## {name}' appears twice")
                return None
            current = name
            sections[name] = ([], number)
        elif current is not None:
            sections[current][0].append(line)
        elif line.strip() and title is None:
            problems.add(label, number, "text before the '# ' question title")
            return None
    if fence is not None:
        problems.add(label, first_line + len(lines) - 1, f"a code block opened with {fence} "
                     "is never closed")
        return None
    if title is None or not title[0]:
        problems.add(label, first_line, "missing the '# ' line with the question")
        return None
    for name in SECTIONS:
        if name not in sections:
            problems.add(label, title[1], f"missing section '## {name}'")
            return None
        if not "\n".join(sections[name][0]).strip():
            problems.add(label, sections[name][1], f"section '## {name}' is empty")
            return None
    return title, sections


WORD = re.compile(r"\w")
MARKUP = re.compile(r"[`*]|\[([^\]]*)\]\([^)]*\)")


def _say_it(section, problems, label):
    """The ``## Say it`` section as ``(markdown, plain text)``, or None after reporting.

    It is what a candidate would say aloud, so it is prose only: no code block (a fence
    or an indented block), no table and no heading, and 120 to 180 words, where a word is
    any run of non-space characters with a letter or digit in it.
    """
    lines, start = section
    for offset, line in enumerate(lines, start=1):
        number = start + offset
        if FENCE.match(line):
            problems.add(label, number, f"section '## {SAY_IT}' is said aloud: no code "
                         "blocks (name the function in `backticks` instead)")
            return None
        if TABLE_ROW.match(line) or TABLE_RULE.match(line):
            problems.add(label, number, f"section '## {SAY_IT}' is said aloud: no tables")
            return None
        if line.lstrip().startswith("#"):
            problems.add(label, number, f"section '## {SAY_IT}' is said aloud: no headings")
            return None
        if line.startswith(("    ", "\t")) and line.strip():
            problems.add(label, number, f"section '## {SAY_IT}' is said aloud: no indented "
                         "code blocks (start the line at the margin)")
            return None
    markdown = "\n".join(lines).strip()
    text = " ".join(MARKUP.sub(lambda m: m.group(1) or "", markdown).split())
    words = sum(1 for token in text.split() if WORD.search(token))
    low, high = SAY_IT_WORDS
    if not low <= words <= high:
        problems.add(label, start, f"section '## {SAY_IT}' has {words} words; it takes "
                     f"{low} to {high} (about 60 to 75 seconds aloud)")
        return None
    return markdown, text


def _bullets(name, section, problems, label):
    items = []
    lines, start = section
    for offset, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not line.startswith("- "):
            problems.add(label, start + offset, f"section '## {name}' takes '- ' list items only")
            return None
        items.append(render_inline(line[2:].strip()))
    return tuple(items)


def load_question(path, label, problems, id_lines=None):
    """One question file, or None after reporting its problems.

    ``id_lines`` (a dict), when given, learns the line of the file's ``id`` field, so a
    duplicate id can be reported where it is written.
    """
    text = _read_text(path, problems, label)
    if text is None:
        return None
    front, body, body_start = _split_front_matter(text, problems, label)
    if front is None:
        return None
    meta = _front_matter(front, problems, label)
    if meta is None:
        return None
    if id_lines is not None:
        id_lines[label] = meta["_id_line"]
    parsed = _body(body, body_start + 1, problems, label)
    if parsed is None:
        return None
    (title, _), sections = parsed
    key_points = _bullets("Key points", sections["Key points"], problems, label)
    follow_ups = _bullets("Follow-ups", sections["Follow-ups"], problems, label)
    if key_points is None or follow_ups is None:
        return None
    say_it = None
    if SAY_IT in sections:
        say_it = _say_it(sections[SAY_IT], problems, label)
        if say_it is None:
            return None
    return Question(
        id=meta["id"],
        title=title,
        title_html=render_inline(title),
        answer_html=render_block("\n".join(sections["Answer"][0])),
        why_html=render_block("\n".join(sections["Why it matters"][0])),
        key_points=key_points,
        follow_ups=follow_ups,
        difficulty=meta["difficulty"],
        tags=tuple(meta["tags"]),
        references=tuple(meta.get("references", ())),
        source=label,
        say_it_html=render_block(say_it[0]) if say_it else None,
        say_it_text=say_it[1] if say_it else None,
    )


def load_pack(folder, source=""):
    """Load the pack in ``folder``. Return ``(pack or None, [PackError, ...])``.

    Never raises: this is the boundary of one pack, so whatever goes wrong inside it is
    reported as its problem and the caller carries on with the next pack.
    """
    folder = Path(folder)
    try:
        return _load_pack(folder, source)
    except Exception as exc:  # the per-pack boundary: a surprise is this pack's problem
        log.exception("loading the pack in %s failed", folder)
        return None, [_unexpected(f"{folder.name}/{MANIFEST}", exc)]


def _unexpected(label, exc):
    return PackError(label, 1, f"cannot be loaded because of an unexpected "
                     f"{type(exc).__name__} ({exc}); please report it, with the file")


def _pack_entries(folder, problems):
    """The pack's entries, or None after reporting why the folder cannot be read."""
    try:
        return walk_folder(folder, MAX_QUESTIONS + 10 + MAX_ASSETS)
    except TooManyEntries as exc:
        problems.add(f"{folder.name}/{QUESTIONS_DIR}", 1,
                     f"the pack holds more than {exc.args[0]} files; the limit is "
                     f"{MAX_QUESTIONS} questions")
    except OSError as exc:
        problems.add(folder.name, 1, f"cannot be read: {exc.strerror or exc}")
    return None


def _load_pack(folder, source):
    problems = _Problems()
    if not folder.is_dir():
        problems.add(str(folder), 1, "is not a folder")
        return None, list(problems)
    entries = _pack_entries(folder, problems)
    if entries is None:
        return None, list(problems)
    names = {e.name for e in entries if e.kind == "file"}
    for problem in layout_problems(entries, code_pack=is_code_pack(names)):
        problems.add(f"{folder.name}/{problem.name}" if problem.name else folder.name, 1,
                     problem.detail)
    manifest = None
    if MANIFEST in names or not any(e.name == MANIFEST for e in entries):
        manifest = load_manifest(folder, problems)
    files = question_names(entries)
    if not files:
        problems.add(f"{folder.name}/{MANIFEST}", 1, "the pack is empty: add at least one "
                     f"question as {QUESTIONS_DIR}/<name>.md")
    if len(files) > MAX_QUESTIONS:
        problems.add(f"{folder.name}/{QUESTIONS_DIR}", 1,
                     f"holds {len(files)} files; the limit is {MAX_QUESTIONS}")
        return None, list(problems)
    questions = []
    seen = {}
    id_lines = {}
    for name in files:
        label = f"{folder.name}/{name}"
        try:
            with images_of(manifest["id"] if manifest else None):
                question = load_question(folder / name, label, problems, id_lines)
        except Exception as exc:  # one file's surprise is that file's problem
            log.exception("loading %s failed", folder / name)
            problems.append(_unexpected(label, exc))
            continue
        if question is None:
            continue
        if question.id in seen:
            problems.add(label, id_lines[label], f"duplicate question id '{question.id}' "
                         f"(also in {seen[question.id]})")
            continue
        seen[question.id] = label
        questions.append(question)
    for file, line, message in asset_problems(folder, entries, files, MAX_FILE_BYTES):
        problems.add(file, line, message)
    if problems or manifest is None:
        return None, list(problems)
    pack = Pack(
        id=manifest["id"], title=manifest["title"], version=manifest["version"],
        description=manifest.get("description", ""), author=manifest.get("author", ""),
        licence=manifest.get("licence", ""), source=source, path=str(folder),
        questions=tuple(questions), requires=manifest.get("requires", {}),
    )
    return pack, []


def peek_id(folder):
    """The id a pack's manifest claims, read leniently (for naming a pack that failed).

    Never raises: "" when the manifest cannot be read or names no usable id.
    """
    try:
        path = Path(folder) / MANIFEST
        if path.is_symlink() or path.stat().st_size > MAX_FILE_BYTES:
            return ""
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("id")
    except Exception:  # any manifest that cannot be read names no id
        return ""
    return value if isinstance(value, str) and ID.match(value) else ""
