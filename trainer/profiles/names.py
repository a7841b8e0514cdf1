"""The display-name rule, the same for a profile, a live session and an import.

A name is what people read on a scoreboard or a profile page, so one rule decides what
one is: Unicode NFC, runs of white space collapsed to one space, 1 to :data:`NAME_MAX`
characters, and no control, format (invisible), private-use or surrogate characters,
which could make two names look alike or break a page. Characters that draw nothing
although Unicode files them as letters or marks (the Hangul fillers, the combining
grapheme joiner, the braille blank) are refused too.

Two names are *the same* when their :func:`name_key` is: the confusable skeleton of
Unicode's UTS #39, cut down to a table we keep here. One person, one name: a host who
removes "Ann" must not meet "\u0410nn" (a Cyrillic A) or "A\u200bnn" a minute later.
"""

import unicodedata

NAME_MAX = 40
_REFUSED_CATEGORIES = ("Cc", "Cf", "Co", "Cs")
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")

# The common confusables of UTS #39 (confusables.txt), each mapped to the Latin letter or
# digit it passes for, *after* NFKC and casefold (so only lower-case forms are listed).
# Cyrillic and Greek letters that look Latin, and the digits and letters that pass for
# each other in most fonts: 0/o, 1/l/I (I is i after casefold), 5/s is left out (it
# does not pass in most fonts). A small table on purpose: a new pair is one line here
# and one case in tests/live/test_names.py.
CONFUSABLES = {
    # Cyrillic
    "\u0430": "a",  # cyrillic small letter a
    "\u0432": "b",  # cyrillic small letter ve
    "\u0433": "r",  # cyrillic small letter ghe
    "\u0435": "e",  # cyrillic small letter ie
    "\u0451": "e",  # cyrillic small letter io
    "\u0437": "3",  # cyrillic small letter ze
    "\u0456": "l",  # cyrillic small letter byelorussian-ukrainian i
    "\u0457": "l",  # cyrillic small letter yi
    "\u0458": "j",  # cyrillic small letter je
    "\u043a": "k",  # cyrillic small letter ka
    "\u043c": "m",  # cyrillic small letter em
    "\u043d": "h",  # cyrillic small letter en
    "\u043e": "o",  # cyrillic small letter o
    "\u043f": "n",  # cyrillic small letter pe
    "\u0440": "p",  # cyrillic small letter er
    "\u0441": "c",  # cyrillic small letter es
    "\u0442": "t",  # cyrillic small letter te
    "\u0443": "y",  # cyrillic small letter u
    "\u0445": "x",  # cyrillic small letter ha
    "\u0455": "s",  # cyrillic small letter dze
    "\u0501": "d",  # cyrillic small letter komi de
    "\u051b": "q",  # cyrillic small letter qa
    "\u051d": "w",  # cyrillic small letter we
    "\u04bb": "h",  # cyrillic small letter shha
    "\u04af": "y",  # cyrillic small letter straight u
    "\u04cf": "l",  # cyrillic small letter palochka
    "\u044c": "b",  # cyrillic small letter soft sign
    "\u0461": "w",  # cyrillic small letter omega
    # Greek
    "\u03b1": "a",  # greek small letter alpha
    "\u03b2": "b",  # greek small letter beta
    "\u03b3": "y",  # greek small letter gamma
    "\u03b5": "e",  # greek small letter epsilon
    "\u03b7": "n",  # greek small letter eta
    "\u03b9": "l",  # greek small letter iota
    "\u03ba": "k",  # greek small letter kappa
    "\u03bd": "v",  # greek small letter nu
    "\u03bf": "o",  # greek small letter omicron
    "\u03c1": "p",  # greek small letter rho
    "\u03c4": "t",  # greek small letter tau
    "\u03c5": "u",  # greek small letter upsilon
    "\u03c7": "x",  # greek small letter chi
    "\u03c9": "w",  # greek small letter omega
    "\u03f2": "c",  # greek lunate sigma symbol
    "\u03f3": "j",  # greek letter yot
    # Latin and digits that pass for one another
    "0": "o",  # digit zero
    "1": "l",  # digit one
    "i": "l",  # latin small letter i
    "\u0131": "l",  # latin small letter dotless i
    "|": "l",  # vertical line
    "\u01c0": "l",  # latin letter dental click
    "\u0251": "a",  # latin small letter alpha
    "\u0261": "g",  # latin small letter script g
    "\u2113": "l",  # script small l
}
_SEQUENCES = (("rn", "m"), ("vv", "w"))  # two letters that read as one


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
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _INVISIBLE
           for ch in name):
        raise NameRefused("A display name cannot contain control or invisible characters.",
                          "has control or invisible characters")
    return name


def name_key(name):
    """What makes two display names the same: the look-alike skeleton of ``name``.

    NFKC folds width and compatibility forms ("Ａｎｎ" is "Ann"), casefold the case;
    then the accents go (NFD, combining marks dropped: "Ánn" is "Ann"), every letter of
    :data:`CONFUSABLES` becomes the one it passes for, white space goes, and "rn" reads
    as "m". Used to keep names unique in a live room and to make a removal stick.
    """
    text = unicodedata.normalize("NFKC", name if isinstance(name, str) else "").casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch) and not ch.isspace()
                   and unicodedata.category(ch) not in _REFUSED_CATEGORIES
                   and ch not in _INVISIBLE)
    text = "".join(CONFUSABLES.get(ch, ch) for ch in text)
    for pair, single in _SEQUENCES:
        text = text.replace(pair, single)
    return text
