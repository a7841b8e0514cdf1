"""A live room: the rules of one team session, as a state machine with no web in it.

A room moves lobby -> question -> revealed -> scoreboard -> question ... -> finished,
only when the host says so. Participants are known by a secret token (kept in their
signed cookie) and shown to others by a short public id, so nothing a browser sees lets
it act for someone else. Every change bumps ``version``; changes that everyone sees
(a new stage) also bump ``stage``, and a participant's own changes bump their ``rev``.
A poll compares the version its page was drawn at with these numbers and gets nothing
back unless they moved, which keeps a hundred pollers cheap.

Scoring rewards knowing, not pressing Easy: after the reveal each person grades
themselves and rates up to :data:`PEER_TASKS` anonymous answers of others against the
key points (see :meth:`Room.round_points` for the rule, stated the same way on the host
page and in docs/live-sessions.md).

All times are passed in (``now``, epoch seconds), so tests drive the clock.
"""

import math
import os
import secrets
from dataclasses import dataclass, field

from trainer.profiles import names
from trainer.profiles.names import NameRefused, clean_display_name

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, no 1/I: easy to read aloud
CODE_LENGTH = 9  # 32 ** 9 = 2 ** 45 codes
ANSWER_MAX = 2000
# What one process is measured to serve within 1.5 s fan-out and 80 % of a core
# (docs/performance.md: 500 at 1.04 s); waitress's connection limit (1,200, cli.py) is
# above it. The bench raises this to look past it (TRAINER_LIVE_PARTICIPANTS_MAX);
# nothing else should.
PARTICIPANTS_MAX = int(os.environ.get("TRAINER_LIVE_PARTICIPANTS_MAX", "") or 500)
QUESTIONS_MAX = 50
TIMER_MAX = 600
TEAM_ANSWERS_SHOWN = 30
TEAM_ANSWER_CHARS = 400
TIMER_GRACE = 2  # seconds: an answer sent as the clock hits zero still counts
HANDOVER_TTL = 10 * 60  # a host hand-over link works once, within ten minutes
HOSTS_MAX = 10  # host devices a room (the creator's and the hand-overs')
IDLE_TTL = 6 * 3600
FINISHED_TTL = 12 * 3600

LOBBY, QUESTION, REVEALED, SCOREBOARD, FINISHED = (
    "lobby", "question", "revealed", "scoreboard", "finished")
STATES = (LOBBY, QUESTION, REVEALED, SCOREBOARD, FINISHED)
CONFIDENCES = {"know": "Know it", "unsure": "Unsure", "no_idea": "No idea"}
GRADE_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
POINTS = {1: 0, 2: 1, 3: 2, 4: 3}  # a self-grade on the 0-3 scale of peer ratings
PEER_RATINGS = {0: "Misses the key points", 1: "Some of them", 2: "Most of them",
                3: "All of them"}
PEER_TASKS = 2  # anonymous answers each person rates after a reveal
HONEST_BONUS = 1  # a self-grade within one step of the peers' rating
SELF_ONLY_MAX = 1  # points for a self-grade no peer could check
SCORING_RULE = (
    "Each question: the mean of your peers' ratings of your answer (0 to 3, against the "
    "key points, rounded half up), plus 1 point when your self-grade is within one step "
    "of it. An answer no peer rated earns its self-grade up to 1 point. No answer, no "
    "points. Ties: more points from peers first, then more questions answered; still "
    "equal, the same place.")


