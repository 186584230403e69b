"""The workers and the job with their events/ samples: unknown conversations are acknowledged,
a malformed record fails alone (partial batch response), the job reports what it did."""

from __future__ import annotations

import copy

from tests.support import FakeContext, call, handler_of, sample_event


def test_assignment_worker_acknowledges_gone_conversations_and_reports_poison_alone(demo):
    event = copy.deepcopy(sample_event("AssignmentWorkerFunction", "conversation_created"))
    online = sample_event("AssignmentWorkerFunction", "agent_online")["Records"][0]
    poison = copy.deepcopy(event["Records"][0])
    poison.update(messageId="poison", body="{not json")
    result = handler_of("workers/assignment")({"Records": [*event["Records"], online, poison]}, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "poison"}]}


def test_inbox_events_worker_with_its_samples(demo):
    for name in ("conversation_created", "message_received", "conversation_rated"):
        result = handler_of("workers/inbox_events")(sample_event("InboxEventsWorkerFunction", name), FakeContext())
        assert result == {"batchItemFailures": []}


def test_the_timers_job_runs_on_its_schedule_event(demo):
    result = handler_of("jobs/inbox_timers")(sample_event("InboxTimersFunction", "scheduled"), FakeContext())
    assert isinstance(result["outcomes"], dict)


def test_inbox_api_samples(demo):
    from tests.support import invoke

    event = copy.deepcopy(sample_event("InboxApiFunction", "set_presence"))
    agent1 = demo["agent1@demo.local"]
    event["requestContext"]["authorizer"]["jwt"]["claims"].update(sub=agent1.sub, email=agent1.email)
    reply = invoke("api/inbox", event)
    assert reply.status == 200 and reply.body["status"] == "online"
    assert call("api/inbox", "PUT", "/v1/agents/me/presence", principal=agent1, body={"status": "offline"}).status == 200
