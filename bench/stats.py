"""Summaries of measured latencies: percentiles, throughput, ratios.

Percentiles use the nearest-rank method: p99 of 2,000 samples is the 1,980th smallest,
a latency some request really had (no interpolation between two requests).
"""

import math


def percentile(samples, pct):
    """The nearest-rank ``pct`` percentile (0 < pct <= 100) of ``samples``."""
    if not samples:
        raise ValueError("no samples")
    if not 0 < pct <= 100:
        raise ValueError("pct must be in (0, 100]")
    ordered = sorted(samples)
    rank = math.ceil(pct / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def median(samples):
    return percentile(samples, 50)


def summarise(latencies_s, elapsed_s):
    """Requests/s and p50/p99 in milliseconds for one load run."""
    if elapsed_s <= 0:
        raise ValueError("elapsed time must be positive")
    return {
        "requests": len(latencies_s),
        "rps": len(latencies_s) / elapsed_s,
        "p50_ms": percentile(latencies_s, 50) * 1000,
        "p99_ms": percentile(latencies_s, 99) * 1000,
    }


def ratio(value, floor):
    """``value`` as a fraction of ``floor`` (throughput against the floor's)."""
    return value / floor if floor else 0.0
