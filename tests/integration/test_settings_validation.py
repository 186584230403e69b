"""Settings PATCHes (brand, inbox: assignment, alerts, bots, CSAT, business hours): nulls and
unknown values are a 422 in the one error shape with nothing written; partial updates merge into
what is stored and never erase siblings; whatever sits in the table, readers keep working."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from skailan.conversations.inbox.models import InboxSettings
from skailan.tenancy.models import BrandSettingsIn
from tests.support import call

ADMIN = "api/admin"
INBOX = "api/inbox"


def _leaf_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every settable field of a settings model, nested sections walked."""
    paths: list[tuple[str, ...]] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths += _leaf_paths(annotation, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body: Any = value
    for part in reversed(path):
        body = {part: body}
    return body


def _error_shape(reply: Any) -> None:
    error = reply.body["error"]
    assert set(error) == {"code", "message", "details"}
    assert " / " in error["message"]  # Spanish / English


BRAND_FIELDS = list(BrandSettingsIn.model_fields)
BRAND_CLEARABLE = BrandSettingsIn.nullable_fields
BRAND_BAD = {
    "name": "", "logo_url": "no es una url", "contact_email": "nadie", "contact_phone": "9" * 41,
    "address": "x" * 301, "website": "ftp://demo.example", "time_zone": "Mars/Olympus", "language": "xx",
    "default_country": "ZZ", "business_hours": {"funday": []}, "holidays": ["2026-02-30"],
    "sla": {"first_response_seconds": 0}, "kam": {"rate_denominator": "all"},
}


def test_every_brand_field_has_a_bad_value_case():
    assert set(BRAND_BAD) == set(BRAND_FIELDS)


@pytest.mark.parametrize("field", [f for f in BRAND_FIELDS if f not in BRAND_CLEARABLE])
def test_brand_null_is_refused_and_nothing_is_written(demo, field):
    admin = demo["admin@demo.local"]
    before = call(ADMIN, "GET", "/v1/admin/brand", principal=admin).body
    reply = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={field: None})
    assert reply.status == 422, reply.body
    _error_shape(reply)
    assert reply.body["error"]["details"][0]["field"] == field
    assert call(ADMIN, "GET", "/v1/admin/brand", principal=admin).body == before


@pytest.mark.parametrize("field", BRAND_FIELDS)
@pytest.mark.parametrize("kind", ["bad", "object"])
def test_brand_unknown_values_are_refused_and_nothing_is_written(demo, field, kind):
    admin = demo["admin@demo.local"]
    before = call(ADMIN, "GET", "/v1/admin/brand", principal=admin).body
    value = BRAND_BAD[field] if kind == "bad" else {"inesperado": 1}
    reply = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={field: value})
    assert reply.status == 422, reply.body
    _error_shape(reply)
    assert reply.body["error"]["details"][0]["field"].split(".")[0] == field
    assert call(ADMIN, "GET", "/v1/admin/brand", principal=admin).body == before


def test_optional_brand_contact_fields_clear_with_null(demo):
    admin = demo["admin@demo.local"]
    set_ = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin,
                body={"website": "https://demo.example", "address": "Calle 1"})
    assert set_.status == 200 and set_.body["address"] == "Calle 1"
    cleared = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={"website": None, "address": None})
    assert cleared.status == 200, cleared.body
    assert cleared.body["website"] is None and cleared.body["address"] is None
    assert cleared.body["time_zone"] == set_.body["time_zone"]


def test_updating_sundays_hours_keeps_monday_to_saturday(demo):
    admin = demo["admin@demo.local"]
    before = call(ADMIN, "GET", "/v1/admin/brand", principal=admin).body["business_hours"]
    assert before["mon"], "the demo brand opens on Mondays"
    sunday = [{"start": "10:00", "end": "14:00"}]
    reply = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={"business_hours": {"sun": sunday}})
    assert reply.status == 200, reply.body
    after = call(ADMIN, "GET", "/v1/admin/brand", principal=admin).body["business_hours"]
    assert after["sun"] == sunday
    assert {d: after[d] for d in ("mon", "tue", "wed", "thu", "fri", "sat")} == \
        {d: before[d] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}


