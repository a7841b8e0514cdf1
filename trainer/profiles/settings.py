"""A profile's study settings: desired retention and the daily limit of new questions.

Both are validated here, once, so the profile page, the scheduler and Review mode agree
on the bounds and the defaults.
"""

from trainer.study.scheduling import scheduler_for

RETENTION_DEFAULT = 0.9
RETENTION_MIN, RETENTION_MAX = 0.70, 0.97
NEW_LIMIT_DEFAULT = 20
NEW_LIMIT_MAX = 500


class SettingsError(ValueError):
    """A setting outside its bounds; the message says what is allowed."""


def desired_retention(profile):
    value = profile.settings.get("desired_retention", RETENTION_DEFAULT)
    return value if RETENTION_MIN <= value <= RETENTION_MAX else RETENTION_DEFAULT


def new_limit(profile):
    value = profile.settings.get("new_per_day", NEW_LIMIT_DEFAULT)
    return value if isinstance(value, int) and 0 <= value <= NEW_LIMIT_MAX else NEW_LIMIT_DEFAULT


def scheduler_for_profile(profile):
    """The FSRS scheduler that aims at this profile's desired retention."""
    return scheduler_for(desired_retention(profile))


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
