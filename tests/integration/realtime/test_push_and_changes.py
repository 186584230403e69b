"""The push worker (visibility per member, gone connections, other brands, redelivery) and the
changes feed (since, pagination, retention, brand isolation) — the same frames in both."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.integration.inbox.conftest import action, customer_writes, purge_inbox_queues, reset_agents
from tests.integration.realtime.conftest import RecordingPoster
from tests.support import FakeContext, call, handler_of

REALTIME = "api/realtime"
INBOX = "api/inbox"


@pytest.fixture(scope="module")
def connected(demo):
    """One socket per demo member (agent1 has two, one of them gone) and one for acme's admin."""
    from skailan.realtime import store

    sockets = {"agent1": "c-agent1=", "agent1-old": "c-agent1-old=", "agent2": "c-agent2=",
               "supervisor": "c-sup=", "operator": "c-op=", "admin": "c-admin="}
    users = {"agent1": "agent1@demo.local", "agent1-old": "agent1@demo.local", "agent2": "agent2@demo.local",
             "supervisor": "supervisor@demo.local", "operator": "operator@demo.local", "admin": "admin@demo.local"}
    for name, connection_id in sockets.items():
        store.put_connection("demo", connection_id, demo[users[name]].sub)
    store.put_connection("acme", "c-acme=", demo["admin@acme.local"].sub)
    return sockets


def realtime_messages() -> list[dict]:
    from skailan.platform.aws import client

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="skailan-local-realtime")["QueueUrl"]
    messages = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                       VisibilityTimeout=30).get("Messages", []):
        messages += batch
    return messages


def run_push_worker(poster: RecordingPoster, messages: list[dict]) -> dict:
    from infra.local.pollers import sqs_record
    from tests import support

    handler_of("workers/realtime_push")
    support._modules["workers/realtime_push"]._poster = poster
    arn = "arn:aws:sqs:us-east-1:123456789012:skailan-local-realtime"
    return handler_of("workers/realtime_push")({"Records": [sqs_record(m, arn, "us-east-1") for m in messages]},
                                               FakeContext())


def test_a_customer_message_reaches_each_member_as_they_may_see_it(demo, connected):
    from skailan.realtime import store

    realtime_messages()  # what earlier modules left on the queue
    agent1 = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola, ¿me ayudan con un pedido?", wa_id="573109900001",
                                      message_id="wamid.RT1", run_inbox=False)
    assert action(agent1, conversation_id, "take").status == 200
    purge_inbox_queues()
    messages = realtime_messages()
    types = [json.loads(m["Body"])["detail-type"] for m in messages]
    assert {"conversation.created", "message.received", "conversation.taken"} <= set(types)  # RealtimeRule feeds it
    # When the worker runs (agent1's old socket is gone)
    poster = RecordingPoster(gone={connected["agent1-old"]})
    assert run_push_worker(poster, messages) == {"batchItemFailures": []}
    # Then agent1 (now the holder) and the supervisor and admin get every frame whole
    received = [f for f in poster.to(connected["agent1"]) if f["conversation_id"] == conversation_id]
    assert [f["type"] for f in received] == types
    text = next(f for f in received if f["type"] == "message.received")
    assert text["data"]["text"] == "Hola, ¿me ayudan con un pedido?" and text["entity_type"] == "conversation"
    assert set(text) == {"cursor", "type", "entity_type", "entity_id", "conversation_id", "data"}
    for name in ("supervisor", "admin"):
        assert [f["data"] for f in poster.to(connected[name]) if f["type"] == "message.received"] == [text["data"]]
    # agent2 learns that something happened to it, not what
    other = [f for f in poster.to(connected["agent2"]) if f["conversation_id"] == conversation_id]
    assert [f["type"] for f in other] == types and all(f["data"] == {} for f in other)
    # The operator (no conversations permission) and acme get nothing; the gone socket is removed
    assert poster.to(connected["operator"]) == [] and poster.to("c-acme=") == []
    assert ("demo", connected["agent1-old"]) not in [("demo", c) for c, _ in store.list_connections("demo")]
    assert connected["agent1"] in [c for c, _ in store.list_connections("demo")]


def test_notifications_go_to_their_recipient_and_a_redelivery_keeps_its_cursor(demo, connected):
    from skailan.conversations.inbox.notifications import notify
    from skailan.realtime import store

    realtime_messages()
    agent2 = demo["agent2@demo.local"]
    notify("demo", agent2.sub, "mention", conversation_id="conv-x", text="Te mencionaron / You were mentioned")
    messages = realtime_messages()
    assert len(messages) == 1
    poster = RecordingPoster()
    run_push_worker(poster, messages)
    assert [cid for cid, _ in poster.posts] == [connected["agent2"]]
    frame = poster.posts[0][1]
    assert frame["type"] == "notification.created" and frame["data"]["user_id"] == agent2.sub
    # SQS delivers it again: same cursor, still one change in the feed
    again = RecordingPoster()
    run_push_worker(again, messages)
    assert again.posts[0][1]["cursor"] == frame["cursor"]
    rows, _ = store.query_changes("demo", after="0" * 26, until="7" + "Z" * 25, limit=500)
    assert [c for c, f, _ in rows if f["type"] == "notification.created"].count(frame["cursor"]) == 1