def test_overlapping_or_reversed_hours_are_refused(demo):
    admin = demo["admin@demo.local"]
    for hours in ({"mon": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]},
                  {"tue": [{"start": "18:00", "end": "08:00"}]}, {"wed": [None]}, {"thu": None}):
        reply = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={"business_hours": hours})
        assert reply.status == 422, (hours, reply.body)
        _error_shape(reply)


# ---------------------------------------------------------------- inbox settings

INBOX_FIELDS = _leaf_paths(InboxSettings)
INBOX_NULLABLE = {("alerts", "unassigned_after_minutes")}


def test_the_inbox_walk_covers_bots_and_csat():
    assert ("bots", "inactivity", "minutes") in INBOX_FIELDS and ("csat", "question") in INBOX_FIELDS
    assert ("bots", "faq") in INBOX_FIELDS and ("assignment", "default_capacity") in INBOX_FIELDS


def _inbox(demo: Any) -> dict[str, Any]:
    return call(INBOX, "GET", "/v1/inbox/settings", principal=demo["supervisor@demo.local"]).body


@pytest.mark.parametrize("path", [(s,) for s in InboxSettings.model_fields] +
                         [p for p in INBOX_FIELDS if p not in INBOX_NULLABLE], ids=".".join)
@pytest.mark.parametrize("kind", ["null", "object"])
def test_inbox_null_or_unknown_values_are_refused_and_nothing_is_written(demo, path, kind):
    before = _inbox(demo)
    value = None if kind == "null" else {"inesperado": 1}
    if kind == "object" and len(path) == 1:
        value = {"inesperado": 1}  # an unknown key inside the section
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
                 body=_nest(path, value))
    assert reply.status == 422, reply.body
    _error_shape(reply)
    if kind == "null":
        assert reply.body["error"]["details"][0]["field"] == ".".join(path)
    assert _inbox(demo) == before


def test_updating_the_inactivity_bot_keeps_the_greeting_and_the_faq_rules(demo):
    supervisor = demo["supervisor@demo.local"]
    faq = [{"id": "envios", "keywords": ["envío"], "answer": "Enviamos a todo el país."}]
    first = call(INBOX, "PATCH", "/v1/inbox/settings", principal=supervisor,
                 body={"bots": {"greeting": {"enabled": True, "text": "¡Hola!"}, "faq": faq},
                       "assignment": {"default_capacity": 7}})
    assert first.status == 200, first.body
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=supervisor,
                 body={"bots": {"inactivity": {"enabled": True, "minutes": 30}}, "assignment": {"prefer_tags": False}})
    assert reply.status == 200, reply.body
    bots = reply.body["bots"]
    assert bots["inactivity"]["enabled"] is True and bots["inactivity"]["minutes"] == 30
    assert bots["greeting"] == {"enabled": True, "text": "¡Hola!"}
    assert [r["id"] for r in bots["faq"]] == ["envios"]
    assert reply.body["assignment"]["default_capacity"] == 7 and reply.body["assignment"]["prefer_tags"] is False
    assert _inbox(demo) == reply.body


def test_alerts_can_be_turned_off_with_null(demo):
    reply = call(INBOX, "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
                 body={"alerts": {"unassigned_after_minutes": None}})
    assert reply.status == 200, reply.body
    assert reply.body["alerts"]["unassigned_after_minutes"] is None


# ---------------------------------------------------------------- corrupted storage


