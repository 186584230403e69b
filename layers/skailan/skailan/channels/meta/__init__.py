"""Meta (WhatsApp Cloud API, Messenger, Instagram): one webhook URL per Meta app.

The handler calls `verify_handshake` on GET, `verify_signature` on POST, then `parse`,
which reads the payload's `object` and hands it to the WhatsApp or Messenger/Instagram
parser. Every event carries `account_ref` (phone_number_id, page id or Instagram account id)
so the handler can route it to its channel account.
"""

from skailan.channels.meta.verify import verify_handshake, verify_signature
from skailan.channels.meta.webhook import parse

__all__ = ["parse", "verify_handshake", "verify_signature"]
