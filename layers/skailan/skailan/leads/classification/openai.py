"""OpenAI: Chat Completions over httpx with structured outputs (response_format json_schema, strict),
temperature 0, the brand's own API key (stored through the admin secrets, never returned)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import httpx

from skailan.leads.classification.base import Classification, ClassifierUnavailable, Outcome
from skailan.leads.classification.remote import (
    ANSWER_SCHEMA,
    INSTRUCTIONS,
    TOOL_NAME,
    RemoteClassifier,
    Retryable,
    max_output_tokens,
    read_answer,
    retry_after_seconds,
    user_message,
)
from skailan.platform.settings import get_settings

logger = logging.getLogger(__name__)


@cache
def _client(timeout: float) -> httpx.Client:
    # One keep-alive client per container: the job builds a classifier per brand and run.
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0))


class OpenAIClassifier(RemoteClassifier):
    provider = "openai"
    usage_fields = ("prompt_tokens", "completion_tokens")

    def __init__(self, api_key: str, model: str | None = None, *, client: httpx.Client | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        settings = get_settings()
        super().__init__(model or settings.leads_openai_model, sleep=sleep)
        self._api_key = api_key
        self._url = settings.openai_api_url.rstrip("/") + "/chat/completions"
        self._client = client or _client(settings.leads_classifier_timeout_seconds)

    def _call(self, batch: Sequence[str]) -> list[Classification]:
        body = {
            "model": self.model,
            "temperature": 0,
            "max_completion_tokens": max_output_tokens(len(batch)),
            "messages": [{"role": "system", "content": INSTRUCTIONS},
                         {"role": "user", "content": user_message(batch)}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": TOOL_NAME, "strict": True, "schema": ANSWER_SCHEMA}},
        }
        try:
            response = self._client.post(self._url, json=body, headers={"Authorization": f"Bearer {self._api_key}"})
        except httpx.TransportError as err:  # timeouts, refused or dropped connections
            raise Retryable(type(err).__name__) from err
        if response.status_code != 200:
            code = _error_code(response)
            # A 429 for an exhausted quota will not pass by retrying; a rate limit will.
            if (response.status_code == 429 and code != "insufficient_quota") or response.status_code >= 500:
                raise Retryable(f"{response.status_code} {code}", retry_after_seconds(response.headers.get("retry-after")))
            raise ClassifierUnavailable(f"openai: {response.status_code} {code}")
        try:
            payload: Any = response.json()
            self._count_usage(payload.get("usage") or {})
            choice = payload["choices"][0]
            message = choice["message"]
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            logger.warning("malformed openai response", extra={"model": self.model, "body": response.text[:500]})
            return read_answer(None, len(batch), self.model)
        if message.get("refusal"):
            reason = f"el modelo se negó / the model refused: {str(message['refusal'])[:200]}"
            return [Classification(Outcome.UNCLASSIFIED, self.model, reason)] * len(batch)
        if choice.get("finish_reason") not in (None, "stop"):
            logger.warning("openai answer cut short", extra={"model": self.model, "finish": choice.get("finish_reason")})
            return read_answer(None, len(batch), self.model)
        try:
            answer = json.loads(message.get("content") or "")
        except ValueError:
            answer = None
        return read_answer(answer, len(batch), self.model)


def _error_code(response: httpx.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return str(error.get("code") or error.get("type") or "")
    except (ValueError, AttributeError):
        return ""
