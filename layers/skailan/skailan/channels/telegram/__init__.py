"""Telegram Bot API: verify (secret-token header), parse (Update), send (`TelegramSender`)."""

from typing import TYPE_CHECKING

from skailan.channels.lazy import lazy_attributes
from skailan.channels.telegram.inbound import message_ref, parse
from skailan.channels.telegram.verify import verify_secret_token

if TYPE_CHECKING:
    from skailan.channels.telegram.outbound import TelegramSender

__getattr__ = lazy_attributes(__name__, {"TelegramSender": "skailan.channels.telegram.outbound"})
__all__ = ["TelegramSender", "message_ref", "parse", "verify_secret_token"]