class RoomError(Exception):
    """An action the rules refuse; ``status`` is the HTTP status a view should answer."""

    def __init__(self, message, status=409):
        super().__init__(message)
        self.message = message
        self.status = status


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    """The canonical code from what someone typed ("abc-def ghj"), or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = "".join(ch for ch in text.upper() if ch not in " -.\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def format_code(code):
    """A code in groups of three, for reading aloud: ``ABC-DEF-GHJ``."""
    return "-".join(code[i:i + 3] for i in range(0, len(code), 3))


def name_key(name):
    """What makes two display names the same in a room: the one rule's look-alike
    skeleton (trainer/profiles/names.py): case, width, accents, invisible characters
    and Cyrillic or Greek look-alikes of Latin letters folded."""
    return names.name_key(name)


def round_half_up(value):
    return math.floor(value + 0.5)


def plural(count, word):
    """``1 point``, ``2 points``: a count with its noun."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def clean_name(raw):
    """A display name by the one rule (trainer/profiles/names.py), or RoomError."""
    try:
        return clean_display_name(raw)
    except NameRefused as exc:
        raise RoomError(str(exc), 400) from None


@dataclass
class Participant:
    token: str
    pid: str
    name: str
    joined_at: float
    progress: bool = False
    rev: int = 0
    # str(round) -> {text, confidence, at, grade, peer: [ratings received], rated: [slots]}
    answers: dict = field(default_factory=dict)
    removed_round: int | None = None  # the round the host removed them in, or None

    def entry(self, index):
        return self.answers.get(str(index))

    def to_dict(self):
        return {"token": self.token, "pid": self.pid, "name": self.name,
                "joined_at": self.joined_at, "progress": self.progress, "rev": self.rev,
                "answers": {k: _copy_entry(v) for k, v in self.answers.items()},
                "removed_round": self.removed_round}

    @classmethod
    def from_dict(cls, data):
        return cls(**data)


def _copy_entry(entry):
    out = dict(entry)
    for key in ("peer", "rated"):
        if key in out:
            out[key] = list(out[key])
    return out


@dataclass
class Standing:
    """One person's place: points, the tie-breakers, and each round's points."""

    person: Participant
    points: int
    peer_points: int
    answered: int
    rounds: dict  # index -> points of that round


