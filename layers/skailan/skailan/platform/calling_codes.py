"""The country of a phone number by its calling code (WhatsApp prices and campaign sends are per
country). OTHER (`*`) is any country the table does not list: the price table's fallback row."""

from __future__ import annotations

OTHER = "*"

# Calling code → country (longest prefix wins). Countries not listed are priced as OTHER.
CALLING_CODES: dict[str, str] = {
    "1": "US", "7": "RU", "20": "EG", "27": "ZA", "30": "GR", "31": "NL", "32": "BE", "33": "FR", "34": "ES",
    "39": "IT", "40": "RO", "41": "CH", "43": "AT", "44": "GB", "45": "DK", "46": "SE", "47": "NO", "48": "PL",
    "49": "DE", "51": "PE", "52": "MX", "53": "CU", "54": "AR", "55": "BR", "56": "CL", "57": "CO", "58": "VE",
    "60": "MY", "61": "AU", "62": "ID", "63": "PH", "64": "NZ", "65": "SG", "66": "TH", "81": "JP", "82": "KR",
    "84": "VN", "86": "CN", "90": "TR", "91": "IN", "92": "PK", "234": "NG", "351": "PT", "353": "IE",
    "502": "GT", "503": "SV", "504": "HN", "505": "NI", "506": "CR", "507": "PA", "591": "BO", "593": "EC",
    "595": "PY", "598": "UY", "971": "AE", "966": "SA", "972": "IL",
}


def country_of(phone: str | None) -> str:
    """ISO country of an E.164 number / WhatsApp id by its calling code; OTHER when unknown."""
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    for length in (3, 2, 1):
        if digits[:length] in CALLING_CODES:
            return CALLING_CODES[digits[:length]]
    return OTHER
