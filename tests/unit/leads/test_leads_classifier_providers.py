"""Bedrock (Converse, forced tool call) and OpenAI (structured outputs) classifiers: the requests
they send, the answers they read, batching, bounded retries and what a bad answer becomes.

Bedrock is exercised through botocore's Stubber and through the local fake over HTTP; OpenAI
through respx with the API's documented shapes and through the fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from botocore.stub import ANY, Stubber

from infra.local.fake_providers import Directory, FakeProviders
from skailan.leads.classification import ClassifierUnavailable, Outcome, classifier_for
from skailan.leads.classification.bedrock import BedrockClassifier
from skailan.leads.classification.offline import classify_one
from skailan.leads.classification.openai import OpenAIClassifier
from skailan.leads.classification.remote import TOOL_NAME
from skailan.platform.settings import get_settings

NOTES = ["Agendamos demo para el jueves", "No contesta, buzón", "No está interesado", "Lo va a pensar",
         "Wrong number"]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProviders]:
    providers = FakeProviders(Directory(), webhook_base=lambda: "http://127.0.0.1:1").start()
    for name, value in providers.environment().items():
        monkeypatch.setenv(name, value)
    for name, value in {"STAGE": "local", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "LEADS_CLASSIFIER_BATCH_SIZE": "2"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    yield providers
    providers.stop()
    get_settings.cache_clear()


@pytest.fixture
def plain_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("OPENAI_API_URL", "BEDROCK_ENDPOINT_URL", "LEADS_CLASSIFIER_BATCH_SIZE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEADS_CLASSIFIER_MAX_ATTEMPTS", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --------------------------------------------------------------------------- Bedrock over the fake


def test_bedrock_through_the_fake_batches_and_keeps_order(fake: FakeProviders) -> None:
    results = classifier_for("bedrock").classify(NOTES)
    assert [r.outcome for r in results] == [classify_one(n).outcome for n in NOTES]
    assert [r.outcome for r in results][:3] == [Outcome.POSITIVE, Outcome.UNCLASSIFIED, Outcome.NEGATIVE]
    assert {r.model for r in results} == {"amazon.nova-micro-v1:0"}
    calls = fake.outbox("bedrock")
    assert len(calls) == 3  # batches of 2, 2, 1
    first = calls[0]
    assert first["path"] == "/bedrock/model/amazon.nova-micro-v1:0/converse" or "nova-micro" in first["path"]
    assert first["body"]["inferenceConfig"]["temperature"] == 0
    assert first["body"]["toolConfig"]["toolChoice"] == {"tool": {"name": TOOL_NAME}}
    schema = first["body"]["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]
    assert schema["properties"]["results"]["items"]["properties"]["outcome"]["enum"] == [o.value for o in Outcome]
    prompt = json.loads(first["body"]["messages"][0]["content"][0]["text"])
    assert prompt == {"notes": [{"index": 0, "text": NOTES[0]}, {"index": 1, "text": NOTES[1]}]}


def test_bedrock_retries_throttling_then_answers(fake: FakeProviders) -> None:
    fake.add_fault("bedrock", 429, 2)
    slept: list[float] = []
    results = BedrockClassifier(sleep=slept.append).classify(NOTES[:1])
    assert results[0].outcome is Outcome.POSITIVE
    assert len(slept) == 2 and all(0 <= s <= 8 for s in slept)
    assert [c["status"] for c in fake.outbox("bedrock")] == [429, 429, 200]


def test_bedrock_outage_and_dropped_connections_raise_unavailable_after_bounded_retries(fake: FakeProviders) -> None:
    fake.add_fault("bedrock", 503, 2)
    fake.add_fault("bedrock", 0, 2)  # connection dropped
    slept: list[float] = []
    with pytest.raises(ClassifierUnavailable, match="bedrock"):
        BedrockClassifier(sleep=slept.append).classify(NOTES[:1])
    assert len(slept) == 3  # 4 attempts (the default), 3 waits
    assert [c["status"] for c in fake.outbox("bedrock")] == [503, 503]


def test_bedrock_configuration_error_is_not_retried(fake: FakeProviders) -> None:
    fake.add_fault("bedrock", 400, 5, code="ValidationException")
    with pytest.raises(ClassifierUnavailable, match="ValidationException"):
        BedrockClassifier(sleep=lambda _s: None).classify(NOTES[:1])
    assert len(fake.outbox("bedrock")) == 1


def test_bedrock_malformed_answer_is_unclassified_with_the_reason(fake: FakeProviders) -> None:
    fake.add_fault("bedrock", 200, 1, code="malformed")
    first, second = BedrockClassifier().classify(NOTES[:2])
    assert first.outcome is second.outcome is Outcome.UNCLASSIFIED
    assert "malformed" in first.reason


# --------------------------------------------------------------------------- Bedrock with the Stubber


def _converse_response(tool_input: Any, *, stop: str = "tool_use") -> dict[str, Any]:
    return {"output": {"message": {"role": "assistant", "content": [
        {"toolUse": {"toolUseId": "tooluse_abc", "name": TOOL_NAME, "input": tool_input}}]}},
        "stopReason": stop, "usage": {"inputTokens": 420, "outputTokens": 60, "totalTokens": 480},
        "metrics": {"latencyMs": 310}}


@pytest.fixture
def stubbed(plain_settings: None) -> Iterator[tuple[Any, Stubber]]:
    import boto3

    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_bedrock_stubbed_answer_reads_each_index_and_guards_the_rest(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    answer = {"results": [{"index": 2, "outcome": "negative", "reason": "«no le interesa»"},
                          {"index": 0, "outcome": "positive", "reason": "«agendó demo»"},
                          {"index": 0, "outcome": "negative", "reason": "a repeated index is ignored"},
                          {"index": 3, "outcome": "maybe", "reason": "outside the enum"},
                          {"index": 9, "outcome": "positive", "reason": "no such note"}]}
    stub.add_response("converse", _converse_response(answer),
                      expected_params={"modelId": "us.anthropic.claude-3-haiku-20240307-v1:0", "system": ANY,
                                       "messages": ANY, "inferenceConfig": {"temperature": 0, "maxTokens": 420},
                                       "toolConfig": ANY})
    classifier = BedrockClassifier("us.anthropic.claude-3-haiku-20240307-v1:0", client=client)
    results = classifier.classify(["a", "b", "c", "d"])
    assert [r.outcome for r in results] == [Outcome.POSITIVE, Outcome.UNCLASSIFIED, Outcome.NEGATIVE,
                                            Outcome.UNCLASSIFIED]
    assert results[0].reason == "«agendó demo»"
    assert "no answer" in results[1].reason and "unknown model outcome" in results[3].reason
    assert classifier.usage == {"inputTokens": 420, "outputTokens": 60}


def test_bedrock_stubbed_throttling_and_text_answer(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_client_error("converse", "ThrottlingException", "Too many requests", 429)
    stub.add_response("converse", {"output": {"message": {"role": "assistant", "content": [{"text": "positive"}]}},
                                   "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1,
                                                                       "totalTokens": 2}, "metrics": {"latencyMs": 1}})
    slept: list[float] = []
    (only,) = BedrockClassifier(client=client, sleep=slept.append).classify(["Compró el plan"])
    assert len(slept) == 1
    # Text instead of the forced tool call: never trusted.
    assert only.outcome is Outcome.UNCLASSIFIED and "malformed" in only.reason


def test_bedrock_stubbed_access_denied_is_unavailable_at_once(stubbed: tuple[Any, Stubber]) -> None:
    client, stub = stubbed
    stub.add_client_error("converse", "AccessDeniedException", "not authorized", 403)
    with pytest.raises(ClassifierUnavailable, match="AccessDeniedException"):
        BedrockClassifier(client=client, sleep=lambda _s: None).classify(["x"])


# --------------------------------------------------------------------------- OpenAI with respx

OPENAI = "https://api.openai.com/v1/chat/completions"


def _completion(content: str | None, *, refusal: str | None = None, finish: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "object": "chat.completion", "created": 1741570283,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": refusal,
                                                 "annotations": []}, "logprobs": None, "finish_reason": finish}],
            "usage": {"prompt_tokens": 380, "completion_tokens": 45, "total_tokens": 425},
            "system_fingerprint": "fp_06737a9306"}


def _error(status: int, code: str | None, kind: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": message, "type": kind, "param": None, "code": code}})


@respx.mock
def test_openai_sends_structured_output_request_and_reads_it(plain_settings: None) -> None:
    answer = {"results": [{"index": 0, "outcome": "partial", "reason": "«lo va a pensar»"},
                          {"index": 1, "outcome": "negative", "reason": "«wrong number»"}]}
    route = respx.post(OPENAI).mock(return_value=httpx.Response(200, json=_completion(json.dumps(answer))))
    classifier = classifier_for("openai", openai_api_key="sk-test-123")
    results = classifier.classify(["Lo va a pensar", "Wrong number"])
    assert [r.outcome for r in results] == [Outcome.PARTIAL, Outcome.NEGATIVE]
    assert {r.model for r in results} == {"gpt-4o-mini"}
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer sk-test-123"
    body = json.loads(request.content)
    assert body["temperature"] == 0 and body["model"] == "gpt-4o-mini" and body["max_completion_tokens"] == 260
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["results"]
    assert json.loads(body["messages"][1]["content"])["notes"][1] == {"index": 1, "text": "Wrong number"}


@respx.mock
def test_openai_retries_rate_limits_5xx_and_timeouts(plain_settings: None) -> None:
    answer = {"results": [{"index": 0, "outcome": "positive", "reason": "«compró»"}]}
    route = respx.post(OPENAI).mock(side_effect=[
        _error(429, "rate_limit_exceeded", "requests", "Rate limit reached"),
        httpx.ReadTimeout("timed out"),
        httpx.Response(200, json=_completion(json.dumps(answer)))])
    slept: list[float] = []
    (only,) = OpenAIClassifier("sk-x", sleep=slept.append).classify(["Compró"])
    assert only.outcome is Outcome.POSITIVE and route.call_count == 3 and len(slept) == 2


@respx.mock
def test_openai_outage_raises_unavailable_after_the_attempts(plain_settings: None) -> None:
    route = respx.post(OPENAI).mock(return_value=_error(503, None, "server_error", "The server is overloaded"))
    with pytest.raises(ClassifierUnavailable, match="openai"):
        OpenAIClassifier("sk-x", sleep=lambda _s: None).classify(["x"])
    assert route.call_count == 3  # LEADS_CLASSIFIER_MAX_ATTEMPTS


@respx.mock
def test_openai_exhausted_quota_and_bad_key_are_not_retried(plain_settings: None) -> None:
    route = respx.post(OPENAI).mock(side_effect=[
        _error(429, "insufficient_quota", "insufficient_quota", "You exceeded your current quota"),
        _error(401, "invalid_api_key", "invalid_request_error", "Incorrect API key provided")])
    for _ in range(2):
        with pytest.raises(ClassifierUnavailable):
            OpenAIClassifier("sk-x", sleep=lambda _s: None).classify(["x"])
    assert route.call_count == 2


@respx.mock
@pytest.mark.parametrize("content, refusal, finish, reason", [
    ("{\"results\": [{\"index\": 0, ", None, "stop", "malformed"),
    ("{\"answer\": \"positive\"}", None, "stop", "malformed"),
    (None, "I can't help with that.", "stop", "refused"),
    ("{\"results\": []}", None, "length", "malformed"),
])
def test_openai_untrustworthy_answers_are_unclassified(plain_settings: None, content: str | None,
                                                       refusal: str | None, finish: str, reason: str) -> None:
    respx.post(OPENAI).mock(return_value=httpx.Response(200, json=_completion(content, refusal=refusal,
                                                                               finish=finish)))
    results = OpenAIClassifier("sk-x").classify(["Compró", "No le interesa"])
    assert [r.outcome for r in results] == [Outcome.UNCLASSIFIED] * 2
    assert all(reason in r.reason for r in results)


def test_openai_through_the_fake(fake: FakeProviders) -> None:
    results = classifier_for("openai", openai_api_key="sk-local").classify(NOTES)
    assert [r.outcome for r in results] == [classify_one(n).outcome for n in NOTES]
    assert len(fake.outbox("openai")) == 3
    fake.add_fault("openai", 429, 1, to="gpt-4o-mini")
    slept: list[float] = []
    (only,) = OpenAIClassifier("sk-local", sleep=slept.append).classify(["Firmó el contrato"])
    assert only.outcome is Outcome.POSITIVE and len(slept) == 1
    with pytest.raises(ClassifierUnavailable, match="invalid_api_key"):
        OpenAIClassifier("invalid-key").classify(["x"])


def test_a_long_note_is_clipped_before_it_reaches_the_model(fake: FakeProviders) -> None:
    long_note = "Inicio. " + "relleno " * 2000 + "Al final aceptó la demo."
    (only,) = classifier_for("bedrock").classify([long_note])
    assert only.outcome is Outcome.POSITIVE
    sent = json.loads(fake.outbox("bedrock")[0]["body"]["messages"][0]["content"][0]["text"])["notes"][0]["text"]
    assert len(sent) <= 2010 and sent.startswith("Inicio.") and sent.endswith("aceptó la demo.")


def test_local_faults_route_accepts_the_model_providers(fake: FakeProviders) -> None:
    from types import SimpleNamespace

    faults = next(fn for method, path, fn in fake.routes() if path == "/_local/faults" and method == "POST")
    for spec in ({"provider": "bedrock", "status": 503, "count": 1, "to": "amazon.nova-micro-v1:0"},
                 {"provider": "bedrock", "status": 429, "count": 1, "to": "some-other-model"},
                 {"provider": "openai", "status": 429, "count": 1, "retry_after": 2}):
        status, _headers, body = faults(SimpleNamespace(json=lambda spec=spec: spec))
        assert status == 200, body
    slept: list[float] = []
    BedrockClassifier(sleep=slept.append).classify(["Compró"])
    assert len(slept) == 1  # only the fault aimed at this model was taken
    OpenAIClassifier("sk-local", sleep=slept.append).classify(["Compró"])
    assert slept[-1] == 2.0  # the provider's Retry-After
    assert [c["status"] for c in fake.outbox("openai")] == [429, 200]
