"""Who may open a room and who may try codes: limits that no one outside the team can trip.

Two things a stranger must not be able to do to a team:

* fill the server with rooms, so the real host is refused: a browser may keep a few rooms
  open, an address may open a number an hour, and when the server is full, rooms that
  serve no one (finished, empty and unattended, or long quiet) make way for new ones;
* lock a whole office out with wrong codes: only requests a person sent from our own
  pages count (a cross-site ``<img src=/live/WRONG>`` cannot), a browser's own typos
  block that browser, and a whole address is blocked only after many more.

Addresses and browsers are opaque strings here; the web layer says which is which.
Times are passed in (``clock``, ``now``), so tests drive them.
"""

import threading
import time
from collections import deque
from dataclasses import dataclass

from trainer.live.rooms import FINISHED, RoomError

BROWSER_ROOMS_MAX = 5  # open (not finished) rooms one browser hosts at a time
ADDRESS_CREATES_PER_HOUR = 20
EMPTY_AFTER = 10 * 60  # no one joined, no host screen open: freed when the server is full
QUIET_AFTER = 60 * 60  # no change and no host screen: freed when the server is full

WRONG_CODES_PER_BROWSER = 10  # a minute
WRONG_CODES_PER_ADDRESS = 100  # a minute: a whole office behind one NAT or proxy
WRONG_CODES_FROM_OTHER_SITES = 300  # a minute, per address, counted apart
WRONG_CODE_WINDOW = 60


class WindowCounter:
    """Events per key in a sliding window; at most ``max_keys`` keys, oldest forgotten."""

    def __init__(self, limit, window, clock=time.monotonic, max_keys=10000):
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._events = {}

    def _recent(self, key, now):
        events = self._events.get(key)
        if events is None:
            return None
        while events and now - events[0] > self.window:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def count(self, key):
        events = self._recent(key, self.clock())
        return len(events) if events else 0

    def full(self, key):
        return key is not None and self.count(key) >= self.limit

    def add(self, key):
        if key is None:
            return
        now = self.clock()
        events = self._recent(key, now)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._events.pop(next(iter(self._events)))
            events = self._events[key] = deque()
        events.append(now)


@dataclass(frozen=True)
class Caller:
    """Who sent a request, as far as limits care.

    ``browser`` is an opaque id of the signed session cookie (None without one);
    ``first_party`` says the request came from our own pages or the address bar, not
    from another site (``Sec-Fetch-Site``).
    """

    address: str
    browser: str | None = None
    first_party: bool = True


class JoinThrottle:
    """Wrong codes (and wrong hand-over links) per browser, per address, from other sites.

    A request from our own pages counts against its browser (strict) and its address
    (generous: a typo-prone teammate must not lock out the office). A request another
    site made the browser send counts only in a bucket of its own, which blocks only such
    requests: a page full of ``<img src=/live/WRONG>`` changes nothing for anyone who
    types a code or follows a link from our pages.
    """

    def __init__(self, clock=time.monotonic, window=WRONG_CODE_WINDOW,
                 per_browser=WRONG_CODES_PER_BROWSER, per_address=WRONG_CODES_PER_ADDRESS,
                 from_other_sites=WRONG_CODES_FROM_OTHER_SITES, max_keys=10000):
        self.browsers = WindowCounter(per_browser, window, clock, max_keys)
        self.addresses = WindowCounter(per_address, window, clock, max_keys)
        self.other_sites = WindowCounter(from_other_sites, window, clock, max_keys)
        self._guard = threading.Lock()

    def blocked(self, caller):
        """Why ``caller`` must wait ("browser", "address", "other_sites"), or None."""
        with self._guard:
            if not caller.first_party:
                return "other_sites" if self.other_sites.full(caller.address) else None
            if self.browsers.full(caller.browser):
                return "browser"
            if self.addresses.full(caller.address):
                return "address"
            return None

    def fail(self, caller):
        with self._guard:
            if not caller.first_party:
                self.other_sites.add(caller.address)
                return
            self.browsers.add(caller.browser)
            self.addresses.add(caller.address)


BLOCKED_MESSAGES = {
    "browser": "Too many wrong session codes from this browser. Wait a minute, then check "
               "the code with your host.",
    "address": "Too many wrong session codes from your network in the last minute. Wait a "
               "minute, then check the code with your host.",
    "other_sites": "Too many links to sessions that do not exist came from other sites on "
                   "your network. Open the trainer and type the code under Team session.",
}


class CreateLimits:
    """How many rooms a browser keeps open and an address opens an hour."""

    def __init__(self, clock=time.monotonic, per_browser=BROWSER_ROOMS_MAX,
                 per_address_hour=ADDRESS_CREATES_PER_HOUR):
        self.per_browser = per_browser
        self.created = WindowCounter(per_address_hour, 3600, clock)
        self._guard = threading.Lock()

    def check(self, address, open_rooms):
        """RoomError (429) when ``address`` or a browser with ``open_rooms`` may not create."""
        if open_rooms >= self.per_browser:
            raise RoomError(f"You have {open_rooms} live sessions open; finish one first "
                            "(End session on its host screen).", 429)
        with self._guard:
            if self.created.full(address):
                raise RoomError("Too many sessions were opened from your network in the "
                                "last hour. Finish one, or try again later.", 429)

    def opened(self, address):
        with self._guard:
            self.created.add(address)


def freeable(room, now):
    """How readily ``room`` makes way for a new one on a full server: a sort key, or None.

    Finished rooms go first, then rooms no one joined whose host screen has been closed
    for EMPTY_AFTER, then rooms with nothing happening and no host screen for QUIET_AFTER;
    within each, the longest quiet first. A room anyone still uses is never freed.
    """
    quiet_since = max(room.updated_at, room.host_seen_at)
    quiet = now - quiet_since
    if room.state == FINISHED:
        return (0, quiet_since)
    if not room.participants and quiet >= EMPTY_AFTER:
        return (1, quiet_since)
    if quiet >= QUIET_AFTER:
        return (2, quiet_since)
    return None
