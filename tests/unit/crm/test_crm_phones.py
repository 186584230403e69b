import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skailan.crm.values.phones import (
    InvalidPhone,
    normalize_phone,
    phone_digits,
    phone_from_whatsapp_id,
    phone_match_key,
)
from skailan.platform.errors import Unprocessable

VALID = [
    # Mexico: the old mobile "1" and the retired 044/045/01 prefixes all collapse.
    ("+52 1 55 1234 5678", "MX", "+525512345678"),
    ("+52 55 1234 5678", "MX", "+525512345678"),
    ("+5215512345678", None, "+525512345678"),
    ("55 1234 5678", "MX", "+525512345678"),
    ("044 55 1234 5678", "MX", "+525512345678"),
    ("045 55 1234 5678", "MX", "+525512345678"),
    ("01 55 1234 5678", "MX", "+525512345678"),
    ("0052 55 1234 5678", "MX", "+525512345678"),
    ("52 1 55 1234 5678", "CO", "+525512345678"),  # foreign number saved without "+"
    ("+52 1 (222) 123-4567", "CO", "+522221234567"),
    # Argentina: mobile "9", national "0" + area + "15".
    ("+54 9 11 1234-5678", "AR", "+5491112345678"),
    ("011 15 1234-5678", "AR", "+5491112345678"),
    ("+54 11 15 1234 5678", "AR", "+5491112345678"),
    ("11 15 1234 5678", "AR", "+5491112345678"),
    ("+54 9 11 1234 5678", None, "+5491112345678"),
    ("0351 15 512 3456", "AR", "+5493515123456"),
    ("+54 11 1234 5678", "AR", "+541112345678"),  # written as a fixed line: kept, key matches
    # Colombia.
    ("300 123 4567", "CO", "+573001234567"),
    ("300-123-4567", "CO", "+573001234567"),
    ("300.123.4567", "CO", "+573001234567"),
    ("(300) 123 4567", "CO", "+573001234567"),
    ("+57 300 1234567", "CO", "+573001234567"),
    ("573001234567", "CO", "+573001234567"),
    ("0057 300 1234567", "CO", "+573001234567"),
    ("009 57 300 1234567", "CO", "+573001234567"),
    ("(601) 2345678", "CO", "+576012345678"),
    ("  300 123 4567 ext 12 ", "CO", "+573001234567"),
    ("tel:+573001234567", None, "+573001234567"),
    ("３００ １２３ ４５６７", "CO", "+573001234567"),  # full-width digits
    ("\u200b300 123 4567\ufeff", "co", "+573001234567"),
    # Others.
    ("9 8765 4321", "CL", "+56987654321"),
    ("987 654 321", "PE", "+51987654321"),
    ("(11) 91234-5678", "BR", "+5511912345678"),
    ("+55 11 8123 4567", None, "+5511981234567"),  # old BR mobile without the ninth digit
    ("+55 11 3123 4567", None, "+551131234567"),  # BR landline: no 9 added
    ("(202) 555-0123", "US", "+12025550123"),
    ("011 52 55 1234 5678", "US", "+525512345678"),
    ("612 345 678", "ES", "+34612345678"),
    ("0054 9 11 1234 5678", "ES", "+5491112345678"),
    ("+44 7911 123456", "CO", "+447911123456"),
]


@pytest.mark.parametrize(("raw", "country", "expected"), VALID)
def test_normalize_phone_valid(raw, country, expected):
    assert normalize_phone(raw, country) == expected


INVALID = [
    ("", "CO", "empty"),
    ("   ", "CO", "empty"),
    ("abc", "CO", "not_a_number"),
    ("=1+2", "CO", "not_a_number"),
    ("x" * 100 + "1", "CO", "not_a_number"),
    ("123", "CO", "too_short"),
    ("+57 300 123", "CO", "too_short"),
    ("12345678901234567890", "CO", "too_long"),
    ("+999 123456", "CO", "invalid_country_code"),
    ("300 123 4567", None, "missing_country"),
    ("15 1234 5678", "AR", "invalid_number"),  # AR mobile without its area code
    ("1234567", "CO", "invalid_number"),
    ("+1 555 0123", "US", "invalid_number"),
]


