"""The packs page: every pack with its version, source and counts, the packs that failed
to load with their errors, and, for the operator, zip upload and removal of data packs.
An upload may also be an Anki package (.apkg, .colpkg: trainer/packs/anki_import.py),
its review history optionally taken into the uploader's progress; any pack downloads as
one (trainer/packs/anki_export.py), optionally with the visitor's own progress
(trainer/study/anki_progress.py), and a pack's images are served here, from our own
origin (trainer/packs/assets.py).

Who is the operator is decided on the server, per request, by the one rule in
trainer/web/operator.py: the person at the machine running ``trainer serve``, on this
trainer's own page, or whoever carries the admin token set in ``TRAINER_ADMIN_TOKEN``
(the form field, or the ``X-Admin-Token`` header for scripts). Everyone else sees the
list only, without the server's paths. ``/-/packs.json`` gives the same list to scripts.

When a token is set, the upload form and every Remove button carry a token field for an
operator on another machine; without one, both are shown on loopback only.
"""

import hashlib
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from trainer.packs.anki_export import package_bytes
from trainer.packs.anki_import import install_package
from trainer.packs.archive import MAX_ARCHIVE_BYTES, MAX_ENTRIES, MAX_RATIO
from trainer.packs.assets import read_asset
from trainer.packs.install import (
    PackRefused,
    find_installed,
    install_zip_bytes,
    remove_pack,
    taken_ids,
)
from trainer.packs.listing import describe
from trainer.packs.model import printable
from trainer.storage import lock_for
from trainer.study.anki_progress import progress_for_anki, take_anki_history
from trainer.study.scheduling import counts
from trainer.views.common import current_profile, pack_or_404, trainer
from trainer.web.operator import VARY, is_local_operator, is_operator

bp = Blueprint("packs", __name__)
MAX_NAME = 200
ANKI_SUFFIXES = (".apkg", ".colpkg")
IMAGE_MAX_AGE = 3600
# An image is a picture, never a document: nothing in it may run or load anything.
IMAGE_CSP = "default-src 'none'; sandbox"


def packs_folder():
    """Where uploaded and CLI-installed data packs live: ``<data>/packs``."""
    return current_app.config["DATA_DIR"] / "packs"


def _page(status=200, refused=None, refused_name=""):
    registry = trainer().packs
    profile = current_profile()
    now = time.time()
    folder = packs_folder()
    local = is_local_operator()
    operator = local or is_operator()
    rows = describe(registry, paths=operator)
    for row in rows:
        pack = registry.get(row["id"]) if row["loaded"] else None
        learnt = profile.cards_in(pack.id) if pack else {}
        row["new"], row["due"] = (counts(pack.question_ids, learnt, now) if pack else (0, 0))
        row["learnt"] = bool(learnt)
        row["removable"] = bool(pack) and find_installed(folder, pack.id) is not None
    html = render_template(
        "packs.html", rows=rows, loaded=[r for r in rows if r["loaded"]],
        failed=[r for r in rows if not r["loaded"]], local=local,
        token_set=bool(current_app.config.get("ADMIN_TOKEN")), refused=refused,
        refused_name=refused_name, max_bytes=MAX_ARCHIVE_BYTES, max_entries=MAX_ENTRIES,
        max_ratio=MAX_RATIO, folder=folder if operator else None)
    return html, status


@bp.get("/packs")
def index():
    return _page()


@bp.get("/-/packs.json")
def packs_json():
    """Every pack, loaded or not, as the CLI's ``packs list --json`` prints it; ``path``
    only for the operator (trainer/web/operator.py: the machine itself, or the
    ``X-Admin-Token`` header)."""
    response = jsonify(describe(trainer().packs, paths=is_operator()))
    response.vary.update(VARY)
    return response


def _require_operator():
    if not is_operator():
        abort(403, description="Only the operator can change packs: use the machine that "
                               "runs the trainer, or enter the admin token it was started "
                               "with (TRAINER_ADMIN_TOKEN).")


