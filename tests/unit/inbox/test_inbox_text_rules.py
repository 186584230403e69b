"""Merge fields, business hours, bot matching, search keys, template parameters, durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skailan.conversations.domain import hours
from skailan.conversations.domain import templating as merge
from skailan.conversations.domain.filters import parse_duration
from skailan.conversations.inbox import bots, templates
from skailan.conversations.inbox.models import FaqRule
from skailan.conversations.query import search
from skailan.conversations.store import search_index
from skailan.platform.errors import Unprocessable


def test_merge_fields_render_known_values_and_refuse_unknown_names():
    text = "Hola {{contact.first_name}} ({{ contact.name }}), soy {{agent.first_name}} de {{brand.name}}. {{contact.custom.plan}}"
    assert merge.unknown_fields(text) == []
    values = merge.context(contact={"name": "María José Pérez"}, custom={"plan": "Oro"},
                           agent={"name": "Andrés Agente"}, brand_name="Demo")
    assert merge.render(text, values) == "Hola María (María José Pérez), soy Andrés de Demo. Oro"
    # A custom field the person does not have renders empty; unknown names are reported
    assert merge.render("{{contact.custom.nada}}x", values) == "x"
    assert merge.unknown_fields("{{contact.frist_name}} {{cliente}} {{contact.custom.ok}}") == ["contact.frist_name",
                                                                                                 "cliente"]
    assert merge.fields_in("{{a}} {{a}} {{b}}") == ["a", "b"]


@given(st.text(max_size=200))
def test_rendering_never_fails_and_known_fields_disappear(text):
    values = merge.context(contact={"name": "Ana"}, custom={}, agent={"name": "B"}, brand_name="C")
    rendered = merge.render(text + "{{contact.name}}", values)
    assert rendered is not None and "{{contact.name}}" not in rendered


def test_business_hours_in_the_brands_time_zone():
    week = {"mon": [{"start": "08:00", "end": "18:00"}], "sat": [{"start": "09:00", "end": "13:00"}], "sun": []}
    # Monday 2026-11-23 13:30 UTC is 08:30 in Bogotá (UTC-5): open; 12:30 UTC is 07:30: closed
    assert hours.is_open(week, "America/Bogota", datetime(2026, 11, 23, 13, 30, tzinfo=UTC))
    assert not hours.is_open(week, "America/Bogota", datetime(2026, 11, 23, 12, 30, tzinfo=UTC))
    # 18:00 is closing time; Sunday is closed; an unknown zone falls back to UTC
    assert not hours.is_open(week, "America/Bogota", datetime(2026, 11, 23, 23, 0, tzinfo=UTC))
    assert not hours.is_open(week, "America/Bogota", datetime(2026, 11, 29, 15, 0, tzinfo=UTC))
    assert hours.is_open(week, "Mars/Olympus", datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def test_bot_keywords_and_patterns_are_accent_and_case_insensitive():
    assert bots.wants_human("Quiero un ASESOR", ["asesor", "humano", "agent"])
    assert bots.wants_human("can I talk to an agent?", ["asesor", "humano", "agent"])
    assert bots.wants_human("¿Hay algún HUMANO ahí?", ["asesor", "humano", "agent"])
    assert not bots.wants_human("tengo una duda del pedido", ["asesor", "humano", "agent"])
    assert not bots.wants_human("management", ["agent"])  # a word must start with it
    rules = [FaqRule(id="envios", keywords=["envío", "a domicilio"], answer="A"),
             FaqRule(id="precio", pattern=r"\bcuanto (vale|cuesta)\b", answer="B")]
    assert bots.faq_answer("¿hacen ENVIOS?", rules).id == "envios"
    assert bots.faq_answer("entregan A DOMICILIO", rules).id == "envios"
    assert bots.faq_answer("¿Cuánto cuesta?", rules).id == "precio"
    assert bots.faq_answer("hola", rules) is None
    with pytest.raises(ValueError):
        FaqRule(id="x", answer="y")
    with pytest.raises(ValueError):
        FaqRule(id="x", pattern="(", answer="y")


def test_bots_answer_only_recent_messages():
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert bots.fresh("2026-11-23T14:30:00.000Z", now)
    assert not bots.fresh("2026-11-23T13:30:00.000Z", now)
    assert not bots.fresh(None, now)


def test_search_keys_for_phones_emails_and_text():
    assert search_index.phone_keys("+57 300 123 4567") == ["573001234567", "3001234567", "1234567"]
    assert search_index.phone_keys("123") == []
    assert search_index.email_keys("Ana.Perez@Example.COM") == ["ana.perez@example.com", "ana perez", "perez"]
    keys = search_index.text_keys("¿Cuál es el precio del envío a Cali?")
    assert keys[:3] == ["cual es el", "es el precio", "el precio del"] and "precio del envio" in keys
    assert all("#" not in k for k in keys) and len(search_index.text_keys("palabra " * 100)) == 3  # repeats collapse
    assert search.query_key("+57 (300) 123-4567") == "3001234567"
    assert search.query_key("Ana.Perez@Example.com") == "ana.perez@example.com"
    assert search.query_key("  María   JOSÉ ") == "maria jose"


@given(st.text(max_size=300))
def test_text_keys_are_bounded_and_never_contain_the_key_separator(text):
    keys = search_index.text_keys(text)
    assert len(keys) <= search_index.MAX_TEXT_KEYS and all("#" not in k and len(k) <= search_index.MAX_KEY for k in keys)


def test_template_parameters_are_counted_from_the_body():
    assert templates.body_parameters("Hola {{1}}, tu cita es el {{2}} a las {{ 3 }}.") == 3
    assert templates.body_parameters("Sin parámetros") == 0
    assert templates.body_parameters(None) == 0


def test_durations():
    assert parse_duration("30m", "x") == timedelta(minutes=30)
    assert parse_duration("2h", "x") == timedelta(hours=2)
    assert parse_duration("1d", "x") == timedelta(days=1)
    assert parse_duration("1w", "x") == timedelta(weeks=1)
    assert parse_duration("45", "x") == timedelta(minutes=45)
    with pytest.raises(Unprocessable):
        parse_duration("ayer", "x")
