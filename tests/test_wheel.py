"""A non-editable wheel carries the templates, the static files and the built-in pack,
and declares every package the code imports."""

import zipfile
from pathlib import Path

from hatchling.build import build_wheel

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_templates_static_files_and_the_core_pack(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # hatchling builds the project in the working directory
    name = build_wheel(str(tmp_path))
    with zipfile.ZipFile(tmp_path / name) as wheel:
        names = set(wheel.namelist())
        metadata = next(wheel.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    for expected in ("trainer/templates/base.html", "trainer/static/keys.js",
                     "trainer_flask_core/pack.toml", "trainer/cli.py"):
        assert expected in names, expected
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert any(r.replace(" ", "").startswith("click") and "<9" in r for r in requires), requires
