"""A profile's study settings, validated here once, so the profile page, the scheduler
and Review mode agree on the bounds and the defaults.

* desired retention and the FSRS parameters (default, or fitted to the profile's own
  history by the optimizer) make the profile's scheduler;
* learning and relearning steps (as Anki: 1m 10m, and 10m), and the learn-ahead window
  within which a learning card is shown early when nothing else is left (20 min);
* the daily limits: new questions (20) and reviews (200);
* leeches: a card that lapses ``leech_threshold`` times (8) is tagged a leech, and
  suspended too when ``leech_action`` is "suspend".
"""

import math
import re

from trainer.study.scheduling import (
    DEFAULT_LEARNING_STEPS,
    DEFAULT_RELEARNING_STEPS,
    scheduler_for,
)

RETENTION_DEFAULT = 0.9
RETENTION_MIN, RETENTION_MAX = 0.70, 0.97
NEW_LIMIT_DEFAULT = 20
NEW_LIMIT_MAX = 500
REVIEW_LIMIT_DEFAULT = 200
REVIEW_LIMIT_MAX = 9999
LEARN_AHEAD_DEFAULT = 20  # minutes, as Anki
LEARN_AHEAD_MAX = 24 * 60
STEPS_MAX = 10
STEP_MAX_SECONDS = 7 * 86400
LEECH_THRESHOLD_DEFAULT = 8
LEECH_THRESHOLD_MAX = 99
LEECH_ACTIONS = ("tag", "suspend")
PARAMETER_COUNT = 21  # FSRS-6
_STEP = re.compile(r"^(\d{1,6})([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(ValueError):
    """A setting outside its bounds; the message says what is allowed."""


def desired_retention(profile):
    value = profile.settings.get("desired_retention", RETENTION_DEFAULT)
    return value if RETENTION_MIN <= value <= RETENTION_MAX else RETENTION_DEFAULT


def new_limit(profile):
    return profile.from_settings("new_limit", lambda: _new_limit(profile.settings))


def _new_limit(settings):
    value = settings.get("new_per_day", NEW_LIMIT_DEFAULT)
    return value if isinstance(value, int) and 0 <= value <= NEW_LIMIT_MAX else NEW_LIMIT_DEFAULT


def review_limit(profile):
    value = profile.settings.get("reviews_per_day", REVIEW_LIMIT_DEFAULT)
    return (value if isinstance(value, int) and 0 <= value <= REVIEW_LIMIT_MAX
            else REVIEW_LIMIT_DEFAULT)


def learn_ahead_seconds(profile):
    return profile.from_settings("learn_ahead", lambda: _learn_ahead(profile.settings))


def _learn_ahead(settings):
    value = settings.get("learn_ahead_minutes", LEARN_AHEAD_DEFAULT)
    ok = isinstance(value, int) and 0 <= value <= LEARN_AHEAD_MAX
    return (value if ok else LEARN_AHEAD_DEFAULT) * 60


def _steps(profile, key, default):
    value = profile.settings.get(key)
    if (isinstance(value, list) and len(value) <= STEPS_MAX
            and all(isinstance(v, int) and 1 <= v <= STEP_MAX_SECONDS for v in value)):
        return tuple(value)
    return default


def learning_steps(profile):
    return _steps(profile, "learning_steps", DEFAULT_LEARNING_STEPS)


def relearning_steps(profile):
    return _steps(profile, "relearning_steps", DEFAULT_RELEARNING_STEPS)


def fsrs_parameters(profile):
    """The profile's fitted FSRS parameters, or None for FSRS's defaults."""
    value = profile.settings.get("fsrs_parameters")
    return tuple(value) if valid_parameters(value) else None


def valid_parameters(value):
    return (isinstance(value, list | tuple) and len(value) == PARAMETER_COUNT
            and all(isinstance(v, int | float) and not isinstance(v, bool)
                    and math.isfinite(v) for v in value))


def leech_threshold(profile):
    value = profile.settings.get("leech_threshold", LEECH_THRESHOLD_DEFAULT)
    ok = isinstance(value, int) and 1 <= value <= LEECH_THRESHOLD_MAX
    return value if ok else LEECH_THRESHOLD_DEFAULT


def leech_action(profile):
    value = profile.settings.get("leech_action", LEECH_ACTIONS[0])
    return value if value in LEECH_ACTIONS else LEECH_ACTIONS[0]


def scheduler_for_profile(profile):
    """The FSRS scheduler of this profile: its retention, parameters and steps."""
    return profile.from_settings("scheduler", lambda: scheduler_for(
        desired_retention(profile), fsrs_parameters(profile), learning_steps(profile),
        relearning_steps(profile)))


def parse_retention(raw):
    """Desired retention from a form: a percentage (70-97) or a fraction (0.70-0.97)."""
    try:
        value = float(str(raw).strip().rstrip("%"))
    except ValueError:
        raise SettingsError("Desired retention must be a number, e.g. 90 (%).") from None
    if value > 1:
        value /= 100
    value = round(value, 2)
    if not RETENTION_MIN <= value <= RETENTION_MAX:
        raise SettingsError(f"Desired retention must be between {RETENTION_MIN:.0%} and "
                            f"{RETENTION_MAX:.0%}.")
    return value


def parse_new_limit(raw):
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise SettingsError("The daily new-question limit must be a whole number.") from None
    if not 0 <= value <= NEW_LIMIT_MAX:
        raise SettingsError(f"The daily new-question limit must be 0 to {NEW_LIMIT_MAX}.")
    return value


def parse_whole_setting(raw, low, high, what):
    """A whole-number setting from a form, from ``low`` to ``high``."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        raise SettingsError(f"{what} must be a whole number from {low} to {high}.")
    value = int(text)
    if not low <= value <= high:
        raise SettingsError(f"{what} must be a whole number from {low} to {high}.")
    return value


def parse_steps(raw, what="Learning steps"):
    """Steps as Anki writes them ("1m 10m", "30s", "1h 1d"), as a tuple of seconds."""
    parts = str(raw).replace(",", " ").split()
    if not parts or len(parts) > STEPS_MAX:
        raise SettingsError(f"{what}: give 1 to {STEPS_MAX} steps such as 1m 10m.")
    seconds = []
    for part in parts:
        match = _STEP.match(part.lower())
        value = int(match.group(1)) * _UNIT[match.group(2)] if match else 0
        if not 1 <= value <= STEP_MAX_SECONDS:
            raise SettingsError(f"{what}: '{part[:12]}' is not a step such as 30s, 10m, 1h "
                                "or 1d (at most 7d).")
        seconds.append(value)
    return tuple(seconds)


def format_steps(seconds):
    """Steps as a person writes them: (60, 600) is "1m 10m"."""
    out = []
    for value in seconds:
        for unit in ("d", "h", "m"):
            if value % _UNIT[unit] == 0:
                out.append(f"{value // _UNIT[unit]}{unit}")
                break
        else:
            out.append(f"{value}s")
    return " ".join(out)


def parse_study_settings(form):
    """The study settings a profile form sends, validated: a dict of changes.

    Retention and the new-question limit are always sent; the rest are optional (a form
    that leaves one out, such as an older page, keeps what the profile has).
    """
    changes = {"desired_retention": parse_retention(form.get("retention", "")),
               "new_per_day": parse_new_limit(form.get("new_per_day", ""))}
    optional = {
        "reviews_per_day": lambda raw: parse_whole_setting(
            raw, 0, REVIEW_LIMIT_MAX, "The daily review limit"),
        "learn_ahead_minutes": lambda raw: parse_whole_setting(
            raw, 0, LEARN_AHEAD_MAX, "Learn ahead (minutes)"),
        "learning_steps": lambda raw: list(parse_steps(raw, "Learning steps")),
        "relearning_steps": lambda raw: list(parse_steps(raw, "Relearning steps")),
        "leech_threshold": lambda raw: parse_whole_setting(
            raw, 1, LEECH_THRESHOLD_MAX, "The leech threshold"),
        "leech_action": _parse_leech_action,
    }
    for name, parse in optional.items():
        if name in form:
            changes[name] = parse(form.get(name, ""))
    return changes


def _parse_leech_action(raw):
    if raw not in LEECH_ACTIONS:
        raise SettingsError("A leech is either tagged, or tagged and suspended.")
    return raw


def study_settings(profile):
    """The study settings as the profile form shows them."""
    return {
        "reviews_per_day": review_limit(profile),
        "learn_ahead_minutes": learn_ahead_seconds(profile) // 60,
        "learning_steps": format_steps(learning_steps(profile)),
        "relearning_steps": format_steps(relearning_steps(profile)),
        "leech_threshold": leech_threshold(profile),
        "leech_action": leech_action(profile),
    }
