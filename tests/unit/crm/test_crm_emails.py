import pytest
from hypothesis import given
from hypothesis import strategies as st

from skailan.crm.values.emails import InvalidEmail, normalize_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana@empresa.co", "ana@empresa.co"),
        ("  Ana.Perez@Empresa.COM  ", "ana.perez@empresa.com"),
        ("ana+promo@gmail.com", "ana+promo@gmail.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("user@sub.dominio.com.co", "user@sub.dominio.com.co"),
        ("mailto:ana@x.co", "ana@x.co"),
        ("<ana@x.co>", "ana@x.co"),
        ("ana＠x.co", "ana@x.co"),  # full-width @ from a phone keyboard
        ("\u200bana@x.co", "ana@x.co"),
        ("ana@xn--caf-dma.com", "ana@xn--caf-dma.com"),
        ("a@b-c.io", "a@b-c.io"),
    ],
)
def test_normalize_email_valid(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ana.x.co", "missing_at"),
        ("ana@@x.co", "multiple_at"),
        ("ana@x@y.co", "multiple_at"),
        ("@x.co", "invalid_local_part"),
        (".ana@x.co", "invalid_local_part"),
        ("ana.@x.co", "invalid_local_part"),
        ("an..a@x.co", "invalid_local_part"),
        ("ana pérez@x.co", "invalid_local_part"),
        ("josé@x.co", "invalid_local_part"),
        ("a" * 65 + "@x.co", "invalid_local_part"),
        ("ana@", "invalid_domain"),
        ("ana@gmail", "invalid_domain"),
        ("ana@gmail,com", "invalid_domain"),
        ("ana@gmail.c", "invalid_domain"),
        ("ana@-gmail.com", "invalid_domain"),
        ("ana@gmail..com", "invalid_domain"),
        ("ana@gmail.com.", "invalid_domain"),
        ("ana@gmail.123", "invalid_domain"),
        ("ana@" + "a" * 250 + ".com", "too_long"),
    ],
)
def test_normalize_email_invalid(raw, reason):
    with pytest.raises(InvalidEmail) as caught:
        normalize_email(raw)
    assert caught.value.reason == reason
    assert caught.value.status == 422
    assert caught.value.details[0]["field"] == "email"
    assert " / " in caught.value.message  # Spanish / English


@given(st.text(max_size=60))
def test_normalize_email_only_raises_invalid_email_and_is_idempotent(raw):
    try:
        once = normalize_email(raw)
    except InvalidEmail:
        return
    assert normalize_email(once) == once
    assert once == once.strip().lower()


@given(
    local=st.from_regex(r"[a-zA-Z0-9]{1,10}(\.[a-zA-Z0-9_+-]{1,5})?", fullmatch=True),
    domain=st.from_regex(r"[a-zA-Z0-9]{1,10}\.[a-zA-Z]{2,6}", fullmatch=True),
)
def test_well_formed_addresses_are_accepted(local, domain):
    assert normalize_email(f" {local}@{domain} ") == f"{local}@{domain}".lower()
