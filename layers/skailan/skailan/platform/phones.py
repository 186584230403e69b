"""Phone numbers: one canonical E.164 form per line, and one key to match people by.

Canonical form (`normalize_phone`) is what we store and send to; it is always a number
`phonenumbers` considers *valid* (not merely possible). Latin-American quirks handled:

* **Mexico**: the old mobile prefix `1` after `+52` (`+52 1 55 1234 5678`, WhatsApp wa_id
  `5215512345678`) and the retired national prefixes `044`/`045`/`01` are dropped, since
  2019 every MX number is 10 digits: canonical `+525512345678`.
* **Argentina**: mobiles keep the international `9` (`+54 9 11 1234 5678`); the national
  forms `011 15 1234-5678` and `+54 11 15 1234 5678` resolve to it (phonenumbers strips
  the `15`). The same subscriber written as a fixed line (`+54 11 1234 5678`) stays as is
  because it is a valid fixed-line number — `phone_match_key` makes both meet.
* **Brazil**: WhatsApp still reports some old mobiles without the ninth digit
  (`551181234567`); when that form is invalid and adding the 9 gives a valid mobile we add it.

Matching uses ONE key per number (`phone_match_key`), not several: a single key means one
identity item per phone, one conditional put to keep it unique and one GetItem to find
it. The key equals the canonical form except for Argentina, where the mobile `9` is removed
so `+5491112345678` and `+541112345678` (the same line written with and without the mobile
marker — AR fixed and mobile numbering never share a subscriber number) collide. The key is
for lookups only; never send to it.

Extensions (`ext 12`) are dropped: E.164 cannot carry them and the line is what identifies
a person.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

from skailan.platform.errors import Unprocessable
from skailan.platform.i18n import both

_REASONS: dict[str, tuple[str, str]] = {
    "empty": ("El teléfono está vacío", "The phone number is empty"),
    "not_a_number": ("El teléfono no parece un número", "The phone number does not look like a number"),
    "too_short": ("El teléfono es demasiado corto", "The phone number is too short"),
    "too_long": ("El teléfono es demasiado largo", "The phone number is too long"),
    "invalid_country_code": ("El código de país no existe", "The country code does not exist"),
    "missing_country": (
        "Falta el código de país (use +código)",
        "The country code is missing (use +code)",
    ),
    "invalid_number": (
        "El número no es válido para su país (¿falta el código de área?)",
        "The number is not valid for its country (missing area code?)",
    ),
}

_MAX_RAW = 64  # a phone cell longer than this is not a phone; refuse before parsing


class InvalidPhone(Unprocessable):
    """A phone that cannot be normalised; `reason` is a stable code (see `_REASONS`)."""

    code = "invalid_phone"

    def __init__(self, reason: str, *, field: str = "phone") -> None:
        es, en = _REASONS[reason]
        super().__init__(both(es, en), details=[{"field": field, "error": reason, "message": both(es, en)}])
        self.reason = reason
        self.message_es = es
        self.message_en = en


def normalize_phone(raw: str, default_country: str | None, *, field: str = "phone") -> str:
    """`raw` as canonical E.164, reading national formats with the brand's `default_country`.

    `default_country` is an ISO 3166 alpha-2 code (`CO`, `MX`…); `None` accepts only
    international numbers (`+…` or `00…`). Raises `InvalidPhone` naming the reason.
    """
    region = _region(default_country)
    text = _clean(raw)
    if not text:
        raise InvalidPhone("empty", field=field)
    if len(text) > _MAX_RAW or not any(ch.isdigit() for ch in text):
        raise InvalidPhone("not_a_number", field=field)

    first_error: str | None = None
    for candidate, cand_region in _candidates(text, region):
        try:
            number = phonenumbers.parse(candidate, cand_region)
        except NumberParseException as err:
            first_error = first_error or _parse_error_reason(err, region)
            continue
        if phonenumbers.is_valid_number(number) or phonenumbers.is_valid_number(number := _fix_latam(number)):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        first_error = first_error or _invalid_reason(number)
    raise InvalidPhone(first_error or "invalid_number", field=field)


def phone_from_whatsapp_id(wa_id: str) -> str:
    """The canonical phone of a WhatsApp `wa_id` (digits with country code, no `+`)."""
    digits = (wa_id or "").strip()
    if not re.fullmatch(r"\d{8,15}", digits):
        raise InvalidPhone("not_a_number", field="wa_id")
    return normalize_phone("+" + digits, None, field="wa_id")


def phone_match_key(e164: str) -> str:
    """The single key people are matched by (see module doc). Input must be canonical."""
    if e164.startswith("+549") and len(e164) == 14:  # +54 9 + 10-digit national number
        return "+54" + e164[4:]
    return e164


def phone_digits(text: str) -> str:
    """Only the ASCII digits of `text` (used for loose phone comparisons in segments)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if "0" <= ch <= "9")


