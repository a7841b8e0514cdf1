"""Plugin hooks: each hookspec works as documented, is documented in docs/plugin-hooks.md
with its full signature, and has tests of its own (named ``test_hook_<hook name>...``)."""

import ast
import inspect
import re
import shutil
from pathlib import Path

import pluggy
import pytest

from tests.conftest import DATA
from trainer import create_app, hookspecs
from trainer.hookspecs import hookimpl
from trainer.packs import PackRegistry
from trainer.plugins import make_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "plugin-hooks.md"
BROKEN = Path(__file__).parent / "broken_packs"


def hookspec_functions():
    return {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, "trainer_spec")}


def test_every_hookspec_is_documented_with_its_full_signature():
    text = DOCS.read_text(encoding="utf-8")
    headings = re.findall(r"^## (trainer_\w+)(\(.*\))$", text, re.M)
    documented = dict(headings)
    specs = hookspec_functions()
    assert specs, "no hookspecs found"
    for name, fn in specs.items():
        assert name in documented, f"{name} has no '## {name}(...)' heading in {DOCS.name}"
        assert documented[name] == str(inspect.signature(fn)), name
    assert set(documented) <= set(specs), "docs describe a hook that does not exist"
    for name in specs:  # each section has an example plugin
        section = text.split(f"## {name}(", 1)[1].split("\n## ", 1)[0]
        assert "```python" in section and "@hookimpl" in section, name


def test_every_hookspec_has_tests_of_its_own():
    names = set()
    for path in Path(__file__).parent.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for hook in hookspec_functions():
        assert any(n.startswith(f"test_hook_{hook}") for n in names), (
            f"no test named test_hook_{hook}... for the hook {hook}")


class FolderPlugin:
    """A plugin handing over the folders it was made with, in the order given."""

    def __init__(self, *folders):
        self.folders = folders

    @hookimpl
    def trainer_register_packs(self, register):
        for folder in self.folders:
            register(folder)


def _pack_copy(tmp_path, pack_id):
    folder = Path(shutil.copytree(DATA / "sample", tmp_path / pack_id))
    manifest = folder / "pack.toml"
    manifest.write_text(manifest.read_text().replace('id = "sample"', f'id = "{pack_id}"'))
    return folder


def test_hook_trainer_register_packs_adds_a_plugin_pack(tmp_path):
    app = create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "s" * 40,
                      "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [], "TESTING": True,
                      "PLUGINS": [FolderPlugin(_pack_copy(tmp_path, "plugged"))]})
    registry = app.extensions["trainer"].packs
    assert list(registry.packs) == ["plugged"]
    assert registry.get("plugged").source.startswith("plugin ")
    assert app.test_client().get("/practice/plugged/q1").status_code == 200


def test_hook_trainer_register_packs_order_is_deterministic(tmp_path):
    zeta, alpha = _pack_copy(tmp_path, "zeta"), _pack_copy(tmp_path, "alpha")
    first = PackRegistry(make_plugin_manager([FolderPlugin(zeta, alpha)], False))
    second = PackRegistry(make_plugin_manager([FolderPlugin(alpha), FolderPlugin(zeta)],
                                              False))
    assert list(first.packs) == list(second.packs) == ["alpha", "zeta"]


def test_hook_trainer_register_packs_broken_pack_is_reported_not_fatal(tmp_path):
    good = _pack_copy(tmp_path, "good")
    registry = PackRegistry(make_plugin_manager(
        [FolderPlugin(BROKEN / "bad_tags", good)], False))
    assert list(registry.packs) == ["good"]
    assert registry.errors[0].errors[0].startswith("bad_tags/questions/001.md:4: field 'tags'")


def test_hook_trainer_register_packs_misspelled_fails_at_start(tmp_path):
    class Typo:
        @hookimpl
        def trainer_register_pack(self, register):  # missing the final 's'
            register(tmp_path)

    with pytest.raises(pluggy.PluginValidationError):
        make_plugin_manager([Typo()], False)
