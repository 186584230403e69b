"""The answer to the NPS question: a whole number 0–10, optionally "/10"; nothing else."""

from __future__ import annotations

import pytest

from skailan.conversations.domain.policy import parse_answer, parse_nps


@pytest.mark.parametrize(("text", "score"), [
    ("0", 0), ("7", 7), ("10", 10), (" 9 ", 9), ("9/10", 9), ("10 / 10", 10), ("8.", 8), ("10!", 10),
])
def test_scores(text, score):
    assert parse_nps(text) == score


@pytest.mark.parametrize("text", ["11", "-1", "100", "9/5", "nueve", "9 gracias", "", None, "⭐⭐⭐", "10/10/10"])
def test_anything_else_is_not_a_score(text):
    assert parse_nps(text) is None


def test_the_awaited_question_decides_the_scale():
    assert parse_answer("0", "nps") == 0 and parse_answer("0", None) is None
    assert parse_answer("⭐⭐⭐⭐", None) == 4 and parse_answer("⭐⭐⭐⭐", "nps") is None
    assert parse_answer("7", None) is None and parse_answer("7", "nps") == 7
