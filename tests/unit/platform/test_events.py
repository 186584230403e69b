import json

from skailan.platform.events import DomainEvent, event_from_sqs_body, to_entry


def test_envelope_travels_through_eventbridge_and_sqs_unchanged():
    event = DomainEvent(tenant_id="demo", source="skailan.tenancy", type="user.invited",
                        entity_type="user", entity_id="u1", data={"email": "a@b.co"})
    entry = to_entry(event, "bus")
    assert entry["Source"] == "skailan.tenancy" and entry["DetailType"] == "user.invited"
    # What an EventBridge → SQS target delivers: the whole event, detail as an object.
    body = json.dumps({"version": "0", "id": "x", "detail-type": "user.invited", "source": "skailan.tenancy",
                       "detail": json.loads(entry["Detail"])})
    assert event_from_sqs_body(body) == event
