"""Cold start: from ``trainer serve`` launched to the first 200 of the home page.

The server loads 10 generated packs of 200 questions each from ``TRAINER_PACKS_DIR``
(plus the built-in pack). It is started twice on the same data folder: the first start
finds an empty folder, the second one what the first left behind (as every later start
of a real install does).
"""

import json
import urllib.request

from bench.server import Server

PACKS = 10
QUESTIONS = 200


def loaded_packs(server):
    with urllib.request.urlopen(f"http://{server.host}:{server.port}/healthz", timeout=10) as r:
        return json.load(r)["packs"]


def cold_start(data_dir, packs_dir, expected_packs):
    results = {}
    for label in ("first", "second"):
        server = Server(data_dir, env={"TRAINER_PACKS_DIR": str(packs_dir)}, ready_path="/")
        try:
            server.start()
            packs = loaded_packs(server)
        finally:
            server.stop()
        if packs != expected_packs:
            raise RuntimeError(f"cold start loaded {packs} packs, expected {expected_packs}: "
                               "a pack failed to load, so the time would mean nothing")
        results[f"cold_start_{label}_s"] = server.start_seconds
    results["cold_start_questions"] = PACKS * QUESTIONS
    return results
