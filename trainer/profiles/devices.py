"""The browsers attached to one profile, and the one-time links that attach another.

A profile is anonymous: its id lives in a browser's signed cookie, so a phone would
start an empty profile of its own. A browser that already holds the profile offers a
link (and QR code); the new browser confirms it by POST within ten minutes, once, and
its cookie then names the same profile.

Each cookie also carries a device id. The profile's settings keep

* ``devices``: one record per browser (``id``, a short ``name`` from its User-Agent,
  ``added`` and ``seen`` times), ``seen`` written at most once a minute, so a busy
  browser costs one small write a minute, never one per request;
* ``unlinked``: ids of browsers that were unlinked. A cookie naming one is refused for
  good (the request kit gives that browser a fresh, empty profile);
* ``device_links``: pending links, by the SHA-256 of their secret (the file never holds
  a secret that works).

Everything here holds the profile's lock for a whole read-change-write, so two
browsers of one profile never lose each other's change.
"""

import hashlib
import hmac
import re
import secrets

DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{12,32}$")
LINK_SECRET = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
LINK_TTL = 10 * 60  # a link works once, within ten minutes
SEEN_EVERY = 60  # seconds between two writes of one browser's "last seen"
DEVICES_MAX = 20  # browsers listed; past it the one seen longest ago drops off the list
UNLINKED_MAX = 200  # refused ids kept (a profile unlinks far fewer browsers than this)
LINKS_MAX = 5  # pending links; a sixth replaces the oldest
NAME_MAX = 40


def new_device_id():
    return secrets.token_urlsafe(12)


def browser_name(user_agent):
    """A short name for a browser from its User-Agent: "Firefox on Android"."""
    ua = (user_agent or "")[:512]
    browsers = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
                ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"),
                ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
    systems = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
               ("CrOS", "ChromeOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"),
               ("Macintosh", "macOS"), ("Linux", "Linux"))
    browser = next((name for mark, name in browsers if mark in ua), "")
    system = next((name for mark, name in systems if mark in ua), "")
    if browser and system:
        name = f"{browser} on {system}"
    else:
        name = browser or system or "Unknown browser"
    return name[:NAME_MAX]


def devices(profile):
    """The profile's browsers, the one seen most recently first."""
    listed = [d for d in profile.settings.get("devices", ()) if _is_device(d)]
    return sorted(listed, key=lambda d: d["seen"], reverse=True)


def is_unlinked(profile, device_id):
    return device_id in profile.settings.get("unlinked", ())


def seen(profile, device_id, user_agent, now):
    """Note that ``device_id`` used ``profile`` now; True when that was written.

    A listed browser seen less than :data:`SEEN_EVERY` seconds ago writes nothing.
    An unlinked one is never listed again.
    """
    listed = _find(profile.settings.get("devices", ()), device_id)
    if listed is not None and now - listed["seen"] < SEEN_EVERY:
        return False
    with profile.lock:
        settings = profile.settings
        if device_id in settings.get("unlinked", ()):
            return False
        records = [d for d in settings.get("devices", ()) if _is_device(d)]
        listed = _find(records, device_id)
        if listed is not None and now - listed["seen"] < SEEN_EVERY:
            return False
        if listed is None:
            records.append({"id": device_id, "name": browser_name(user_agent),
                            "added": now, "seen": now})
            records.sort(key=lambda d: d["seen"], reverse=True)
            records = records[:DEVICES_MAX]
        else:
            records = [{**d, "seen": now} if d["id"] == device_id else d for d in records]
        profile.update_settings(devices=records)
        return True


def unlink(profile, device_id):
    """Detach a browser for good; False when the profile does not list it."""
    with profile.lock:
        settings = profile.settings
        records = [d for d in settings.get("devices", ()) if _is_device(d)]
        if _find(records, device_id) is None:
            return False
        unlinked = [*settings.get("unlinked", ()), device_id][-UNLINKED_MAX:]
        profile.update_settings(devices=[d for d in records if d["id"] != device_id],
                                unlinked=unlinked)
        return True


def offer_link(profile, now):
    """A new one-time secret that attaches another browser to ``profile``."""
    secret = secrets.token_urlsafe(24)
    with profile.lock:
        pending = [link for link in _pending(profile) if link["until"] > now]
        pending.append({"hash": _hash(secret), "until": now + LINK_TTL})
        profile.update_settings(device_links=pending[-LINKS_MAX:])
    return secret


def link_is_open(profile, secret, now):
    """Whether ``secret`` is a pending link of ``profile`` (the confirm page asks)."""
    return _matching(profile, secret, now) is not None


def take_link(profile, secret, now):
    """Use up ``secret``: True once for a pending, unexpired link, then False."""
    with profile.lock:
        link = _matching(profile, secret, now)
        if link is None:
            return False
        profile.update_settings(device_links=[
            other for other in _pending(profile)
            if other is not link and other["until"] > now])
        return True


def _matching(profile, secret, now):
    if not (isinstance(secret, str) and LINK_SECRET.match(secret)):
        return None
    digest = _hash(secret)
    for link in _pending(profile):
        if hmac.compare_digest(link["hash"], digest) and now <= link["until"]:
            return link
    return None


def _pending(profile):
    return [link for link in profile.settings.get("device_links", ())
            if isinstance(link, dict) and isinstance(link.get("hash"), str)
            and isinstance(link.get("until"), (int, float))]


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _find(records, device_id):
    return next((d for d in records if isinstance(d, dict) and d.get("id") == device_id), None)


def _is_device(record):
    return (isinstance(record, dict) and isinstance(record.get("id"), str)
            and isinstance(record.get("name"), str)
            and isinstance(record.get("seen"), (int, float)))
