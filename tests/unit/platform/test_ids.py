"""Our ULIDs are python-ulid's, character for character, and sort by time."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ulid import ULID

from skailan.platform.ids import id_at, new_id, ulid


@given(st.integers(min_value=0, max_value=(1 << 48) - 1), st.binary(min_size=10, max_size=10))
def test_the_same_string_as_python_ulid(millis, randomness):
    assert ulid(millis, randomness) == str(ULID.from_bytes(millis.to_bytes(6, "big") + randomness))


def test_new_ids_are_valid_ulids_that_sort_by_time():
    first = new_id()
    assert len(first) == 26 and ULID.from_str(first)
    earlier = id_at(datetime(2020, 1, 1, tzinfo=UTC))
    later = id_at(datetime(2026, 1, 1, tzinfo=UTC))
    assert earlier < later < first
    assert ULID.from_str(later).datetime == datetime(2026, 1, 1, tzinfo=UTC)


def test_out_of_range_parts_are_refused():
    with pytest.raises(ValueError):
        ulid(1 << 48, os.urandom(10))
    with pytest.raises(ValueError):
        ulid(0, b"short")


@pytest.mark.parametrize("value", ["default", "follow_up", "01JABCDEFGHJKMNPQRSTVWXYZ0", "Ventas-2", "l", "a" * 64])
def test_one_grammar_accepts_every_id_the_product_makes(value):
    from pydantic import TypeAdapter

    from skailan.platform.ids import EntityId, is_valid_id

    assert is_valid_id(value)
    assert TypeAdapter(EntityId).validate_python(value) == value


@pytest.mark.parametrize("value", ["", "a" * 65, "a b", "a#b", "a/b", "ñandú", "a.b", None, 5])
def test_one_grammar_refuses_what_cannot_go_into_a_key(value):
    from skailan.platform.ids import is_valid_id

    assert not is_valid_id(value)


def test_no_module_keeps_its_own_id_alphabet():
    """The copies with their own alphabets are gone: every id check is `skailan.platform.ids`."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "layers" / "skailan" / "skailan"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.name != "ids.py" and ("def _valid_id" in p.read_text() or "_ID_CHARS" in p.read_text())]
    assert offenders == []


def test_ordered_ids_sort_by_time_then_by_the_given_order():
    from skailan.platform.ids import ordered_id_at

    second = datetime(2026, 12, 6, 10, 0, 5, tzinfo=UTC)
    ids = [ordered_id_at(second, order) for order in (3, 1, 2, 10, 7)]
    assert [i for _, i in sorted(zip(ids, (3, 1, 2, 10, 7), strict=True))] == [1, 2, 3, 7, 10]
    assert all(ULID.from_str(i).datetime == second for i in ids)
    assert ordered_id_at(second, 1 << 60) < ordered_id_at(datetime(2026, 12, 6, 10, 0, 6, tzinfo=UTC), 0)
    assert ordered_id_at(second, -5) < ordered_id_at(second, 1)  # negative orders clamp to 0