def test_readers_survive_values_written_straight_to_the_table(demo):
    from skailan.conversations.inbox.config import get_config
    from skailan.conversations.store.inbox_items import InboxSettingsItem
    from skailan.conversations.store.inbox_items import inbox_settings_pk as settings_pk
    from skailan.crm.people.service import brand_locale
    from skailan.tenancy.store.items import BrandItem, tenant_pk

    brand = BrandItem.get(tenant_pk("acme"), "BRAND")
    original_brand = dict(brand.settings or {})
    try:
        InboxSettingsItem.get(settings_pk("acme"), "SETTINGS")
        original_inbox: dict[str, Any] | None = None
    except InboxSettingsItem.DoesNotExist:
        original_inbox = {}
    try:
        brand.settings = {**original_brand, "time_zone": None, "default_country": "ZZ", "language": 7,
                          "business_hours": {"mon": None, "tue": [{"start": "9", "end": "x"}], "sun": [
                              {"start": "10:00", "end": "12:00"}]}}
        brand.save()
        InboxSettingsItem(settings_pk("acme"), "SETTINGS", tenant_id="acme", created_at="2026-01-01T00:00:00Z",
                          data={"assignment": None, "alerts": "x",
                                "bots": {"greeting": {"enabled": True, "text": "Hola"}, "faq": [
                                    {"id": "ok", "keywords": ["precio"], "answer": "Desde 10"},
                                    {"id": "bad", "answer": None}], "inactivity": {"minutes": -1}},
                                "obsolete": {"x": 1}}).save()
        admin = demo["admin@acme.local"]
        got = call(ADMIN, "GET", "/v1/admin/brand", principal=admin)
        assert got.status == 200, got.body
        assert got.body["time_zone"] == "UTC" and got.body["language"] == "es"
        assert got.body["business_hours"]["sun"] == [{"start": "10:00", "end": "12:00"}]
        config = get_config("acme")
        assert config.assignment.enabled is True and config.bots.greeting.text == "Hola"
        assert [r.id for r in config.bots.faq] == ["ok"] and config.bots.inactivity.minutes == 10
        from skailan.crm.people import service as people
        from skailan.crm.values.phones import normalize_phone

        people._brand_cache.clear()
        country, zone = brand_locale("acme")
        assert zone == "UTC" and normalize_phone("+57 300 123 4567", country) == "+573001234567"
        # a PATCH of one field repairs the rest of what it merges into, never keeps the bad values
        fixed = call(ADMIN, "PATCH", "/v1/admin/brand", principal=admin, body={"default_country": "MX"})
        assert fixed.status == 200, fixed.body
        assert BrandItem.get(tenant_pk("acme"), "BRAND").settings["time_zone"] == "UTC"
        inbox = call(INBOX, "PATCH", "/v1/inbox/settings", principal=admin, body={"csat": {"enabled": False}})
        assert inbox.status == 200, inbox.body
        stored = InboxSettingsItem.get(settings_pk("acme"), "SETTINGS").data
        assert "assignment" not in stored and "obsolete" not in stored and len(stored["bots"]["faq"]) == 1
    finally:
        brand = BrandItem.get(tenant_pk("acme"), "BRAND")
        brand.settings = original_brand
        brand.save()
        if original_inbox is not None:
            InboxSettingsItem.get(settings_pk("acme"), "SETTINGS").delete()


@pytest.mark.parametrize("field", ["name", "position", "active"])
def test_a_close_reason_refuses_null_and_keeps_its_values(demo, field):
    admin = demo["admin@demo.local"]
    created = call(ADMIN, "POST", "/v1/admin/close-reasons", principal=admin,
                   body={"name": f"Motivo {field}", "name_en": "Reason"})
    assert created.status == 201, created.body
    rid = created.body["id"]
    reply = call(ADMIN, "PATCH", f"/v1/admin/close-reasons/{rid}", principal=admin, body={field: None})
    assert reply.status == 422, reply.body
    _error_shape(reply)
    listed = call(ADMIN, "GET", "/v1/admin/close-reasons", principal=admin).body["items"]
    assert next(r for r in listed if r["id"] == rid) == created.body
    cleared = call(ADMIN, "PATCH", f"/v1/admin/close-reasons/{rid}", principal=admin, body={"name_en": None})
    assert cleared.status == 200 and cleared.body["name_en"] is None and cleared.body["name"] == f"Motivo {field}"
