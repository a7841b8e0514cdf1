"""Search over 2,000 questions: ``GET /search`` as htmx asks while someone types.

The server loads 10 generated packs of 200 questions (``bench/seed.py``) besides the
built-in pack. One user, one keep-alive connection, asks in turn for a word found in
most questions (a full page of 100 results and the "more" line), two words, three words
with a filter, a filter with no words, and a word found nowhere, each with
``HX-Request`` (the ``results`` block, as the live results get it). The first search
builds the index (once per load of the packs) and is not timed.
"""

from urllib.parse import urlencode

from bench.client import Connection, Request, run_load
from bench.http_bench import User
from bench.stats import percentile

QUERIES = (
    {"q": "flask"},
    {"q": "request context"},
    {"q": "session cookie secure", "difficulty": "mid"},
    {"tag": "routing"},
    {"q": "variant 7.123"},
    {"q": "zzzz-nowhere"},
)


def search_plan(user, queries=QUERIES):
    paths = [f"/search?{urlencode(q)}" for q in queries]

    def plan(n):
        return Request("GET", paths[n % len(paths)], user.headers())
    return plan


def search_latency(server, secret, requests=600):
    """p50 and p95 of a search over every loaded question, in milliseconds."""
    user = User.make(secret)
    conn = Connection(server.host, server.port)
    try:
        _, _, body = conn.send(search_plan(user)(0))  # builds the index
    finally:
        conn.close()
    if b'class="search-more"' not in body:
        raise RuntimeError("the broad search did not fill a page of results")
    latencies, _, _ = run_load(server.host, server.port, [search_plan(user)], requests)
    return {"search_2000_p50_ms": percentile(latencies, 50) * 1000,
            "search_2000_p95_ms": percentile(latencies, 95) * 1000}
