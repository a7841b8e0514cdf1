"""The web side of live sessions: host screens, joining, playing, polling, the summary.

Who is who lives in the signed session cookie: ``live_h`` maps a room code to its host
token, ``live_p`` maps a room code to a participant token. Every host action checks the
host token on the server; every participant action acts for the cookie's token only.

A poll (``.../stage?v=<version>``) costs one comparison when nothing changed: the answer
is ``trainer.web.htmx.no_change()``. Otherwise it is the new ``#stage`` fragment. Fragments
carry their version in ``X-Live-Version`` (and ``data-version``) for tools that watch.
"""

import contextlib
import hashlib
import io
import secrets
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from trainer.live import rooms as R
from trainer.live import summary as S
from trainer.live.limits import BLOCKED_MESSAGES, Caller, CreateLimits, JoinThrottle
from trainer.live.store import RoomStore
from trainer.packs.model import DIFFICULTIES
from trainer.study.grading import grade_card
from trainer.views.common import NAME_MAX, FieldError, current_profile, trainer, whole_number
from trainer.web.hosts import is_loopback_name, split_host
from trainer.web.htmx import HTMX_STOP_POLLING, SEE_OTHER, is_htmx, no_change, respond
from trainer.web.urls import public_url_for

bp = Blueprint("live", __name__, url_prefix="/live")
HOST_KEY, PLAYER_KEY = "live_h", "live_p"
COOKIE_ROOMS_MAX = 20
STAGE_MAX = 10**9
HOST_ACTIONS = {"start", "reveal", "next", "lock", "unlock", "finish", "kick", "restore"}
FIRST_PARTY_SITES = {"", "same-origin", "none"}  # Sec-Fetch-Site: our pages, address bar


@bp.record_once
def _setup(state):
    app = state.app
    app.extensions["live_rooms"] = RoomStore(app.config["DATA_DIR"] / "rooms")
    app.extensions["live_throttle"] = JoinThrottle()
    app.extensions["live_limits"] = CreateLimits()


def store():
    return current_app.extensions["live_rooms"]


def throttle():
    return current_app.extensions["live_throttle"]


def limits():
    return current_app.extensions["live_limits"]


def caller():
    """Who sent this request, for the limits.

    The browser is known by a hash of its session's CSRF token (a random value of its
    signed cookie). A request counts as first-party when it passed the CSRF check (any
    POST that reaches a view) or when ``Sec-Fetch-Site`` says our own pages or the
    address bar sent it; another site's ``<img>`` or link says ``cross-site``. Clients
    that send no such header (scripts, old browsers) count as first-party.
    """
    csrf = session.get("csrf")
    browser = (hashlib.sha256(csrf.encode()).hexdigest()[:32]
               if isinstance(csrf, str) and csrf else None)
    site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    first_party = request.method == "POST" or site in FIRST_PARTY_SITES
    return Caller(address=request.remote_addr or "?", browser=browser,
                  first_party=first_party)


def _refuse_if_blocked(who):
    reason = throttle().blocked(who)
    if reason:
        abort(429, description=BLOCKED_MESSAGES[reason])


# identity ------------------------------------------------------------------------------
def _remember(key, code, token):
    """Keep ``code -> token`` in the cookie, newest last, at most COOKIE_ROOMS_MAX rooms.

    A list of pairs, not a dict: the session serialiser sorts dict keys, and the oldest
    room is the one to forget when the list is full.
    """
    kept = [pair for pair in _pairs(key) if pair[0] != code]
    kept.append([code, token])
    session[key] = kept[-COOKIE_ROOMS_MAX:]
    session.permanent = True


def _pairs(key):
    kept = session.get(key)
    if not isinstance(kept, list):
        return []
    return [pair for pair in kept if isinstance(pair, list) and len(pair) == 2
            and all(isinstance(x, str) for x in pair)]


def _token(key, code):
    return next((token for known, token in _pairs(key) if known == code), None)


def is_host(room):
    return room.is_host(_token(HOST_KEY, room.code))


def player_token(room):
    return _token(PLAYER_KEY, room.code)


