"""WhatsApp pricing inputs and money arithmetic (pure, no I/O)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from skailan.analytics.credits import OTHER, CreditSettings, amount_of, country_of, micros


@pytest.mark.parametrize("phone,country", [
    ("573005550101", "CO"), ("+57 300 555 0101", "CO"), ("5215512345678", "MX"), ("34600111222", "ES"),
    ("14155550100", "US"), ("351912345678", "PT"), ("593991234567", "EC"), ("447700900123", "GB"),
    ("99912345", OTHER), ("", OTHER), (None, OTHER),
])
def test_the_country_comes_from_the_calling_code(phone, country):
    assert country_of(phone) == country


def test_prices_by_category_and_country_with_the_other_countries_row():
    settings = CreditSettings()
    assert settings.price("marketing", "CO") == 12_500  # micro-units of USD
    assert settings.price("utility", "CO") == 800
    assert settings.price("service", "CO") == 0
    assert settings.price("marketing", "JP") == settings.price("marketing", OTHER) == 60_400
    assert settings.price("unknown-category", "CO") == 0  # priced as service


def test_money_is_exact_in_micro_units():
    total = sum(micros(0.0125) for _ in range(3)) + micros(0.0008)
    assert total == 38_300 and amount_of(total) == 0.0383
    assert amount_of(micros(1.0) - micros(0.9)) == 0.1  # not 0.09999999999999998


@pytest.mark.parametrize("prices", [
    {"co": {"marketing": 1, "utility": 1, "authentication": 1}},
    {"CO": {"marketing": 1, "utility": 1, "authentication": 1}},  # no "*" row
    {"*": {"marketing": -1, "utility": 1, "authentication": 1}},
    {"*": {"marketing": 11, "utility": 1, "authentication": 1}},
])
def test_bad_price_tables_are_refused(prices):
    with pytest.raises(ValidationError):
        CreditSettings.model_validate({"prices": prices})
