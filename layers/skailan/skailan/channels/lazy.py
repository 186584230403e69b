"""Lazy package attributes (PEP 562): senders import httpx, and a webhook handler that only
verifies and parses should not pay for that import on every cold start."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_attributes(package: str, modules: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `modules[name]` on first access of `name`."""

    def __getattr__(name: str) -> object:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
