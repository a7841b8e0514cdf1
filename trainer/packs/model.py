"""What a loaded pack is: plain, immutable records the views read from."""

import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup

DIFFICULTIES = ("junior", "mid", "senior")
CONTROL_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def printable(text):
    """``text`` with every control or format character (ESC and ANSI sequences, NUL,
    line breaks, bidi overrides) written as a visible escape such as ``\\x1b``.

    File names and keys inside a pack come from someone else's machine; they reach a
    terminal or a page only through here, so they can never move a cursor, recolour
    text or reorder what a user reads.
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(_escape(ch) if is_control(ch) else ch for ch in text)


def is_control(ch):
    """A character that steers a terminal or the text around it instead of showing."""
    return unicodedata.category(ch) in CONTROL_CATEGORIES


def _escape(ch):
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class PackRefused(Exception):
    """A pack archive, folder or install was refused and nothing was written;
    ``reasons`` says why, one sentence each (control characters made visible)."""

    def __init__(self, reasons):
        self.reasons = [printable(r) for r in reasons]
        super().__init__("; ".join(self.reasons))


@dataclass(frozen=True)
class PackError:
    """One problem with a pack, located as precisely as the loader can.

    ``file`` and ``message`` are made :func:`printable` here, whatever the caller
    passed, so no problem report can carry a terminal escape.
    """

    file: str
    line: int | None
    message: str

    def __post_init__(self):
        object.__setattr__(self, "file", printable(self.file))
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self):
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Question:
    """One interview question.

    The ``*_html`` fields, key points and follow-ups are safe HTML made by ``render.py``:
    :class:`~markupsafe.Markup`, or a ``PendingHtml`` that renders on first use when the
    server deferred rendering at start (``render_cache.py``).

    ``say_it_html`` and ``say_it_text`` are the optional ``## Say it`` section (the answer
    as an interviewee would say it aloud), rendered and as plain text; None when the
    question has none.
    """

    id: str
    title: str
    title_html: Markup
    answer_html: Markup
    why_html: Markup
    key_points: tuple[Markup, ...]
    follow_ups: tuple[Markup, ...]
    difficulty: str
    tags: tuple[str, ...]
    references: tuple[str, ...] = ()
    source: str = ""
    say_it_html: Markup | None = None
    say_it_text: str | None = None


@dataclass
class Pack:
    """A loaded pack: its manifest, questions in order, and where it came from.

    ``requires`` maps a library (``flask``) to the lowest version the pack's answers are
    written for (``"3.1.1"``), from the manifest's ``[requires]`` table.
    """

    id: str
    title: str
    version: str
    description: str = ""
    author: str = ""
    licence: str = ""
    source: str = ""
    path: str = ""
    questions: tuple[Question, ...] = ()
    requires: dict[str, str] = field(default_factory=dict)
    _index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {q.id: i for i, q in enumerate(self.questions)}
        self._ids = tuple(q.id for q in self.questions)
        self._id_set = frozenset(self._ids)

    @property
    def question_ids(self):
        return self._ids

    @property
    def question_id_set(self):
        """The question ids as a set, for counting against a profile's cards."""
        return self._id_set

    def question(self, question_id):
        """The question with this id, or None."""
        i = self._index.get(question_id)
        return None if i is None else self.questions[i]

    def position(self, question_id):
        """Zero-based place of a question in browse order, or None."""
        return self._index.get(question_id)

    def neighbour(self, question_id, step):
        """The id ``step`` places away in browse order, wrapping around the ends."""
        i = self._index.get(question_id)
        if i is None or not self.questions:
            return None
        return self.questions[(i + step) % len(self.questions)].id
