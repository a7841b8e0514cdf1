"""Zip safety and installs: a refused archive writes nothing, an accepted one lands whole."""

import os
import shutil
import time
import zipfile

import pytest

from tests.conftest import DATA
from tests.packzip import SYMLINK, zip_entries, zip_folder
from trainer.packs import archive, install
from trainer.packs.archive import PackRefused, read_folder, read_zip
from trainer.packs.install import (
    find_installed,
    install_path,
    install_zip_bytes,
    remove_pack,
    remove_stale_staging,
)
from trainer.packs.loader import MAX_FILE_BYTES
from trainer.packs.registry import PackRegistry
from trainer.plugins import make_plugin_manager

SAMPLE = DATA / "sample"
MANIFEST = (SAMPLE / "pack.toml").read_bytes()
QUESTION = (SAMPLE / "questions" / "001-q1.md").read_bytes()


def _reasons(data):
    with pytest.raises(PackRefused) as caught:
        read_zip(data)
    return caught.value.reasons


def test_a_good_zip_reads_at_the_top_or_inside_one_folder():
    flat = read_zip(zip_folder(SAMPLE), name="upload")
    nested = read_zip(zip_folder(SAMPLE, top="sample-1.0"), name="upload")
    assert flat.name == "upload" and nested.name == "sample-1.0"
    assert flat.files == nested.files
    assert sorted(flat.files)[0] == "pack.toml"
    assert len([n for n in flat.files if n.startswith("questions/")]) == 6


def test_zip_tool_junk_is_skipped():
    data = zip_folder(SAMPLE, extra=[("__MACOSX/._pack.toml", b"x"), (".DS_Store", b"x")])
    assert "__MACOSX/._pack.toml" not in read_zip(data).files


@pytest.mark.parametrize(("name", "reason"), [
    ("/etc/pack.toml", "'/etc/pack.toml' is an absolute path"),
    ("C:/pack.toml", "'C:/pack.toml' is an absolute path"),
    ("questions/../../evil.md", "'questions/../../evil.md' climbs out of the pack with '..'"),
    ("questions\\evil.md", "'questions\\evil.md' contains a backslash"),
    ("questions/a\x01b.md", "has an empty part or a character not allowed"),
])
def test_unsafe_names_are_refused(name, reason):
    reasons = _reasons(zip_entries([("pack.toml", MANIFEST), (name, QUESTION)]))
    assert any(reason in r for r in reasons), reasons


def test_symbolic_links_are_refused():
    data = zip_entries([("pack.toml", MANIFEST), ("questions/q.md", b"/etc/passwd", SYMLINK)])
    assert _reasons(data) == ["'questions/q.md' is a symbolic link; only regular files are "
                              "allowed"]


def test_too_many_entries_are_refused(monkeypatch):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    data = zip_folder(SAMPLE)
    assert _reasons(data) == ["the archive holds 7 entries; the limit is 3"]


def test_a_zip_bomb_is_refused_by_its_ratio():
    data = zip_entries([("pack.toml", MANIFEST), ("questions/q.md", b"a" * (MAX_FILE_BYTES - 1))])
    assert _reasons(data) == ["'questions/q.md' is compressed more than 100 to 1, which no "
                              "real question file needs"]


def test_a_big_file_and_a_big_total_are_refused(monkeypatch):
    big = os.urandom(MAX_FILE_BYTES + 1)
    assert _reasons(zip_entries([("pack.toml", MANIFEST), ("questions/q.md", big)])) == [
        f"'questions/q.md' unpacks to {MAX_FILE_BYTES + 1} bytes; the limit per file is "
        f"{MAX_FILE_BYTES} bytes"]
    monkeypatch.setattr(archive, "MAX_UNPACKED_BYTES", 1000)
    assert _reasons(zip_folder(SAMPLE))[0].startswith("the archive unpacks to ")


def test_an_oversized_upload_is_refused_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 100)
    assert _reasons(zip_folder(SAMPLE))[0].endswith("the limit is 100 bytes")


def test_a_header_that_lies_about_the_size_is_caught():
    data = bytearray(zip_entries([("pack.toml", MANIFEST)]))
    # Shrink the size the central directory claims: the real data is longer.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    reasons = _reasons(bytes(data))
    assert any("pack.toml" in r for r in reasons), reasons


def test_not_a_zip_and_no_manifest_and_stray_files():
    assert _reasons(b"just text") == ["the file is not a readable zip archive"]
    assert _reasons(zip_entries([("questions/q.md", QUESTION)])) == [
        "no pack.toml at the top of the archive or inside one top folder"]
    stray = _reasons(zip_entries([("pack.toml", MANIFEST), ("questions/q.md", QUESTION),
                                  ("plugin.py", b"import os")]))
    assert stray[0].startswith("unexpected file 'plugin.py': a data pack holds only")


def test_an_encrypted_entry_is_refused():
    data = bytearray(zip_entries([("pack.toml", MANIFEST), ("questions/q.md", QUESTION)]))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 1
            start += 4
    assert "'pack.toml' is encrypted" in _reasons(bytes(data))


def test_a_folder_with_a_symlink_is_refused(tmp_path):
    folder = tmp_path / "pack"
    (folder / "questions").mkdir(parents=True)
    (folder / "pack.toml").write_bytes(MANIFEST)
    (folder / "questions" / "q.md").symlink_to("/etc/hostname")
    with pytest.raises(PackRefused) as caught:
        read_folder(folder)
    assert caught.value.reasons == ["'questions/q.md' is a symbolic link; only regular files "
                                    "are allowed"]


