"""The application factory: configuration, extensions, packs and blueprints in one place."""

from flask import Flask, render_template
from htmx_flask import Htmx
from werkzeug.exceptions import HTTPException

from trainer.config import build_config
from trainer.packs import PackRegistry
from trainer.plugins import make_plugin_manager
from trainer.profiles.store import ProfileStore
from trainer.storage import DataFileError
from trainer.views import (
    devices,
    floor,
    focus,
    home,
    live,
    mock,
    modes,
    packs,
    plan,
    practice,
    profile,
    scheduler,
    search,
    stats,
    system,
)
from trainer.web import csrf, fragments, headers, hosts, htmx, proxies, sessions, urls
from trainer.web.assets import asset_dir

# Every blueprint, in one list (as flaskr registers its own in one place).
BLUEPRINTS = (system, home, practice, modes, focus, mock, live, profile, stats, packs,
              search, scheduler, devices, plan)


class Trainer:
    """What the views share: the packs and the profiles. One per app.

    There is no app-wide scheduler: each profile grades with its own
    (trainer/study/grading.py).
    """

    def __init__(self, config):
        self.plugin_manager = make_plugin_manager(
            plugins=config["PLUGINS"], load_entry_points=config["LOAD_ENTRY_POINTS"])
        self.packs = PackRegistry(self.plugin_manager, config["PACK_DIRS"],
                                  cache_dir=config["DATA_DIR"] / "cache",
                                  secret_key=config["SECRET_KEY"], defer_rendering=True)
        self.profiles = ProfileStore(config["DATA_DIR"] / "profiles")


def create_app(config=None):
    """Build the app. ``config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        template_folder=str(asset_dir("templates")),
        static_folder=str(asset_dir("static")),
    )
    app.config.update(build_config(config))
    proxies.init_app(app)  # ProxyFix only for configured proxies (--trusted-proxies)
    hosts.init_app(app)  # first check of every request: a Host of ours, or 400
    Htmx(app)
    htmx.init_app(app)  # Vary: HX-Request on every answer of a view that asks
    csrf.init_app(app)
    headers.init_app(app)
    urls.init_app(app)
    fragments.init_app(app)  # part(): card actions rendered once per set of values
    sessions.init_app(app)
    app.extensions["trainer"] = Trainer(app.config)
    for view in BLUEPRINTS:
        app.register_blueprint(view.bp)
    floor.register_if_enabled(app)  # benchmark-only route, off unless asked
    _register_error_pages(app)
    return app


def _register_error_pages(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        return render_template("error.html", code=exc.code, title=exc.name,
                               message=exc.description), exc.code

    @app.errorhandler(DataFileError)
    def data_file_error(exc):
        app.logger.error("%s", exc)
        return render_template("error.html", code=500, title="A data file cannot be read",
                               message=f"{exc}. Nothing was changed: restore the file from a "
                                       "backup or move it aside, then reload."), 500
