"""Skailan domain package: shared by every Lambda through the `skailan` layer."""

from skailan._lean_imports import install as _lean_powertools

_lean_powertools()  # before any module of ours imports Powertools' HTTP resolver (see the module)
