"""Search: questions across every pack, by their words and the learner's own notes.

What is searched: a question's title, its tags, its key points, its answer (with the
"why" and the follow-ups) and the learner's note on the card. Pack HTML is turned into
plain text once per load of the packs (:func:`index_for`: built lazily on the first
search after a load, kept until the registry loads again), casefolded, so a search is
substring tests over prepared strings. Notes change while the app runs, so they are
read from the profile's marks on each search (there are few).

Ranking, as :func:`rank` applies it:

* every word of the query must occur (as a substring, ignoring case) in some field of
  the question or its note; a question missing one word is not a result;
* each word scores by the best field it occurs in: title 8, tag 6, key points 4, note
  3, answer 1; occurring at the start of a word there adds 1 (so ``hash`` ranks
  "hashing" above "rehash");
* the whole query, as typed, inside the title adds 5 (a phrase beats scattered words);
* ties keep the packs' order (by id) and each pack's question order.

So a title match always outranks a match in the answer body alone. An empty query with
filters lists every matching question in pack and question order.

Filters (:class:`Filters`) narrow the questions first: pack, tag, difficulty, the card's
state (new, learning, review, relearning: ``fsrs.State`` as stored, absent = new),
starred, leech and suspended (profile marks).

Bounds: a query of at most :data:`QUERY_MAX` characters, of which the first
:data:`WORDS_MAX` words are searched; at most :data:`RESULTS_MAX` results are shown,
the rest counted. A snippet is plain text cut around the first match, handed back as
``(text, is_match)`` pieces; :func:`marked_html` escapes every piece and puts each match
in ``<mark>`` (built here rather than by a template macro: a hundred results a keystroke).
"""

import html
import re
import threading
import weakref
from dataclasses import dataclass, field

from markupsafe import Markup

from trainer.packs.model import DIFFICULTIES

QUERY_MAX = 200
WORDS_MAX = 10
RESULTS_MAX = 100
TAG_MAX = 80
SNIPPET_CHARS = 160
STATES = ("new", "learning", "review", "relearning")
MARK_FLAGS = ("starred", "leech", "suspended")
# fsrs.State's stored values (Learning=1, Review=2, Relearning=3); no card = new.
_STATE_BY_VALUE = {1: "learning", 2: "review", 3: "relearning"}

TITLE, TAG, KEY_POINTS, NOTE, ANSWER = "title", "tags", "key_points", "note", "answer"
WEIGHTS = {TITLE: 8, TAG: 6, KEY_POINTS: 4, NOTE: 3, ANSWER: 1}
WORD_START_BONUS = 1
PHRASE_IN_TITLE_BONUS = 5
_BEST_FIRST = sorted(WEIGHTS, key=WEIGHTS.get, reverse=True)

_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|pre|br|div|h[1-6]|tr|td|th|blockquote|table)\b[^>]*>",
                        re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


class SearchRefused(ValueError):
    """A query or filter that cannot be searched; the message says why."""


def plain_text(markup):
    """Sanitised pack HTML as one line of plain text (tags gone, entities read)."""
    text = html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub(" ", str(markup))))
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Entry:
    """One question made searchable: its plain fields and their casefolded forms."""

    pack_id: str
    pack_title: str
    question: object
    fields: dict  # field name -> plain text (tags joined by spaces)
    folded: dict  # field name -> casefolded plain text
    ranked: tuple  # (weight, folded text) of the pack's own fields, title first
    order: int


@dataclass
class Index:
    entries: list
    tags: tuple  # every tag of every pack, sorted


_lock = threading.Lock()
_indexes = weakref.WeakKeyDictionary()  # registry -> (its packs dict, Index)


def index_for(registry):
    """The index of ``registry``'s packs as loaded now, built once per load.

    A reload replaces ``registry.packs`` with a new dict, which is how a stale index is
    told from a current one. Building it costs about 0.6 s for 2,000 questions (the
    HTML read as text once); with it, ``make bench`` gives ``search_2000`` p50 10.3 ms,
    p95 19.3 ms over HTTP (1 Dec, docs/performance.md).
    """
    packs = registry.packs
    cached = _indexes.get(registry)
    if cached is not None and cached[0] is packs:
        return cached[1]
    with _lock:
        cached = _indexes.get(registry)
        if cached is None or cached[0] is not packs:
            cached = (packs, build_index(packs.values()))
            _indexes[registry] = cached
    return cached[1]


