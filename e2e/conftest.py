"""Browser tests against the real server: ``trainer serve`` (waitress) on a free port.

Chromium is the system one (``$CHROMIUM``, default ``/usr/bin/chromium``) when that file
exists; otherwise Playwright's own (``playwright install chromium``, which ``make chromium``
runs on a machine where Debian's package cannot be installed).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def system_chromium(environ=os.environ):
    """``$CHROMIUM`` (default ``/usr/bin/chromium``) if it is a program, else None."""
    path = environ.get("CHROMIUM") or "/usr/bin/chromium"
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def launch_args(base, environ=os.environ):
    """Playwright's launch arguments plus ours: the system Chromium if there is one."""
    args = {**base, "args": [*base.get("args", []), *CHROMIUM_FLAGS]}
    chromium = system_chromium(environ)
    if chromium:
        args["executable_path"] = chromium
    return args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return launch_args(browser_type_launch_args)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A ``trainer serve`` process that a test can stop and start again on one data dir."""

    def __init__(self, data_dir, env=None):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "TRAINER_DATA_DIR": str(self.data_dir), **(env or {})}
        self.env.pop("TRAINER_SECRET_KEY", None)
        self.process = None

    def start(self):
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "trainer", "serve", "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited: " + self.log_path.read_text())
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not answer /healthz in 30 s")

    def kill(self):
        """Stop the server the hard way: no clean shutdown, as a crash would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def restart(self):
        self.kill()
        return self.start()


@pytest.fixture
def live_server(tmp_path):
    server = LiveServer(tmp_path / "data").start()
    yield server
    server.kill()


EXAMPLE_PACK = Path(__file__).resolve().parent.parent / "tests" / "example_pack"


@pytest.fixture(scope="session")
def example_pack_site(tmp_path_factory):
    """The example third-party pack pip-installed into a folder of its own, for this run.

    Never into the environment ``make run`` serves from: a server sees it only when a
    test puts this folder on its ``PYTHONPATH``. Built offline with the hatchling of the
    test extra (no build isolation, no dependencies fetched).
    """
    site = tmp_path_factory.mktemp("example-pack-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--no-index", "--target", str(site), str(EXAMPLE_PACK)],
        check=True, stdout=subprocess.DEVNULL)
    return site


def with_site(site, env=None):
    """Server environment with ``site`` first on ``PYTHONPATH``."""
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**(env or {}), "PYTHONPATH": os.pathsep.join(paths)}


@pytest.fixture
def console_errors(page):
    """Collects console errors and page errors (a CSP violation is one) during a test."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors
