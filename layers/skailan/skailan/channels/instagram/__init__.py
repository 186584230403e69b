"""Instagram messaging: the Messenger Platform shape with `object: instagram`."""

from typing import TYPE_CHECKING

from skailan.channels.lazy import lazy_attributes
from skailan.channels.messenger.inbound import parse
from skailan.channels.meta.verify import verify_handshake, verify_signature

if TYPE_CHECKING:
    from skailan.channels.messenger.outbound import InstagramSender

__getattr__ = lazy_attributes(__name__, {"InstagramSender": "skailan.channels.messenger.outbound"})
__all__ = ["InstagramSender", "parse", "verify_handshake", "verify_signature"]
