"""Pygments colours for highlighted code, made readable on our own code background.

Pygments' styles are drawn for their own background; ours differs a little (light) or
a lot (dark), and a few of their colours fall under WCAG AA's 4.5:1 there (the default
style's #A2F for decorators is 4.48:1 on #f7f7f9). Each token colour is
darkened (light theme) or lightened (dark theme) just enough to reach :data:`TEXT_AA`
on the background it is shown on. Every class the light rules colour is given a rule
in the dark ones too, so a token the dark style leaves alone never shows a light-theme
colour on a dark background.
"""

import re

from pygments.formatters import HtmlFormatter

TEXT_AA = 4.6  # WCAG AA for text is 4.5:1; a little over, for rounding in checkers
_RULE = re.compile(r"^(?P<scope>.+?) \.(?P<cls>[\w-]+) \{ (?P<body>[^}]*)\}")
_COLOUR = re.compile(r"(?<![-\w])color: (#[0-9A-Fa-f]{3,6})")


def style_rules(style, scope, background):
    """Rules ``{scope} .token { ... }`` for Pygments style ``style``, each text colour
    moved to at least :data:`TEXT_AA` against ``background``."""
    lines = HtmlFormatter(style=style, nowrap=True).get_style_defs("PRE").splitlines()
    rules = {}
    for line in lines:
        match = _RULE.match(line)
        if not match or match["scope"] != "PRE" or match["cls"] in ("hll", "linenos"):
            continue
        body = _COLOUR.sub(lambda m: "color: " + readable(m[1], background), match["body"])
        rules[match["cls"]] = body.strip().rstrip(";")
    return {cls: f"{scope} .{cls} {{ {body} }}" for cls, body in rules.items()}


def themed_css(light, dark):
    """The light rules under ``pre``; the dark ones for ``data-theme="dark"``, and for any
    theme but "light" on a device that prefers dark (auto, or a page without one).
    ``light`` and ``dark`` are (style, background) pairs."""
    light_rules = style_rules(light[0], "pre", light[1])
    out = [*light_rules.values()]
    prefers_dark = "@media (prefers-color-scheme: dark)"
    for scope, wrap in ((':root[data-theme="dark"] pre', None),
                        (':root:not([data-theme="light"]) pre', prefers_dark)):
        dark_rules = style_rules(dark[0], scope, dark[1])
        for cls in light_rules:
            dark_rules.setdefault(
                cls, f"{scope} .{cls} {{ color: inherit; font-style: inherit; "
                     "font-weight: inherit }")
        rules = "\n".join(dark_rules.values())
        out.append(f"{wrap} {{\n{rules}\n}}" if wrap else rules)
    return "\n".join(out) + "\n"


def readable(colour, background, target=TEXT_AA):
    """``colour`` mixed toward black or white (whichever the background is not) in small
    steps until it reaches ``target`` contrast against ``background``."""
    fg, bg = _rgb(colour), _rgb(background)
    toward = (0, 0, 0) if _luminance(bg) > 0.18 else (255, 255, 255)
    step = 0
    mixed = fg
    while contrast(mixed, bg) < target and step < 50:
        step += 1
        mixed = tuple(round(c + (t - c) * step / 50) for c, t in zip(fg, toward, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed) if step else colour


def contrast(a, b):
    """The WCAG contrast ratio of two colours (``#rgb``/``#rrggbb`` or RGB tuples)."""
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgb(colour):
    if isinstance(colour, tuple):
        return colour
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def _luminance(rgb):
    def channel(value):
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
