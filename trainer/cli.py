"""The ``trainer`` command: ``trainer serve`` runs the real server (waitress)."""

import os

import click

from trainer.packs.cli import attach

DEFAULT_THREADS = 16


@click.group()
def main():
    """Interview Trainer: practise interview questions with spaced repetition."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 to let teammates join).")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 8000)), type=int,
              show_default="8000 or $PORT", help="Port to listen on.")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=int,
              help="Worker threads in the one server process.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Data folder (default: $TRAINER_DATA_DIR or a per-user folder).")
@click.option("--packs-dir", "packs_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False),
              help="Another folder of data packs (repeatable), besides <data>/packs.")
def serve(host, port, threads, data_dir, packs_dirs):
    """Serve the trainer with waitress: one process, several threads.

    One process on purpose: TinyDB files are guarded by in-process locks.
    Forwarding headers reach the app (waitress would strip them from a proxy it was not
    told to trust): the app needs to see them to know that a request arriving from
    loopback came through a reverse proxy, and so is not the operator's.
    """
    from waitress import serve as waitress_serve

    from trainer.app import create_app

    app = create_app({"DATA_DIR": data_dir, "EXTRA_PACK_DIRS": packs_dirs})
    click.echo(f"Interview Trainer on http://{host}:{port}/ "
               f"(data in {app.config['DATA_DIR']})")
    waitress_serve(app, host=host, port=port, threads=threads, connection_limit=400,
                   channel_timeout=60, ident="interview-trainer",
                   clear_untrusted_proxy_headers=False)


attach(main)  # trainer packs ..., trainer install / uninstall
