"""What counts as a customer's answer to a rating question (CSAT): 1–5 alone, "n/5", or 1–5 stars."""

from __future__ import annotations

import pytest

from skailan.conversations.domain.policy import parse_rating


@pytest.mark.parametrize(("text", "rating"), [
    ("5", 5), (" 1 ", 1), ("3.", 3), ("4!", 4), ("1/5", 1), ("4 / 5", 4),
    ("⭐", 1), ("⭐⭐⭐", 3), ("⭐ ⭐ ⭐ ⭐ ⭐", 5), ("⭐️⭐️", 2),
])
def test_ratings(text, rating):
    assert parse_rating(text) == rating


@pytest.mark.parametrize("text", [
    None, "", "hola", "0", "6", "10", "5 estrellas", "me gustó, 5", "5/10", "3/4", "⭐⭐⭐⭐⭐⭐", "⭐5", "-1", "2.5",
])
def test_anything_else_is_not_a_rating(text):
    assert parse_rating(text) is None
