"""A CSRF token of any shape is refused with 400 and the usual message, never a 500."""

import pytest

MESSAGE = "The form expired or came from another site"


@pytest.mark.parametrize("sent", ["tökén", "é" * 43, "\u2603", "a b", "x" * 5000, "x" * 3])
def test_a_malformed_token_in_the_field_is_a_400(client, csrf, sent):
    response = client.post("/practice/sample/q1/star", data={"csrf_token": sent})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("sent", ["tökén", "\xff" * 43, "ab\x7f" * 15])
def test_a_malformed_token_in_the_header_is_a_400(client, csrf, sent):
    response = client.post("/practice/sample/q1/star", headers={"X-CSRF-Token": sent})
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)


def test_the_right_token_still_passes(client, csrf):
    assert client.post("/practice/sample/q1/star", data={"csrf_token": csrf},
                       headers={"HX-Request": "true"}).status_code == 200
