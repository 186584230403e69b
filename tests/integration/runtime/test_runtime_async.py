"""Queues, buses, topics and schedules, end to end through moto and the in-process handlers."""

from __future__ import annotations

import json

import pytest


def _item(runtime, pk, sk):
    return (
        runtime.client("dynamodb")
        .get_item(TableName="skailan-local-items", Key={"pk": {"S": pk}, "sk": {"S": sk}})
        .get("Item")
    )


def _query(runtime, pk):
    return runtime.client("dynamodb").query(
        TableName="skailan-local-items",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
    )["Items"]


def _receive_all(runtime, queue_url):
    return (
        runtime.client("sqs")
        .receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        .get("Messages", [])
    )


def test_sqs_partial_failures_are_retried_then_dead_lettered(runtime, wait_for):
    # Given a worker that reports record "bad" as failed, and maxReceiveCount 2 on its queue
    sqs = runtime.client("sqs")
    for body in ({"id": "ok-1"}, {"id": "bad", "fail": True}, {"id": "ok-2"}):
        sqs.send_message(QueueUrl=runtime.ref("WorkQueue"), MessageBody=json.dumps(body))

    # Then the good records are processed once and deleted
    wait_for(lambda: _item(runtime, "work#ok-1", "done") and _item(runtime, "work#ok-2", "done"))
    # and the failed one is delivered again, then moved to the DLQ by SQS (moto)
    dead = wait_for(lambda: _receive_all(runtime, runtime.ref("WorkDeadLetterQueue")), timeout=20)
    assert [json.loads(m["Body"]) for m in dead] == [{"id": "bad", "fail": True}]
    attempts = sorted(item["sk"]["S"] for item in _query(runtime, "attempt#bad"))
    assert attempts == ["1", "2"]
    assert [item["sk"]["S"] for item in _query(runtime, "attempt#ok-1")] == ["1"]
    assert _item(runtime, "work#bad", "done") is None
    attributes = sqs.get_queue_attributes(QueueUrl=runtime.ref("WorkQueue"), AttributeNames=["All"])[
        "Attributes"
    ]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
    record_source = _query(runtime, "attempt#ok-2")[0]["eventSourceARN"]["S"]
    assert record_source == runtime.get_att("WorkQueue", "Arn")


def test_bus_rule_with_prefix_pattern_delivers_to_the_queue_consumer(runtime, wait_for):
    events = runtime.client("events")
    result = events.put_events(
        Entries=[
            {
                "EventBusName": "skailan-local-bus",
                "Source": "skailan.inbox",
                "DetailType": "conversation.created",
                "Detail": json.dumps({"id": "c1", "tenant_id": "t1"}),
            },
            {
                "EventBusName": "skailan-local-bus",
                "Source": "other.app",
                "DetailType": "conversation.created",
                "Detail": json.dumps({"id": "c2"}),
            },
            {
                "EventBusName": "skailan-local-bus",
                "Source": "skailan.inbox",
                "DetailType": "message.received",
                "Detail": json.dumps({"id": "c3"}),
            },
        ]
    )
    assert result["FailedEntryCount"] == 0

    stored = wait_for(lambda: _item(runtime, "event#c1", "received"))
    assert stored["source"]["S"] == "skailan.inbox"
    assert stored["detailType"]["S"] == "conversation.created"
    assert stored["account"]["S"] == "123456789012"  # the full envelope, as EventBridge delivers it
    assert stored["region"]["S"] == "us-east-1"
    assert stored["time"]["S"].endswith("Z")
    assert _item(runtime, "event#c2", "received") is None
    assert _item(runtime, "event#c3", "received") is None


def test_eventbridge_rule_event_invokes_the_function_with_the_event(runtime, wait_for):
    runtime.client("events").put_events(
        Entries=[
            {
                "EventBusName": "skailan-local-bus",
                "Source": "skailan.leads",
                "DetailType": "lead.note_added",
                "Detail": json.dumps({"lead_id": "L1", "text": "call back"}),
            }
        ]
    )

    note = wait_for(lambda: _item(runtime, "note#L1", "received"))
    assert note["text"]["S"] == "call back"
    assert note["detailType"]["S"] == "lead.note_added"
    assert note["account"]["S"] == "123456789012"


def test_schedule_fired_through_the_local_route(runtime, wait_for):
    import httpx

    with httpx.Client(base_url=runtime.url) as api:
        fired = api.post("/_local/schedules/JobFunction?event=Hourly")
        unknown = api.post("/_local/schedules/NoSuchFunction")

    assert fired.status_code == 200
    assert fired.json() == {
        "fired": [{"schedule": "JobFunction.Hourly", "ok": True, "target": "JobFunction"}]
    }
    assert unknown.status_code == 404
    runs = [item for item in _query(runtime, "job") if item["sk"]["S"].startswith("Scheduled Event#")]
    assert len(runs) == 1
    event = json.loads(runs[0]["event"]["S"])
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event"
    assert event["account"] == "123456789012" and event["detail"] == {}
    assert event["resources"] == [
        "arn:aws:events:us-east-1:123456789012:rule/skailan-local-JobFunction-Hourly"
    ]


def test_schedule_input_is_delivered_instead_of_the_scheduled_event(runtime):
    results = runtime.fire_schedule("JobFunction", "Weekly")

    assert results == [{"schedule": "JobFunction.Weekly", "ok": True, "target": "JobFunction"}]
    runs = [item for item in _query(runtime, "job") if item["sk"]["S"].startswith("weekly-report#")]
    assert [json.loads(item["event"]["S"]) for item in runs] == [{"kind": "weekly-report"}]


def test_schedule_rule_sends_its_input_to_the_queue_target(runtime, wait_for):
    runtime.fire_schedule("NightlyRule")

    wait_for(lambda: _item(runtime, "work#nightly", "done"))


def test_scheduler_schedule_resource_invokes_its_function_target(runtime):
    assert runtime.fire_schedule("DailyDigestSchedule") == [
        {"schedule": "DailyDigestSchedule", "ok": True, "target": "JobFunction"}
    ]
    runs = [item for item in _query(runtime, "job") if item["sk"]["S"].startswith("daily-digest#")]
    assert [json.loads(item["event"]["S"]) for item in runs] == [{"kind": "daily-digest"}]


def test_sns_subscription_invokes_the_function(runtime, wait_for):
    runtime.client("sns").publish(TopicArn=runtime.ref("MailTopic"), Message="hello mail", Subject="Hi")

    stored = wait_for(
        lambda: [
            i
            for i in runtime.client("dynamodb").scan(TableName="skailan-local-items")["Items"]
            if i["pk"]["S"].startswith("mail#")
        ]
    )
    assert stored[0]["message"]["S"] == "hello mail"
    assert stored[0]["subject"]["S"] == "Hi"
    assert stored[0]["source"]["S"] == "aws:sns"


def test_direct_invoke_raises_for_unknown_functions(runtime):
    from infra.local.functions import FunctionError

    with pytest.raises(FunctionError):
        runtime.invoke("Nope", {})
    assert runtime.invoke("KeyedFunction", {"requestContext": {"authorizer": {"x": 1}}}) == {
        "authorizer": {"x": 1}
    }
