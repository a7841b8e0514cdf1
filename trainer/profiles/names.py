"""The display-name rule, the same for a profile, a live session and an import.

A name is what people read on a scoreboard or a profile page, so one rule decides what
one is: Unicode NFC, runs of white space collapsed to one space, 1 to :data:`NAME_MAX`
characters, and no control, format (invisible), private-use or surrogate characters,
which could make two names look alike or break a page.
"""

import unicodedata

NAME_MAX = 40
_REFUSED_CATEGORIES = ("Cc", "Cf", "Co", "Cs")


class NameRefused(ValueError):
    """A display name that breaks the rule; the message says what to change, ``reason``
    the same in a few words (for an import report)."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def clean_display_name(raw):
    """``raw`` as a display name, or :class:`NameRefused` saying what is wrong."""
    name = " ".join(unicodedata.normalize("NFC", raw if isinstance(raw, str) else "").split())
    if not name or len(name) > NAME_MAX:
        raise NameRefused(f"A display name needs 1 to {NAME_MAX} characters.",
                          f"not 1 to {NAME_MAX} characters")
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in name):
        raise NameRefused("A display name cannot contain control or invisible characters.",
                          "has control or invisible characters")
    return name
