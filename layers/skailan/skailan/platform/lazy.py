"""Modules loaded on first use, for route modules that serve many resources.

A route module with string annotations (`from __future__ import annotations`) can bind
`models = lazy_module("skailan.x.models")` and annotate with `models.FooOut`: Powertools
evaluates annotations when a route is first resolved, so a cold start pays only for the
resources its request touches.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """A module executed on first attribute access (importlib's LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
