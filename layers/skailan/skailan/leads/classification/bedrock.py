"""Amazon Bedrock: the Converse API, temperature 0, a forced call of one tool whose input schema is
the answer (toolChoice {"tool": {"name": ...}}; Amazon Nova and Anthropic Claude 3+ models)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from skailan.leads.classification.base import Classification, ClassifierUnavailable
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

# Worth another attempt; anything else (validation, access denied, unknown model) is configuration:
# no retry, the notes wait for a later run.
RETRYABLE_CODES = frozenset({"ThrottlingException", "ServiceUnavailableException", "InternalServerException",
                             "ModelNotReadyException", "ModelTimeoutException", "TooManyRequestsException"})


@cache
def _client(endpoint_url: str, read_timeout: float) -> Any:
    import boto3
    from botocore.config import Config

    # Retries are ours (bounded, logged, then ClassifierUnavailable): the SDK makes one attempt.
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=read_timeout)
    return boto3.client("bedrock-runtime", endpoint_url=endpoint_url or None, config=config)


class BedrockClassifier(RemoteClassifier):
    provider = "bedrock"
    usage_fields = ("inputTokens", "outputTokens")

    def __init__(self, model_id: str | None = None, *, client: Any = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        settings = get_settings()
        super().__init__(model_id or settings.leads_bedrock_model_id, sleep=sleep)
        self._client = client if client is not None else _client(settings.bedrock_endpoint_url,
                                                                 settings.leads_classifier_timeout_seconds)

    def _call(self, batch: Sequence[str]) -> list[Classification]:
        from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

        request = {
            "modelId": self.model,
            "system": [{"text": INSTRUCTIONS}],
            "messages": [{"role": "user", "content": [{"text": user_message(batch)}]}],
            "inferenceConfig": {"temperature": 0, "maxTokens": max_output_tokens(len(batch))},
            "toolConfig": {
                "tools": [{"toolSpec": {"name": TOOL_NAME,
                                        "description": "Record the outcome of every call note.",
                                        "inputSchema": {"json": ANSWER_SCHEMA}}}],
                "toolChoice": {"tool": {"name": TOOL_NAME}},
            },
        }
        try:
            response = self._client.converse(**request)
        except ClientError as err:
            error = err.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            if code in RETRYABLE_CODES or status == 429 or status >= 500:
                headers = err.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
                raise Retryable(f"{code or status}", retry_after_seconds(headers.get("retry-after"))) from err
            raise ClassifierUnavailable(f"bedrock: {code or status}: {error.get('Message', '')}") from err
        except (ConnectionError, HTTPClientError) as err:  # timeouts, refused or dropped connections
            raise Retryable(type(err).__name__) from err
        except BotoCoreError as err:
            raise ClassifierUnavailable(f"bedrock: {err}") from err
        self._count_usage(response.get("usage") or {})
        content = ((response.get("output") or {}).get("message") or {}).get("content") or []
        answer = next((block["toolUse"].get("input") for block in content
                       if isinstance(block, dict) and isinstance(block.get("toolUse"), dict)
                       and block["toolUse"].get("name") == TOOL_NAME), None)
        if answer is None:
            logger.warning("bedrock answered without the tool call",
                           extra={"model": self.model, "stop_reason": response.get("stopReason")})
        return read_answer(answer, len(batch), self.model)
