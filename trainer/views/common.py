"""Helpers every view uses: the shared :class:`Trainer` and the visitor's profile."""

from flask import current_app, g, session

from trainer.profiles import PROFILE_ID, new_profile_id


def trainer():
    return current_app.extensions["trainer"]


def current_profile():
    """The visitor's profile, made on the first visit and kept in the signed cookie."""
    if "profile" in g:
        return g.profile
    profile_id = session.get("profile")
    if not isinstance(profile_id, str) or not PROFILE_ID.match(profile_id):
        profile_id = new_profile_id()
        session["profile"] = profile_id
        session.permanent = True
    g.profile = trainer().profiles.get(profile_id)
    return g.profile
