"""Messages a provider stamps with the same second keep their arrival order in their ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skailan.channels.models import InboundMessage, Sender
from skailan.conversations.ingest.inbound_queue import IngestEnvelope
from skailan.conversations.ingest.worker import _ordered_id


def _id(stamped: datetime, received: datetime, n: int) -> str:
    message = InboundMessage(channel="whatsapp", provider_message_id=f"wamid.{n}", timestamp=stamped, type="text",
                             text=str(n), sender=Sender(external_id="573110000305"))
    envelope = IngestEnvelope(tenant_id="demo", account_id="acc", channel="whatsapp", received_at=received,
                              via="meta", event=message)
    return _ordered_id(envelope, message)


def test_events_one_microsecond_apart_get_ids_in_that_order_at_every_offset():
    stamped = datetime(2026, 12, 7, 1, 22, 17, tzinfo=UTC)
    # 7 919 µs after the provider's second is one of the offsets where seconds as a float, times
    # a million, rounds two neighbouring microseconds down to the same order.
    for offset in (7_919, 15_838, 31_676, 63_352, 126_704, 999_999, 37_000_000):
        received = stamped + timedelta(microseconds=offset)
        ids = [_id(stamped, received + timedelta(microseconds=n), n) for n in range(8)]
        assert [_order(i) for i in ids] == [offset + n for n in range(8)]
        assert ids == sorted(ids)


def _order(ulid: str) -> int:
    """The 48 bits after the time: the order `ordered_id_at` was given."""
    return _crockford(ulid[10:]) >> 32


def _crockford(text: str) -> int:
    value = 0
    for char in text:
        value = value * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(char)
    return value