@pytest.mark.parametrize(("raw", "country", "reason"), INVALID)
def test_normalize_phone_invalid(raw, country, reason):
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw, country)
    assert caught.value.reason == reason
    assert isinstance(caught.value, Unprocessable)
    assert caught.value.status == 422


def test_invalid_phone_names_the_field_in_both_languages():
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone("123", "CO", field="custom.fijo")
    detail = caught.value.details[0]
    assert detail["field"] == "custom.fijo"
    assert detail["error"] == "too_short"
    assert "corto" in detail["message"] and "short" in detail["message"]


def test_an_unknown_stored_default_country_reads_international_numbers_only():
    # Brands validate their country on save; a bad stored one must not break phone reading (ingestion).
    assert normalize_phone("+57 300 123 4567", "ZZ") == "+573001234567"
    with pytest.raises(InvalidPhone) as err:
        normalize_phone("300 123 4567", "ZZ")
    assert err.value.reason == "missing_country"


@pytest.mark.parametrize(
    ("wa_id", "expected"),
    [
        ("5215512345678", "+525512345678"),  # MX wa_ids keep the old 1
        ("5491112345678", "+5491112345678"),
        ("573001234567", "+573001234567"),
        ("551181234567", "+5511981234567"),  # BR wa_id without the ninth digit
    ],
)
def test_phone_from_whatsapp_id(wa_id, expected):
    assert phone_from_whatsapp_id(wa_id) == expected


@pytest.mark.parametrize("wa_id", ["", "12", "+573001234567", "57 300 123 4567", "abc"])
def test_phone_from_whatsapp_id_refuses_non_wa_ids(wa_id):
    with pytest.raises(InvalidPhone):
        phone_from_whatsapp_id(wa_id)


def test_same_argentine_line_has_one_match_key_however_written():
    written = ["+54 9 11 1234-5678", "011 15 1234-5678", "+54 11 15 1234 5678", "+54 11 1234 5678"]
    keys = {phone_match_key(normalize_phone(raw, "AR")) for raw in written}
    assert keys == {"+541112345678"}
    assert phone_match_key(phone_from_whatsapp_id("5491112345678")) == "+541112345678"


def test_same_mexican_line_has_one_canonical_form():
    written = ["+52 1 55 1234 5678", "+52 55 1234 5678", "044 55 1234 5678", "55-1234-5678"]
    assert {normalize_phone(raw, "MX") for raw in written} == {"+525512345678"}
    assert phone_from_whatsapp_id("5215512345678") == "+525512345678"


@pytest.mark.parametrize("e164", ["+573001234567", "+525512345678", "+5511912345678", "+34612345678"])
def test_match_key_is_the_number_itself_outside_argentina(e164):
    assert phone_match_key(e164) == e164


def test_phone_digits():
    assert phone_digits("+57 (300) 123-4567") == "573001234567"
    assert phone_digits("３００") == "300"


REGIONS = ["CO", "MX", "AR", "CL", "PE", "BR", "US", "ES", None]
phone_like = st.text(alphabet="0123456789 +-().", min_size=0, max_size=20)


@given(raw=phone_like, region=st.sampled_from(REGIONS), other=st.sampled_from(REGIONS))
def test_normalize_phone_is_idempotent_on_its_output(raw, region, other):
    try:
        once = normalize_phone(raw, region)
    except InvalidPhone:
        return
    assert once.startswith("+")
    assert normalize_phone(once, region) == once
    assert normalize_phone(once, other) == once  # E.164 does not depend on the brand's country
    assert phone_match_key(once) == phone_match_key(normalize_phone(once, other))


@given(raw=st.text(max_size=40), region=st.sampled_from(REGIONS))
def test_normalize_phone_only_ever_raises_invalid_phone(raw, region):
    with contextlib.suppress(InvalidPhone):
        normalize_phone(raw, region)


@given(national=st.from_regex(r"[2-9]\d{9}", fullmatch=True))
def test_mexican_old_mobile_prefix_never_changes_the_person(national):
    try:
        plain = normalize_phone("+52" + national, None)
    except InvalidPhone:
        return
    assert normalize_phone("+521" + national, None) == plain
    assert phone_from_whatsapp_id("521" + national) == plain