def _room(code):
    """The room for a code in the URL; unknown codes count against the caller.

    Wrong codes count against this browser and its address (limits.JoinThrottle says
    how), and only when our own pages sent the request. People already in this room
    (their signed cookie says so) are never refused: a teammate's typos behind the same
    NAT must not stop a session.
    """
    who = caller()
    canonical = R.normalize_code(code)
    member = canonical and (_token(PLAYER_KEY, canonical) or _token(HOST_KEY, canonical))
    if not member:
        _refuse_if_blocked(who)
    room = store().get(canonical) if canonical else None
    if room is None:
        if member:  # their own room expired: not a guess, and an open tab stops polling
            _room_gone()
        throttle().fail(who)
        abort(404, description="There is no live session with that code (or it has ended "
                               "and expired). Check the code with your host.")
    return room


def _room_gone():
    """Answer a member whose room has expired or was lost.

    htmx gets the "ended" stage with status 286, which tells it to stop polling, so an
    open tab does not ask every second for a room that will never come back.
    """
    if is_htmx():
        abort(make_response(render_template("live/gone.html"), HTMX_STOP_POLLING))
    abort(404, description="This live session has ended and expired. Its summary went "
                           "with it: download it before the session expires next time.")


def _host_room(code):
    room = _room(code)
    if not is_host(room):
        abort(403, description="Only the host of this session can do that.")
    return room


def _pack(room):
    return trainer().packs.get(room.pack_id)


def _question(room, pack=None):
    pack = pack or _pack(room)
    qid = room.question_id
    return pack.question(qid) if pack and qid else None


def _with_version(response, version):
    response.headers["X-Live-Version"] = str(version)
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("HX-Request")
    return response


# creating ------------------------------------------------------------------------------
@bp.get("/")
def index():
    return _index_page()


def _index_page(error=None, join_error=None, form=None, status=200):
    packs = list(trainer().packs)
    tags = sorted({t for p in packs for q in p.questions for t in q.tags})
    return render_template("live/index.html", packs=packs, tags=tags, difficulties=DIFFICULTIES,
                           error=error, join_error=join_error, form=form or {},
                           questions_max=R.QUESTIONS_MAX, timer_max=R.TIMER_MAX), status


def _int_field(form, name, default, low, high, label):
    """A bounded whole number of the create form (the request kit's rule), or RoomError."""
    try:
        return whole_number(form.get(name) or "", low, high, label, default)
    except FieldError as exc:
        raise R.RoomError(str(exc), 400) from None


def pick_questions(pack, form):
    """The session's question ids from the create form: filters, count and order."""
    tags = {t.strip() for t in (form.get("tags") or "").split(",") if t.strip()}
    if len(tags) > 20 or any(len(t) > 60 for t in tags):
        raise R.RoomError("Give at most 20 tags, each up to 60 characters.", 400)
    difficulty = form.get("difficulty") or ""
    if difficulty and difficulty not in DIFFICULTIES:
        raise R.RoomError("Difficulty is junior, mid or senior (or any).", 400)
    count = _int_field(form, "count", 5, 1, R.QUESTIONS_MAX, "Number of questions")
    order = form.get("order") or "fixed"
    if order not in ("fixed", "random"):
        raise R.RoomError("Order is fixed or random.", 400)
    chosen = [q.id for q in pack.questions
              if (not tags or tags & set(q.tags))
              and (not difficulty or q.difficulty == difficulty)]
    if not chosen:
        raise R.RoomError("No question in this pack matches those filters.", 400)
    if order == "random":
        return secrets.SystemRandom().sample(chosen, min(count, len(chosen)))
    return chosen[:count]


@bp.post("/")
def create():
    """A new room, within the limits: a few open per browser, some an hour per address."""
    form = request.form
    pack = trainer().packs.get(form.get("pack") or "")
    address = caller().address
    try:
        if pack is None:
            raise R.RoomError("Pick a pack.", 400)
        question_ids = pick_questions(pack, form)
        timer = _int_field(form, "timer", 0, 0, R.TIMER_MAX, "The timer")
        limits().check(address, open_rooms=len(_hosted_rooms()))
        room = store().create(pack_id=pack.id, question_ids=question_ids, timer=timer,
                              show_answers=form.get("show_answers") == "1", title=pack.title,
                              auto_reveal=form.get("auto_reveal") == "1",
                              keep_answers=form.get("keep_answers") == "1")
    except R.RoomError as exc:
        return _index_page(error=exc.message, form=form, status=exc.status)
    limits().opened(address)
    current_profile()
    _remember(HOST_KEY, room.code, room.host_token)
    return redirect(url_for(".host", code=room.code), SEE_OTHER)


def _hosted_rooms():
    """The rooms this browser hosts that have not finished."""
    rooms = (store().get(code) for code, _ in _pairs(HOST_KEY))
    return [room for room in rooms
            if room is not None and room.state != R.FINISHED and is_host(room)]


