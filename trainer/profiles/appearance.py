"""How the pages look for one profile: the colour theme.

"auto" follows the device (``prefers-color-scheme``); "light" and "dark" override it.
The server writes the choice as ``data-theme`` on ``<html>``, so the first paint is
already right and no script is needed.
"""

THEMES = ("auto", "light", "dark")
THEME_DEFAULT = "auto"


class ThemeRefused(ValueError):
    """A theme that is not one of :data:`THEMES`."""


def theme(profile):
    value = profile.settings.get("theme", THEME_DEFAULT)
    return value if value in THEMES else THEME_DEFAULT


def next_theme(current):
    """The theme one press of the top bar's button moves to: auto, light, dark, auto."""
    return THEMES[(THEMES.index(current) + 1) % len(THEMES)] if current in THEMES else "light"


def set_theme(profile, value):
    if value not in THEMES:
        raise ThemeRefused(f"A theme is one of: {', '.join(THEMES)}.")
    profile.update_settings(theme=value)
    return value
