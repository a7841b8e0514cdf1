"""Know our own address: a request whose ``Host`` is not one of ours is refused (400).

DNS rebinding is why: a page the operator visits can point its own name at 127.0.0.1,
and the browser then sends that page's requests to us with ``Host: evil.example``. A
name is what the attack needs, so names are what is checked:

* always: the loopback names (``localhost``, ``127.0.0.1`` and the rest of 127/8,
  ``[::1]``), the address ``trainer serve --host`` was given when it is a single one,
  and every ``--allowed-host`` / ``TRAINER_ALLOWED_HOSTS``;
* with a public URL (``--public-url`` / ``TRAINER_PUBLIC_URL``): its host;
* without one: any IP address as well (a server on 0.0.0.0 is reached by its LAN
  address), since an address typed in the browser cannot be rebound.

The port is not checked unless an allowed host names one: a rebinding page controls the
name, not the port, and port mappings (``docker -p 9000:8000``, ``ssh -L``) change the
port honestly. Join links never come from ``Host`` when a public URL is set
(trainer/web/urls.py ``public_url_for``).
"""

import ipaddress

from flask import current_app, render_template, request

EXTENSION = "trainer.hosts"
MAX_REMEMBERED = 1000
ANY_ADDRESS = {"0.0.0.0", "::", "[::]", ""}  # noqa: S104 (names compared, nothing bound)


def split_host(host):
    """``"Name:8000"`` → ``("name", 8000)``; ``"[::1]"`` → ``("[::1]", None)``."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        name, _, rest = host.partition("]")
        name, port = name + "]", rest[1:] if rest.startswith(":") else ""
    elif host.count(":") == 1:
        name, _, port = host.partition(":")
    else:
        name, port = host, ""
    return name.rstrip("."), (int(port) if port.isdigit() and len(port) <= 5 else None)


def ip_of(name):
    """The address a host name spells, or None for a real name."""
    try:
        return ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return None


def is_loopback_name(name):
    """``localhost`` or a loopback address: a name that cannot point anywhere else."""
    address = ip_of(name)
    return name == "localhost" or (address is not None and address.is_loopback)


class HostRule:
    """Which ``Host`` values this app answers, decided once from the configuration."""

    def __init__(self, config):
        public = config.get("PUBLIC_URL") or ""
        self.public_name = split_host(public.split("://", 1)[-1].split("/", 1)[0])[0]
        self.any_address = not public
        self.listen = config.get("LISTEN")
        entries = [split_host(h) for h in config.get("ALLOWED_HOSTS") or ()]
        if self.public_name:
            entries.append((self.public_name, None))
        if self.listen and self.listen[0] not in ANY_ADDRESS:
            entries.append((split_host(self.listen[0])[0], None))
        self.entries = entries
        self.seen = {}

    def allows(self, host):
        answer = self.seen.get(host)
        if answer is None:
            answer = self._decide(host)
            if len(self.seen) >= MAX_REMEMBERED:
                self.seen.clear()
            self.seen[host] = answer
        return answer

    def _decide(self, host):
        name, port = split_host(host)
        if is_loopback_name(name) or (self.any_address and ip_of(name) is not None):
            return True
        return any(name == n and (p is None or p == port) for n, p in self.entries)

    def answers_as(self):
        """Our addresses in words, for the refusal page."""
        if self.public_name:
            names = [current_app.config["PUBLIC_URL"]]
        else:
            port = f":{self.listen[1]}" if self.listen else ""
            names = [f"http://127.0.0.1{port}", f"http://localhost{port}"]
            if self.listen and self.listen[0] not in ANY_ADDRESS | {"127.0.0.1"}:
                names.insert(0, f"http://{self.listen[0]}{port}")
            elif self.any_address:
                names.append(f"http://<this machine's IP address>{port}")
        skip = {self.public_name, split_host(self.listen[0])[0] if self.listen else ""}
        names += [n if p is None else f"{n}:{p}" for n, p in self.entries if n not in skip]
        return list(dict.fromkeys(names))


def rule():
    return current_app.extensions[EXTENSION]


def refuse_foreign_host():
    """``before_request`` hook, first of all: a foreign ``Host`` gets the 400 page.

    A request with no ``Host`` at all (HTTP/1.0 from a script) is no browser's, so it
    cannot be a rebinding page's: it is let through.
    """
    host = request.environ.get("HTTP_HOST")
    if host is None or rule().allows(host):
        return None
    current_app.logger.info("refused a request for host %r", host)
    return render_template("host_refused.html", host=host,
                           answers_as=rule().answers_as()), 400


def is_https():
    """The browser reached us over https: the request says so (a trusted proxy's
    ``X-Forwarded-Proto``, trainer/web/proxies.py), or it came by the https public URL."""
    if request.is_secure:
        return True
    public = current_app.config.get("PUBLIC_URL") or ""
    return (public.startswith("https://")
            and split_host(request.host)[0] == rule().public_name)


def init_app(app):
    app.extensions[EXTENSION] = HostRule(app.config)
    app.before_request(refuse_foreign_host)
