"""The ingest's side of ratings (no inbox involved): a closed conversation awaiting a rating
takes a customer's 1–5 answer without re-opening, in the message's own transaction, and a
retried record writes nothing again; anything else re-opens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.channels.conftest import drain, post_meta, purge, queued, whatsapp_text


@pytest.fixture(autouse=True)
def empty_queues(demo):
    for name in ("INBOUND_QUEUE_URL", "INBOUND_DEAD_LETTER_QUEUE_URL", "OUTBOUND_QUEUE_URL"):
        purge(name)
    yield


@pytest.fixture
def published(demo):
    """The events the conversations context wrote to its table's outbox (read back from the table)."""
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    return OutboxWatch(get_settings().conversations_table)


def _closed_awaiting(wa_id: str, message_id: str, *, minutes: int = 60) -> str:
    from skailan.conversations.store import messages as store
    from skailan.conversations.store.items import ConversationItem, conversation_pk, inbox_pk
    from skailan.platform.clock import iso, utcnow

    post_meta(whatsapp_text("Hola", wa_id=wa_id, message_id=message_id))
    assert drain() == []
    conversation_id = store.find_ref("demo", "demo-whatsapp", message_id).conversation_id
    ConversationItem(conversation_pk("demo", conversation_id), "C").update(actions=[
        ConversationItem.status.set("closed"), ConversationItem.gsi1pk.set(inbox_pk("demo", "closed")),
        ConversationItem.closed_at.set(iso()), ConversationItem.rating_agent.set("u-agent"),
        ConversationItem.rating_team.set("t-support"),
        ConversationItem.awaiting_rating_until.set(iso(utcnow() + timedelta(minutes=minutes)))])
    return conversation_id


def test_a_rating_is_stored_on_the_closed_conversation_with_its_events_and_a_retry_adds_nothing(demo, published):
    from skailan.conversations.ingest import worker as ingest
    from skailan.conversations.store import messages as store

    conversation_id = _closed_awaiting("573119000001", "wamid.RATE1")
    published.mark()
    post_meta(whatsapp_text("⭐⭐⭐⭐", wa_id="573119000001", message_id="wamid.RATE2"))
    record = queued()[0]
    assert drain() == []
    item = store.get_conversation("demo", conversation_id, consistent=True)
    assert item.status == "closed" and item.rating == 4 and item.rated_at and item.awaiting_rating_until is None
    assert item.unread_count == 1  # the rating itself is not unread work
    events = published.events()
    assert [e.type for e in events] == ["conversation.rated", "message.received"]
    rated, received = events
    assert rated.data["rating"] == 4 and rated.data["agent"] == "u-agent" and rated.data["team"] == "t-support"
    assert item.rating_message_id == rated.data["message_id"] == received.data["message_id"]
    # The same record again (a retry): nothing stored, no event written again — they went with the message
    published.mark()
    outcome = ingest.process_record(record["Body"], message_id=record["MessageId"], group_id=None, receive_count=2)
    assert outcome.result == "duplicate"
    assert published.events() == []
    # Answered: the next message re-opens
    post_meta(whatsapp_text("5", wa_id="573119000001", message_id="wamid.RATE3"))
    assert drain() == []
    assert store.get_conversation("demo", conversation_id, consistent=True).status == "open"


def test_other_text_or_a_late_rating_reopens(demo, published):
    from skailan.conversations.store import messages as store

    first = _closed_awaiting("573119000002", "wamid.RATE10")
    published.mark()
    post_meta(whatsapp_text("5 estrellas, gracias", wa_id="573119000002", message_id="wamid.RATE11"))
    assert drain() == []
    item = store.get_conversation("demo", first, consistent=True)
    assert item.status == "open" and item.rating is None and item.awaiting_rating_until is None
    assert published.types() == ["conversation.reopened", "message.received"]
    late = _closed_awaiting("573119000003", "wamid.RATE20", minutes=-1)
    post_meta(whatsapp_text("5", wa_id="573119000003", message_id="wamid.RATE21"))
    assert drain() == []
    item = store.get_conversation("demo", late, consistent=True)
    assert item.status == "open" and item.rating is None
