"""What a session taught the team: per-question results, weakest topics, per-person scores.

Built from the room's self-grades (1 Again .. 4 Easy) and peer ratings (0-3). The same
numbers feed the page, the printable page, the Markdown download (for a wiki or a chat)
and the CSV download (for a spreadsheet). People the host removed stay in, marked, so
the record of the session is whole. Answer texts appear in the per-person rows only
when the host chose to keep them when creating the room.
"""

import csv
import io
from dataclasses import dataclass

from trainer.live.rooms import CONFIDENCES, GRADE_LABELS, format_code, round_half_up


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
    people = [*room.participants.values(), *room.removed.values()]
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
             "removed": person.removed_round is not None,
             "answered": sum(1 for a in person.answers.values() if a.get("at") is not None)}
            for rank, person, score in room.scoreboard(include_removed=True)
        ],
        "podium": [{"rank": rank, "name": person.name, "score": score}
                   for rank, person, score in room.podium()],
        "rows": person_rows(room, questions),
        "kept_answers": room.keep_answers,
    }


def person_rows(room, questions):
    """One row per person and question asked: what they did and what it earned."""
    rows = []
    for _, person, _ in room.scoreboard(include_removed=True):
        for q in questions:
            if not q.asked:
                continue
            entry = person.entry(q.number - 1) or {}
            points, _ = room.round_points(entry)
            ratings = entry.get("peer") or []
            sent = entry.get("at")
            rows.append({
                "name": person.name, "removed": person.removed_round is not None,
                "number": q.number, "question": q.title,
                "answered": sent is not None,
                "seconds": (round(sent - room_started(room, q.number - 1))
                            if sent is not None and room_started(room, q.number - 1)
                            else None),
                "confidence": CONFIDENCES.get(entry.get("confidence"), ""),
                "self_grade": GRADE_LABELS.get(entry.get("grade"), ""),
                "peer": (round_half_up(sum(ratings) / len(ratings)) if ratings else None),
                "peer_ratings": len(ratings), "points": points,
                "text": entry.get("text", "") if room.keep_answers else None,
            })
    return rows


def room_started(room, index):
    """When a question was put up (None in a room file from before this was kept)."""
    return room.question_starts.get(str(index))


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
    lines += [f"| {p['rank']} | {md_text(p['name'])}{' (removed)' if p['removed'] else ''} "
              f"| {p['score']} | {p['answered']} |"
              for p in summary["people"]]
    header = "| Name | # | Answered | Seconds | Sure | Self-grade | Peers | Points |"
    rule = "|---|---|---|---|---|---|---|---|"
    if summary["kept_answers"]:
        header, rule = header + " Answer |", rule + "---|"
    lines += ["", "## Per person and question", "", header, rule]
    for r in summary["rows"]:
        cells = [md_text(r["name"]) + (" (removed)" if r["removed"] else ""), r["number"],
                 "yes" if r["answered"] else "no", fmt_blank(r["seconds"]),
                 md_text(r["confidence"]), r["self_grade"], fmt_blank(r["peer"]), r["points"]]
        if summary["kept_answers"]:
            cells.append(md_text(r["text"] or ""))
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def fmt_blank(value):
    return "" if value is None else value


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
    header = ["section", "question", "name", "removed", "answered", "seconds",
              "confidence", "self-grade", "peer score", "peer ratings", "points"]
    if summary["kept_answers"]:
        header.append("answer")
    writer.writerow(header)
    for r in summary["rows"]:
        row = ["round", r["number"], csv_cell(r["name"]), "yes" if r["removed"] else "",
               "yes" if r["answered"] else "no", fmt_blank(r["seconds"]),
               r["confidence"], r["self_grade"], fmt_blank(r["peer"]), r["peer_ratings"],
               r["points"]]
        if summary["kept_answers"]:
            row.append(csv_cell(r["text"] or ""))
        writer.writerow(row)
    return out.getvalue()