def test_a_failing_post_does_not_fail_the_record_and_a_bad_record_is_reported(demo, connected):
    from skailan.realtime.push import handle

    realtime_messages()
    notify_event = _event("agent.presence_changed", {"user_id": demo["agent2@demo.local"].sub, "status": "away"},
                          entity_type="agent")
    outcome = handle(notify_event, RecordingPoster(failing={connected["supervisor"]}))
    assert connected["supervisor"] in outcome.failed and connected["agent1"] in outcome.sent
    message = {"MessageId": "m-bad", "ReceiptHandle": "r", "Body": "{not json", "Attributes": {},
               "MD5OfBody": ""}
    result = run_push_worker(RecordingPoster(), [message, *_as_messages(notify_event)])
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}


def _event(type_: str, data: dict, *, entity_type: str = "conversation", tenant: str = "demo"):
    from skailan.platform.events import DomainEvent

    return DomainEvent(tenant_id=tenant, source="skailan.inbox", type=type_, entity_type=entity_type,
                       entity_id=data.get("conversation_id") or data.get("user_id"), data=data)


def _as_messages(*events) -> list[dict]:
    return [{"MessageId": f"m-{e.id}", "ReceiptHandle": "r", "Attributes": {}, "MD5OfBody": "",
             "Body": json.dumps({"detail-type": e.type, "source": e.source, "detail": json.loads(e.model_dump_json())})}
            for e in events]


def _record(tenant: str, type_: str, data: dict, *, ago: timedelta, audience: dict | None = None) -> str:
    from skailan.platform.clock import utcnow
    from skailan.platform.events import DomainEvent
    from skailan.realtime import frames, store

    event = DomainEvent(tenant_id=tenant, source="skailan.conversations", type=type_, entity_type="conversation",
                        entity_id=data.get("conversation_id"), data=data)
    audience = audience or frames.Audience().to_item()
    cursor, _, _ = store.record_change(tenant, event.id, lambda c: (frames.frame_of(event, c), audience),
                                       now=utcnow() - ago)
    return cursor


def changes(principal, **query) -> object:
    return call(REALTIME, "GET", "/v1/changes", principal=principal, query=query or None)


def test_changes_since_a_cursor_page_by_page_and_only_the_callers_brand(demo):
    admin, acme = demo["admin@demo.local"], demo["admin@acme.local"]
    start = changes(admin)
    assert start.status == 200 and start.body["items"] == [] and start.body["has_more"] is False
    base = timedelta(minutes=10)
    since = _record("demo", "message.received", {"conversation_id": "c-0"}, ago=base + timedelta(seconds=1))
    written = [_record("demo", "message.received", {"conversation_id": f"c-{i}", "text": f"m{i}"},
                       ago=base - timedelta(seconds=i)) for i in range(1, 6)]
    acme_cursor = _record("acme", "message.received", {"conversation_id": "acme-1", "text": "secreto de acme"},
                          ago=base - timedelta(seconds=2))
    # Page by page, oldest first, each page's cursor leading to the next
    seen, cursor, pages = [], since, 0
    while True:
        page = changes(admin, since=cursor, limit=2)
        assert page.status == 200, page.body
        assert len(page.body["items"]) <= 2
        seen += [item["cursor"] for item in page.body["items"]]
        cursor, pages = page.body["cursor"], pages + 1
        if not page.body["has_more"]:
            break
        assert pages < 200
    assert pages >= 3 and seen == sorted(seen) and len(seen) == len(set(seen))
    assert [c for c in seen if c in written] == written and since not in seen
    assert acme_cursor not in seen
    # acme, even with demo's cursor, sees only its own change
    acme_page = changes(acme, since=since, limit=500)
    assert [i["cursor"] for i in acme_page.body["items"]] == [acme_cursor]
    assert all("c-" not in (i["conversation_id"] or "") for i in acme_page.body["items"])
    # Caught up: none of them again after the last cursor
    assert not {i["cursor"] for i in changes(admin, since=cursor).body["items"]} & {*written, acme_cursor}


