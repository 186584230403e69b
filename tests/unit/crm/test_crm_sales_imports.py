"""Pure parts of the import service: ids of imported people, the mapping's custom targets, and the
person operations packed into transactions (no AWS: `_send` is replaced)."""

from __future__ import annotations

import pytest
from ulid import ULID

from skailan.crm.capture.imports import jobs as import_jobs
from skailan.crm.capture.imports import worker as import_worker
from skailan.crm.store import person_writes as sales_people
from skailan.crm.store.person_writes import (
    derive,
    email_identity,
    new_person_item,
    phone_identity,
    set_identity,
)
from skailan.crm.store.sales_items import ImportJobItem
from skailan.platform.errors import Unprocessable


def _job(import_id: str = "01JIMPORT0000000000000000A") -> ImportJobItem:
    return ImportJobItem("T#demo#IMPORTS", f"IMPORT#{import_id}", tenant_id="demo", import_id=import_id,
                         status="running", filename="a.csv", source_key="k", created_at="2026-11-23T15:00:00.000Z")


def test_a_row_always_gets_the_same_person_id_and_rows_get_different_ones():
    job = _job()
    first = import_worker.row_person_id(job, 2)
    assert first == import_worker.row_person_id(job, 2)
    assert ULID.from_str(first)  # a real ULID: sorts like any other person id
    ids = {import_worker.row_person_id(job, n) for n in range(2, 2002)}
    assert len(ids) == 2000
    assert import_worker.row_person_id(_job("01JIMPORT0000000000000000B"), 2) != first
    assert sorted(import_worker.row_person_id(job, n) for n in (2, 3, 10)) == [
        import_worker.row_person_id(job, n) for n in (2, 3, 10)]


def test_custom_targets_become_fields_to_create():
    mapping, new = import_jobs._prepare_mapping(
        {"Nombre": "name", "Ciudad": "city", "Empresa": "company", "Talla": "custom:talla", "Club": "custom:club",
         "Nada": None}, ["Nombre", "Ciudad", "Empresa", "Talla", "Club", "Nada"], {"talla", "company"})
    assert mapping == {"Nombre": "name", "Ciudad": "custom:city", "Empresa": "custom:company", "Talla": "custom:talla",
                       "Club": "custom:club", "Nada": None}
    assert new == {"city": "Ciudad", "club": "Club"}


@pytest.mark.parametrize("key", ["Club", "1club", "club-x", "c" * 41, ""])
def test_bad_custom_keys_name_the_column(key):
    with pytest.raises(Unprocessable) as err:
        import_jobs._prepare_mapping({"Club": f"custom:{key}"}, ["Club"], set())
    assert err.value.details == [{"field": "mapping", "header": "Club", "error": "invalid_custom_key",
                                  "message": err.value.details[0]["message"]}]


def _person(pid: str, *, email: str | None = None, phone: str | None = None, tags=(), name: str = "Ana María Paz"):
    item = new_person_item("demo", pid, name, "2026-11-23T15:00:00.000Z")
    item.email, item.phone = email, phone
    set_identity(item, email_identity(email) if email else None, kind="email")
    set_identity(item, phone_identity(phone) if phone else None, kind="phone")
    item.tags = list(tags)
    item.journey_state = "prospecto"
    return item


def test_a_new_person_is_every_item_people_write_would_send():
    person = _person("P1", email="ana@x.co", phone="+5491123456789", tags=["VIP"])
    ops = sales_people._operations("demo", sales_people.PersonWrite(after=person, list_id="L1"))
    keys = [(item.pk, item.sk) for item, _ in ops.saves]
    assert keys[0] == ("T#demo#P#P1", "PERSON")
    assert ("T#demo#ID#email#ana@x.co", "IDENTITY") in keys
    assert ("T#demo#ID#phone#+541123456789", "IDENTITY") in keys  # the AR match key, without the 9
    assert {sk for _, sk in keys if sk.startswith("N#")} == {"N#ana maria paz", "N#maria paz", "N#paz"}
    assert {sk for _, sk in keys if sk.startswith("F#")} == {"F#tag#vip", "F#journey#prospecto", "F#list#L1"}
    conditions = {sk: cond for (item, cond), (_, sk) in zip(ops.saves, keys, strict=True)}
    assert conditions["PERSON"] is not None and conditions["F#list#L1"] is not None
    assert ops.tags == {"vip": (1, "VIP")} and not ops.deletes


def test_an_update_diffs_identities_names_and_tags():
    person = _person("P1", email="old@x.co", tags=["a"], name="Ana Paz")
    before = derive(person)
    person.email = "new@x.co"
    set_identity(person, email_identity("new@x.co"), kind="email")
    person.tags = ["b"]
    person.name = "Ana Gómez"
    ops = sales_people._operations("demo", sales_people.PersonWrite(after=person, before=before))
    saved = {item.sk if item.sk != "IDENTITY" else item.pk for item, _ in ops.saves}
    deleted = {item.sk if item.sk != "IDENTITY" else item.pk for item, _ in ops.deletes}
    assert {"T#demo#ID#email#new@x.co", "N#ana gomez", "N#gomez", "F#tag#b"} <= saved
    assert deleted == {"T#demo#ID#email#old@x.co", "N#ana paz", "N#paz", "F#tag#a"}
    assert ops.tags == {"b": (1, "b"), "a": (-1, "a")}
    assert dict(ops.saves)[person] is None  # the person's own VersionAttribute guards it


def test_people_are_packed_whole_into_transactions_of_at_most_100_items(monkeypatch):
    sent: list[int] = []

    def fake_send(tenant_id, pack, *, tag_counters=True):
        ops_items = sum(ops.size for _, ops in pack)
        counters = sales_people._counters(pack)
        assert ops_items + counters <= sales_people.MAX_ITEMS
        sent.append(len(pack))

    monkeypatch.setattr(sales_people, "_send", fake_send)
    writes = [sales_people.PersonWrite(after=_person(f"P{i}", email=f"p{i}@x.co", phone=f"+57300{i:07d}",
                                                     tags=["feria", f"t{i}"]), list_id="L1") for i in range(50)]
    assert sales_people.commit("demo", writes) == []
    assert sum(sent) == 50 and len(sent) < 10  # ~10 items per person: several people per request


def test_an_oversized_person_is_refused_before_anything_is_sent(monkeypatch):
    monkeypatch.setattr(sales_people, "_send", lambda *a: pytest.fail("nothing may be sent"))
    huge = _person("P1", email="a@x.co", tags=[f"t{i}" for i in range(60)])
    with pytest.raises(ValueError, match="more than a transaction holds"):
        sales_people.commit("demo", [sales_people.PersonWrite(after=huge)])
