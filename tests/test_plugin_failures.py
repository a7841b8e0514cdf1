"""A broken pip-installed pack (import error, misspelled hook, a hook that raises) is left
out and reported; the server still starts and every other pack loads."""

import json
import textwrap

import pytest
from click.testing import CliRunner

from trainer.cli import main
from trainer.hookspecs import hookimpl
from trainer.packs import PackRegistry
from trainer.plugins import make_plugin_manager


def fake_distribution(root, dist, module, code):
    """An installed distribution (a .dist-info folder) with one ``trainer`` entry point."""
    info = root / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[trainer]\n{module} = {module}\n")
    (root / f"{module}.py").write_text(textwrap.dedent(code))


@pytest.fixture
def broken_plugins(tmp_path, monkeypatch):
    site = tmp_path / "site"
    fake_distribution(site, "trainer-import-error", "trainer_fake_import_error", """
        raise RuntimeError("this pack's module is broken")
    """)
    fake_distribution(site, "trainer-misspelt", "trainer_fake_misspelt", """
        from trainer.hookspecs import hookimpl

        @hookimpl
        def trainer_register_pack(register):
            pass
    """)
    monkeypatch.syspath_prepend(str(site))
    return site


def test_a_broken_entry_point_is_left_out_and_reported(broken_plugins):
    pm = make_plugin_manager(load_entry_points=True)
    failed = {p.name: p for p in pm.load_problems}
    assert sorted(failed) == ["trainer_fake_import_error", "trainer_fake_misspelt"]
    assert failed["trainer_fake_import_error"].source == "trainer-import-error 1.0"
    assert failed["trainer_fake_import_error"].message == (
        "RuntimeError: this pack's module is broken")
    assert "trainer_register_pack" in failed["trainer_fake_misspelt"].message
    assert pm.get_plugin("trainer_fake_misspelt") is None

    registry = PackRegistry(pm)
    assert "flask_core" in registry.packs  # the other packs are untouched
    messages = {e.path: e.errors[0] for e in registry.errors}
    assert messages["entry point trainer_fake_import_error = trainer_fake_import_error"] == (
        "trainer_fake_import_error: the plugin cannot be loaded (RuntimeError: this pack's "
        "module is broken); its packs are left out")


def test_packs_list_shows_a_broken_entry_point(broken_plugins, tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINER_DATA_DIR", str(tmp_path / "data"))
    rows = json.loads(CliRunner().invoke(main, ["packs", "list", "--json"]).output)
    broken = [r for r in rows if r["source"] == "trainer-import-error 1.0"]
    assert len(broken) == 1 and not broken[0]["loaded"]
    assert "this pack's module is broken" in broken[0]["errors"][0]


class Raising:
    @hookimpl
    def trainer_register_packs(self, register):
        raise ValueError("no packs today")


def test_hook_trainer_register_packs_that_raises_is_reported():
    registry = PackRegistry(make_plugin_manager([Raising()], load_entry_points=False))
    assert registry.packs == {}
    [problem] = registry.errors
    assert problem.errors == ["trainer_register_packs failed (ValueError: no packs today); "
                              "packs it registered before the error are still loaded"]
