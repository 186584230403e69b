"""Phone numbers: the rules live in `skailan.platform.phones` (tenancy validates a brand's default
country with them, and platform may not import a context); the CRM reads them from here."""

from skailan.platform.phones import (
    InvalidPhone,
    normalize_phone,
    phone_digits,
    phone_from_whatsapp_id,
    phone_match_key,
    supported_region,
)

__all__ = ["InvalidPhone", "normalize_phone", "phone_digits", "phone_from_whatsapp_id", "phone_match_key",
           "supported_region"]
