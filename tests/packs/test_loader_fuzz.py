"""Property-based tests: whatever a pack holds, the loader, the archive reader, an install
and ``packs validate`` answer with a pack or with clear problems, never an exception.

"Clear" is checked too: a problem may never be the loader's last-resort message for an
exception it did not foresee (``cannot be loaded because of an unexpected ...``), and
no message may carry a control character to the terminal.
"""

import io
import math
import shutil
import stat
import tempfile
import tomllib
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATA
from tests.packzip import zip_folder
from trainer.cli import main
from trainer.packs.archive import PackFiles, read_zip
from trainer.packs.install import install_files
from trainer.packs.loader import load_pack
from trainer.packs.model import PackError, PackRefused, is_control

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
SAMPLE = DATA / "sample"
MANIFEST = (SAMPLE / "pack.toml").read_bytes()
QUESTION = (SAMPLE / "questions" / "001-q1.md").read_bytes()
BODY = QUESTION.decode().split("+++", 2)[2]
UNFORESEEN = "because of an unexpected"


# A small TOML writer of our own, so generated tables are valid TOML of every shape.

def _string(text):
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key):
    bare = key and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in key)
    return key if bare else _string(key)


def _value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "inf" if value == math.inf else "-inf" if value == -math.inf else repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"


def toml_document(table, dotted=False):
    """``table`` as TOML; with ``dotted``, sub-tables are written as ``a.b = v`` lines."""
    lines = []
    for key, value in table.items():
        if dotted and isinstance(value, dict) and value:
            lines.extend(f"{_key(key)}.{_key(k)} = {_value(v)}" for k, v in value.items())
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    return "\n".join(lines) + "\n"


FIELDS = ["id", "title", "version", "description", "author", "licence", "difficulty",
          "tags", "references", "level", "\u0069d", "é", "", "a b", "\x1b[31m"]
KEYS = st.sampled_from(FIELDS) | st.text(max_size=12)
SCALARS = (st.sampled_from(["q1", "junior", "mid", "1.0.0", "Title", "https://example.org",
                            "", "x" * 70, "\x1b[2J", "ß"])
           | st.text(max_size=20) | st.integers() | st.booleans()
           | st.floats(allow_nan=False))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS, inner, max_size=3), max_leaves=10)
TABLES = st.dictionaries(KEYS, VALUES, max_size=8)


def test_the_toml_writer_writes_what_it_was_given():
    table = {"id": "q1", "é": [1, [True, "a\"\\\n"]], "t": {"x y": -1.5}}
    assert tomllib.loads(toml_document(table)) == table
    assert tomllib.loads(toml_document(table, dotted=True)) == table


def _assert_clear(problems):
    assert problems
    for problem in problems:
        assert isinstance(problem, PackError)
        text = str(problem)
        assert UNFORESEEN not in text, text
        assert not any(map(is_control, text)), text


@pytest.fixture(scope="module")
def work():
    """One folder for all examples of a test, in memory where the system offers it
    (/dev/shm): writing files is most of the cost of an example."""
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="trainer-fuzz-",
                                   dir=shm if shm.is_dir() else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _load(root, files):
    """Load the pack in ``root`` after writing ``files`` (relative path -> bytes) to it."""
    for name, data in files.items():
        path = root / "fuzzed" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    pack, problems = load_pack(root / "fuzzed")
    if pack is None:
        _assert_clear(problems)
    else:
        assert problems == []
    return pack, problems


@FUZZ
@given(table=TABLES, dotted=st.booleans())
def test_any_toml_manifest_gives_a_pack_or_clear_problems(work, table, dotted):
    manifest = toml_document(table, dotted).encode()
    assert tomllib.loads(manifest.decode()) == table
    _load(work, {"pack.toml": manifest, "questions/001.md": QUESTION})


@FUZZ
@given(table=TABLES, dotted=st.booleans())
def test_any_toml_front_matter_gives_a_pack_or_clear_problems(work, table, dotted):
    question = f"+++\n{toml_document(table, dotted)}+++{BODY}".encode()
    _load(work, {"pack.toml": MANIFEST, "questions/001.md": question})


