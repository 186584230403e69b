"""Facebook Messenger: verify (Meta signature and handshake), parse, send (`MessengerSender`).

The parser also reads Instagram payloads (same Messenger Platform shape); see
`skailan.channels.instagram`.
"""

from typing import TYPE_CHECKING

from skailan.channels.lazy import lazy_attributes
from skailan.channels.messenger.inbound import parse
from skailan.channels.meta.verify import verify_handshake, verify_signature

if TYPE_CHECKING:
    from skailan.channels.messenger.outbound import MessengerSender

__getattr__ = lazy_attributes(__name__, {"MessengerSender": "skailan.channels.messenger.outbound"})
__all__ = ["MessengerSender", "parse", "verify_handshake", "verify_signature"]
