"""What a session taught the team: per-question results, weakest topics, per-person scores.

Built from the room's self-grades (1 Again .. 4 Easy). The same numbers feed the page,
the Markdown download (for a wiki or a chat) and the CSV download (for a spreadsheet).
"""

import csv
import io
from dataclasses import dataclass

from trainer.live.rooms import CONFIDENCES, GRADE_LABELS, format_code


@dataclass
class QuestionResult:
    number: int
    question_id: str
    title: str
    tags: tuple
    answered: int
    confidence: dict
    grades: dict
    asked: bool

    @property
    def graded(self):
        return sum(self.grades.values())

    @property
    def average(self):
        """Mean self-grade, or None when no one graded."""
        if not self.graded:
            return None
        return sum(g * n for g, n in self.grades.items()) / self.graded

    @property
    def knew_it(self):
        """Share of grades that were Good or Easy."""
        if not self.graded:
            return None
        return (self.grades[3] + self.grades[4]) / self.graded


def build(room, pack):
    """The summary of ``room`` (whose questions come from ``pack``, which may be None)."""
    questions = []
    people = list(room.participants.values())
    for index, question_id in enumerate(room.question_ids):
        question = pack.question(question_id) if pack else None
        grades = dict.fromkeys(GRADE_LABELS, 0)
        confidence = dict.fromkeys(CONFIDENCES, 0)
        answered = 0
        for person in people:
            entry = person.entry(index)
            if not entry:
                continue
            if entry.get("at") is not None:
                answered += 1
            if entry.get("confidence") in confidence:
                confidence[entry["confidence"]] += 1
            if entry.get("grade") in grades:
                grades[entry["grade"]] += 1
        questions.append(QuestionResult(
            number=index + 1, question_id=question_id,
            title=question.title if question else f"(question {question_id} is gone)",
            tags=question.tags if question else (), answered=answered,
            confidence=confidence, grades=grades,
            asked=index < room.index or (index == room.index and room.state != "question")))
    return {
        "questions": questions,
        "weak_tags": weakest_tags(questions),
        "people": [
            {"rank": rank, "name": person.name, "score": score,
             "answered": sum(1 for a in person.answers.values() if a.get("at") is not None)}
            for rank, person, score in room.scoreboard()
        ],
    }


def weakest_tags(questions, limit=5):
    """Tags by mean self-grade, weakest first: (tag, mean grade, number of grades)."""
    totals = {}
    for result in questions:
        for tag in result.tags:
            total, count = totals.get(tag, (0, 0))
            totals[tag] = (total + sum(g * n for g, n in result.grades.items()),
                           count + result.graded)
    rows = [(tag, total / count, count) for tag, (total, count) in totals.items() if count]
    rows.sort(key=lambda row: (row[1], -row[2], row[0]))
    return rows[:limit]


_MD_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]<>()#+-.!|~"})


def md_text(text):
    """Text that Markdown shows as typed (no links, HTML or table breaks)."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def fmt_mean(value):
    return "–" if value is None else f"{value:.2f}"


def fmt_share(value):
    return "–" if value is None else f"{round(value * 100)}%"


def to_markdown(room, summary):
    lines = [f"# Team session {format_code(room.code)}: {md_text(room.title)}", "",
             f"{len(room.participants)} participants, {len(room.question_ids)} questions.",
             "", "## Questions", "",
             "| # | Question | Answered | Know / unsure / no idea | Mean grade | Good or Easy |",
             "|---|---|---|---|---|---|"]
    for q in summary["questions"]:
        conf = " / ".join(str(q.confidence[c]) for c in CONFIDENCES)
        title = md_text(q.title) + ("" if q.asked else " (not asked)")
        lines.append(f"| {q.number} | {title} | {q.answered} | {conf} | "
                     f"{fmt_mean(q.average)} | {fmt_share(q.knew_it)} |")
    lines += ["", "## Weakest topics", ""]
    if summary["weak_tags"]:
        lines += [f"- {md_text(tag)}: mean grade {mean:.2f} over {count} grades"
                  for tag, mean, count in summary["weak_tags"]]
    else:
        lines.append("No grades yet.")
    lines += ["", "## Scores", "", "| Rank | Name | Points | Answered |", "|---|---|---|---|"]
    lines += [f"| {p['rank']} | {md_text(p['name'])} | {p['score']} | {p['answered']} |"
              for p in summary["people"]]
    return "\n".join(lines) + "\n"


def csv_cell(value):
    """A cell a spreadsheet shows as text: no leading = + - @ formula."""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_csv(summary):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "number or rank", "question or name", "answered",
                     "know", "unsure", "no idea", "again", "hard", "good", "easy",
                     "mean grade", "points"])
    for q in summary["questions"]:
        writer.writerow(["question", q.number, csv_cell(q.title), q.answered,
                         *(q.confidence[c] for c in CONFIDENCES),
                         *(q.grades[g] for g in GRADE_LABELS),
                         "" if q.average is None else f"{q.average:.2f}", ""])
    for p in summary["people"]:
        writer.writerow(["person", p["rank"], csv_cell(p["name"]), p["answered"],
                         "", "", "", "", "", "", "", "", p["score"]])
    return out.getvalue()
