"""Cells of the CSV files the product exports: a cell a spreadsheet would run as a formula gets a
leading quote (CSV injection: exported text may be what a customer or a third party typed)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell[T](value: T) -> T | str:
    """`value` as given, unless it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
