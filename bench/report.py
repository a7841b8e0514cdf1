"""The table a person reads and the flat ``results.json`` a later run is compared with."""

import json
import math
import os
from pathlib import Path

# key: (comparison, limit). "max": the figure must be at most the limit; "min": at least.
TARGETS = {
    "flip_c1_p50_ms": ("max", 1.0),
    "flip_c1_p99_ms": ("max", 5.0),
    "flip_vs_floor": ("min", 0.7),
    "grade_10k_p99_ms": ("max", 15.0),
    "key_to_paint_p50_ms": ("max", 50.0),
    # the card's own keys (#14): in the page, at any round trip
    **{f"key_to_paint_{kind}_rtt{rtt}_{figure}_ms": ("max", limit)
       for kind in ("reveal", "grade") for rtt in (0, 50, 100)
       for figure, limit in (("p50", 16.0), ("p95", 33.0))},
    "cold_start_s": ("max", 1.5),
    "live_200_cpu_pct": ("max", 25.0),
    "live_200_poll_p99_ms": ("max", 10.0),
    "live_200_fanout_s": ("max", 1.5),
    "optimize_10k_s": ("max", 10.0),
    "search_2000_p95_ms": ("max", 50.0),
    "import_10k_reviews_s": ("max", 1.0),
}

REQUIRED_KEYS = (
    "floor_c1_rps", "flip_c1_rps", "flip_c1_p50_ms", "flip_c1_p99_ms", "flip_vs_floor",
    "grade_c1_p50_ms", "grade_c1_p99_ms", "grade_10k_p99_ms", "key_to_paint_p50_ms",
    "cold_start_s",
)

def verdict(key, value):
    """'ok', 'MISS' or '' (no target) for one figure."""
    if key not in TARGETS or not isinstance(value, int | float):
        return ""
    op, limit = TARGETS[key]
    return "ok" if (value <= limit if op == "max" else value >= limit) else "MISS"


def target_text(key):
    if key not in TARGETS:
        return ""
    op, limit = TARGETS[key]
    return f"{'≤' if op == 'max' else '≥'} {limit:g}"


def missing_keys(results):
    return [k for k in REQUIRED_KEYS if k not in results]


def _fmt(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 100):
        return f"{int(value):,}"
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def side_by_side(results):
    """Rows of floor / flip / grade, one per concurrency, each with ratio to the floor."""
    head = f"{'':8} {'':3} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs floor':>9}"
    rows = [head]
    for c in (1, 8):
        for name in ("floor", "flip", "grade"):
            rps = results.get(f"{name}_c{c}_rps")
            if rps is None:
                continue
            vs = 1.0 if name == "floor" else results.get(f"{name}_c{c}_vs_floor", 0.0)
            rows.append(f"{name:8} c{c:<2} {rps:9,.0f} {results[f'{name}_c{c}_p50_ms']:8.3f} "
                        f"{results[f'{name}_c{c}_p99_ms']:8.3f} {vs:9.2f}")
    return rows


def table(results):
    """Every figure with its target and verdict, as lines of text."""
    lines = side_by_side(results) if "floor_c1_rps" in results else []
    lines.append("")
    lines.append(f"{'figure':32} {'value':>12}  {'target':>8}  ")
    for key in sorted(results):
        value = results[key]
        lines.append(f"{key:32} {_fmt(value):>12}  {target_text(key):>8}  {verdict(key, value)}")
    return lines


def misses(results):
    return [k for k, v in results.items() if verdict(k, v) == "MISS"]


def clean(results):
    """Round floats (3 decimals) so results.json diffs stay readable; keep it flat."""
    out = {}
    for key, value in results.items():
        if isinstance(value, dict | list | tuple):
            raise ValueError(f"results.json is flat: {key} holds a {type(value).__name__}")
        if isinstance(value, float):
            value = None if math.isnan(value) else round(value, 3)
        out[key] = value
    return out


def write_results(results, path):
    """Write the results whole or not at all (a temp file renamed over the old one)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(clean(results), indent=2, sort_keys=True) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)
    return path
