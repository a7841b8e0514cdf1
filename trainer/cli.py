"""The ``trainer`` command: ``trainer serve`` runs the real server (waitress)."""

import os

import click

from trainer.config import ConfigError
from trainer.packs.cli import attach

DEFAULT_THREADS = 16
# Open connections waitress accepts: every open live-session page holds one (its poll
# keeps the connection alive), so this bounds a team session's size before CPU does.
# Each idle connection costs a socket and a little memory, no thread.
CONNECTION_LIMIT = 1200


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
@click.option("--public-url", default=None, metavar="URL",
              help="The address people use, e.g. https://trainer.example.org or "
                   "http://192.168.1.20:8000: join links and QR codes use it, and its "
                   "host is answered (default: $TRAINER_PUBLIC_URL).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="HOST[:PORT]",
              help="Another host name to answer as (repeatable), besides the loopback "
                   "names and $TRAINER_ALLOWED_HOSTS.")
@click.option("--trusted-proxies", type=click.IntRange(0, 10), default=None, metavar="N",
              help="Reverse proxies in front whose X-Forwarded-* headers to believe "
                   "(default: $TRAINER_TRUSTED_PROXIES or 0: none).")
@click.option("--hsts", is_flag=True, default=False,
              help="Send Strict-Transport-Security on https answers ($TRAINER_HSTS=1).")
def serve(host, port, threads, data_dir, packs_dirs, public_url, allowed_hosts,
          trusted_proxies, hsts):
    """Serve the trainer with waitress: one process, several threads.

    One process on purpose: TinyDB files are guarded by in-process locks.
    Forwarding headers reach the app (``clear_untrusted_proxy_headers=False``), whatever
    ``--trusted-proxies`` says: werkzeug's ProxyFix in the app decides which to believe
    (trainer/web/proxies.py), and the app must see the rest to know that a request
    arriving from loopback came through a reverse proxy, and so is not the operator's.
    Were waitress to strip them, every visitor behind a proxy on this machine would
    look like the person at the machine.
    """
    from waitress import serve as waitress_serve

    from trainer.app import create_app

    settings = {"DATA_DIR": data_dir, "EXTRA_PACK_DIRS": packs_dirs, "LISTEN": (host, port),
                "PUBLIC_URL": public_url, "EXTRA_ALLOWED_HOSTS": allowed_hosts,
                "TRUSTED_PROXIES": trusted_proxies}
    if hsts:
        settings["HSTS"] = True
    try:
        app = create_app(settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    public = app.config["PUBLIC_URL"]
    from trainer.web.hosts import is_loopback_name, split_host

    public_name = split_host(public.split("://")[-1].split("/")[0])[0]
    if (public and not is_loopback_name(public_name) and is_loopback_name(host)
            and not app.config["TRUSTED_PROXIES"]):
        click.echo("A public URL on a loopback address: if a reverse proxy is in front, make "
                   "it send X-Forwarded-For and start with --trusted-proxies 1 "
                   "(docs/operating.md); a proxy that sends no forwarding header looks like "
                   "this machine's operator.", err=True)
    click.echo(f"Interview Trainer on http://{host}:{port}/ "
               f"{f'as {public} ' if public else ''}(data in {app.config['DATA_DIR']})")
    _allow_open_files(CONNECTION_LIMIT + 256)  # connections plus data files and logs
    waitress_serve(app, host=host, port=port, threads=threads,
                   connection_limit=CONNECTION_LIMIT,
                   channel_timeout=60, ident="interview-trainer",
                   clear_untrusted_proxy_headers=False)


def _allow_open_files(wanted):
    """Raise this process's open-file limit towards ``wanted`` (never past the hard
    limit): many systems start processes at 1,024, fewer than a full live session's
    connections."""
    try:
        import resource
    except ImportError:  # not on this platform: the system's limit stands
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


attach(main)  # trainer packs ..., trainer install / uninstall
