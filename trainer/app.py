"""The application factory: configuration, extensions, packs and blueprints in one place."""

from flask import Flask, render_template
from htmx_flask import Htmx
from werkzeug.exceptions import HTTPException

from trainer import csrf, fragments, htmx, security, sessions, urls
from trainer.assets import asset_dir
from trainer.config import build_config
from trainer.packs import PackRegistry
from trainer.plugins import make_plugin_manager
from trainer.profiles import ProfileStore
from trainer.scheduling import make_scheduler
from trainer.storage import DataFileError


class Trainer:
    """What the views share: packs, profiles and the scheduler. One per app."""

    def __init__(self, config):
        self.plugin_manager = make_plugin_manager(
            plugins=config["PLUGINS"], load_entry_points=config["LOAD_ENTRY_POINTS"])
        self.packs = PackRegistry(self.plugin_manager, config["PACK_DIRS"],
                                  cache_dir=config["DATA_DIR"] / "cache",
                                  secret_key=config["SECRET_KEY"], defer_rendering=True)
        self.profiles = ProfileStore(config["DATA_DIR"] / "profiles")
        self.scheduler = make_scheduler()


def create_app(config=None):
    """Build the app. ``config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        template_folder=str(asset_dir("templates")),
        static_folder=str(asset_dir("static")),
    )
    app.config.update(build_config(config))
    Htmx(app)
    htmx.init_app(app)  # Vary: HX-Request on every answer of a view that asks
    csrf.init_app(app)
    security.init_app(app)
    urls.init_app(app)
    fragments.init_app(app)  # part(): card actions rendered once per set of values
    sessions.init_app(app)
    app.extensions["trainer"] = Trainer(app.config)

    from trainer.views import floor, home, practice, system

    app.register_blueprint(system.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(practice.bp)
    from trainer.live import views as live_views

    app.register_blueprint(live_views.bp)
    from trainer.views import profile as profile_views
    from trainer.views import stats as stats_views

    app.register_blueprint(profile_views.bp)
    app.register_blueprint(stats_views.bp)
    from trainer.views import modes as modes_views

    app.register_blueprint(modes_views.bp)
    from trainer.views import packs as packs_views

    app.register_blueprint(packs_views.bp)
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
