"""Builds the plugin manager that finds question packs.

There is no module-level manager: each app gets its own from :func:`make_plugin_manager`,
so tests can build apps with different plugins side by side.

A pip-installed pack is someone else's code, so one that cannot be imported or whose
hooks do not match ours is left out and recorded in ``pm.load_problems`` (the packs page
and ``trainer packs list`` show it); it never stops the server or the other packs.
"""

import re
from dataclasses import dataclass
from importlib import metadata

import pluggy

from trainer import hookspecs

ENTRY_POINT_GROUP = "trainer"
HOST_DISTRIBUTION = "interview-trainer"


def is_host_distribution(name):
    """True for the trainer's own distribution, whose built-in packs come first."""
    return re.sub(r"[-_.]+", "-", str(name)).lower() == HOST_DISTRIBUTION


@dataclass(frozen=True)
class PluginProblem:
    """An entry-point plugin that was left out: which one, from where, and why."""

    name: str
    value: str
    source: str
    message: str


def _load_entry_points(pm):
    """Load each ``trainer`` entry point on its own; return the ones that failed."""
    problems = []
    for dist in metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or pm.get_plugin(ep.name) or pm.is_blocked(
                    ep.name):
                continue
            try:
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=ep.name)
                pm.check_pending()
            except Exception as exc:  # any error in a third-party module: leave it out
                plugin = pm.get_plugin(ep.name)
                if plugin is not None:
                    pm.unregister(plugin)
                source = f"{dist.metadata['Name']} {dist.version}"
                problems.append(PluginProblem(ep.name, ep.value, source,
                                              f"{type(exc).__name__}: {exc}"))
    return problems


def make_plugin_manager(plugins=(), load_entry_points=True):
    """Return a plugin manager with our hookspecs, entry-point plugins and ``plugins``.

    ``check_pending()`` runs last, so a plugin handed in ``plugins`` whose hook name is
    misspelled (and would otherwise be silently ignored) fails loudly at start-up; an
    entry-point plugin with the same mistake is left out and listed in
    ``pm.load_problems``.
    """
    pm = pluggy.PluginManager("trainer")
    pm.add_hookspecs(hookspecs)
    pm.load_problems = _load_entry_points(pm) if load_entry_points else []
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm
