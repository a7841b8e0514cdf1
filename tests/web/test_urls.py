"""Remembered URLs are the URLs Flask builds, under any mount point."""

from flask import url_for

from trainer.web.urls import EXTENSION, cached_url_for


def test_cached_urls_equal_flask_urls(app):
    cases = [("practice.card", {"pack_id": "sample", "question_id": "q1"}),
             ("practice.card", {"pack_id": "sample", "question_id": "q1", "reveal": 1}),
             ("practice.card", {"pack_id": "sample", "question_id": "q1", "reveal": None}),
             ("static", {"filename": "app.css"}),
             ("home.index", {})]
    with app.test_request_context("/practice/sample/q1"):
        for endpoint, values in cases:
            assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)
            assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)
        assert len(app.extensions[EXTENSION]) == len(cases)


def test_the_mount_point_and_options_are_respected(app):
    with app.test_request_context("/", base_url="http://localhost/trainer"):
        assert cached_url_for("home.index") == "/trainer/"
    with app.test_request_context("/"):
        assert cached_url_for("home.index") == "/"
        assert cached_url_for("home.index", _external=True) == "http://localhost/"
        assert cached_url_for("home.index", _anchor="x") == "/#x"
        tags = ["a", "b"]  # unhashable: built by Flask, uncached
        assert cached_url_for("home.index", tags=tags) == url_for("home.index", tags=tags)


def test_blueprint_relative_endpoints_use_the_current_blueprint(app):
    with app.test_request_context("/practice/sample/q1"):
        assert cached_url_for(".card", pack_id="sample", question_id="q2") == \
            "/practice/sample/q2"


def test_templates_use_it(app):
    assert app.jinja_env.globals["url_for"] is cached_url_for