def test_changes_are_filtered_like_the_push(demo):
    from skailan.realtime import frames

    agent1, agent2 = demo["agent1@demo.local"], demo["agent2@demo.local"]
    operator = demo["operator@demo.local"]
    since = _record("demo", "conversation.read", {"conversation_id": "c-vis"}, ago=timedelta(minutes=5, seconds=1))
    held = frames.Audience(open_to_all=False, full_for=frozenset({agent1.sub})).to_item()
    note = _record("demo", "conversation.note_added", {"conversation_id": "c-vis", "text": "nota privada"},
                   ago=timedelta(minutes=5), audience=held)
    mine_only = frames.Audience(recipient=agent1.sub, permission=None).to_item()
    notice = _record("demo", "notification.created", {"user_id": agent1.sub}, ago=timedelta(minutes=4),
                     audience=mine_only)

    def items(principal):
        return {i["cursor"]: i for i in changes(principal, since=since, limit=500).body["items"]}

    assert items(agent1)[note]["data"]["text"] == "nota privada" and notice in items(agent1)
    assert items(agent2)[note]["data"] == {} and notice not in items(agent2)
    assert items(operator) == {}


def test_bad_input_and_an_expired_cursor(demo):
    admin = demo["admin@demo.local"]
    old = _record("demo", "message.received", {"conversation_id": "c-old"}, ago=timedelta(hours=25))
    expired = changes(admin, since=old)
    assert expired.status == 410 and expired.body["error"]["code"] == "cursor_expired"
    assert "recarga" in expired.body["error"]["message"] and "reload" in expired.body["error"]["message"]
    for query, code in (({"since": "not-a-cursor"}, "invalid_cursor"), ({"since": "8" + "0" * 25}, "invalid_cursor"),
                        ({"cursor": "x"}, "unknown_query_parameter"), ({"limit": "0"}, "validation_error"),
                        ({"limit": "501"}, "validation_error")):
        reply = changes(admin, **query)
        assert 400 <= reply.status < 500 and reply.body["error"]["code"] == code, (query, reply.body)
    # A cursor from the future (or the last second) answers nothing and keeps the cursor
    from skailan.platform.clock import utcnow
    from skailan.realtime.store import cursor_at

    future = cursor_at(utcnow() + timedelta(minutes=5))
    assert changes(admin, since=future).body == {"items": [], "cursor": future, "has_more": False}
    assert call(REALTIME, "GET", "/v1/changes").status == 401  # signed-in members only


def test_inbox_counts_follow_the_callers_permissions(demo):
    from skailan.conversations.store.items import ConversationItem, inbox_pk

    agent1, agent2, supervisor = demo["agent1@demo.local"], demo["agent2@demo.local"], demo["supervisor@demo.local"]
    reset_agents()  # nobody online: the new conversation waits unassigned
    conversation_id = customer_writes("Necesito una factura", wa_id="573109900002", message_id="wamid.RT2")

    def counts(principal, **query):
        reply = call(INBOX, "GET", "/v1/inbox/counts", principal=principal, query=query or None)
        assert reply.status == 200, reply.body
        return reply.body

    whole = sum(ConversationItem.gsi1.count(inbox_pk("demo", s)) for s in ("open", "pending"))
    before1, before2, sup = counts(agent1), counts(agent2), counts(supervisor)
    assert sup["all"] == whole and before1["all"] == before1["mine"] + before1["unassigned"]
    assert action(agent1, conversation_id, "take").status == 200
    after1, after2 = counts(agent1), counts(agent2)
    assert after1["mine"] == before1["mine"] + 1 and after1["unassigned"] == before1["unassigned"] - 1
    assert after2["mine"] == before2["mine"] and after2["all"] == before2["all"] - 1
    assert counts(supervisor)["all"] == sup["all"]
    assert counts(agent1, status="closed")["statuses"] == ["closed"]
    # acme counts only acme
    acme = counts(demo["admin@acme.local"])
    assert acme["all"] == sum(ConversationItem.gsi1.count(inbox_pk("acme", s)) for s in ("open", "pending"))
    assert call(INBOX, "GET", "/v1/inbox/counts", principal=agent1, query={"state": "x"}).status == 400
    assert call(INBOX, "GET", "/v1/inbox/counts", principal=agent1, query={"status": "lost"}).status == 422
    assert call(INBOX, "GET", "/v1/inbox/counts", principal=demo["operator@demo.local"]).status == 403


def test_a_disabled_member_gets_no_frames(demo, connected):
    from skailan.realtime.push import handle, member_caller
    from skailan.tenancy import member_reads
    from skailan.tenancy.store.items import MemberItem

    member = member_reads.find_member("demo", demo["agent2@demo.local"].sub)
    assert member is not None
    presence = _event("agent.presence_changed", {"user_id": demo["agent1@demo.local"].sub, "status": "online"},
                      entity_type="agent")
    member.update(actions=[MemberItem.status.set("disabled")])
    try:
        outcome = handle(presence, RecordingPoster(), lookup=member_caller)
    finally:
        member.update(actions=[MemberItem.status.set("active")])
    assert connected["agent2"] not in outcome.sent and connected["agent1"] in outcome.sent
