"""A live room: the rules of one team session, as a state machine with no web in it.

A room moves lobby -> question -> revealed -> scoreboard -> question ... -> finished,
only when the host says so. Participants are known by a secret token (kept in their
signed cookie) and shown to others by a short public id, so nothing a browser sees lets
it act for someone else. Every change bumps ``version``; changes that everyone sees
(a new stage) also bump ``stage``, and a participant's own changes bump their ``rev``.
A poll compares the version its page was drawn at with these numbers and gets nothing
back unless they moved, which keeps a hundred pollers cheap.

All times are passed in (``now``, epoch seconds), so tests drive the clock.
"""

import secrets
import unicodedata
from dataclasses import dataclass, field

from trainer.profiles.names import NameRefused, clean_display_name

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, no 1/I: easy to read aloud
CODE_LENGTH = 9  # 32 ** 9 = 2 ** 45 codes
ANSWER_MAX = 2000
PARTICIPANTS_MAX = 200
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
POINTS = {1: 0, 2: 1, 3: 2, 4: 3}


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
    """What makes two display names the same: case, width and look-alike forms folded.

    NFKC folds fullwidth and compatibility letters ("Ａｎｎ" is "Ann"), casefold the case.
    """
    return unicodedata.normalize("NFKC", name).casefold()


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
    answers: dict = field(default_factory=dict)  # str(round) -> {text, confidence, at, grade}

    def entry(self, index):
        return self.answers.get(str(index))

    @property
    def score(self):
        return sum(a.get("points", 0) for a in self.answers.values())

    def to_dict(self):
        return {"token": self.token, "pid": self.pid, "name": self.name,
                "joined_at": self.joined_at, "progress": self.progress, "rev": self.rev,
                "answers": {k: dict(v) for k, v in self.answers.items()}}

    @classmethod
    def from_dict(cls, data):
        return cls(**data)


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
    state: str = LOBBY
    index: int = -1
    locked: bool = False
    version: int = 1
    stage: int = 1
    updated_at: float = 0.0
    question_started_at: float = 0.0
    participants: dict = field(default_factory=dict)  # token -> Participant
    kicked: dict = field(default_factory=dict)  # token -> name at the time of the kick
    handover_secret: str = ""  # a pending host hand-over (see offer_handover)
    handover_until: float = 0.0
    host_seen_at: float = 0.0  # a host screen's last look (memory only: polls never write)

    @classmethod
    def create(cls, pack_id, question_ids, now, timer=0, show_answers=False, title="",
               code=None):
        if not question_ids:
            raise RoomError("No question matches: loosen the filters.", 400)
        if len(question_ids) > QUESTIONS_MAX:
            raise RoomError(f"A session has at most {QUESTIONS_MAX} questions.", 400)
        if not isinstance(timer, int) or not 0 <= timer <= TIMER_MAX:
            raise RoomError(f"The timer is 0 (none) to {TIMER_MAX} seconds.", 400)
        return cls(code=code or new_code(), host_tokens=[secrets.token_urlsafe(24)],
                   pack_id=pack_id, question_ids=list(question_ids), created_at=now,
                   timer=timer, show_answers=bool(show_answers), title=title, updated_at=now)

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
            return "kicked"
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

    def roster(self):
        """Participants in join order."""
        return sorted(self.participants.values(), key=lambda p: (p.joined_at, p.pid))

    def answered(self, index=None):
        index = self.index if index is None else index
        return [p for p in self.roster() if p.entry(index)]

    def graded(self, index=None):
        index = self.index if index is None else index
        return [p for p in self.roster() if (p.entry(index) or {}).get("grade")]

    def scoreboard(self):
        """(rank, participant, score), best first; equal scores share a rank."""
        rows = sorted(self.participants.values(), key=lambda p: (-p.score, p.name.casefold()))
        out, rank, last = [], 0, None
        for position, person in enumerate(rows, start=1):
            if person.score != last:
                rank, last = position, person.score
            out.append((rank, person, person.score))
        return out

    def team_answers(self, limit=TEAM_ANSWERS_SHOWN, chars=TEAM_ANSWER_CHARS):
        """This round's typed answers, without names, in a stable shuffled order.

        Returns (shown, total): at most ``limit`` answers cut to ``chars`` characters,
        so a reveal to 200 screens never sends 200 full answers to each of them.
        """
        texts = sorted((p.pid, p.entry(self.index)["text"]) for p in self.answered()
                       if p.entry(self.index).get("text"))
        shown = [text if len(text) <= chars else text[:chars - 1].rstrip() + "…"
                 for _, text in texts[:limit]]
        return shown, len(texts)

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
        person = next((p for p in self.participants.values() if p.pid == pid), None)
        if person is None:
            raise RoomError("No such participant (already gone?).", 404)
        del self.participants[person.token]
        self.kicked[person.token] = person.name
        # Only a scoreboard on other screens shows the kicked person. Redrawing everyone's
        # stage during a question would also redraw the answer box they are typing in.
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

    def step(self, action, seen_stage, now):
        """A host's move (start, reveal, next, finish), refused if the screen is stale.

        ``seen_stage`` is the stage the host's screen was drawn at. A double press of N,
        or a second host tab, would otherwise skip the scoreboard or a whole question.
        """
        if action not in ("start", "reveal", "next", "finish"):
            raise RoomError(f"There is no host action '{action}'.", 404)
        if seen_stage is not None and seen_stage != self.stage:
            raise RoomError("The session had already moved on: this screen now shows where "
                            "it is. Press again if you still want to.", 409)
        getattr(self, action)(now)

    def start(self, now):
        self._need(LOBBY)
        self._begin_round(0, now)

    def _begin_round(self, index, now):
        self.state, self.index, self.question_started_at = QUESTION, index, now
        self._changed(now, stage=True)

    def answer(self, token, text, confidence, now):
        person = self._member(token)
        self._need(QUESTION)
        deadline = self.deadline()
        if deadline is not None and now > deadline + TIMER_GRACE:
            raise RoomError("Time is up for this question.", 409)
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
        self._need(QUESTION)
        self.state = REVEALED
        self._changed(now, stage=True)

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
        entry["points"] = POINTS[rating] if entry.get("at") is not None else 0
        person.rev += 1
        self._changed(now)
        return person, self.question_id

    def set_progress(self, token, on, now):
        """Whether this person's self-grades also count in their own FSRS progress."""
        person = self._member(token)
        person.progress = bool(on)
        person.rev += 1
        self._changed(now)
        return person

    def next(self, now):
        """Revealed -> scoreboard -> next question (or finished after the last)."""
        self._need(REVEALED, SCOREBOARD)
        if self.state == REVEALED:
            self.state = SCOREBOARD
            self._changed(now, stage=True)
        elif self.is_last:
            self.finish(now)
        else:
            self._begin_round(self.index + 1, now)

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
            "handover_until")}
        data["question_ids"] = list(self.question_ids)
        data["host_tokens"] = list(self.host_tokens)
        data["kicked"] = dict(self.kicked)
        data["participants"] = [p.to_dict() for p in self.participants.values()]
        return data

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        if "host_token" in data:  # a file from before each host device had its own token
            data["host_tokens"] = [data.pop("host_token")]
        people = [Participant.from_dict(p) for p in data.pop("participants", [])]
        room = cls(**data)
        if room.state not in STATES:
            raise ValueError(f"unknown state {room.state!r}")
        if not (isinstance(room.host_tokens, list) and room.host_tokens
                and all(isinstance(t, str) and t for t in room.host_tokens)):
            raise ValueError("no host token")
        room.participants = {p.token: p for p in people}
        return room
