"""The real server for a benchmark: ``trainer serve`` in a subprocess on a free port.

Started exactly as a user starts it (``python -m trainer serve``, waitress), on
127.0.0.1, with its own data folder and environment, and stopped at the end of the part
of the run that needs it.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

RENDER_TIMEOUT_S = 300
START_TIMEOUT_S = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """One ``trainer serve`` process. ``start()`` returns once ``ready_path`` answers 200."""

    def __init__(self, data_dir, env=None, threads=None, ready_path="/healthz"):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.env = {**os.environ, "TRAINER_DATA_DIR": str(self.data_dir), **(env or {})}
        self.threads = threads
        self.ready_path = ready_path
        self.process = None
        self.start_seconds = None
        self.log_path = self.data_dir.parent / f"server-{self.port}.log"

    def start(self):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "trainer", "serve", "--host", self.host,
                   "--port", str(self.port)]
        if self.threads:
            command += ["--threads", str(self.threads)]
        with open(self.log_path, "ab") as log:
            began = time.perf_counter()
            self.process = subprocess.Popen(command, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = began + START_TIMEOUT_S
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"trainer serve exited early:\n{self.log_path.read_text()}")
            if self._answers_200():
                self.start_seconds = time.perf_counter() - began
                return self
            time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"trainer serve did not answer {self.ready_path} in "
                           f"{START_TIMEOUT_S} s")

    def _answers_200(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            conn.request("GET", self.ready_path)
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def wait_rendered(self, timeout=RENDER_TIMEOUT_S):
        """Wait until the server has rendered every pack and written its render cache.

        A first start serves at once and renders in the background (render_cache.py);
        measuring during that would time the rendering thread's share of the GIL, not the
        page. Returns the seconds since the launch, or raises after ``timeout``.
        """
        cache = self.data_dir / "cache" / "render.json"
        launched = time.perf_counter() - self.start_seconds
        deadline = time.perf_counter() + timeout
        while not cache.exists():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"no {cache} after {timeout} s: packs never finished rendering")
            if self.process.poll() is not None:
                raise RuntimeError(f"trainer serve exited:\n{self.log_path.read_text()}")
            time.sleep(0.02)
        return time.perf_counter() - launched

    def cpu_seconds(self):
        return cpu_seconds(self.process.pid)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
