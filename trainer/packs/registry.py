"""Finds every pack (plugins and pack folders), loads each once, keeps the errors.

Packs reach the registry in two ways, and the core has no special path for its own
``flask_core`` pack:

* plugins implement ``trainer_register_packs(register)`` (found through the entry-point
  group ``trainer``) and call ``register(folder)``;
* data-only packs are sub-folders of the pack folders named in the configuration.

Packs are kept sorted by id, so the order never depends on plugin load order. A pack
that fails to load, or whose id is already taken, is recorded in :attr:`errors` with
its messages; every other pack still loads.

Who keeps an id two packs claim is decided by a fixed order, never by the order pip
or the file system happens to list things in: the trainer's own distribution (the
built-in ``flask_core``) first, then other pip-installed plugins by distribution name,
then plugins handed to the app factory, then data-pack folders in the order configured
and, within one, by folder name. The later pack is reported as a clash.

Dot folders (``.removed``, an install's ``.staging-*``) are never packs; a staging
folder a crashed install left behind is removed when the registry loads (see
:func:`~trainer.packs.install.remove_stale_staging`).
"""

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from trainer.packs.install import remove_stale_staging
from trainer.packs.layout import MANIFEST
from trainer.packs.loader import load_pack, peek_id
from trainer.packs.model import printable
from trainer.packs.render_cache import cache_key, caching_renders
from trainer.plugins import is_host_distribution

RENDER_CACHE_FILE = "render.json"
log = logging.getLogger(__name__)



@dataclass
class PackProblem:
    """A pack that did not load: where it came from and what is wrong with it."""

    path: str
    source: str
    errors: list = field(default_factory=list)
    id: str = ""


