"""Operational routes: health check and assets that come from packages, not the repo.

At start, this blueprint also deletes the temporary files a crash left in the data
folders (storage.sweep_stale_temp_files): a room's may hold its tokens.
"""

import os
import time
from functools import cache
from importlib import resources

from flask import Blueprint, current_app, jsonify

from trainer.packs.render import pygments_css
from trainer.storage import atomic_write_bytes, sweep_stale_temp_files

bp = Blueprint("system", __name__)
HTMX_FILE = resources.files("js_lib_htmx") / "static" / "htmx" / "htmx.min.js"
ASSET_MAX_AGE = 7 * 24 * 3600
# Every folder the app writes with storage.atomic_write_bytes, under the data folder.
DATA_FOLDERS = ("", "profiles", "rooms", "cache")


@bp.record_once
def _sweep_at_start(state):
    data_dir = state.app.config["DATA_DIR"]
    for folder in DATA_FOLDERS:
        sweep_stale_temp_files(data_dir / folder)


@bp.get("/healthz")
def healthz():
    """200 when all is well, else 503 with a ``detail`` that says what is wrong.

    Wrong is: the data folder cannot be written and read back, or a data file could not
    be read (today: live room files left unloaded at start, listed in ``problems`` with
    the file and the reason). An unreadable file is 503, not 200 with a warning, because
    someone's data is missing until an operator restores or moves the file aside; the
    check turns 200 again once the file is gone from the folder (a restart loads a
    restored one).
    """
    probe = current_app.config["DATA_DIR"] / ".healthz"
    token = f"{os.getpid()}-{time.time_ns()}".encode()
    try:
        atomic_write_bytes(probe, token)
        ok = probe.read_bytes() == token
    except OSError as exc:
        return jsonify(status="error", detail=f"data folder not writable: {exc}"), 503
    if not ok:
        return jsonify(status="error", detail="data folder returned other bytes"), 503
    rooms = current_app.extensions.get("live_rooms")
    problems = rooms.problems if rooms is not None else []
    if problems:
        return jsonify(status="error", detail="data files cannot be read: "
                       + "; ".join(problems), problems=problems), 503
    return jsonify(status="ok", packs=len(current_app.extensions["trainer"].packs.packs))


@bp.get("/vendor/htmx.min.js")
def htmx_js():
    """htmx from the pinned ``django-js-lib-htmx`` wheel, served from our own origin."""
    response = current_app.response_class(_htmx_bytes(), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = ASSET_MAX_AGE
    return response


@cache
def _htmx_bytes():
    return HTMX_FILE.read_bytes()


@bp.get("/assets/code.css")
def code_css():
    """Colours for highlighted code, made by Pygments."""
    response = current_app.response_class(_code_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = ASSET_MAX_AGE
    return response


@cache
def _code_css():
    return pygments_css()
