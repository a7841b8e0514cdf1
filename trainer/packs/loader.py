"""Reads a pack folder from disk into a :class:`Pack`, or a list of precise errors.

The format (``docs/packs.md`` is the author's guide):

* ``pack.toml``: ``id``, ``title``, ``version``, ``description``, ``author``, ``licence``;
* ``questions/*.md``, loaded in file-name order, each with TOML front matter between
  ``+++`` lines (``id``, ``difficulty``, ``tags``, optional ``references``), then
  ``# The question``, and the sections ``## Answer``, ``## Why it matters``,
  ``## Key points`` and ``## Follow-ups`` (the last two are ``- `` lists).

Every problem is reported as a :class:`PackError` with the file and, where known, the
line; a pack with any error is not loaded, and never stops another pack from loading.
"""

import re
import tomllib
from pathlib import Path

from trainer.packs.model import DIFFICULTIES, Pack, PackError, Question
from trainer.packs.render import render_block, render_inline

MANIFEST = "pack.toml"
QUESTIONS_DIR = "questions"
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TAG = re.compile(r"^[a-z0-9][a-z0-9_+.-]{0,39}$")
MAX_FILE_BYTES = 64 * 1024
MAX_QUESTIONS = 5000
MANIFEST_FIELDS = {
    "id": True, "title": True, "version": True, "description": False, "author": False,
    "licence": False,
}
FRONT_FIELDS = {"id": True, "difficulty": True, "tags": True, "references": False}
SECTIONS = ("Answer", "Why it matters", "Key points", "Follow-ups")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
VERSION = re.compile(r"^\d+(\.\d+){0,2}([-.+][0-9A-Za-z.]+)?$")


class _Problems(list):
    def add(self, file, line, message):
        self.append(PackError(str(file), line, message))


def _read_text(path, problems, label):
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.add(label, None, f"cannot be read: {exc.strerror}")
        return None
    if size > MAX_FILE_BYTES:
        problems.add(label, None, f"is {size} bytes; the limit is {MAX_FILE_BYTES}")
        return None
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(label, line, "is not UTF-8 text")
        return None


def _toml_error_line(exc):
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _check_fields(data, spec, problems, label, line=None):
    ok = True
    for name, required in spec.items():
        if required and name not in data:
            problems.add(label, line, f"missing required field '{name}'")
            ok = False
    for name in data:
        if name not in spec:
            known = ", ".join(spec)
            problems.add(label, line, f"unknown field '{name}' (known fields: {known})")
            ok = False
    return ok


def load_manifest(folder, problems):
    label = f"{folder.name}/{MANIFEST}"
    path = folder / MANIFEST
    if not path.is_file():
        problems.add(label, None, "missing: every pack needs a pack.toml manifest")
        return None
    text = _read_text(path, problems, label)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.add(label, _toml_error_line(exc), f"is not valid TOML: {exc}")
        return None
    if not _check_fields(data, MANIFEST_FIELDS, problems, label):
        return None
    for name in MANIFEST_FIELDS:
        if name in data and not isinstance(data[name], str):
            problems.add(label, None, f"field '{name}' must be a string")
            return None
    if not ID.match(data["id"]):
        problems.add(label, None, f"field 'id' is {data['id']!r}: use lowercase letters, "
                     "digits, '-' or '_', at most 64 characters")
        return None
    if not VERSION.match(data["version"]):
        problems.add(label, None, f"field 'version' is {data['version']!r}: use a version "
                     "such as 1.0.0")
        return None
    if not data["title"].strip() or len(data["title"]) > 120:
        problems.add(label, None, "field 'title' must be 1 to 120 characters")
        return None
    return data


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
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(exc)
        problems.add(label, line + 1 if line else 1, f"front matter is not valid TOML: {exc}")
        return None
    if not _check_fields(data, FRONT_FIELDS, problems, label, 1):
        return None
    if not isinstance(data["id"], str) or not ID.match(data["id"]):
        problems.add(label, 1, f"field 'id' is {data['id']!r}: use lowercase letters, digits, "
                     "'-' or '_', at most 64 characters")
        return None
    if data["difficulty"] not in DIFFICULTIES:
        problems.add(label, 1, f"field 'difficulty' is {data['difficulty']!r}: use one of "
                     + ", ".join(DIFFICULTIES))
        return None
    tags = data["tags"]
    if not isinstance(tags, list) or not tags or not all(
        isinstance(t, str) and TAG.match(t) for t in tags
    ):
        problems.add(label, 1, "field 'tags' must be a non-empty list of lowercase tags")
        return None
    refs = data.get("references", [])
    if not isinstance(refs, list) or not all(
        isinstance(r, str) and r.startswith(("https://", "http://")) for r in refs
    ):
        problems.add(label, 1, "field 'references' must be a list of http(s) URLs")
        return None
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
            if name not in SECTIONS:
                problems.add(label, number, f"unknown section '## {name}' (sections: "
                             + ", ".join(SECTIONS) + ")")
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


def load_question(path, label, problems):
    text = _read_text(path, problems, label)
    if text is None:
        return None
    front, body, body_start = _split_front_matter(text, problems, label)
    if front is None:
        return None
    meta = _front_matter(front, problems, label)
    if meta is None:
        return None
    parsed = _body(body, body_start + 1, problems, label)
    if parsed is None:
        return None
    (title, _), sections = parsed
    key_points = _bullets("Key points", sections["Key points"], problems, label)
    follow_ups = _bullets("Follow-ups", sections["Follow-ups"], problems, label)
    if key_points is None or follow_ups is None:
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
    )


def load_pack(folder, source=""):
    """Load the pack in ``folder``. Return ``(pack or None, [PackError, ...])``."""
    folder = Path(folder)
    problems = _Problems()
    if not folder.is_dir():
        problems.add(str(folder), None, "is not a folder")
        return None, problems
    manifest = load_manifest(folder, problems)
    qdir = folder / QUESTIONS_DIR
    files = sorted(qdir.glob("*.md")) if qdir.is_dir() else []
    if not files:
        problems.add(f"{folder.name}/{QUESTIONS_DIR}", None,
                     "holds no questions: add at least one .md file")
    if len(files) > MAX_QUESTIONS:
        problems.add(f"{folder.name}/{QUESTIONS_DIR}", None,
                     f"holds {len(files)} files; the limit is {MAX_QUESTIONS}")
        return None, problems
    questions = []
    seen = {}
    for path in files:
        label = f"{folder.name}/{QUESTIONS_DIR}/{path.name}"
        question = load_question(path, label, problems)
        if question is None:
            continue
        if question.id in seen:
            problems.add(label, 2, f"duplicate question id '{question.id}' (also in "
                         f"{seen[question.id]})")
            continue
        seen[question.id] = label
        questions.append(question)
    if problems or manifest is None:
        return None, list(problems)
    pack = Pack(
        id=manifest["id"], title=manifest["title"], version=manifest["version"],
        description=manifest.get("description", ""), author=manifest.get("author", ""),
        licence=manifest.get("licence", ""), source=source, path=str(folder),
        questions=tuple(questions),
    )
    return pack, []