class PackRegistry:
    """``cache_dir``, when given, keeps rendered Markdown between runs (render_cache.py).

    ``secret_key`` (the app's ``SECRET_KEY``) signs that cache, so a later run with the
    same key can trust it; without one the cache is trusted only within this process.
    ``defer_rendering`` (the server's choice) lets a load finish before what the cache
    lacks is rendered: that happens in a background thread, or on first use if sooner,
    so a first start with thousands of new questions answers within a second.
    """

    def __init__(self, plugin_manager, pack_dirs=(), cache_dir=None, secret_key=None,
                 defer_rendering=False):
        self._pm = plugin_manager
        self._defer = defer_rendering and cache_dir is not None
        self._warm_lock = threading.Lock()
        self._generation = 0
        self._warming = None
        self._pack_dirs = [Path(p) for p in pack_dirs]
        self._render_cache = Path(cache_dir) / RENDER_CACHE_FILE if cache_dir else None
        self._cache_key = cache_key(secret_key) if secret_key else None
        self.packs = {}
        self._shelf = []
        self.errors = []
        self.reload()

    def reload(self):
        """Find and load every pack again (after an install or removal)."""
        found, errors = [], []
        for problem in getattr(self._pm, "load_problems", ()):
            errors.append(PackProblem(
                f"entry point {problem.name} = {problem.value}", problem.source,
                [f"{problem.value}: the plugin cannot be loaded ({problem.message}); "
                 "its packs are left out"]))
        for source, call in self._plugin_callers():
            try:
                call(self._register_for(source, found, errors))
            except Exception as exc:  # a plugin's own bug must not stop the other packs
                errors.append(PackProblem(f"plugin {source}", source, [
                    f"trainer_register_packs failed ({type(exc).__name__}: {exc}); packs it "
                    "registered before the error are still loaded"]))
        for folder in self._pack_dirs:
            found.extend(self._folder_packs(folder, errors))
        packs = {}
        with caching_renders(self._render_cache, self._cache_key,
                             defer=self._defer) as render_cache:
            loaded = [(path, source, *load_pack(path, source=source)) for path, source in found]
        if render_cache is not None and self._defer:
            self._render_in_background(render_cache)
        for path, source, pack, problems in loaded:
            if pack is None:
                errors.append(PackProblem(str(path), source, [str(p) for p in problems],
                                          peek_id(path)))
            elif pack.id in packs:
                errors.append(PackProblem(str(path), source, [_clash(path, pack, packs[pack.id])],
                                          pack.id))
            else:
                packs[pack.id] = pack
        self.packs = dict(sorted(packs.items()))
        self._shelf = list(packs)  # the order packs claimed their ids in
        self.errors = sorted(errors, key=lambda e: e.path)

    @staticmethod
    def _register_for(source, found, errors):
        """The ``register`` callback one plugin receives: it takes folders, and records
        anything else as that plugin's problem instead of failing the whole hook."""

        def register(path):
            if not isinstance(path, str | Path) or not str(path):
                errors.append(PackProblem(f"plugin {source}", source, [
                    f"trainer_register_packs passed {printable(repr(path))[:80]} to register; "
                    "it takes the folder of a pack (a str or pathlib.Path)"]))
                return
            found.append((Path(path), source))

        return register

    @staticmethod
    def _folder_packs(folder, errors):
        """``(path, source)`` per pack folder in ``folder``; a folder that cannot be
        listed is reported, never raised."""
        source = f"folder {folder}"
        try:
            if not folder.is_dir():
                return []
            remove_stale_staging(folder)
            return [(child, source) for child in sorted(folder.iterdir())
                    if not child.name.startswith(".") and child.is_dir()]
        except OSError as exc:
            log.warning("cannot list the packs folder %s: %s", folder, exc)
            errors.append(PackProblem(str(folder), source, [
                f"{folder}: the packs folder cannot be read ({exc.strerror or exc})"]))
            return []

    def _render_in_background(self, render_cache):
        """Render what the load left pending, off the start-up path, then save the cache."""
        with self._warm_lock:
            self._generation += 1
            generation = self._generation
        if not render_cache.pending:
            render_cache.save()
            return

        def wanted():
            return self._generation == generation

        self._warming = threading.Thread(target=render_cache.finish, args=(wanted,),
                                         name="render-packs", daemon=True)
        self._warming.start()

    def wait_rendered(self, timeout=None):
        """Wait until the latest load's background rendering (if any) has finished."""
        warming = self._warming
        if warming is not None:
            warming.join(timeout)
        return warming is None or not warming.is_alive()

    def _plugin_callers(self):
        """Yield (source label, hook function) per plugin, in the fixed order in which
        they may claim ids: the trainer's own distribution, other distributions by name,
        then plugins without one (handed to the app factory), by name.

        Each implementation is called on its own so the registry knows which
        distribution handed in which pack (shown on the packs page).
        """
        dists = {id(plugin): dist for plugin, dist in self._pm.list_plugin_distinfo()}
        callers = []
        for impl in self._pm.hook.trainer_register_packs.get_hookimpls():
            dist = dists.get(id(impl.plugin))
            if dist is not None:
                rank = 0 if is_host_distribution(dist.project_name) else 1
                label = f"{dist.project_name} {dist.version}"
            else:
                rank, label = 2, f"plugin {impl.plugin_name}"
            callers.append((rank, label, impl.function))
        return [(label, call) for _, label, call in sorted(callers, key=lambda c: c[:2])]

    @property
    def pack_dirs(self):
        """The folders whose sub-folders are data packs, as configured."""
        return list(self._pack_dirs)

    def get(self, pack_id):
        return self.packs.get(pack_id)

    def shelf(self):
        """The packs in the fixed order in which they claim ids (the trainer's own
        ``flask_core`` first, then pip-installed packs by distribution name, then data
        packs): the home page lists them so, so the built-in pack stays on top however
        many packs are installed."""
        return [self.packs[pack_id] for pack_id in self._shelf]

    def __iter__(self):
        return iter(self.packs.values())


def _clash(path, pack, keeper):
    """The message for a pack left out because ``keeper`` already has its id."""
    where = f"{Path(keeper.path).name} ({keeper.source})" if keeper.source else keeper.path
    return (f"{path.name}/{MANIFEST}:1: pack id '{pack.id}' is already used by the pack "
            f"in {where}, which keeps it; this pack is left out: give it another id in "
            f"{MANIFEST}")