def build_index(packs):
    entries, tags = [], set()
    for pack in packs:
        for question in pack.questions:
            tags.update(question.tags)
            fields = {
                TITLE: plain_text(question.title_html),
                TAG: " ".join(question.tags),
                KEY_POINTS: " · ".join(plain_text(p) for p in question.key_points),
                ANSWER: " ".join(filter(None, (
                    plain_text(question.answer_html), plain_text(question.why_html),
                    *(plain_text(f) for f in question.follow_ups)))),
            }
            folded = {name: text.casefold() for name, text in fields.items()}
            ranked = tuple((WEIGHTS[name], folded[name]) for name in _BEST_FIRST
                           if name != NOTE)
            entries.append(Entry(pack.id, pack.title, question, fields, folded, ranked,
                                 len(entries)))
    return Index(entries, tuple(sorted(tags)))


@dataclass(frozen=True)
class Filters:
    pack: str = ""
    tag: str = ""
    difficulty: str = ""
    state: str = ""
    starred: bool = False
    leech: bool = False
    suspended: bool = False

    def any(self):
        return any((self.pack, self.tag, self.difficulty, self.state, self.starred,
                    self.leech, self.suspended))


@dataclass(frozen=True)
class Result:
    pack_id: str
    pack_title: str
    question: object
    title: tuple  # (text, is_match) pieces
    snippet: tuple  # (text, is_match) pieces; empty when there is nothing to show
    state: str
    starred: bool
    score: int

    @property
    def title_html(self):
        return marked_html(self.title)

    @property
    def snippet_html(self):
        return marked_html(self.snippet)


@dataclass
class Results:
    query: str
    words: tuple
    filters: Filters
    results: list = field(default_factory=list)
    total: int = 0
    words_dropped: int = 0  # words past WORDS_MAX, not searched
    tags: tuple = ()  # every tag of every pack, for the filter's choices

    @property
    def more(self):
        return self.total - len(self.results)

    @property
    def asked(self):
        return bool(self.words) or self.filters.any()


def query_words(query):
    """The casefolded words of ``query`` (at most :data:`WORDS_MAX`), and how many were
    left out. Raises :class:`SearchRefused` when the query is too long."""
    if len(query) > QUERY_MAX:
        raise SearchRefused(f"A search is at most {QUERY_MAX} characters.")
    words = []
    for word in query.casefold().split():
        if word not in words:
            words.append(word)
    return tuple(words[:WORDS_MAX]), max(0, len(words) - WORDS_MAX)


def check_filters(registry, filters):
    """``filters`` as given, or :class:`SearchRefused` naming the first one that is wrong."""
    if filters.pack and registry.get(filters.pack) is None:
        raise SearchRefused(f"There is no pack '{filters.pack[:80]}'.")
    if filters.tag and (len(filters.tag) > TAG_MAX
                        or filters.tag not in index_for(registry).tags):
        raise SearchRefused(f"No question has the tag '{filters.tag[:TAG_MAX]}'.")
    if filters.difficulty and filters.difficulty not in DIFFICULTIES:
        raise SearchRefused("Difficulty is " + ", ".join(DIFFICULTIES) + ".")
    if filters.state and filters.state not in STATES:
        raise SearchRefused("A card's state is " + ", ".join(STATES) + ".")
    return filters


def search(registry, profile, query, filters=None, limit=RESULTS_MAX):
    """The questions of every pack that match ``query`` and ``filters``, best first."""
    filters = filters or Filters()
    words, dropped = query_words(query)
    check_filters(registry, filters)
    index = index_for(registry)
    found = Results(query, words, filters, words_dropped=dropped, tags=index.tags)
    if not found.asked:
        return found
    phrase = " ".join(query.casefold().split())
    flags = [name for name in MARK_FLAGS if getattr(filters, name)]
    mine = {}  # pack id -> the profile's (cards, marks, folded notes), read once a pack
    scored = []
    for entry in index.entries:
        if filters.pack and entry.pack_id != filters.pack:
            continue
        question = entry.question
        if filters.tag and filters.tag not in question.tags:
            continue
        if filters.difficulty and question.difficulty != filters.difficulty:
            continue
        own = mine.get(entry.pack_id)
        if own is None:
            own = mine[entry.pack_id] = _own(profile, entry.pack_id)
        cards, marks, notes = own
        if flags:
            mark = marks.get(question.id) or _NO_MARK
            if not all(mark.get(flag) for flag in flags):
                continue
        if filters.state and card_state(cards.get(question.id)) != filters.state:
            continue
        if words:
            score = rank(entry, words, phrase, notes.get(question.id, ""))
            if score is None:
                continue
        else:
            score = 0
        scored.append((-score, entry.order, entry))
    scored.sort()  # (score, order) is unique: entries are never compared
    found.total = len(scored)
    for negative, _, entry in scored[:limit]:
        cards, marks, _ = mine[entry.pack_id]
        qid = entry.question.id
        mark = marks.get(qid) or _NO_MARK
        found.results.append(Result(
            entry.pack_id, entry.pack_title, entry.question,
            title=highlight(entry.fields[TITLE], words),
            snippet=snippet(entry, mark.get("note") or "", words),
            state=card_state(cards.get(qid)), starred=bool(mark.get("starred")),
            score=-negative))
    return found


