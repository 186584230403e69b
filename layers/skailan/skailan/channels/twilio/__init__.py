"""Twilio SMS/MMS: verify (X-Twilio-Signature), parse (form webhooks), send (`TwilioSender`)."""

from typing import TYPE_CHECKING

from skailan.channels.lazy import lazy_attributes
from skailan.channels.twilio.form import form_dict, form_pairs
from skailan.channels.twilio.inbound import parse
from skailan.channels.twilio.verify import compute_signature, verify_signature

if TYPE_CHECKING:
    from skailan.channels.twilio.outbound import TwilioSender

__getattr__ = lazy_attributes(__name__, {"TwilioSender": "skailan.channels.twilio.outbound"})
__all__ = ["TwilioSender", "compute_signature", "form_dict", "form_pairs", "parse", "verify_signature"]
