"""One profile on several browsers, and the colour theme; the rules are in profiles/.

* ``POST /profile/theme`` saves auto, light or dark (the top bar's button and the
  profile page's form) and goes back where it came from;
* ``POST /profile/devices/link`` shows a one-time link and QR code (ten minutes) that
  attaches another browser to this profile;
* ``GET /profile/devices/take/<profile>/<secret>`` asks the new browser to confirm (a
  GET changes nothing: link previews and prefetching), ``POST`` attaches it. The
  profile id in the link is no key: without the cookie's signature it opens nothing;
* ``POST /profile/devices/unlink`` detaches another browser for good.

Every page gets ``page_theme()`` (the ``data-theme`` of ``<html>``) and the profile
page ``profile_devices()`` (its browsers, this one marked).
"""

import time

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from trainer.profiles import devices
from trainer.profiles.appearance import (
    THEME_DEFAULT,
    THEMES,
    ThemeRefused,
    next_theme,
    set_theme,
    theme,
)
from trainer.profiles.store import PROFILE_ID
from trainer.storage import DataFileError
from trainer.views.common import current_device, current_profile, note_device, trainer
from trainer.web.htmx import SEE_OTHER
from trainer.web.urls import public_url_for

bp = Blueprint("devices", __name__, url_prefix="/profile")


@bp.record_once
def _page_helpers(state):
    """Template globals, set once: a context processor would build them for every
    rendering, the card a flip sends among them."""
    state.app.jinja_env.globals.update(page_theme=page_theme, next_theme=next_theme,
                                       themes=THEMES, profile_devices=profile_devices)


def page_theme():
    """The visitor's theme; "auto" for a browser that has no profile yet (none is made),
    and on the error page of a profile file that cannot be read."""
    profile_id = session.get("profile")
    if not (isinstance(profile_id, str) and PROFILE_ID.match(profile_id)):
        return THEME_DEFAULT
    try:
        return theme(current_profile())
    except DataFileError:
        return THEME_DEFAULT


def profile_devices():
    """The profile's browsers, newest first, each with ``current`` and ``seen_words``."""
    profile, here, now = current_profile(), current_device(), time.time()
    note_device(profile, here)
    return [{**d, "current": d["id"] == here, "seen_words": _ago(now - d["seen"])}
            for d in devices.devices(profile)]


def _ago(seconds):
    if seconds < 120:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def _back():
    """The local page a form came from (``next``), else the profile page."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("profile.page")


@bp.post("/theme")
def save_theme():
    try:
        set_theme(current_profile(), request.form.get("theme", ""))
    except ThemeRefused as exc:
        abort(400, description=str(exc))
    return redirect(_back(), SEE_OTHER)


@bp.post("/devices/link")
def offer_link():
    profile = current_profile()
    secret = devices.offer_link(profile, time.time())
    link = public_url_for(".take_link", profile_id=profile.id, secret=secret)
    response = render_template(
        "devices/link.html", link=link, minutes=devices.LINK_TTL // 60,
        qr_uri=segno.make(link, error="m").svg_data_uri(scale=6, border=2, light="#fff"))
    return response, 200, {"Cache-Control": "no-store"}


def _linked_profile_or_404(profile_id, secret):
    profiles = trainer().profiles
    if PROFILE_ID.match(profile_id) and profiles.exists(profile_id):
        profile = profiles.get(profile_id)
        if devices.link_is_open(profile, secret, time.time()):
            return profile
    abort(404, description="This link to a profile is used up or expired (links work "
                           "once, for ten minutes). Make a new one on the profile page of "
                           "the browser you study in.")
    return None  # not reached: abort raises


@bp.get("/devices/take/<profile_id>/<secret>")
def take_link(profile_id, secret):
    _linked_profile_or_404(profile_id, secret)
    here = current_profile()
    return render_template("devices/take.html", profile_id=profile_id, secret=secret,
                           same=here.id == profile_id, cards=len(here.all_cards()))


@bp.post("/devices/take/<profile_id>/<secret>")
def take_link_confirmed(profile_id, secret):
    profile = _linked_profile_or_404(profile_id, secret)
    if not devices.take_link(profile, secret, time.time()):
        abort(404, description="This link to a profile was used a moment ago.")
    device_id = devices.new_device_id()
    session["profile"], session["device"] = profile.id, device_id
    session.permanent = True
    note_device(profile, device_id)
    flash("This browser now studies with your profile.", "ok")
    return redirect(url_for("home.index"), SEE_OTHER)


@bp.post("/devices/unlink")
def unlink():
    device_id = request.form.get("device", "")
    if device_id == current_device():
        abort(400, description="This browser cannot unlink itself; unlink it from another.")
    if devices.unlink(current_profile(), device_id):
        flash("That browser is unlinked: it starts a new, empty profile on its next visit.",
              "ok")
    return redirect(url_for("profile.page") + "#devices", SEE_OTHER)
