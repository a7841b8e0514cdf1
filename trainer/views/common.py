"""The request kit every view uses: what a request names, parsed one way everywhere.

* :func:`trainer` and :func:`current_profile`: the app's packs and profiles, and the
  visitor's own profile (made on the first visit, kept in the signed cookie);
* :func:`pack_or_404` and :func:`question_or_404`: a pack or question named in a URL or
  a form, or a 404 that says where to go instead;
* :func:`whole_number` and :func:`whole_number_or_400`: a bounded whole number from a
  form or query field, with one message shape;
* :func:`rating_or_400`: a 1-4 grade; :func:`display_name`: the one display-name rule.

As Django forms and flaskr's ``get_post(id)`` do, a view asks here and never parses
the same field its own way.
"""

import time

from flask import abort, current_app, g, request, session

from trainer.profiles import devices
from trainer.profiles.devices import DEVICE_ID, new_device_id
from trainer.profiles.names import NAME_MAX, NameRefused, clean_display_name
from trainer.profiles.store import PROFILE_ID, new_profile_id
from trainer.study.scheduling import RATING_LABELS

__all__ = ["NAME_MAX", "FieldError", "NameRefused", "current_device", "current_profile",
           "display_name", "note_device", "pack_or_404", "query_value", "question_or_404",
           "rating_or_400", "trainer", "whole_number", "whole_number_or_400"]

DIGITS_MAX = 12  # longer than any bound here: refused before int() reads it


class FieldError(ValueError):
    """A form or query field that is not what it should be; the message says why."""


def trainer():
    return current_app.extensions["trainer"]


def current_profile():
    """The visitor's profile, made on the first visit and kept in the signed cookie.

    The cookie names a device too (profiles/devices.py): a browser that was unlinked
    from its profile is refused for good and starts a fresh profile, under a new device
    id. A profile with a file of its own notes the browser (at most once a minute).
    """
    if "profile" in g:
        return g.profile
    profiles = trainer().profiles
    device_id = session.get("device")
    if not isinstance(device_id, str) or not DEVICE_ID.match(device_id):
        device_id = session["device"] = new_device_id()
    profile_id = session.get("profile")
    profile = None
    if isinstance(profile_id, str) and PROFILE_ID.match(profile_id):
        profile = profiles.get(profile_id)
        if devices.is_unlinked(profile, device_id):
            profile = None
            device_id = session["device"] = new_device_id()
    if profile is None:
        profile_id = new_profile_id()
        session["profile"] = profile_id
        session.permanent = True
        profile = profiles.get(profile_id)
    g.profile = profile
    if profile.has_file:
        note_device(profile, device_id)
    return g.profile


def note_device(profile, device_id):
    """Note the browser's visit (at most one write a minute); a disk that refuses it
    costs the "last seen" time only, never the page."""
    try:
        devices.seen(profile, device_id, request.headers.get("User-Agent", ""), time.time())
    except OSError as exc:
        current_app.logger.warning("profile %s: last seen not saved: %s", profile.id, exc)


def current_device():
    """The id of the visitor's browser (set by :func:`current_profile`)."""
    current_profile()
    return session["device"]


def query_value(name):
    """The first ``name`` of the query string, or None.

    ``request.args.get`` raises and catches a KeyError for a name that is missing, and a
    card flip asks for three that mostly are; this asks first.
    """
    args = request.args
    return args[name] if name in args else None  # noqa: SIM401 - see above


def pack_or_404(pack_id):
    pack = trainer().packs.get(pack_id or "")
    if pack is None:
        abort(404, description=f"There is no pack '{(pack_id or '')[:80]}'. Pick one from "
                               "the home page.")
    return pack


def question_or_404(pack, question_id):
    question = pack.question(question_id)
    if question is None:
        abort(404, description=f"Pack '{pack.id}' has no question '{question_id[:80]}'. It "
                               "may have been removed in a newer version of the pack.")
    return question


def whole_number(raw, low, high, label, default=None):
    """``raw`` (a field's text) as a whole number from ``low`` to ``high``.

    An empty field gives ``default`` when there is one. Anything else that is not such a
    number raises :class:`FieldError` naming ``label`` and the bounds.
    """
    text = (raw if isinstance(raw, str) else "").strip()
    if not text and default is not None:
        return default
    message = f"{label} must be a whole number from {low} to {high}."
    if not text or len(text) > DIGITS_MAX or not (text.isascii() and text.lstrip("-").isdigit()):
        raise FieldError(message)
    value = int(text)
    if not low <= value <= high:
        raise FieldError(message)
    return value


def whole_number_or_400(source, name, low, high, label=None, default=None):
    """Field ``name`` of ``source`` (a form or query args) by :func:`whole_number`, or 400."""
    try:
        return whole_number(source.get(name, ""), low, high, label or f"'{name}'", default)
    except FieldError as exc:
        abort(400, description=str(exc))


def rating_or_400(form):
    """The grade a form sends: 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy), else 400."""
    try:
        return whole_number(form.get("rating", ""), min(RATING_LABELS), max(RATING_LABELS),
                            "A grade")
    except FieldError:
        abort(400, description="A grade is 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    return None  # not reached: abort raises


def display_name(raw):
    """A display name by the one rule, or :class:`NameRefused` saying what is wrong."""
    return clean_display_name(raw)
