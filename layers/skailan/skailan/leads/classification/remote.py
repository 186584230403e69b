"""What the model providers share: the instructions, the answer's JSON schema, batching, bounded
retries with backoff, and reading an answer we cannot fully trust."""

from __future__ import annotations

import json
import logging
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from skailan.leads.classification.base import Classification, ClassifierUnavailable, Outcome, clip
from skailan.platform.settings import get_settings

logger = logging.getLogger(__name__)

TOOL_NAME = "record_outcomes"
NOTE_CHARS = 2000  # per note sent to a model: bounds each call's tokens and cost

# The definitions, word for word where it matters: the model follows the same rules as the
# offline classifier and the operators.
INSTRUCTIONS = """You classify call notes written by telesales operators (mostly Latin American Spanish, some English) \
by the outcome of the call with the lead. Each note has an index. Outcomes:
- positive: the lead advanced (agreed, bought, booked a meeting or demo, asked to pay or sign).
- negative: the lead declined or is not viable (not interested, wrong number, do-not-call, bought elsewhere, \
out of coverage).
- partial: contact was made but there is no decision (call back, thinking, needs someone's approval, wants information).
- unclassified: no conversation happened or the note says nothing of the outcome (no answer, voicemail, busy, \
administrative notes).
Mind negation ("no está interesado" is negative). For each note give the outcome and a short reason quoting the \
words that decided it. Answer for every index, only in the required JSON structure."""

OUTCOMES = [o.value for o in Outcome]

# One schema for both providers (OpenAI strict mode wants every property required and no extras).
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "description": "The note's index."},
                    "outcome": {"type": "string", "enum": OUTCOMES},
                    "reason": {"type": "string", "description": "The words that decided, briefly."},
                },
                "required": ["index", "outcome", "reason"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["results"],
    "additionalProperties": False,
}


def max_output_tokens(count: int) -> int:
    """A bound on the answer (≈ 25 tokens a note, generously): a runaway answer costs little and
    comes back cut short, which reads as malformed."""
    return 100 + 80 * count


def user_message(texts: Sequence[str]) -> str:
    # JSON keeps quotes, newlines and stray instructions inside the notes as data.
    return json.dumps({"notes": [{"index": i, "text": clip(t, NOTE_CHARS)} for i, t in enumerate(texts)]},
                      ensure_ascii=False)


def read_answer(answer: Any, count: int, model: str) -> list[Classification]:
    """The model's answer → one classification per note. Anything malformed (not an object, a
    missing or repeated index, an outcome outside the enum) leaves that note unclassified, with
    the reason, rather than guessing."""
    malformed = [Classification(Outcome.UNCLASSIFIED, model, "respuesta del modelo inválida / malformed model answer")
                 ] * count
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        logger.warning("malformed classifier answer", extra={"model": model, "answer": str(answer)[:500]})
        return malformed
    out: list[Classification | None] = [None] * count
    for item in answer["results"]:
        if not isinstance(item, dict):
            continue
        index, outcome, reason = item.get("index"), item.get("outcome"), item.get("reason")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count or out[index] is not None:
            continue
        if outcome not in OUTCOMES:
            out[index] = Classification(Outcome.UNCLASSIFIED, model,
                                        f"resultado desconocido del modelo / unknown model outcome: {str(outcome)[:40]}")
            continue
        out[index] = Classification(Outcome(outcome), model, str(reason or "")[:300])
    missing = [i for i, c in enumerate(out) if c is None]
    if missing:
        logger.warning("classifier answer missed notes", extra={"model": model, "missing": missing})
    return [c if c is not None else Classification(Outcome.UNCLASSIFIED, model,
                                                   "el modelo no respondió por esta nota / the model gave no answer "
                                                   "for this note") for c in out]


class Retryable(Exception):
    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def backoff(attempt: int, retry_after: float | None = None, *, base: float = 0.5, cap: float = 8.0) -> float:
    """Seconds before attempt `attempt + 1`: the provider's Retry-After when it says (capped), else
    exponential backoff with full jitter."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    return random.uniform(0, min(cap, base * 2**attempt))


def with_retries(call: Callable[[], list[Classification]], *, attempts: int, provider: str,
                 sleep: Callable[[float], None] = time.sleep) -> list[Classification]:
    """Run one model call, retrying throttling/5xx/timeouts up to `attempts` times in all; then
    ClassifierUnavailable, so the caller leaves the notes for a later run."""
    last = ""
    for attempt in range(max(1, attempts)):
        try:
            return call()
        except Retryable as retry:
            last = str(retry)
            logger.warning("classifier call failed, retrying",
                           extra={"provider": provider, "attempt": attempt + 1, "detail": last})
            if attempt + 1 < attempts:
                sleep(backoff(attempt, retry.retry_after))
    raise ClassifierUnavailable(f"{provider}: {last} ({attempts} intentos / attempts)")


def batches(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    size = max(1, size)
    return [texts[i:i + size] for i in range(0, len(texts), size)]


def retry_after_seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


class RemoteClassifier(ABC):
    """A model provider behind the shared batching, bounded retries and token count; a subclass
    makes one call for one batch (`_call`) and names the usage fields its provider reports."""

    provider: ClassVar[str]
    usage_fields: ClassVar[tuple[str, ...]]

    def __init__(self, model: str, *, sleep: Callable[[float], None] | None = None) -> None:
        settings = get_settings()
        self.model = model
        self._batch_size = settings.leads_classifier_batch_size
        self._attempts = settings.leads_classifier_max_attempts
        self._sleep = sleep
        self.usage = dict.fromkeys(self.usage_fields, 0)

    def classify(self, texts: Sequence[str]) -> list[Classification]:
        out: list[Classification] = []
        for batch in batches(texts, self._batch_size):
            def call(batch: Sequence[str] = batch) -> list[Classification]:
                return self._call(batch)

            kwargs = {"sleep": self._sleep} if self._sleep is not None else {}
            out.extend(with_retries(call, attempts=self._attempts, provider=self.provider, **kwargs))
        return out

    def _count_usage(self, usage: Mapping[str, Any]) -> None:
        for key in self.usage:
            self.usage[key] += int(usage.get(key) or 0)

    @abstractmethod
    def _call(self, batch: Sequence[str]) -> list[Classification]:
        """One model call for one batch; `Retryable` for what is worth another attempt."""
