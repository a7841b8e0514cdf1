"""Highlighted code is AA-readable in both themes (trainer/packs/code_css.py)."""

import re

from trainer.packs.code_css import TEXT_AA, contrast, readable
from trainer.packs.render import pygments_css

LIGHT_BG, DARK_BG = "#f7f7f9", "#161b22"  # --code-bg in static/app.css


def colours(css, scope):
    return [m[1] for line in css.splitlines() if line.strip().startswith(scope)
            for m in re.finditer(r"(?<![-\w])color: (#[0-9A-Fa-f]{3,6})", line)]


def test_every_code_colour_reaches_aa_in_both_themes():
    css = pygments_css()
    light, dark = colours(css, "pre ."), colours(css, ':root[data-theme="dark"] pre .')
    assert len(light) > 30 and len(dark) > 20
    assert min(contrast(c, LIGHT_BG) for c in light) >= 4.5
    assert min(contrast(c, DARK_BG) for c in dark) >= 4.5
    assert colours(css, ':root:not([data-theme="light"]) pre .') == dark
    assert "@media (prefers-color-scheme: dark)" in css


def test_the_dark_theme_overrides_every_light_token():
    css = pygments_css()
    light = set(re.findall(r"^pre \.([\w-]+) ", css, re.M))
    dark = set(re.findall(r'^:root\[data-theme="dark"\] pre \.([\w-]+) ', css, re.M))
    assert light <= dark


def test_readable_moves_a_colour_only_as_far_as_needed():
    assert contrast("#A2F", LIGHT_BG) < 4.5  # decorators: the colour axe flagged (4.47:1)
    fixed = readable("#A2F", LIGHT_BG)
    assert TEXT_AA <= contrast(fixed, LIGHT_BG) < TEXT_AA + 0.3
    assert readable("#000000", LIGHT_BG) == "#000000"
    assert contrast(readable("#444444", DARK_BG), DARK_BG) >= TEXT_AA
