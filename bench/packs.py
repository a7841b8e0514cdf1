"""``python -m bench.packs``: how long pack loading, validation and zip install take.

Packs are loaded at start-up and after every upload or removal (the registry reloads
all of them), so these times decide how long a server takes to start and how long an
upload keeps the operator waiting. Generated packs of real question text
(:func:`bench.seed.generate_packs`), median of several runs, wall-clock time.
"""

import argparse
import io
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from bench.seed import generate_packs
from trainer.packs.archive import read_zip
from trainer.packs.install import install_files
from trainer.packs.loader import load_pack
from trainer.packs.registry import PackRegistry
from trainer.plugins import make_plugin_manager


def _median_ms(action, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _zip(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def run(packs=10, questions=200, runs=5):
    with tempfile.TemporaryDirectory(prefix="bench-packs-") as tmp:
        root = Path(tmp)
        ids = generate_packs(root / "source", packs=packs, questions=questions)
        one = root / "source" / ids[0]
        data = _zip(one)
        pm = make_plugin_manager(load_entry_points=False)
        registry = PackRegistry(pm, [root / "source"])
        assert len(registry.packs) == packs, registry.errors
        cached = PackRegistry(pm, [root / "source"], cache_dir=root / "cache")
        counter = iter(range(10**6))

        def install():
            install_files(read_zip(data, "bench"), root / f"installed-{next(counter)}")

        return {
            f"load one pack of {questions} questions (ms)":
                _median_ms(lambda: load_pack(one), runs),
            f"validate a {len(data) // 1024} KiB zip of that pack in memory (ms)":
                _median_ms(lambda: read_zip(data, "bench"), runs),
            "check, stage, load and move it into a packs folder (ms)":
                _median_ms(install, runs),
            f"reload the registry: {packs} packs x {questions} questions (ms)":
                _median_ms(registry.reload, runs),
            "the same with the render cache, as the server does after an upload (ms)":
                _median_ms(cached.reload, runs),
        }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.packs", description=__doc__)
    parser.add_argument("--packs", type=int, default=10)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    for name, value in run(args.packs, args.questions, args.runs).items():
        print(f"{value:10.1f}  {name}")


if __name__ == "__main__":
    main()
