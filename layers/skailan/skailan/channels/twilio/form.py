"""Twilio posts `application/x-www-form-urlencoded` bodies; read them once, keep every pair."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl

from skailan.channels.errors import PayloadError
from skailan.channels.payload import clean_text

FormInput = bytes | str | Mapping[str, str] | Sequence[tuple[str, str]]

_MAX_FIELDS = 1000


def form_pairs(body: FormInput) -> list[tuple[str, str]]:
    """Every (name, value) pair, repeated names included (the signature covers them all)."""
    if isinstance(body, Mapping):
        pairs = list(body.items())
    elif isinstance(body, bytes | str):
        try:
            text = body.decode("utf-8") if isinstance(body, bytes) else body
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
        except (UnicodeDecodeError, ValueError) as err:
            raise PayloadError(f"body is not a valid form ({type(err).__name__})") from err
    else:
        pairs = list(body)
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
            raise PayloadError("form fields must be (name, value) strings")
    return [(clean_text(name), clean_text(value)) for name, value in pairs]


def form_dict(body: FormInput) -> dict[str, str]:
    """The form as a dict (last value wins for a repeated name)."""
    return dict(form_pairs(body))
