"""``make bench``: how fast the trainer is, next to the fastest the same server can be.

Run with ``python -m bench`` (``--help`` lists the parts). Every figure comes from the
real server (``trainer serve``, waitress) started for the run on 127.0.0.1 with a
temporary data folder; ``docs/performance.md`` explains how to read the table and
``bench/results.json``.
"""
