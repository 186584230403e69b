"""The outcome classifier job (LeadClassifierFunction, every 15 minutes).

For each brand with AI classification on (the settings' sparse index, not a Scan), the notes
without an outcome are read from their own sparse index (oldest first) and sent to the brand's
classifier (`skailan.leads.classification.classifier_for`) in batches, up to a per-run cap for
all brands together (`LEAD_CLASSIFIER_MAX_NOTES`). Each outcome is stored with source "ai" and
the model, by a conditional update that never overwrites an outcome already there (an
operator's own choice always wins), with its `lead.outcome_classified` event in the same
transaction.

A provider outage (`ClassifierUnavailable`: 5xx, timeouts, throttling after the classifier's
own retries) leaves that brand's notes without an outcome for the next run. A malformed answer
comes back from the classifier as `unclassified` with the reason, which is logged.
"""

from __future__ import annotations

from typing import Any

from skailan.leads import flow_settings, store
from skailan.leads.catalogue import LEAD_OUTCOME_CLASSIFIED
from skailan.leads.events import build
from skailan.platform.clock import iso
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

BATCH = 20


def run(*, cap: int | None = None) -> dict[str, Any]:
    remaining = cap if cap is not None else get_settings().lead_classifier_max_notes
    totals = {"brands": 0, "classified": 0, "skipped": 0, "unavailable": 0}
    for tenant_id in store.tenants_with_ai():
        if remaining <= 0:
            break
        totals["brands"] += 1
        done, skipped, unavailable = classify_brand(tenant_id, remaining)
        remaining -= done + skipped
        totals["classified"] += done
        totals["skipped"] += skipped
        totals["unavailable"] += int(unavailable)
    return totals


def classify_brand(tenant_id: str, limit: int) -> tuple[int, int, bool]:
    """(classified, already had an outcome, provider unavailable) for one brand's pending notes."""
    from skailan.leads.classification import ClassifierUnavailable, classifier_for

    conf = flow_settings.load(tenant_id)
    ai = conf["ai"]
    if not ai.get("enabled"):
        return 0, 0, False
    notes = store.unclassified_notes(tenant_id, limit)
    if not notes:
        return 0, 0, False
    provider = str(ai.get("provider") or "local")
    try:
        key = flow_settings.openai_key(tenant_id) if provider == "openai" else None
        classifier = classifier_for(provider=provider, model_id=ai.get("model_id"), openai_api_key=key)
    except ClassifierUnavailable as err:
        logger.warning("lead classifier unavailable", tenant_id=tenant_id, provider=provider, error=str(err))
        return 0, 0, True
    done = skipped = 0
    for start in range(0, len(notes), BATCH):
        batch = notes[start:start + BATCH]
        try:
            results = classifier.classify([n.text for n in batch])
        except ClassifierUnavailable as err:
            logger.warning("lead classifier unavailable", tenant_id=tenant_id, provider=provider, error=str(err),
                           pending=len(notes) - start)
            return done, skipped, True
        if len(results) != len(batch):  # a classifier that broke its contract: nothing is stored
            logger.error("lead classifier answered the wrong number of results", tenant_id=tenant_id,
                         sent=len(batch), received=len(results))
            return done, skipped, True
        for note, result in zip(batch, results, strict=True):
            outcome = str(result.outcome)
            if outcome == "unclassified":
                logger.info("lead note left unclassified", tenant_id=tenant_id, note_id=note.note_id,
                            reason=result.reason, model=result.model)
            event = build(tenant_id, LEAD_OUTCOME_CLASSIFIED, entity_type="lead", entity_id=note.person_id,
                          data={"person_id": note.person_id, "note_id": note.note_id, "outcome": outcome,
                                "source": "ai", "model": result.model, "note_created_at": note.created_at,
                                "author_id": note.author_id, "author_name": note.author_name})
            if store.set_outcome(note, outcome, "ai", result.model, result.reason, iso(), [event]):
                store.set_last_note_outcome(tenant_id, note.person_id, note.note_id, outcome)
                done += 1
            else:
                skipped += 1
    return done, skipped, False
