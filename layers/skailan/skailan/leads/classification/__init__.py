"""Lead-note outcome classification (issue 13 item 6): an offline rule classifier, Amazon Bedrock
(Converse, forced tool call) and OpenAI (structured outputs), behind one interface.

    classifier = classifier_for(provider="local" | "bedrock" | "openai", model_id=None, openai_api_key=None)
    classifier.classify(texts) -> list[Classification]     # same order as texts

Providers raise `ClassifierUnavailable` when they are down or throttled after bounded retries.
"""

from __future__ import annotations

from typing import Literal

from skailan.leads.classification.base import Classification, Classifier, ClassifierUnavailable, Outcome

__all__ = ["Classification", "Classifier", "ClassifierUnavailable", "Outcome", "Provider", "classifier_for"]

Provider = Literal["local", "bedrock", "openai"]


def classifier_for(provider: str = "local", model_id: str | None = None,
                   openai_api_key: str | None = None) -> Classifier:
    """The classifier for a brand's configured provider; modules load on first use (cold starts)."""
    if provider == "local":
        from skailan.leads.classification.offline import OfflineClassifier

        return OfflineClassifier()
    if provider == "bedrock":
        from skailan.leads.classification.bedrock import BedrockClassifier

        return BedrockClassifier(model_id=model_id)
    if provider == "openai":
        if not openai_api_key:
            # No key stored: nothing can be asked, so the notes wait (the caller may fall back to local).
            raise ClassifierUnavailable("Falta la clave de OpenAI de la marca. / The brand's OpenAI key is missing.")
        from skailan.leads.classification.openai import OpenAIClassifier

        return OpenAIClassifier(api_key=openai_api_key, model=model_id)
    raise ValueError(f"unknown classifier provider: {provider!r}")
