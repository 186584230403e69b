"""The brand's live-people count (sharded counter kept in every person transaction) agrees with the
people index through creates, channel resolution, deletes, merges — and survives a transaction
conflict on its shard."""

from __future__ import annotations

import pytest
from pynamodb.connection.base import VerboseClientError
from pynamodb.exceptions import CancellationReason, TransactWriteError

from tests.support import call

CRM = "api/crm"


def _indexed(tenant: str) -> int:
    from skailan.crm.store.items import PersonItem, people_index_pk

    return PersonItem.gsi1.count(people_index_pk(tenant))


def _total(tenant: str) -> int:
    from skailan.crm.store.person_reads import people_total

    return people_total(tenant)


def _create(principal, name, **body):
    reply = call(CRM, "POST", "/v1/contacts", principal=principal, body={"name": name, **body})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def test_count_follows_creates_deletes_merges_and_channel_people(demo):
    from skailan.crm.people.identities import resolve_or_create

    admin = demo["admin@demo.local"]
    start = _total("demo")
    assert start == _indexed("demo")
    ids = [_create(admin, f"Conteo {i}", email=f"conteo{i}@demo.co") for i in range(4)]
    assert _total("demo") == start + 4
    resolved = resolve_or_create("demo", "telegram", "777001", display_name="Canal Nuevo")
    assert resolved.created and _total("demo") == start + 5
    resolve_or_create("demo", "telegram", "777001")  # the same sender again: nobody new
    assert _total("demo") == start + 5
    assert call(CRM, "DELETE", f"/v1/contacts/{ids[0]}", principal=admin).status == 204
    assert call(CRM, "DELETE", f"/v1/contacts/{ids[0]}", principal=admin).status == 404  # counted once
    assert call(CRM, "POST", f"/v1/contacts/{ids[1]}/merge", principal=admin,
                body={"other_id": ids[2]}).status == 200
    assert _total("demo") == start + 3 == _indexed("demo")
    # another brand's count never moves; the API answers each brand its own
    assert _total("acme") == _indexed("acme")
    assert call(CRM, "GET", "/v1/contacts/count", principal=admin).body == {"people_total": start + 3}
    acme = call(CRM, "GET", "/v1/contacts/count", principal=demo["admin@acme.local"]).body
    assert acme == {"people_total": _indexed("acme")}


def test_a_transaction_conflict_on_the_count_is_retried_not_lost(demo, monkeypatch):
    from skailan.crm.store import person_writes

    real = person_writes._send
    calls = {"n": 0}

    def conflicting_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            reasons = [None, CancellationReason(code="TransactionConflict", message="conflict")]
            cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "x"}},
                                       "TransactWriteItems", cancellation_reasons=reasons)
            raise TransactWriteError("conflict", cause=cause)
        return real(*args, **kwargs)

    monkeypatch.setattr(person_writes, "_send", conflicting_once)
    start = _total("demo")
    _create(demo["admin@demo.local"], "Con conflicto", email="conflicto@demo.co")
    assert calls["n"] == 2
    assert _total("demo") == start + 1 == _indexed("demo")


def test_a_failed_condition_is_not_retried(demo, monkeypatch):
    from skailan.crm.store import person_writes

    admin = demo["admin@demo.local"]
    _create(admin, "Primera", email="unica@demo.co")
    sent = {"n": 0}
    real = person_writes._send

    def counting(*args, **kwargs):
        sent["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(person_writes, "_send", counting)
    start = _total("demo")
    reply = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": "Segunda", "email": "unica@demo.co"})
    assert reply.status == 409 and sent["n"] == 1
    assert _total("demo") == start


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    from skailan.platform import cancellation

    monkeypatch.setattr(cancellation.time, "sleep", lambda _s: None)
