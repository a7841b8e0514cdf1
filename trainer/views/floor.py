"""The benchmark floor: the fastest answer this server can give, for ``make bench``.

``GET /_bench/floor?bytes=N`` returns N bytes of HTML through the same app, hooks,
session cookie and waitress as every real page, but with no work of its own. The
benchmark compares a card flip with it. It exists only when the server starts with
``TRAINER_BENCH_FLOOR=1``; a normal server has no such route.
"""

import os

from flask import Blueprint, abort, current_app, request

ENV = "TRAINER_BENCH_FLOOR"
MAX_BYTES = 1024 * 1024

bp = Blueprint("floor", __name__, url_prefix="/_bench")


@bp.get("/floor")
def floor():
    size = request.args.get("bytes", "0")
    if not size.isdigit() or int(size) > MAX_BYTES:
        abort(400, description=f"bytes must be a whole number from 0 to {MAX_BYTES}.")
    return current_app.response_class(b"x" * int(size), mimetype="text/html")


def register_if_enabled(app):
    """Add the floor route only when the benchmark asked for it."""
    if os.environ.get(ENV) == "1":
        app.register_blueprint(bp)