# --- internals -------------------------------------------------------------------------


def supported_region(code: str) -> bool:
    """An ISO 3166 alpha-2 code phone numbers can be read in (what a brand's default country may be)."""
    return code in phonenumbers.SUPPORTED_REGIONS


def _region(default_country: str | None) -> str | None:
    if not default_country:
        return None
    region = default_country.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        # Validated where brands are configured; a bad stored value must not break whoever reads
        # phones (ingestion above all): only international numbers are read then.
        from skailan.platform.observability import logger

        logger.warning("unknown default country; reading international numbers only", country=default_country)
        return None
    return region


def _clean(raw: str) -> str:
    # NFKC turns full-width digits and plus signs into ASCII; zero-width and BOM characters
    # come from copy-paste and are dropped.
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text).strip()
    if text.lower().startswith("tel:"):
        text = text[4:].strip()
    return text


def _candidates(text: str, region: str | None) -> list[tuple[str, str | None]]:
    """Readings of `text` to try, most likely first."""
    out: list[tuple[str, str | None]] = []
    if text.startswith("00"):
        # "0057 300…" is how people write +57 everywhere, but phonenumbers reads some
        # regions' 00X carrier-select prefixes (CO: 005/007/009) first; try "+" first.
        out.append(("+" + text[2:], None))
    out.append((text, region))
    digits = phone_digits(text)
    if not text.startswith(("+", "00")) and len(digits) >= 11:
        # A foreign number stored without its "+" (common in exports and wa_ids).
        out.append(("+" + digits, None))
    return out


def _fix_latam(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    """Rewrite an invalid number in the MX or BR legacy forms described in the module doc."""
    nsn = phonenumbers.national_significant_number(number)
    if number.country_code == 52:
        for pattern in (r"1(\d{10})", r"04[45](\d{10})", r"01(\d{10})"):
            m = re.fullmatch(pattern, nsn)
            if m:
                return phonenumbers.parse("+52" + m.group(1), None)
    if number.country_code == 55 and re.fullmatch(r"\d{2}[6-9]\d{7}", nsn):
        fixed = phonenumbers.parse(f"+55{nsn[:2]}9{nsn[2:]}", None)
        if phonenumbers.number_type(fixed) == PhoneNumberType.MOBILE:
            return fixed
    return number


def _invalid_reason(number: phonenumbers.PhoneNumber) -> str:
    result = phonenumbers.is_possible_number_with_reason(number)
    return {
        ValidationResult.TOO_SHORT: "too_short",
        ValidationResult.TOO_LONG: "too_long",
        ValidationResult.INVALID_COUNTRY_CODE: "invalid_country_code",
    }.get(result, "invalid_number")


def _parse_error_reason(err: NumberParseException, region: str | None) -> str:
    if err.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        return "invalid_country_code" if region else "missing_country"
    if err.error_type in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return "too_short"
    if err.error_type == NumberParseException.TOO_LONG:
        return "too_long"
    return "not_a_number"