def test_install_writes_only_a_pack_that_loads(tmp_path):
    packs = tmp_path / "packs"
    broken = zip_folder(DATA.parent / "broken_packs" / "bad_difficulty")
    with pytest.raises(PackRefused) as caught:
        install_zip_bytes(broken, "bad_difficulty.zip", packs)
    assert caught.value.reasons == ["bad_difficulty/questions/001.md:3: field 'difficulty' is "
                                    "'expert': use one of junior, mid, senior"]
    assert os.listdir(packs) == []  # not even the staging folder is left

    done = install_zip_bytes(zip_folder(SAMPLE, top="sample"), "x.zip", packs)
    assert (done.pack_id, done.version, done.questions, done.replaced) == (
        "sample", "0.1.0", 6, None)
    assert sorted(os.listdir(packs)) == ["sample"]
    assert (packs / "sample" / "questions" / "006-q6.md").read_bytes() == (
        SAMPLE / "questions" / "006-q6.md").read_bytes()


def test_install_refuses_a_taken_id_and_an_installed_one_unless_replacing(tmp_path):
    packs = tmp_path / "packs"
    with pytest.raises(PackRefused) as caught:
        install_path(SAMPLE, packs, taken={"sample": "interview-trainer 0.1.0"})
    assert caught.value.reasons == ["pack id 'sample' is already used by interview-trainer "
                                    "0.1.0; change the id in pack.toml"]
    install_path(SAMPLE, packs)
    with pytest.raises(PackRefused) as caught:
        install_path(SAMPLE, packs)
    assert caught.value.reasons[0].startswith("pack 'sample' is already installed (version "
                                              "0.1.0); replace it")
    upgraded = tmp_path / "v2"
    zipfile.ZipFile(_zip_path(tmp_path, SAMPLE)).extractall(upgraded)
    (upgraded / "pack.toml").write_text(MANIFEST.decode().replace("0.1.0", "0.2.0"))
    (upgraded / "questions" / "006-q6.md").unlink()
    done = install_path(upgraded, packs, replace=True)
    assert (done.version, done.replaced, done.questions) == ("0.2.0", "0.1.0", 5)
    assert sorted(os.listdir(packs)) == [".removed", "sample"]
    assert not (packs / "sample" / "questions" / "006-q6.md").exists()
    [old] = (packs / ".removed").iterdir()  # the replaced version is kept, not deleted
    assert old.name.startswith("sample-")
    assert (old / "questions" / "006-q6.md").read_bytes() == (
        SAMPLE / "questions" / "006-q6.md").read_bytes()


def _zip_path(tmp_path, folder):
    path = tmp_path / "pack.zip"
    path.write_bytes(zip_folder(folder))
    return path


def test_install_from_a_zip_file_and_remove(tmp_path):
    packs = tmp_path / "packs"
    install_path(_zip_path(tmp_path, SAMPLE), packs)
    assert find_installed(packs, "sample") == packs / "sample"
    kept = remove_pack(packs, "sample")
    assert kept.parent == packs / ".removed" and kept.name.startswith("sample-")
    assert (kept / "pack.toml").read_bytes() == MANIFEST
    assert os.listdir(packs) == [".removed"]
    assert find_installed(packs, "sample") is None
    with pytest.raises(LookupError):
        remove_pack(packs, "sample")
    assert find_installed(packs, "../etc") is None


def _never_read(*args, **kwargs):
    raise AssertionError(f"the archive was opened: {args}")


def test_install_refuses_a_too_large_zip_file_before_reading_it(tmp_path, monkeypatch):
    from trainer.packs import archive

    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 50)
    monkeypatch.setattr(archive, "open", _never_read, raising=False)
    path = _zip_path(tmp_path, SAMPLE)
    with pytest.raises(PackRefused) as caught:
        install_path(path, tmp_path / "packs")
    assert caught.value.reasons == [f"the archive is {path.stat().st_size} bytes; the limit "
                                    "is 50 bytes"]


def _left_staging(packs, name, age):
    """A staging folder as a crashed install leaves it: a whole pack, ``age`` seconds old."""
    folder = packs / f".staging-{name}"
    shutil.copytree(SAMPLE, folder / "sample")
    then = time.time() - age
    os.utime(folder, (then, then))
    return folder


def test_a_stale_staging_folder_is_removed_on_load_and_never_loaded(tmp_path):
    packs = tmp_path / "packs"
    stale = _left_staging(packs, "0123456789abcdef", age=3600)
    fresh = _left_staging(packs, "fedcba9876543210", age=0)  # maybe another process's install
    registry = PackRegistry(make_plugin_manager(load_entry_points=False), [packs])
    assert not stale.exists()
    assert fresh.is_dir()
    assert registry.packs == {} and registry.errors == []
    assert find_installed(packs, "sample") is None


def test_an_install_removes_stale_staging_but_not_one_in_use(tmp_path, monkeypatch):
    packs = tmp_path / "packs"
    stale = _left_staging(packs, "0123456789abcdef", age=3600)
    busy = _left_staging(packs, "00000000000000aa", age=3600)
    mine = _left_staging(packs, "notastagingname0", age=3600)  # not a name we make
    monkeypatch.setattr(install, "_staging_in_use", {str(busy)})
    install_path(SAMPLE, packs)
    assert not stale.exists() and busy.is_dir() and mine.is_dir()
    assert sorted(os.listdir(packs)) == [".staging-00000000000000aa",
                                         ".staging-notastagingname0", "sample"]
    monkeypatch.setattr(install, "_staging_in_use", set())
    assert remove_stale_staging(packs) == [".staging-00000000000000aa"]
