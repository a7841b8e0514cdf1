"""Checking a typed answer against a question's key points, to suggest and not to judge.

A key point's terms are its code spans (kept whole, e.g. ``app.teardown_appcontext``)
and its longer plain words minus common ones. A point counts as mentioned when the
answer contains at least 40% of its terms (and at least one). The learner ticks the
checklist themselves; the suggestion only saves them clicks. The share of points ticked
suggests a grade.
"""

import html as html_lib
import re

ANSWER_MAX = 4000

_CODE = re.compile(r"<code[^>]*>(.*?)</code>", re.S)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[a-z0-9][a-z0-9_.'-]*[a-z0-9]|[a-z0-9]")
_COMMON = frozenset({
    "about", "above", "after", "again", "against", "also", "always", "another", "because",
    "before", "being", "below", "between", "both", "cannot", "could", "does", "doing", "down",
    "during", "each", "every", "from", "further", "have", "having", "here", "itself", "just",
    "like", "make", "makes", "many", "more", "most", "much", "must", "need", "needs", "never",
    "only", "other", "ought", "over", "same", "should", "since", "some", "such", "than",
    "that", "their", "them", "then", "there", "these", "they", "this", "those", "through",
    "under", "until", "upon", "used", "uses", "using", "very", "want", "what", "when", "where",
    "which", "while", "will", "with", "within", "without", "would", "your", "yours", "into",
    "means", "comes", "actual", "instead", "rather", "thing", "things", "even",
    "onto", "its", "it's", "it",
})


class AnswerError(ValueError):
    """A typed answer that is too long; the message says the limit."""


def clean_answer(text):
    answer = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(answer) > ANSWER_MAX:
        raise AnswerError(f"An answer can be at most {ANSWER_MAX} characters "
                          f"(this one has {len(answer)}).")
    return answer


def _unescape(html):
    """Plain text of sanitised HTML (entities decoded); never rendered again."""
    return html_lib.unescape(html)


def point_terms(point_html):
    """The terms that show a key point was mentioned, lower-cased, in order."""
    html = str(point_html)
    terms = []
    for code in _CODE.findall(html):
        term = _unescape(_TAG.sub("", code)).strip().lower()
        if term and term not in terms:
            terms.append(term)
    text = _unescape(_TAG.sub(" ", _CODE.sub(" ", html))).lower()
    for word in _WORD.findall(text):
        word = word.strip(".'-").removesuffix("'s")
        if len(word) >= 4 and word not in _COMMON and word not in terms:
            terms.append(word)
    return terms


def _stem(word):
    """A crude stem: enough to match "decorators" with "decorator", "wraps" with
    "wrapping", "registers" with "registration"."""
    if word.endswith("ies"):
        word = word[:-3] + "y"
    return word[:max(4, len(word) - 2)]


def mentions(answer, point_html):
    """True when ``answer`` mentions at least 40% of the point's terms (at least one).

    Code terms must appear as written; words match on their stem.
    """
    terms = point_terms(point_html)
    if not terms or not answer:
        return False
    text = answer.lower()
    words = {w.removesuffix("'s") for w in _WORD.findall(text)}

    def found(term):
        if not term.isalnum():
            return term in text
        stem = _stem(term)
        return any(w.startswith(stem) for w in words)

    return sum(1 for t in terms if found(t)) * 5 >= len(terms) * 2


def suggested_points(answer, key_points):
    """Indices of the key points the answer already mentions."""
    return [i for i, point in enumerate(key_points) if mentions(answer, point)]


def suggest_grade(ticked, total):
    """A grade (1-4) from how many of ``total`` key points were ticked, or None."""
    if total <= 0:
        return None
    share = ticked / total
    if share < 1 / 3:
        return 1
    if share < 2 / 3:
        return 2
    if share < 1:
        return 3
    return 4


def check(answer, key_points):
    """What the answer side shows next to a typed answer: the pre-ticked key points and
    the grade they suggest."""
    suggested = suggested_points(answer, key_points)
    return {"typed": answer, "suggested": suggested, "ticked": len(suggested),
            "points_total": len(key_points),
            "suggested_grade": suggest_grade(len(suggested), len(key_points))}
