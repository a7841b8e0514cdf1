"""Operational routes: health check and assets that come from packages, not the repo."""

import os
import time
from functools import cache
from importlib import resources

from flask import Blueprint, current_app, jsonify

from trainer.packs.render import pygments_css
from trainer.storage import atomic_write_bytes

bp = Blueprint("system", __name__)
HTMX_FILE = resources.files("js_lib_htmx") / "static" / "htmx" / "htmx.min.js"
ASSET_MAX_AGE = 7 * 24 * 3600


@bp.get("/healthz")
def healthz():
    """200 when the data folder can be written and read back, else 503."""
    probe = current_app.config["DATA_DIR"] / ".healthz"
    token = f"{os.getpid()}-{time.time_ns()}".encode()
    try:
        atomic_write_bytes(probe, token)
        ok = probe.read_bytes() == token
    except OSError as exc:
        return jsonify(status="error", detail=f"data folder not writable: {exc}"), 503
    if not ok:
        return jsonify(status="error", detail="data folder returned other bytes"), 503
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
