"""Builds the plugin manager that finds question packs.

There is no module-level manager: each app gets its own from :func:`make_plugin_manager`,
so tests can build apps with different plugins side by side.
"""

import pluggy

from trainer import hookspecs

ENTRY_POINT_GROUP = "trainer"


def make_plugin_manager(plugins=(), load_entry_points=True):
    """Return a plugin manager with our hookspecs, entry-point plugins and ``plugins``.

    ``check_pending()`` runs last, so a plugin whose hook name is misspelled (and would
    otherwise be silently ignored) fails loudly at start-up.
    """
    pm = pluggy.PluginManager("trainer")
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm
