"""A small HTTP load client: keep-alive connections, one thread per concurrent user.

Bounded on purpose: every run sends a fixed number of requests, so the whole suite
takes the same time on any machine. Every response must be 200; anything else stops
the run, because a fast error page would flatter the figures.
"""

import contextlib
import http.client
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None


class BadResponse(RuntimeError):
    pass


def response_bytes(response, body):
    """Bytes on the wire for one response: status line, headers, blank line, body."""
    head = 17 + len(response.reason)  # "HTTP/1.1 200 OK\r\n"
    head += sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 2
    return head + len(body)


class Connection:
    """One keep-alive connection that sends :class:`Request` objects and times them."""

    def __init__(self, host, port):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.last_response = None

    def send(self, request):
        """Send one request; return (seconds, bytes received, body)."""
        began = time.perf_counter()
        self.conn.request(request.method, request.path, body=request.body,
                          headers=request.headers)
        response = self.conn.getresponse()
        body = response.read()
        took = time.perf_counter() - began
        if response.status != 200:
            raise BadResponse(f"{request.method} {request.path} answered {response.status}: "
                              f"{body[:300]!r}")
        self.last_response = response
        return took, response_bytes(response, body), body

    def close(self):
        self.conn.close()


def run_load(host, port, plans, count):
    """Send ``count`` requests in total, split over one thread per plan.

    ``plans`` is a list of callables ``plan(n) -> Request`` (one per concurrent user);
    the ``n``-th request of a user is ``plan(n)``. Returns (latencies in seconds,
    elapsed seconds, total bytes received).
    """
    per_user = [count // len(plans) + (1 if i < count % len(plans) else 0)
                for i in range(len(plans))]
    latencies = [[] for _ in plans]
    received = [0] * len(plans)
    errors = []
    barrier = threading.Barrier(len(plans) + 1)

    def user(index):
        conn = Connection(host, port)
        try:
            conn.send(plans[index](0))  # open the connection before the clock starts
            barrier.wait()
            for n in range(1, per_user[index] + 1):
                took, size, _ = conn.send(plans[index](n))
                latencies[index].append(took)
                received[index] += size
        except BaseException as exc:  # reported by the caller, never swallowed
            errors.append(exc)
            barrier.abort()
        finally:
            conn.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(len(plans))]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a user failed: see errors
        barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return [x for lat in latencies for x in lat], elapsed, sum(received)
