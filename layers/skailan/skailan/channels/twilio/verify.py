"""Twilio `X-Twilio-Signature`: base64(HMAC-SHA1(auth token, URL + sorted name+value pairs)).

The URL is the exact public URL Twilio called (scheme, host, path, query). Like Twilio's own
validator, the URL is tried both with and without the default port, because Twilio is not
consistent about including it.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from skailan.channels.signing import constant_time_equal, hmac_sha1_base64
from skailan.channels.twilio.form import FormInput, form_pairs
from skailan.platform.errors import Forbidden, Unauthorized

SIGNATURE_HEADER = "X-Twilio-Signature"


def compute_signature(url: str, params: FormInput, auth_token: str) -> str:
    """The signature Twilio sends for a POST to `url` with form `params`."""
    data = url + "".join(name + value for name, value in sorted(form_pairs(params)))
    return hmac_sha1_base64(auth_token, data)


def verify_signature(url: str, params: FormInput, signature: str | None, auth_token: str) -> None:
    """Raise Unauthorized (no signature) or Forbidden (no match) unless Twilio signed this request."""
    if not auth_token:
        raise Forbidden("no Twilio auth token configured for this account", code="signature_unverifiable")
    if not signature:
        raise Unauthorized(f"missing {SIGNATURE_HEADER} header", code="signature_missing")
    pairs = form_pairs(params)
    matches = [
        constant_time_equal(compute_signature(candidate, pairs, auth_token), signature.strip())
        for candidate in _url_variants(url)
    ]
    if not any(matches):
        raise Forbidden(
            f"{SIGNATURE_HEADER} does not match the URL and parameters", code="signature_mismatch"
        )


def _url_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    try:
        port = parts.port or default_port
    except ValueError:
        return [url]
    without_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}"))
    with_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{port}")) if port else without_port
    return list(dict.fromkeys([url, without_port, with_port]))
