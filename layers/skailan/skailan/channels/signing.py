"""Constant-time comparisons and HMACs shared by every webhook verifier."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _bytes(value: str | bytes) -> bytes:
    # hmac.compare_digest refuses non-ASCII str, so compare the UTF-8 bytes instead.
    return value if isinstance(value, bytes) else value.encode("utf-8")


def constant_time_equal(left: str | bytes, right: str | bytes) -> bool:
    return hmac.compare_digest(_bytes(left), _bytes(right))


def hmac_sha256_hex(key: str | bytes, data: str | bytes) -> str:
    return hmac.new(_bytes(key), _bytes(data), hashlib.sha256).hexdigest()


def hmac_sha1_base64(key: str | bytes, data: str | bytes) -> str:
    return base64.b64encode(hmac.new(_bytes(key), _bytes(data), hashlib.sha1).digest()).decode("ascii")
