"""The fast JSON encoder writes the values the standard library would."""

import json

from trainer.storage import encode_json, open_db


def stdlib(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def test_encoding_matches_the_standard_library():
    data = {"cards": {"1": {"pack": "flask_core", "question": "q-é", "due": 1763900000.123456,
                            "fsrs": {"stability": 3.1726, "difficulty": 5.0, "step": None,
                                     "card_id": 2**62 + 5}, "tags": ["a", "b"],
                            "small": 1e-05, "ok": True}},
            "profile": {"1": {"name": "Zoë ✓ \"quoted\"\n"}}}
    assert json.loads(encode_json(data)) == json.loads(stdlib(data)) == data
    assert b" " not in encode_json({"a": [1, 2]})  # compact, like the files always were
    assert "Zoë ✓".encode() in encode_json(data)  # UTF-8, not \u escapes
    assert json.loads(encode_json({1: "int key"})) == {"1": "int key"}


def test_values_orjson_refuses_fall_back_to_the_standard_library():
    data = {"big": 2**70}  # beyond 64 bits: orjson raises, json.dumps does not
    assert encode_json(data) == stdlib(data)


def test_a_tinydb_file_round_trips(tmp_path):
    db = open_db(tmp_path / "p.json")
    db.table("cards").insert({"pack": "p", "question": "q", "due": 1.5})
    assert json.loads((tmp_path / "p.json").read_bytes())["cards"]["1"]["due"] == 1.5