@dataclass
class Room:
    code: str
    host_tokens: list  # the creator's first, then one per hand-over: each device its own
    pack_id: str
    question_ids: list
    created_at: float
    timer: int = 0
    show_answers: bool = False
    title: str = ""
    auto_reveal: bool = False  # reveal by itself when the timer runs out
    keep_answers: bool = False  # the export may carry the answer texts
    state: str = LOBBY
    index: int = -1
    locked: bool = False
    version: int = 1
    stage: int = 1
    updated_at: float = 0.0
    question_started_at: float = 0.0
    participants: dict = field(default_factory=dict)  # token -> Participant
    kicked: dict = field(default_factory=dict)  # token -> name at the time of the kick
    removed: dict = field(default_factory=dict)  # token -> the removed Participant (summary)
    team_order: list = field(default_factory=list)  # this reveal's answerers, shuffled
    peer_tasks: dict = field(default_factory=dict)  # token -> tokens whose answers they rate
    next_armed: int = 0  # the stage at which N was pressed once while people still graded
    question_starts: dict = field(default_factory=dict)  # str(round) -> when it was put up
    handover_secret: str = ""  # a pending host hand-over (see offer_handover)
    handover_until: float = 0.0
    host_seen_at: float = 0.0  # a host screen's last look (memory only: polls never write)
    _standings: tuple = field(default=(None, None), repr=False, compare=False)

    @classmethod
    def create(cls, pack_id, question_ids, now, timer=0, show_answers=False, title="",
               code=None, auto_reveal=False, keep_answers=False):
        if not question_ids:
            raise RoomError("No question matches: loosen the filters.", 400)
        if len(question_ids) > QUESTIONS_MAX:
            raise RoomError(f"A session has at most {QUESTIONS_MAX} questions.", 400)
        if not isinstance(timer, int) or not 0 <= timer <= TIMER_MAX:
            raise RoomError(f"The timer is 0 (none) to {TIMER_MAX} seconds.", 400)
        return cls(code=code or new_code(), host_tokens=[secrets.token_urlsafe(24)],
                   pack_id=pack_id, question_ids=list(question_ids), created_at=now,
                   timer=timer, show_answers=bool(show_answers), title=title, updated_at=now,
                   auto_reveal=bool(auto_reveal and timer), keep_answers=bool(keep_answers))

    # reading ---------------------------------------------------------------------------
    @property
    def host_token(self):
        """The token of the browser that created the room (never handed out)."""
        return self.host_tokens[0]

    def is_host(self, token):
        """Whether ``token`` is one of the host devices' tokens (each compared in full)."""
        if not isinstance(token, str) or not token:
            return False
        sent = token.encode()
        matches = [secrets.compare_digest(sent, known.encode()) for known in self.host_tokens]
        return any(matches)

    def host_seen(self, now):
        """A host screen is open (a page or a poll): the room is in use. Not a change."""
        self.host_seen_at = max(self.host_seen_at, now)

    def participant(self, token):
        return self.participants.get(token) if isinstance(token, str) else None

    def is_kicked(self, token):
        return isinstance(token, str) and token in self.kicked

    def view_version(self, token):
        """What a participant's page depends on: the stage and their own changes."""
        if self.is_kicked(token):
            removed = self.removed.get(token)
            return "kicked.undo" if removed and self.can_restore(removed) else "kicked"
        person = self.participant(token)
        return f"{self.stage}.{person.rev if person else 0}"

    @property
    def question_id(self):
        if self.state in (QUESTION, REVEALED, SCOREBOARD) and self.index >= 0:
            return self.question_ids[self.index]
        return None

    @property
    def is_last(self):
        return self.index >= len(self.question_ids) - 1

    def deadline(self):
        """Epoch seconds when answers close, or None without a timer."""
        if self.state != QUESTION or not self.timer:
            return None
        return self.question_started_at + self.timer

    def remaining(self, now):
        deadline = self.deadline()
        return None if deadline is None else max(0, round(deadline - now))

    def reveal_due(self, now):
        """The timer ran out (and its grace) in a room that reveals by itself."""
        deadline = self.deadline()
        return bool(self.auto_reveal and deadline is not None
                    and now > deadline + TIMER_GRACE)

    def roster(self):
        """Participants in join order."""
        return sorted(self.participants.values(), key=lambda p: (p.joined_at, p.pid))

    def answered(self, index=None):
        index = self.index if index is None else index
        return [p for p in self.roster() if p.entry(index)]

    def graded(self, index=None):
        index = self.index if index is None else index
        return [p for p in self.roster() if (p.entry(index) or {}).get("grade")]

    def is_done(self, person, index=None):
        """Graded themselves and rated every answer they were given this round."""
        index = self.index if index is None else index
        entry = person.entry(index) or {}
        tasks = self.peer_tasks.get(person.token, ()) if index == self.index else ()
        return bool(entry.get("grade")) and len(entry.get("rated", ())) >= len(tasks)

    def still_grading(self):
        """Who has not finished grading this reveal (self-grade and peer ratings)."""
        if self.state != REVEALED:
            return []
        return [p for p in self.roster() if not self.is_done(p)]

    @staticmethod
    def round_points(entry):
        """One round's (points, points from peers) for one answer: the scoring rule.

        No answer sent: nothing. Rated by peers: their mean rating (0-3) rounded half up,
        plus HONEST_BONUS when the self-grade (Again 0 .. Easy 3) is within one step of
        that mean, so pressing Easy on a weak answer earns less than an honest Hard. No
        peer rating (nobody else answered, or nobody rated it yet): the self-grade, at
        most SELF_ONLY_MAX.
        """
        if not entry or entry.get("at") is None:
            return 0, 0
        grade = entry.get("grade")
        self_points = POINTS.get(grade)
        ratings = entry.get("peer") or []
        if not ratings:
            return (min(self_points, SELF_ONLY_MAX) if self_points is not None else 0), 0
        mean = sum(ratings) / len(ratings)
        peer = round_half_up(mean)
        honest = self_points is not None and abs(self_points - mean) <= 1
        return peer + (HONEST_BONUS if honest else 0), peer

    def standings(self, include_removed=False):
        """Everyone's Standing, best first, by the stated tie rule; cached per version."""
        cached_version, cached = self._standings
        if cached_version != self.version:
            people = [*self.participants.values(), *self.removed.values()]
            cached = []
            for person in people:
                rounds, peer_total, answered = {}, 0, 0
                for key, entry in person.answers.items():
                    points, peer = self.round_points(entry)
                    rounds[int(key)] = points
                    peer_total += peer
                    answered += entry.get("at") is not None
                cached.append(Standing(person, sum(rounds.values()), peer_total, answered,
                                       rounds))
            cached.sort(key=lambda s: (-s.points, -s.peer_points, -s.answered,
                                       s.person.name.casefold(), s.person.pid))
            self._standings = (self.version, cached)
        if include_removed:
            return list(cached)
        return [s for s in cached if s.person.removed_round is None]

    def points_of(self, person):
        return next((s.points for s in self.standings(include_removed=True)
                     if s.person is person), 0)

    def scoreboard(self, include_removed=False):
        """(rank, participant, points), best first; a tie by the rule shares a rank."""
        out, rank, last = [], 0, None
        for position, row in enumerate(self.standings(include_removed), start=1):
            key = (row.points, row.peer_points, row.answered)
            if key != last:
                rank, last = position, key
            out.append((rank, row.person, row.points))
        return out

    def podium(self):
        """The first three places (rank, participant, points), ties included."""
        return [row for row in self.scoreboard() if row[0] <= 3 and row[2] > 0]

    def team_answers(self, limit=TEAM_ANSWERS_SHOWN, chars=TEAM_ANSWER_CHARS):
        """This round's typed answers, without names, in this reveal's shuffled order.

        The order is drawn afresh at each reveal (``team_order``), so no position on
        the screen says who wrote what. Returns (shown, total): at most ``limit``
        answers cut to ``chars`` characters, so a reveal to 200 screens never sends
        200 full answers to each of them.
        """
        texts = [entry["text"] for token in self.team_order
                 if (person := self.participants.get(token))
                 and (entry := person.entry(self.index)) and entry.get("text")]
        return [cut(text, chars) for text in texts[:limit]], len(texts)

    def peer_answers(self, token, chars=ANSWER_MAX):
        """The anonymous answers ``token`` rates this reveal: (slot, text, rating or None)."""
        person = self.participant(token)
        entry = (person.entry(self.index) if person else None) or {}
        rated = dict(entry.get("rated_as", {}))
        out = []
        for slot, target in enumerate(self.peer_tasks.get(token, ())):
            other = self.participants.get(target) or self.removed.get(target)
            text = ((other.entry(self.index) or {}).get("text") if other else "") or ""
            out.append((slot, cut(text, chars), rated.get(str(slot))))
        return out

    def is_expired(self, now):
        ttl = FINISHED_TTL if self.state == FINISHED else IDLE_TTL
        return now - self.updated_at > ttl

    # changing --------------------------------------------------------------------------
    def _changed(self, now, stage=False):
        self.version += 1
        if stage:
            self.stage += 1
        self.updated_at = now

    def _need(self, *states):
        if self.state not in states:
            raise RoomError(f"Not now: the session is at the {self.state} stage.", 409)

    def join(self, raw_name, now, progress=False):
        if self.state == FINISHED:
            raise RoomError("This session has finished.", 410)
        if self.locked:
            raise RoomError("The host has locked this session: no one new can join.", 403)
        if len(self.participants) >= PARTICIPANTS_MAX:
            raise RoomError(f"This session is full ({PARTICIPANTS_MAX} people).", 403)
        name = clean_name(raw_name)
        key = name_key(name)
        if not key:
            raise RoomError("Pick a name with letters or digits in it.", 400)
        if any(name_key(p.name) == key for p in self.participants.values()):
            raise RoomError("Someone in this session already has that name: pick another.",
                            400)
        if any(name_key(kicked) == key for kicked in self.kicked.values()):
            raise RoomError("The host removed someone of that name from this session.", 403)
        pids = {p.pid for p in self.participants.values()}
        pid = secrets.token_hex(4)
        while pid in pids:
            pid = secrets.token_hex(4)
        person = Participant(token=secrets.token_urlsafe(18), pid=pid, name=name,
                             joined_at=now, progress=bool(progress))
        self.participants[person.token] = person
        self._changed(now)
        return person

    def kick(self, pid, now):
        """Remove someone: their token is refused, their name stays taken, and they
        stay in the summary, marked. :meth:`restore` undoes it until the next question."""
        person = next((p for p in self.participants.values() if p.pid == pid), None)
        if person is None:
            raise RoomError("No such participant (already gone?).", 404)
        del self.participants[person.token]
        self.kicked[person.token] = person.name
        person.removed_round = self.index
        person.rev += 1
        self.removed[person.token] = person
        # Only a scoreboard on other screens shows the kicked person. Redrawing everyone's
        # stage during a question would also redraw the answer box they are typing in.
        self._changed(now, stage=self.state in (SCOREBOARD, FINISHED))
        return person

    def can_restore(self, person):
        return (person.removed_round is not None and person.removed_round == self.index
                and self.state != FINISHED)

    def restorable(self):
        """The people a host may still bring back (removed during this question)."""
        return [p for p in self.removed.values() if self.can_restore(p)]

    def restore(self, pid, now):
        """Undo a removal, until the next question starts."""
        person = next((p for p in self.removed.values() if p.pid == pid), None)
        if person is None:
            raise RoomError("No such removed participant.", 404)
        if not self.can_restore(person):
            raise RoomError("Too late to undo: a removal can be undone until the next "
                            "question.", 409)
        if len(self.participants) >= PARTICIPANTS_MAX:
            raise RoomError(f"This session is full ({PARTICIPANTS_MAX} people).", 403)
        del self.removed[person.token]
        self.kicked.pop(person.token, None)
        person.removed_round = None
        person.rev += 1
        self.participants[person.token] = person
        self._changed(now, stage=self.state in (SCOREBOARD, FINISHED))
        return person

    def offer_handover(self, now):
        """A one-time secret that makes another browser a host of this room.

        For a host who moves to another device (the projector's PC, a phone): the host
        cookie lives in one browser. The secret works once, for HANDOVER_TTL seconds; a
        new offer replaces the last one.
        """
        self._need(LOBBY, QUESTION, REVEALED, SCOREBOARD)
        self._room_for_a_host()
        self.handover_secret = secrets.token_urlsafe(24)
        self.handover_until = now + HANDOVER_TTL
        self._changed(now)
        return self.handover_secret

    def take_handover(self, secret, now):
        """A new host token, for the new device only, for a valid secret (used up).

        The creator's token is never handed out, so each host device holds its own.
        """
        expected = self.handover_secret
        if not (isinstance(secret, str) and expected and now <= self.handover_until
                and secrets.compare_digest(secret.encode(), expected.encode())):
            raise RoomError("This host link is not valid: it works once, for ten minutes. "
                            "Ask the host for a new one.", 403)
        self._need(LOBBY, QUESTION, REVEALED, SCOREBOARD)
        self._room_for_a_host()
        token = secrets.token_urlsafe(24)
        self.host_tokens.append(token)
        self.handover_secret, self.handover_until = "", 0.0
        self._changed(now)
        return token

    def _room_for_a_host(self):
        if len(self.host_tokens) >= HOSTS_MAX:
            raise RoomError(f"This session already has {HOSTS_MAX} host devices.", 409)

    def set_locked(self, locked, now):
        self.locked = bool(locked)
        self._changed(now)

    def step(self, action, seen_stage, now, confirm=False):
        """A host's move (start, reveal, next, finish), refused if the screen is stale.

        ``seen_stage`` is the stage the host's screen was drawn at. A double press of N,
        or a second host tab, would otherwise skip the scoreboard or a whole question.
        ``confirm`` is N pressed again on purpose while people still grade.
        """
        if action not in ("start", "reveal", "next", "finish"):
            raise RoomError(f"There is no host action '{action}'.", 404)
        if seen_stage is not None and seen_stage != self.stage:
            raise RoomError("The session had already moved on: this screen now shows where "
                            "it is. Press again if you still want to.", 409)
        if action == "next":
            return self.next(now, confirm=confirm)
        return getattr(self, action)(now)

    def start(self, now):
        self._need(LOBBY)
        self._begin_round(0, now)

    def _begin_round(self, index, now):
        self.state, self.index, self.question_started_at = QUESTION, index, now
        self.question_starts[str(index)] = now
        self._changed(now, stage=True)

    def answer(self, token, text, confidence, now):
        person = self._member(token)
        self._need(QUESTION)
        deadline = self.deadline()
        if deadline is not None and now > deadline + TIMER_GRACE:
            raise RoomError("Time's up: answers closed when the timer reached 0:00, so "
                            "this one was not sent.", 409)
        text = (text or "").replace("\r\n", "\n").strip()
        if len(text) > ANSWER_MAX:
            raise RoomError(f"An answer has at most {ANSWER_MAX} characters "
                            f"(this one has {len(text)}).", 400)
        confidence = confidence or None
        if confidence is not None and confidence not in CONFIDENCES:
            raise RoomError("Confidence is one of: know it, unsure, no idea.", 400)
        if not text and confidence is None:
            raise RoomError("Type an answer or pick how sure you are.", 400)
        person.answers[str(self.index)] = {"text": text, "confidence": confidence, "at": now}
        person.rev += 1
        self._changed(now)
        return person

    def reveal(self, now):
        """Answers close; the team's answers get a fresh shuffled order, and each person
        a few of them to rate (a ring over that order: nobody rates their own)."""
        self._need(QUESTION)
        self.state = REVEALED
        answerers = [p.token for p in self.answered() if p.entry(self.index).get("text")]
        secrets.SystemRandom().shuffle(answerers)
        self.team_order = answerers
        self.peer_tasks = {}
        count = len(answerers)
        position = {token: i for i, token in enumerate(answerers)}
        others = [p.token for p in self.roster() if p.token not in position]
        for token, i in position.items():
            self.peer_tasks[token] = [answerers[(i + j) % count]
                                      for j in range(1, min(PEER_TASKS, count - 1) + 1)]
        for m, token in enumerate(others):
            if count:
                self.peer_tasks[token] = [answerers[(m * PEER_TASKS + j) % count]
                                          for j in range(min(PEER_TASKS, count))]
        self.next_armed = 0
        self._changed(now, stage=True)

    def tick(self, now):
        """What the clock does by itself: the reveal a timer made due. A no-op otherwise
        (the store writes nothing when the version did not move)."""
        if self.reveal_due(now):
            self.reveal(now)

    def grade(self, token, rating, now):
        """Record a self-grade (once a round). Points only for someone who answered.

        Returns (participant, question id): the question read under the same lock, so a
        host's "next" racing the grade cannot make it count for the wrong question.
        """
        person = self._member(token)
        self._need(REVEALED)
        if rating not in GRADE_LABELS:
            raise RoomError("A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).", 400)
        entry = person.entry(self.index)
        if entry and entry.get("grade"):
            raise RoomError("You have already graded this question.", 409)
        if entry is None:
            entry = person.answers[str(self.index)] = {"text": "", "confidence": None,
                                                       "at": None}
        entry["grade"] = rating
        person.rev += 1
        self._changed(now)
        return person, self.question_id

    def rate(self, token, slot, rating, now):
        """Rate the ``slot``-th anonymous answer given to ``token`` (once each)."""
        person = self._member(token)
        self._need(REVEALED)
        tasks = self.peer_tasks.get(token, [])
        if not isinstance(slot, int) or not 0 <= slot < len(tasks):
            raise RoomError("There is no such answer to rate.", 400)
        if rating not in PEER_RATINGS:
            raise RoomError("A rating is 0 (misses the key points) to 3 (all of them).", 400)
        entry = person.entry(self.index)
        if entry is None:
            entry = person.answers[str(self.index)] = {"text": "", "confidence": None,
                                                       "at": None}
        rated = entry.setdefault("rated_as", {})
        if str(slot) in rated:
            raise RoomError("You have already rated that answer.", 409)
        target = self.participants.get(tasks[slot]) or self.removed.get(tasks[slot])
        if target is not None:
            target.entry(self.index).setdefault("peer", []).append(rating)
            target.rev += 1
        rated[str(slot)] = rating
        entry["rated"] = sorted(int(k) for k in rated)
        person.rev += 1
        self._changed(now)
        return person

    def set_progress(self, token, on, now):
        """Whether this person's self-grades also count in their own FSRS progress."""
        person = self._member(token)
        person.progress = bool(on)
        person.rev += 1
        self._changed(now)
        return person

    def next(self, now, confirm=False):
        """Revealed -> scoreboard -> next question (or finished after the last).

        While people still grade, the first N only arms it ("2 still grading: N again
        to move on"); N again at the same stage, or ``confirm``, moves on. Returns
        False when it only armed.
        """
        self._need(REVEALED, SCOREBOARD)
        if self.state == REVEALED:
            if not confirm and self.next_armed != self.stage and self.still_grading():
                self.next_armed = self.stage
                self._changed(now)
                return False
            self.state = SCOREBOARD
            self._changed(now, stage=True)
        elif self.is_last:
            self.finish(now)
        else:
            self._begin_round(self.index + 1, now)
        return True

    def finish(self, now):
        self._need(LOBBY, QUESTION, REVEALED, SCOREBOARD)
        self.state = FINISHED
        self._changed(now, stage=True)

    def _member(self, token):
        if self.is_kicked(token):
            raise RoomError("The host removed you from this session.", 403)
        person = self.participant(token)
        if person is None:
            raise RoomError("Join the session first.", 403)
        return person

    # storing ---------------------------------------------------------------------------
    def to_dict(self):
        """A snapshot sharing nothing mutable with the room, safe to serialise unlocked."""
        data = {name: getattr(self, name) for name in (
            "code", "host_tokens", "pack_id", "question_ids", "created_at", "timer",
            "show_answers", "title", "state", "index", "locked", "version", "stage",
            "updated_at", "question_started_at", "kicked", "handover_secret",
            "handover_until", "auto_reveal", "keep_answers", "next_armed")}
        data["question_starts"] = dict(self.question_starts)
        data["question_ids"] = list(self.question_ids)
        data["host_tokens"] = list(self.host_tokens)
        data["kicked"] = dict(self.kicked)
        data["team_order"] = list(self.team_order)
        data["peer_tasks"] = {k: list(v) for k, v in self.peer_tasks.items()}
        data["participants"] = [p.to_dict() for p in self.participants.values()]
        data["removed"] = [p.to_dict() for p in self.removed.values()]
        return data

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        if "host_token" in data:  # a file from before each host device had its own token
            data["host_tokens"] = [data.pop("host_token")]
        people = [Participant.from_dict(p) for p in data.pop("participants", [])]
        removed = [Participant.from_dict(p) for p in data.pop("removed", [])]
        room = cls(**data)
        if room.state not in STATES:
            raise ValueError(f"unknown state {room.state!r}")
        if not (isinstance(room.host_tokens, list) and room.host_tokens
                and all(isinstance(t, str) and t for t in room.host_tokens)):
            raise ValueError("no host token")
        room.participants = {p.token: p for p in people}
        room.removed = {p.token: p for p in removed}
        return room


def cut(text, chars):
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"
