"""Behavioural: a question pack registered the way any pip-installed pack is.

Interview Trainer finds this module through the ``trainer`` entry point declared in
``pyproject.toml`` and calls the hook below; ``register`` takes the pack's folder.
"""

from pathlib import Path

from trainer.hookspecs import hookimpl


@hookimpl
def trainer_register_packs(register):
    register(Path(__file__).resolve().parent / "pack")
