from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from skailan.channels import meta
from skailan.platform.errors import Forbidden, Unauthorized

SECRET = "6f1c0e7d2b9a4c3e8f5a1b2c3d4e5f60"
BODY = json.dumps({"object": "page", "entry": [{"id": "1", "time": 1, "messaging": []}]}).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_correct_signature_passes():
    meta.verify_signature(BODY, sign(BODY), SECRET)
    meta.verify_signature(
        BODY, sign(BODY).upper().replace("SHA256=", "sha256="), SECRET
    )  # hex case does not matter


@pytest.mark.parametrize(
    ("header", "error", "code"),
    [
        (None, Unauthorized, "signature_missing"),
        ("", Unauthorized, "signature_missing"),
        ("sha1=abcdef", Unauthorized, "signature_malformed"),
        (sign(BODY, secret="another-app-secret"), Forbidden, "signature_mismatch"),
        (sign(BODY + b" "), Forbidden, "signature_mismatch"),
        ("sha256=" + "0" * 64, Forbidden, "signature_mismatch"),
        ("sha256=ñandú", Forbidden, "signature_mismatch"),  # non-ASCII must not crash the compare
    ],
)
def test_a_missing_or_wrong_signature_is_refused(header, error, code):
    with pytest.raises(error) as caught:
        meta.verify_signature(BODY, header, SECRET)
    assert caught.value.code == code


def test_the_signature_covers_the_exact_bytes():
    # Re-serialising the JSON changes the bytes, so it must not verify.
    reserialised = json.dumps(json.loads(BODY), indent=2).encode()
    with pytest.raises(Forbidden):
        meta.verify_signature(reserialised, sign(BODY), SECRET)


def test_without_an_app_secret_nothing_verifies():
    with pytest.raises(Forbidden):
        meta.verify_signature(BODY, sign(BODY, secret=""), "")


def test_handshake_returns_the_challenge():
    query = {"hub.mode": "subscribe", "hub.verify_token": "tok-123", "hub.challenge": "1158201444"}
    assert meta.verify_handshake(query, "tok-123") == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "tok-123", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "tok-123"},
        {},
    ],
)
def test_handshake_refuses_anything_else(query):
    with pytest.raises(Forbidden):
        meta.verify_handshake(query, "tok-123")