@FUZZ
@given(text=st.text(max_size=300), body=st.sampled_from([BODY, "", "\n# Q\n"]))
def test_any_text_as_front_matter_or_manifest_gives_a_pack_or_clear_problems(work, text,
                                                                             body):
    question = f"+++\n{text}\n+++{body}".encode()
    _load(work, {"pack.toml": MANIFEST, "questions/001.md": question})
    _load(work, {"pack.toml": text.encode(), "questions/001.md": QUESTION})


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes_as_a_question_give_clear_problems(work, data):
    _load(work, {"pack.toml": MANIFEST, "questions/001.md": data})


PARTS = st.sampled_from(["pack.toml", "questions", "q.md", "Q.MD", "README.md", "..", ".",
                         "", ".hidden", "__MACOSX", "__pycache__", "a\\b", "C:", "x\x1b[31m",
                         "\x00", "top", "\u202e", "setup.py"])
NAMES = st.lists(PARTS, min_size=1, max_size=4).map("/".join) | st.text(max_size=20)
DATA_ = st.sampled_from([MANIFEST, QUESTION, b""]) | st.binary(max_size=100)
MODES = st.sampled_from([None, stat.S_IFREG | 0o644, stat.S_IFLNK | 0o777,
                         stat.S_IFDIR | 0o755, stat.S_IFIFO | 0o644, 0])
ENTRIES = st.lists(st.tuples(NAMES, DATA_, MODES, st.booleans()), max_size=8)


def _zip(entries):
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are part of what we try
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data, mode, deflate in entries:
                info = zipfile.ZipInfo(name or "x")
                info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
                if mode is not None:
                    info.create_system = 3
                    info.external_attr = mode << 16
                archive.writestr(info, data)
    return buffer.getvalue()


def _read_and_install(work, data):
    """read_zip, then an install (an upgrade, after the first) when it reads: a pack, or
    clear refusals."""
    try:
        files = read_zip(data, name="fuzzed")
    except PackRefused as exc:
        assert exc.reasons
        assert not any(is_control(ch) for reason in exc.reasons for ch in reason)
        return None
    assert isinstance(files, PackFiles)
    try:
        done = install_files(files, work / "packs", replace=True)
    except PackRefused as exc:
        assert exc.reasons
        assert not any(UNFORESEEN in reason for reason in exc.reasons), exc.reasons
        return None
    assert (done.path / "pack.toml").is_file()
    return files


@FUZZ
@given(entries=ENTRIES, with_pack=st.booleans())
def test_any_zip_archive_is_read_or_refused_with_reasons(work, entries, with_pack):
    if with_pack:
        entries = [("pack.toml", MANIFEST, None, True), ("questions/q.md", QUESTION, None,
                                                         True), *entries]
    _read_and_install(work, _zip(entries))


@FUZZ
@given(data=st.binary(max_size=600))
def test_any_bytes_as_an_archive_are_refused_with_reasons(work, data):
    _read_and_install(work, data)


GOOD_ZIP = zip_folder(SAMPLE, top="sample")


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, len(GOOD_ZIP) - 1), st.integers(0, 255)),
                      min_size=1, max_size=6),
       cut=st.none() | st.integers(0, len(GOOD_ZIP)))
def test_a_damaged_archive_is_read_or_refused_with_reasons(work, flips, cut):
    data = bytearray(GOOD_ZIP)
    for position, value in flips:
        data[position] = value
    _read_and_install(work, bytes(data[:cut] if cut is not None else data))


@settings(max_examples=60, deadline=None)
@given(entries=ENTRIES)
def test_validate_on_any_zip_prints_problems_or_ok_never_a_traceback(work, entries):
    entries = [("pack.toml", MANIFEST, None, True), *entries]
    path = work / "fuzzed.zip"
    path.write_bytes(_zip(entries))
    result = CliRunner().invoke(main, ["packs", "validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "\x1b" not in result.output and UNFORESEEN not in result.output
