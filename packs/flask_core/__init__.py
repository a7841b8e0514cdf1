"""The built-in Flask pack, registered exactly as a third-party pack would be.

It is found through the ``trainer`` entry-point group like any pip-installed pack;
the trainer core has no special path for it.
"""

from pathlib import Path

from trainer.hookspecs import hookimpl


@hookimpl
def trainer_register_packs(register):
    register(Path(__file__).resolve().parent)
