"""Cold start: from ``trainer serve`` launched to the first 200 of the home page.

The server loads 10 generated packs of 200 questions each from ``TRAINER_PACKS_DIR``
(plus the built-in pack). It is started twice on the same data folder: the first start
finds an empty folder, the second one what the first left behind (as every later start
of a real install does). A first start answers before its packs are rendered and renders
them in the background; ``cold_start_first_rendered_s`` says when that was done.
"""

import urllib.request

from bench.server import Server

PACKS = 10
QUESTIONS = 200


def missing_packs(server, pack_ids):
    """Generated packs the home page does not list (a pack that failed to load)."""
    url = f"http://{server.host}:{server.port}/"
    with urllib.request.urlopen(url, timeout=10) as r:
        html = r.read().decode()
    return [p for p in pack_ids if f'data-pack="{p}"' not in html]


def cold_start(data_dir, packs_dir, pack_ids):
    results = {}
    for label in ("first", "second"):
        server = Server(data_dir, env={"TRAINER_PACKS_DIR": str(packs_dir)}, ready_path="/")
        try:
            server.start()
            missing = missing_packs(server, pack_ids)
            # Stop a server the way people do: after it has run a while, here until it
            # has rendered every pack and saved the render cache the next start reads.
            results[f"cold_start_{label}_rendered_s"] = server.wait_rendered()
        finally:
            server.stop()
        if missing:
            raise RuntimeError(f"packs {', '.join(missing)} did not load: a cold start "
                               "without them would mean nothing")
        results[f"cold_start_{label}_s"] = server.start_seconds
    results["cold_start_questions"] = PACKS * QUESTIONS
    return results
