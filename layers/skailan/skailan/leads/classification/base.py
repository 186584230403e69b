"""What every lead-note classifier returns, whichever provider answers (docs/leads-classification.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    # positive: the lead advanced (agreed, bought, booked a meeting or demo, asked to pay or sign).
    POSITIVE = "positive"
    # negative: declined or not viable (not interested, wrong number, do-not-call, bought
    # elsewhere, out of coverage).
    NEGATIVE = "negative"
    # partial: contact made, no decision (call back, thinking, needs approval, wants information).
    PARTIAL = "partial"
    # unclassified: no conversation, or the note says nothing of the outcome (no answer,
    # voicemail, busy, administrative notes) — and every answer we could not trust.
    UNCLASSIFIED = "unclassified"


@dataclass(frozen=True, slots=True)
class Classification:
    outcome: Outcome
    model: str  # "offline-rules-v1", a Bedrock model id, an OpenAI model name
    reason: str  # the words that decided, or why the note stayed unclassified


class ClassifierUnavailable(Exception):
    """The provider is down, throttling or timing out after the bounded retries: the caller leaves
    the notes without an outcome and tries again on a later run (never a guessed outcome)."""


class Classifier(Protocol):
    model: str

    def classify(self, texts: Sequence[str]) -> list[Classification]:
        """One classification per text, in the same order."""
        ...