@bp.get("/join")
def join_by_code():
    """The typed-code form on the index page lands here (wrong codes as in _room)."""
    who = caller()
    code = R.normalize_code(request.args.get("code", ""))
    member = code and (_token(PLAYER_KEY, code) or _token(HOST_KEY, code))
    if not member:
        _refuse_if_blocked(who)
    if code is None or store().get(code) is None:
        throttle().fail(who)
        return _index_page(join_error="No live session has that code. A code has 9 letters "
                                      "and digits, like ABC-DEF-GHJ.", status=404)
    return redirect(url_for(".room", code=code), SEE_OTHER)


def _clock_moves(room):
    """A poll finds the timer ran out in a room that reveals by itself: reveal, once.

    The one write a poll can cause; the check is one comparison otherwise.
    """
    if room.reveal_due(store().clock()):
        with contextlib.suppress(R.RoomError):  # not saved: the next poll tries again
            store().apply(room, "tick")


# host ----------------------------------------------------------------------------------
def _host_context(room, error=None):
    pack = _pack(room)
    now = store().clock()
    with store().lock(room):
        roster = room.roster()
        answered = {p.pid for p in room.answered()} if room.index >= 0 else set()
        graded = {p.pid for p in room.graded()} if room.index >= 0 else set()
        waiting = room.still_grading()
        scoreboard = room.scoreboard()
        podium = room.podium() if room.state == R.FINISHED else []
        restorable = room.restorable()
        team = (room.team_answers() if room.show_answers and room.state == R.REVEALED
                else ([], 0))
        version = room.version
    join_url = public_url_for(".room", code=room.code)
    return {
        "room": room, "pack": pack, "question": _question(room, pack), "roster": roster,
        "answered": answered, "graded": graded, "scoreboard": scoreboard,
        "waiting": waiting, "armed": bool(waiting) and room.next_armed == room.stage,
        "podium": podium, "restorable": restorable, "scoring_rule": R.SCORING_RULE,
        "team_answers": team[0], "team_total": team[1], "plural": R.plural,
        "version": version, "remaining": room.remaining(now), "error": error,
        "code_display": R.format_code(room.code), "join_url": join_url,
        "local_only": is_loopback_name(split_host(urlsplit(join_url).netloc)[0]),
    }


def _render_host(room, error=None):
    context = _host_context(room, error)
    return _with_version(respond("live/host.html", "stage", **context), context["version"])


@bp.get("/<code>/host")
def host(code):
    room = _host_room(code)
    room.host_seen(store().clock())
    return _render_host(room)


@bp.get("/<code>/host/stage")
def host_stage(code):
    room = _host_room(code)
    room.host_seen(store().clock())
    _clock_moves(room)
    if request.args.get("v") == str(room.version):
        return no_change()
    return _render_host(room)


@bp.post("/<code>/host/<action>")
def host_action(code, action):
    room = _host_room(code)
    if action not in HOST_ACTIONS:
        abort(404, description=f"There is no host action '{action}'.")
    try:
        if action in ("kick", "restore"):
            store().apply(room, action, request.form.get("pid", ""))
        elif action in ("lock", "unlock"):
            store().apply(room, "set_locked", action == "lock")
        else:
            store().apply(room, "step", action, _seen_stage(),
                          confirm=request.form.get("confirm") == "1")
    except R.RoomError as exc:
        if is_htmx():
            return _render_host(room, error=exc.message)
        abort(exc.status, description=exc.message)
    if is_htmx():
        return _render_host(room)
    return redirect(url_for(".host", code=room.code), SEE_OTHER)


def _seen_stage():
    """The stage the host's screen was drawn at (its forms send it), or None."""
    try:
        return whole_number(request.form.get("stage", ""), 0, STAGE_MAX, "The stage")
    except FieldError:
        return None


