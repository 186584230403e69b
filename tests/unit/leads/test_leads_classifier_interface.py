"""The classifier interface the lead-flow job relies on (issue 13 item 6)."""

from __future__ import annotations

import pytest

from skailan.leads.classification import Classification, ClassifierUnavailable, Outcome, classifier_for


def test_local_classifier_keeps_order_and_explains() -> None:
    texts = ["Agendamos demo para el jueves", "No contesta, buzón de voz", "No está interesado",
             "Está interesado pero lo va a pensar"]
    results = classifier_for(provider="local").classify(texts)
    assert [r.outcome for r in results] == [Outcome.POSITIVE, Outcome.UNCLASSIFIED, Outcome.NEGATIVE,
                                            Outcome.PARTIAL]
    assert all(isinstance(r, Classification) and r.model == "offline-rules-v1" for r in results)
    # The reason quotes the operator's own words, as written.
    assert "«demo»" in results[0].reason and "«buzón»" in results[1].reason
    assert "«No está interesado»" in results[2].reason


def test_negation_flips_the_outcome() -> None:
    negative, partial = classifier_for("local").classify(["No está interesado", "Está interesado"])
    assert (negative.outcome, partial.outcome) == (Outcome.NEGATIVE, Outcome.PARTIAL)


def test_empty_batch_and_empty_note() -> None:
    classifier = classifier_for("local")
    assert classifier.classify([]) == []
    (empty,) = classifier.classify(["   "])
    assert empty.outcome is Outcome.UNCLASSIFIED and "vacía" in empty.reason


def test_outcome_values_are_the_contract() -> None:
    assert [o.value for o in Outcome] == ["positive", "negative", "partial", "unclassified"]


def test_openai_without_a_key_is_unavailable_and_unknown_provider_refused() -> None:
    with pytest.raises(ClassifierUnavailable):
        classifier_for("openai", openai_api_key=None)
    with pytest.raises(ValueError, match="unknown"):
        classifier_for("gemini")
