"""Fixtures for fast tests: an app on a temporary data folder with the sample pack."""

import re
from pathlib import Path

import pytest

from trainer import create_app

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def app(data_dir):
    return create_app({
        "DATA_DIR": data_dir,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "LOAD_ENTRY_POINTS": False,
        "PACK_DIRS": [DATA],
        "TESTING": True,
    })


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html):
    """The CSRF token a page hands to its forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


HX = {"HX-Request": "true"}


def post(client, csrf, url, **data):
    """An htmx POST of ``data`` with the session's CSRF header, as a card's buttons send."""
    return client.post(url, data=data, headers={**HX, "X-CSRF-Token": csrf})


def profile_of(app, client):
    """The profile behind ``client``'s session cookie."""
    with client.session_transaction() as session:
        profile_id = session["profile"]
    return app.extensions["trainer"].profiles.get(profile_id)


@pytest.fixture
def csrf(client):
    """A CSRF token valid for ``client``'s session (visiting home starts the session)."""
    return csrf_from(client.get("/").get_data(as_text=True))