@bp.post("/packs/upload")
def upload():
    """Install a data-pack zip: checked in memory and loaded before anything is kept."""
    _require_operator()
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        return _page(400, ["choose a .zip file to upload"])
    name = printable(upload.filename[:MAX_NAME])  # shown back on the refusal page
    anki = name.lower().endswith(ANKI_SUFFIXES)
    if not anki and not name.lower().endswith(".zip"):
        return _page(400, [f"'{name}' is not a .zip file or an Anki package (.apkg, "
                           ".colpkg)"], name)
    data = upload.stream.read(MAX_ARCHIVE_BYTES + 1)
    if len(data) > MAX_ARCHIVE_BYTES:
        return _page(400, [f"the archive is larger than the limit of {MAX_ARCHIVE_BYTES} "
                           "bytes"], name)
    registry = trainer().packs
    folder = packs_folder()
    try:
        with lock_for(folder):  # one install and its reload at a time
            replace = request.form.get("replace") == "1"
            lost, report = [], None
            if anki:
                done, converted = install_package(
                    data, name.rsplit(".", 1)[0], folder, taken_ids(registry, folder),
                    replace=replace, pack_id=request.form.get("pack_id", "")[:64].strip())
                lost = converted.lost
            else:
                done = install_zip_bytes(data, name, folder, taken_ids(registry, folder),
                                         replace=replace)
            registry.reload()
        if anki and request.form.get("with_progress") == "1":
            report = take_anki_history(current_profile(), registry.get(done.pack_id),
                                       converted.history)
    except PackRefused as exc:
        current_app.logger.info("pack upload %r refused: %s", name, exc)
        return _page(400, exc.reasons, name)
    what = (f"Replaced {done.pack_id} {done.replaced} with {done.version}" if done.replaced
            else f"Installed {done.title} ({done.pack_id} {done.version})")
    flash(f"{what}: {done.questions} question{'' if done.questions == 1 else 's'}.", "ok")
    if lost:
        flash("Left out of the Anki package: " + _some(lost) + ".", "notice")
    if report is not None:
        flash(f"Your progress: {report.summary()}.", "ok")
        if report.skipped:
            flash("Not taken into your progress: " + _some(
                [f"{what} ({why})" for what, why in report.skipped]) + ".", "notice")
    return redirect(url_for(".index"), 303)


def _some(items, shown=5):
    more = f" (and {len(items) - shown} more)" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more


@bp.get("/packs/<pack_id>/assets/<name>")
def asset(pack_id, name):
    """One of a pack's images, checked as validate checks it, cached by the browser."""
    pack = pack_or_404(pack_id)
    found = read_asset(pack.path, name)
    if found is None:
        abort(404, description=f"Pack '{pack.id}' has no image '{name[:80]}'.")
    data, mimetype = found
    response = current_app.response_class(data, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = IMAGE_MAX_AGE
    response.set_etag(hashlib.blake2b(data, digest_size=16).hexdigest())
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.get("/packs/<pack_id>/export.apkg")
def export_anki(pack_id):
    """The pack as an Anki package, to download (what it holds: docs/anki.md); with
    ``?progress=1`` the visitor's own schedule and review history go along."""
    pack = pack_or_404(pack_id)
    progress = progress_for_anki(current_profile(), pack) \
        if request.args.get("progress") == "1" else None
    try:
        data = package_bytes(pack, progress)
    except PackRefused as exc:
        abort(501, description=" ".join(exc.reasons))
    response = current_app.response_class(data, mimetype="application/octet-stream")
    name = f"{pack.id}-progress" if progress is not None else pack.id
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.apkg"'
    response.cache_control.no_store = True
    return response


@bp.post("/packs/<pack_id>/remove")
def remove(pack_id):
    """Remove an uploaded data pack. Profiles keep their progress on its questions."""
    _require_operator()
    folder = packs_folder()
    try:
        with lock_for(folder):
            remove_pack(folder, pack_id)
            trainer().packs.reload()
    except LookupError:
        abort(404, description=f"There is no data pack '{pack_id}' in the packs folder; a "
                               "pip-installed pack is removed with 'trainer uninstall'.")
    flash(f"Removed {pack_id}. Its files are kept in the packs folder's .removed folder, "
          "and progress on its questions is kept for when it comes back.", "ok")
    return redirect(url_for(".index"), 303)