@bp.post("/<code>/host/handover")
def offer_handover(code):
    """A page (not the polled stage) with a one-time link that makes another browser host."""
    room = _host_room(code)
    try:
        secret = store().apply(room, "offer_handover")
    except R.RoomError as exc:
        abort(exc.status, description=exc.message)
    link = public_url_for(".take_handover", code=room.code, secret=secret)
    response = make_response(render_template(
        "live/handover.html", room=room, link=link,
        qr_uri=segno.make(link, error="m").svg_data_uri(scale=6, border=2),
        minutes=R.HANDOVER_TTL // 60, code_display=R.format_code(room.code)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<code>/host/take/<secret>")
def take_handover(code, secret):
    """Confirm before taking over: a GET changes nothing (link previews, prefetching)."""
    room = _room(code)
    return render_template("live/take_over.html", room=room, secret=secret,
                           code_display=R.format_code(room.code))


@bp.post("/<code>/host/take/<secret>")
def take_handover_confirmed(code, secret):
    room = _room(code)
    try:
        host_token = store().apply(room, "take_handover", secret)
    except R.RoomError as exc:
        throttle().fail(caller())  # guessing links is guessing codes
        abort(exc.status, description=exc.message)
    current_profile()
    _remember(HOST_KEY, room.code, host_token)
    return redirect(url_for(".host", code=room.code), SEE_OTHER)


@bp.get("/<code>/qr.svg")
def qr(code):
    """The join URL as a QR code, drawn here so the page needs no outside image."""
    room = _room(code)
    buffer = io.BytesIO()
    segno.make(public_url_for(".room", code=room.code), error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, svgclass="qr", title="Join QR")
    response = current_app.response_class(buffer.getvalue(), mimetype="image/svg+xml")
    response.cache_control.private = True
    response.cache_control.max_age = 300
    return response


# participants --------------------------------------------------------------------------
def _player_context(room, token, error=None):
    pack = _pack(room)
    now = store().clock()
    with store().lock(room):
        person = room.participant(token)
        kicked = room.is_kicked(token)
        removed = room.removed.get(token) if kicked else None
        state = room.state
        entry = person.entry(room.index) if person else None
        board = room.scoreboard() if state in (R.SCOREBOARD, R.FINISHED) else []
        my_rank = next((rank for rank, p, _ in board if person and p is person), None)
        my_points = room.points_of(person) if person else 0
        team = room.team_answers() if room.show_answers and state == R.REVEALED else ([], 0)
        to_rate = room.peer_answers(token) if person and state == R.REVEALED else []
        podium = room.podium() if state == R.FINISHED else []
        version = room.view_version(token)
    remaining = room.remaining(now)
    return {
        "room": room, "pack": pack, "person": person, "kicked": kicked, "state": state,
        "may_return": bool(removed and room.can_restore(removed)),
        "question": _question(room, pack) if state in (R.QUESTION, R.REVEALED) else None,
        "entry": entry, "scoreboard": board, "my_rank": my_rank, "my_points": my_points,
        "team_answers": team[0], "team_total": team[1], "to_rate": to_rate,
        "podium": podium, "plural": R.plural, "scoring_rule": R.SCORING_RULE,
        "remaining": remaining, "time_up": remaining == 0, "version": version,
        "error": error, "confidences": R.CONFIDENCES, "grades": R.GRADE_LABELS,
        "points": R.POINTS, "peer_ratings": R.PEER_RATINGS,
        "answer_max": R.ANSWER_MAX, "code_display": R.format_code(room.code),
    }


def _render_player(room, token, error=None, status=200):
    context = _player_context(room, token, error)
    return _with_version(respond("live/play.html", "stage", status=status, **context),
                         context["version"])


def _join_page(room, error=None, status=200, name=""):
    return render_template("live/join.html", room=room, error=error, name=name,
                           name_max=NAME_MAX, code_display=R.format_code(room.code)), status


@bp.get("/<code>")
def room(code):
    room = _room(code)
    token = player_token(room)
    if room.is_kicked(token) or room.participant(token):
        return _render_player(room, token, status=403 if room.is_kicked(token) else 200)
    return _join_page(room)


@bp.post("/<code>/join")
def join(code):
    room = _room(code)
    token = player_token(room)
    if room.is_kicked(token):
        return _render_player(room, token, status=403)
    if room.participant(token):
        return redirect(url_for(".room", code=room.code), SEE_OTHER)
    name = request.form.get("name", "")
    try:
        person = store().apply(room, "join", name, progress=request.form.get("progress") == "1")
    except R.RoomError as exc:
        return _join_page(room, error=exc.message, status=exc.status, name=name[:NAME_MAX])
    current_profile()
    _remember(PLAYER_KEY, room.code, person.token)
    return redirect(url_for(".room", code=room.code), SEE_OTHER)


def _member_room(code):
    room = _room(code)
    token = player_token(room)
    if not room.is_kicked(token) and room.participant(token) is None:
        abort(403, description="Join this session first.")
    return room, token


@bp.get("/<code>/stage")
def stage(code):
    room, token = _member_room(code)
    _clock_moves(room)
    if request.args.get("v") == room.view_version(token):
        return no_change()
    return _render_player(room, token)


def _player_action(room, token, action, *args):
    try:
        result = store().apply(room, action, token, *args)
    except R.RoomError as exc:
        if is_htmx() and exc.status != 403:
            return None, _render_player(room, token, error=exc.message)
        abort(exc.status, description=exc.message)
    return result, None


@bp.post("/<code>/answer")
def answer(code):
    room, token = _member_room(code)
    _, refused = _player_action(room, token, "answer", request.form.get("text", ""),
                                request.form.get("confidence", ""))
    if refused is not None:
        return refused
    if is_htmx():
        return _render_player(room, token)
    return redirect(url_for(".room", code=room.code), SEE_OTHER)


@bp.post("/<code>/grade")
def grade(code):
    room, token = _member_room(code)
    try:
        rating = whole_number(request.form.get("rating", ""), 1, 4, "A grade")
    except FieldError:
        rating = 0  # the room refuses it with its own message
    graded, refused = _player_action(room, token, "grade", rating)
    if refused is not None:
        return refused
    person, question_id = graded
    if person.progress and question_id:
        _count_in_progress(room, question_id, rating)
    if is_htmx():
        return _render_player(room, token)
    return redirect(url_for(".room", code=room.code), SEE_OTHER)


@bp.post("/<code>/rate")
def rate(code):
    """A peer rating of one anonymous answer: ``slot`` is its place on this person's
    own list, so the form names no one."""
    room, token = _member_room(code)
    try:
        slot = whole_number(request.form.get("slot", ""), 0, R.PEER_TASKS - 1, "The answer")
        rating = whole_number(request.form.get("rating", ""), 0, 3, "A rating")
    except FieldError:
        slot, rating = -1, -1  # the room refuses them with its own message
    _, refused = _player_action(room, token, "rate", slot, rating)
    if refused is not None:
        return refused
    if is_htmx():
        return _render_player(room, token)
    return redirect(url_for(".room", code=room.code), SEE_OTHER)


@bp.post("/<code>/progress")
def progress(code):
    room, token = _member_room(code)
    _, refused = _player_action(room, token, "set_progress", request.form.get("on") == "1")
    if refused is not None:
        return refused
    if is_htmx():
        return _render_player(room, token)
    return redirect(url_for(".room", code=room.code), SEE_OTHER)


def _count_in_progress(room, question_id, rating):
    """The participant opted in: their self-grade is a review in their own FSRS progress."""
    pack = _pack(room)
    if pack is None or pack.question(question_id) is None:
        return
    grade_card(current_profile(), pack.id, question_id, rating)


# summary -------------------------------------------------------------------------------
def _summary_room(code):
    room = _room(code)
    if is_host(room):
        return room
    token = player_token(room)
    if room.state == R.FINISHED and (room.participant(token) or room.is_kicked(token)):
        if room.is_kicked(token):
            abort(403, description="The host removed you from this session.")
        return room
    abort(403, description="The summary is for the host, and for participants once the "
                           "session has finished.")


def _summary(room):
    pack = _pack(room)
    with store().lock(room):
        return pack, S.build(room, pack)


def _summary_page(code, printable):
    room = _summary_room(code)
    pack, data = _summary(room)
    return render_template("live/summary.html", room=room, pack=pack, summary=data,
                           code_display=R.format_code(room.code), host=is_host(room),
                           confidences=R.CONFIDENCES, fmt_mean=S.fmt_mean,
                           fmt_share=S.fmt_share, printable=printable,
                           scoring_rule=R.SCORING_RULE, plural=R.plural)


@bp.get("/<code>/summary")
def summary(code):
    return _summary_page(code, printable=False)


@bp.get("/<code>/summary/print")
def summary_print(code):
    """The summary with every row per person and question, laid out for paper."""
    return _summary_page(code, printable=True)


def _download(body, mimetype, filename):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<code>/summary.md")
def summary_markdown(code):
    room = _summary_room(code)
    _, data = _summary(room)
    return _download(S.to_markdown(room, data), "text/markdown; charset=utf-8",
                     f"session-{room.code}.md")


@bp.get("/<code>/summary.csv")
def summary_csv(code):
    room = _summary_room(code)
    _, data = _summary(room)
    return _download(S.to_csv(data), "text/csv; charset=utf-8", f"session-{room.code}.csv")
