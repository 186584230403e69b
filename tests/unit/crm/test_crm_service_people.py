"""Pure parts of the people services: derived items, filters, driving keys, identities (no AWS)."""

from __future__ import annotations

import pytest

from skailan.crm.people.service import PeopleFilter, _driver, _in_range
from skailan.crm.store.items import PersonItem
from skailan.crm.store.person_writes import Identity, derive, email_identity, phone_identity


def _person(**attrs) -> PersonItem:
    base = {"tenant_id": "demo", "person_id": "01P", "name": "María José Pérez", "created_at": "2026-01-02T00:00:00.000Z",
            "updated_at": "2026-02-03T00:00:00.000Z", "tags": [], "identities": [], "custom": {}}
    return PersonItem("T#demo#P#01P", "PERSON", **(base | attrs))


def test_derive_lists_every_item_a_person_implies():
    person = _person(tags=["VIP", "Bogotá"], journey_state="prospecto", owner_id="u1", customer_role="r1",
                     identities=[phone_identity("+573001234567").as_json(), email_identity("a@b.co").as_json()])
    derived = derive(person)
    assert derived.names == {"maria jose perez", "jose perez", "perez"}
    assert derived.facets == {("tag", "vip"), ("tag", "bogota"), ("journey", "prospecto"), ("owner", "u1"),
                              ("role", "r1")}
    assert derived.tag_names == {"vip": "VIP", "bogota": "Bogotá"}
    assert set(derived.identities) == {("phone", "+573001234567"), ("email", "a@b.co")}


@pytest.mark.parametrize("state", [{"deleted_at": "2026-03-01T00:00:00.000Z"}, {"merged_into": "01K"}])
def test_a_deleted_or_merged_person_implies_nothing(state):
    derived = derive(_person(tags=["x"], **state))
    assert (derived.names, derived.facets, derived.identities) == (set(), set(), {})


def test_argentine_mobile_and_fixed_forms_share_one_phone_identity():
    assert phone_identity("+5491112345678").key == phone_identity("+541112345678").key == "+541112345678"
    assert phone_identity("+5491112345678") == Identity("phone", "+541112345678", "+5491112345678")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, "created"),
        ({"created_from": "2026-01-01"}, "created"),
        ({"updated_from": "2026-01-01"}, "updated"),
        ({"updated_from": "2026-01-01", "created_to": "2026-02-01"}, "created"),
        ({"tag": "VIP", "owner_id": "u1"}, ("tag", "vip")),
        ({"owner_id": "u1"}, ("owner", "u1")),
        ({"list_id": "l1", "tag": "vip"}, ("list", "l1")),
        ({"segment_id": "s1", "journey_state": "j"}, ("segment", "s1")),
    ],
)
def test_the_driving_key_is_the_most_selective_filter(filters, expected):
    assert _driver(PeopleFilter(**filters)) == expected


def test_filters_applied_to_a_page():
    person = _person(tags=["VIP"], owner_id="u1")
    assert PeopleFilter(tag="vip", owner_id="u1").accepts(person)
    assert not PeopleFilter(tag="otro").accepts(person)
    assert not PeopleFilter(owner_id="u2").accepts(person)
    assert PeopleFilter(updated_from="2026-02-03", updated_to="2026-02-03").accepts(person)
    assert not PeopleFilter(created_to="2026-01-01").accepts(person)
    assert not PeopleFilter().accepts(_person(deleted_at="2026-03-01T00:00:00.000Z"))
    with pytest.raises(TypeError):
        PeopleFilter(tenant_id="acme")


def test_ranges_include_whole_days():
    assert _in_range("2026-01-31T23:59:59.999Z", "2026-01-01", "2026-01-31")
    assert not _in_range("2026-02-01T00:00:00.000Z", None, "2026-01-31")
    assert _in_range(None, None, None)
    assert not _in_range(None, "2026-01-01", None)