_NO_MARK = {}


def _own(profile, pack_id):
    marks = profile.marks_in(pack_id)
    notes = {qid: m["note"].casefold() for qid, m in marks.items()
             if isinstance(m.get("note"), str) and m["note"]}
    return profile.cards_in(pack_id), marks, notes


def card_state(card):
    """'new', 'learning', 'review' or 'relearning' for a stored card (None: new)."""
    if not card:
        return "new"
    fsrs = card.get("fsrs") or {}
    return _STATE_BY_VALUE.get(fsrs.get("state"), "new")


def rank(entry, words, phrase, note_folded=""):
    """The score of ``entry`` for ``words`` (see the module docstring), or None when a
    word occurs nowhere in it. No words: every entry scores 0.

    One pass per word over the fields, best first: the first field that holds the word
    is the one it scores by, and a word found in none ends the test (most entries of a
    search fail on one word, after reading each field once).
    """
    fields = entry.ranked
    if note_folded:  # the note takes its place by weight, after the key points
        fields = (*fields[:-1], (WEIGHTS[NOTE], note_folded), fields[-1])
    score = 0
    for word in words:
        best = _best_field(fields, word)
        if best is None:
            return None
        weight, text, at = best
        score += weight + (WORD_START_BONUS if _word_start(text, word, at) else 0)
    if words and phrase in fields[0][1]:
        score += PHRASE_IN_TITLE_BONUS
    return score


def _best_field(fields, word):
    """(weight, text, position) of the first of ``fields`` that holds ``word``, or None."""
    for weight, text in fields:
        at = text.find(word)
        if at >= 0:
            return weight, text, at
    return None


def _word_start(text, word, at):
    """Whether ``word`` occurs at the start of a word of ``text`` (first match at ``at``)."""
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum():
            return True
        at = text.find(word, at + 1)
    return False


def _pattern(words):
    if not words:
        return None
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in alternatives), re.I)


def highlight(text, words):
    """``text`` as ``(piece, is_match)`` pieces, the query's words marked."""
    pattern = _pattern(words)
    if pattern is None:
        return ((text, False),)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            pieces.append((text[last:match.start()], False))
        pieces.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return tuple(pieces)


def marked_html(pieces):
    """``(text, is_match)`` pieces as HTML: every piece escaped, matches in ``<mark>``.

    ``html.escape`` (quotes too) on plain strings, marked safe once at the end: a page of
    results has thousands of pieces, and a ``Markup`` per piece was most of its cost.
    """
    out = "".join(f"<mark>{html.escape(text)}</mark>" if hit else html.escape(text)
                  for text, hit in pieces)
    return Markup(out)  # noqa: S704 - every piece escaped above


def snippet(entry, note, words):
    """A short plain-text passage for a result: from the note, key points or answer that
    hold the most of the query's words (the answer's opening when none does)."""
    best, best_count = (entry.fields[ANSWER], 0), 0
    for name in (NOTE, KEY_POINTS, ANSWER):
        text = note if name == NOTE else entry.fields[name]
        folded = note.casefold() if name == NOTE else entry.folded[name]
        found = [i for i in (folded.find(w) for w in words) if i >= 0]
        if len(found) > best_count:
            best, best_count = (text, min(found)), len(found)
    return highlight(_window(*best), words)


def _window(text, at):
    """About :data:`SNIPPET_CHARS` characters of ``text`` around position ``at``, cut at
    spaces, with an ellipsis where text was left out."""
    if len(text) <= SNIPPET_CHARS:
        return text
    start = max(0, at - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
