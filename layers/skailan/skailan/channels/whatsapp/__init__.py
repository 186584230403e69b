"""WhatsApp Cloud API: verify (Meta signature and handshake), parse, send (`WhatsAppSender`)."""

from typing import TYPE_CHECKING

from skailan.channels.lazy import lazy_attributes
from skailan.channels.meta.verify import verify_handshake, verify_signature
from skailan.channels.whatsapp.inbound import parse

if TYPE_CHECKING:
    from skailan.channels.whatsapp.outbound import WhatsAppSender

__getattr__ = lazy_attributes(__name__, {"WhatsAppSender": "skailan.channels.whatsapp.outbound"})
__all__ = ["WhatsAppSender", "parse", "verify_handshake", "verify_signature"]
