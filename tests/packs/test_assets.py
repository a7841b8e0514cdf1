"""Images in packs: the assets/ rule, validation as FILE:LINE, zip install, rendering and
serving from our own origin."""

import shutil
import struct
import zlib
from pathlib import Path

import pytest

from tests.packzip import zip_entries, zip_folder
from trainer import create_app
from trainer.packs.archive import PackRefused, read_zip
from trainer.packs.assets import ASSET_URL, MAX_ASSET_BYTES, sniff
from trainer.packs.install import install_zip_bytes
from trainer.packs.loader import load_pack
from trainer.packs.render import images_of, render_block, sanitise

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def png(width=2, height=1):
    """A real, tiny PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8,
                                                              2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def pack_with_image(tmp_path, line="![A red pixel](assets/red.png)", files=None):
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder)
    question = folder / "questions" / "001-q1.md"
    text = question.read_text()
    at = text.index("## Answer\n") + len("## Answer\n")
    question.write_text(text[:at] + "\n" + line + "\n" + text[at:])
    for name, data in (files if files is not None else {"red.png": png()}).items():
        (folder / "assets").mkdir(exist_ok=True)
        (folder / "assets" / name).write_bytes(data)
    return folder, question, text[:at].count("\n") + 2


def messages(folder):
    pack, problems = load_pack(folder)
    assert pack is None
    return [str(p) for p in problems]


def test_a_pack_shows_its_image_with_alt_text(tmp_path):
    folder, _, _ = pack_with_image(tmp_path)
    pack, problems = load_pack(folder)
    assert problems == []
    html = str(pack.question("q1").answer_html)
    url = ASSET_URL.format(pack_id="sample", name="red.png")
    assert f'<img src="{url}" alt="A red pixel"' in html
    assert '<span class="image-alt" aria-hidden="true">A red pixel</span>' in html


@pytest.mark.parametrize(("line", "files", "message"), [
    ("![A pixel](assets/missing.png)", {}, "image 'assets/missing.png' is not in the pack's "
     "assets/ folder"),
    ("![A pixel](https://example.org/x.png)", {}, "image 'https://example.org/x.png' is "
     "not in the pack"),
    ("![](assets/red.png)", None, "image 'assets/red.png' has no alt text"),
    ("![A pixel](assets/red.png)", {"red.png": b"<script>alert(1)</script>"},
     "is not a PNG image"),
    ("![A pixel](assets/red.png)", {"red.png": b"\xff\xd8\xff\xe0rest"},
     "holds a JPEG image but its name says PNG"),
    ("![A pixel](assets/red.png)", {"red.png": b"\x89PNG\r\n\x1a\n" + b"0" * MAX_ASSET_BYTES},
     f"the limit per image is {MAX_ASSET_BYTES} bytes"),
])
def test_validate_says_what_is_wrong_with_an_image_and_where(tmp_path, line, files, message):
    folder, _, line_number = pack_with_image(tmp_path, line, files)
    found = messages(folder)
    assert any(message in m for m in found), found
    if "not in the pack" in message or "alt text" in message:
        assert any(m.startswith(f"sample/questions/001-q1.md:{line_number}: ") for m in found)
    else:
        assert any(m.startswith("sample/assets/red.png:1: ") for m in found)


def test_an_image_in_a_code_block_is_code_not_a_reference(tmp_path):
    folder, _, _ = pack_with_image(tmp_path, "```\n![x](assets/nope.png)\n```", {})
    assert load_pack(folder)[1] == []


@pytest.mark.parametrize(("name", "message"), [
    ("diagram.svg", "SVG images are refused"),
    ("RED.PNG", "rename it"),
    ("notes.txt", "holds .png, .jpg, .jpeg or .webp images only"),
    ("deep/red.png", "not in a folder inside it"),
])
def test_the_layout_rule_for_assets(tmp_path, name, message):
    folder, _, _ = pack_with_image(tmp_path)
    target = folder / "assets" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png())
    assert any(message in m for m in messages(folder))


def test_an_unused_image_is_an_error(tmp_path):
    folder, _, _ = pack_with_image(tmp_path, files={"red.png": png(), "blue.png": png()})
    assert any("sample/assets/blue.png:1: is not shown by any question" in m
               for m in messages(folder))


def test_a_zip_carries_images_and_refuses_big_ones(tmp_path):
    folder, _, _ = pack_with_image(tmp_path)
    files = read_zip(zip_folder(folder, top="sample"))
    assert files.files["assets/red.png"] == png()
    done = install_zip_bytes(zip_folder(folder), "sample.zip", tmp_path / "packs")
    assert (done.path / "assets" / "red.png").read_bytes() == png()
    big = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (MAX_ASSET_BYTES // 256 + 1)
    with pytest.raises(PackRefused) as refused:
        read_zip(zip_folder(folder, extra=[("assets/big.png", big)]))
    assert f"the limit per file is {MAX_ASSET_BYTES} bytes" in str(refused.value)
    with pytest.raises(PackRefused) as refused:
        read_zip(zip_entries([("pack.toml", b"x"), ("assets/x.svg", b"<svg/>")]))
    assert "SVG images are refused" in str(refused.value)


def test_only_our_asset_urls_survive_the_sanitiser():
    html = sanitise('<img src="/packs/p/assets/a.png" alt="a" onerror="alert(1)">'
                    '<img src="https://evil.example/x.png"><img src="javascript:alert(1)">'
                    '<img src="/packs/p/assets/../../x">')
    assert html.count("src=") == 1
    assert "onerror" not in html and "evil" not in html and "javascript" not in html


def test_a_non_asset_image_becomes_its_alt_text():
    with images_of("p"):
        html = str(render_block("![Look here](http://example.org/x.png)"))
    assert html == "<p>Look here</p>\n"


def test_sniff():
    assert sniff(png()) == "image/png"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff(b"GIF89a") is None


@pytest.fixture
def image_app(tmp_path):
    folder, _, _ = pack_with_image(tmp_path / "src")
    packs = tmp_path / "packs"
    packs.mkdir()
    shutil.move(folder, packs / "sample")
    return create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "k" * 40,
                       "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [packs], "TESTING": True})


def test_the_image_is_served_from_our_origin_with_caching_and_nosniff(image_app):
    client = image_app.test_client()
    response = client.get("/packs/sample/assets/red.png")
    assert response.status_code == 200
    assert response.data == png()
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response.headers["Cache-Control"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    again = client.get("/packs/sample/assets/red.png",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    for bad in ("/packs/sample/assets/missing.png", "/packs/sample/assets/..%2fpack.toml",
                "/packs/sample/assets/pack.toml", "/packs/nope/assets/red.png"):
        assert client.get(bad).status_code == 404, bad


def test_the_practice_page_shows_the_image(image_app):
    client = image_app.test_client()
    html = client.get("/practice/sample/q1?side=answer").get_data(as_text=True)
    page = client.get("/practice/sample/q1").get_data(as_text=True)
    assert 'src="/packs/sample/assets/red.png" alt="A red pixel"' in html + page
