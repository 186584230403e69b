"""The classifier job on moto: outcomes with source and model, the operator's choice never
overwritten, outages leave notes for the next run, malformed answers, the per-run cap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from tests.integration.leads.conftest import LEADS, new_person
from tests.support import OutboxWatch, call


def _enable(admin: Any, enabled: bool = True) -> None:
    reply = call(LEADS, "PUT", "/v1/lead-flow/settings", principal=admin,
                 body={"ai": {"enabled": enabled, "provider": "local"}})
    assert reply.status == 200, reply.body


def _notes(admin: Any, person: str) -> list[dict[str, Any]]:
    return call(LEADS, "GET", f"/v1/lead-flow/leads/{person}/notes", principal=admin).body["items"]


def _drain() -> None:
    """Classify whatever earlier tests left pending, so each test sees only its own notes."""
    from skailan.leads import classifier_job

    classifier_job.run(cap=10_000)


class Down:
    model = "down"

    def classify(self, texts: Sequence[str]) -> list[Any]:
        from skailan.leads.classification import ClassifierUnavailable

        raise ClassifierUnavailable("503 from the provider")


class Garbled:
    model = "garbled-model"

    def classify(self, texts: Sequence[str]) -> list[Any]:
        from skailan.leads.classification import Classification, Outcome

        return [Classification(outcome=Outcome.UNCLASSIFIED, model=self.model, reason="malformed answer: {oops")
                for _ in texts]


def test_job_classifies_pending_notes_and_never_overwrites_the_operator(demo, deliver):
    from skailan.leads import classifier_job

    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    _enable(admin)
    _drain()
    person = new_person(admin, "Clasifica Uno")
    positive = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/notes", principal=operator,
                    body={"text": "Aceptó la propuesta y agendamos la demo para el martes"}).body
    negative = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/notes", principal=operator,
                    body={"text": "Dijo que no está interesado, que no lo volvamos a llamar"}).body
    chosen = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/notes", principal=operator,
                  body={"text": "Compró el plan anual", "outcome": "partial"}).body
    assert chosen["outcome"] == "partial" and chosen["outcome_source"] == "operator"
    deliver()
    watch = OutboxWatch("skailan-local-leads")
    result = classifier_job.run()
    assert result["classified"] == 2 and result["unavailable"] == 0
    by_id = {n["id"]: n for n in _notes(admin, person)}
    assert by_id[positive["id"]]["outcome"] == "positive"
    assert by_id[negative["id"]]["outcome"] == "negative"
    for note_id in (positive["id"], negative["id"]):
        assert by_id[note_id]["outcome_source"] == "ai" and by_id[note_id]["outcome_model"]
    # the operator's own choice stays, even though the text reads positive
    assert by_id[chosen["id"]]["outcome"] == "partial" and by_id[chosen["id"]]["outcome_source"] == "operator"
    assert sorted(watch.types()) == ["lead.outcome_classified", "lead.outcome_classified"]
    # nothing left: a second run does nothing
    assert classifier_job.run()["classified"] == 0
    # the outcome counters follow the events
    before = call(LEADS, "GET", "/v1/lead-flow/reports", principal=admin, query={"group_by": "outcome"}).body
    deliver()
    after = call(LEADS, "GET", "/v1/lead-flow/reports", principal=admin, query={"group_by": "outcome"}).body
    assert after["outcomes"]["positive"] - before["outcomes"]["positive"] == 1
    assert after["outcomes"]["negative"] - before["outcomes"]["negative"] == 1


def test_an_outcome_written_meanwhile_is_never_overwritten(demo):
    from skailan.leads import store
    from skailan.platform.clock import iso

    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    person = new_person(admin, "Clasifica Carrera")
    note = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/notes", principal=operator, body={"text": "Hola"}).body
    item = store.get_note("demo", person, note["id"])
    assert item is not None
    assert store.set_outcome(item, "negative", "operator", None, None, iso(), []) is True
    assert store.set_outcome(item, "positive", "ai", "m", "r", iso(), []) is False
    assert _notes(admin, person)[0]["outcome"] == "negative"


def test_outage_leaves_notes_for_the_next_run(demo, monkeypatch):
    from skailan.leads import classification, classifier_job

    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    _enable(admin)
    _drain()
    person = new_person(admin, "Clasifica Caida")
    call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/notes", principal=operator,
         body={"text": "Quedó de pensarlo y nos confirma la otra semana"})
    real = classification.classifier_for
    monkeypatch.setattr(classification, "classifier_for", lambda **_: Down())
    result = classifier_job.run()
    assert result["classified"] == 0 and result["unavailable"] == 1
    assert _notes(admin, person)[0]["outcome"] is None  # never a guessed outcome
    monkeypatch.setattr(classification, "classifier_for", real)
    assert classifier_job.run()["classified"] == 1
    retried = _notes(admin, person)[0]
    assert retried["outcome"] in ("positive", "negative", "partial", "unclassified")
    assert retried["outcome_source"] == "ai"


def test_malformed_answer_is_unclassified_with_the_reason(demo, monkeypatch):
    from skailan.leads import classification, classifier_job, store

    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    _enable(admin)
    _drain()
    person = new_person(admin, "Clasifica Rara")
    note = call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/notes", principal=operator,
                body={"text": "Compró el plan"}).body
    monkeypatch.setattr(classification, "classifier_for", lambda **_: Garbled())
    assert classifier_job.run()["classified"] == 1
    stored = store.get_note("demo", person, note["id"])
    assert stored is not None and stored.outcome == "unclassified" and stored.outcome_model == "garbled-model"
    assert stored.outcome_reason == "malformed answer: {oops"


@pytest.mark.parametrize("cap", [1, 2])
def test_per_run_cap_and_disabled_brands(demo, cap):
    from skailan.leads import classifier_job

    admin, operator = demo["admin@demo.local"], demo["operator@demo.local"]
    _enable(admin)
    _drain()
    person = new_person(admin, f"Clasifica Tope {cap}")
    for text in ("No contesta", "Buzón de voz", "Número equivocado"):
        call(LEADS, "POST", f"/v1/lead-flow/leads/{person}/notes", principal=operator, body={"text": text})
    assert classifier_job.run(cap=cap)["classified"] == cap
    assert sum(1 for n in _notes(admin, person) if n["outcome"]) == cap
    _enable(admin, enabled=False)
    assert classifier_job.run()["classified"] == 0  # AI off: the brand is not visited
    assert sum(1 for n in _notes(admin, person) if n["outcome"] is None) == 3 - cap
    _enable(admin)
    assert classifier_job.run()["classified"] == 3 - cap
