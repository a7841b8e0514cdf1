"""The hooks a plugin may implement, and the markers that tag them.

Markers are named after the host ("trainer"), so a plugin writes::

    from trainer.hookspecs import hookimpl

    @hookimpl
    def trainer_register_packs(register):
        register(pathlib.Path(__file__).parent)

Every hook is prefixed ``trainer_`` and documented in ``docs/plugin-hooks.md``; a test
fails when one is missing there. Add arguments to a spec only by appending them: pluggy
lets an implementation take fewer arguments than its spec, so old plugins keep working.
"""

import pluggy

hookspec = pluggy.HookspecMarker("trainer")
hookimpl = pluggy.HookimplMarker("trainer")


@hookspec
def trainer_register_packs(register):
    """Hand question packs to the trainer.

    ``register(path)`` takes the folder of a pack (a ``pack.toml`` manifest and a
    ``questions/`` folder of Markdown files). The trainer loads and validates it; a
    broken pack is reported with its errors and never stops the others from loading.
    Call ``register`` once per pack; the return value of the hook is ignored.
    """
