"""Pure parts of identities, merge/duplicates and exports (no AWS)."""

from __future__ import annotations

import pytest

from skailan.crm.audiences.export import _row, _safe
from skailan.crm.people.identities import channel_identity
from skailan.crm.people.models import PersonOut
from skailan.crm.store.duplicates import duplicate_key
from skailan.platform.errors import Unprocessable


@pytest.mark.parametrize(
    ("channel", "external_id", "expected"),
    [
        ("whatsapp", "573001234567", ("whatsapp", "573001234567")),
        ("whatsapp", "+573001234567", ("whatsapp", "573001234567")),
        ("telegram", " 123456 ", ("telegram", "123456")),
        ("messenger", "PSID-9", ("messenger", "PSID-9")),
        ("email", " Ana@Example.CO ", ("email", "ana@example.co")),
    ],
)
def test_channel_sender_ids_become_identities(channel, external_id, expected):
    identity = channel_identity("demo", channel, external_id)
    assert (identity.kind, identity.key) == expected


def test_unusable_sender_ids_are_refused():
    with pytest.raises(Unprocessable):
        channel_identity("demo", "telegram", "  ")
    with pytest.raises(Unprocessable):
        channel_identity("demo", "telegram", "a#b")
    with pytest.raises(ValueError, match="unknown channel"):
        channel_identity("demo", "carrier-pigeon", "1")


@pytest.mark.parametrize(
    ("name", "key"),
    [("José  MARTÍNEZ", "jose martinez"), ("jose martinez", "jose martinez"), ("Ana", None), ("", None)],
)
def test_duplicate_keys_need_two_words(name, key):
    assert duplicate_key(name) == key


def test_csv_cells_never_start_a_formula():
    assert _safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _safe("@cmd") == "'@cmd"
    assert _safe("Ana") == "Ana" and _safe(None) == ""
    person = PersonOut(id="01P", name="-Ana", phone="+573001234567", email="a@b.co", tags=["x", "y"],
                       custom={"colores": ["rojo", "azul"], "edad": 3})
    row = _row(person, ["colores", "edad", "falta"])
    assert row[:5] == ["01P", "'-Ana", "+573001234567", "a@b.co", "x;y"]
    assert row[-3:] == ["rojo;azul", "3", ""]
