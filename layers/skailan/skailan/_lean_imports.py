"""Cold-start trim: two Powertools packages whose `__init__` imports far more than we use.

- `aws_lambda_powertools.event_handler`: its `__init__` imports every resolver Powertools has —
  AppSync (and asyncio with it), Bedrock agents, VPC Lattice… — for the one HTTP resolver we use.
- `aws_lambda_powertools.utilities.data_classes`: its `__init__` imports every event class
  (Kafka, Kinesis, S3, SES, CodePipeline…); the HTTP resolver wants four of them.

Together ~35 ms of every API function's cold start. `install()` registers each package as a
plain package on the same directory whose exported names load on first use: the `__init__`'s own
`from .sub import Name` lines (read with `ast`, nothing executed) say which submodule holds each
name, and only that submodule is imported. A name the `__init__` defines any other way runs the
real `__init__` into the package at that moment, so nothing that expects the full package can
break — it only pays for what it uses.

Installed by `skailan/__init__.py`; a package imported before that keeps its full `__init__` (the
trim is skipped for it, nothing else changes). `tests/unit/platform/test_lean_imports.py`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")
_lock = threading.Lock()


def install() -> None:
    for name in PACKAGES:
        _lazy_package(name)


def _exports(origin: str, package: str) -> dict[str, str]:
    """name → submodule, from the package `__init__`'s `from <package>.<sub> import name` lines."""
    with open(origin, encoding="utf-8") as source:
        tree = ast.parse(source.read(), origin)
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                module = f"{package}.{node.module}"
            elif node.level == 0 and node.module and node.module.startswith(package + "."):
                module = node.module
            else:
                continue
            for alias in node.names:
                out[alias.asname or alias.name] = module
    return out


def _lazy_package(name: str) -> None:
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        return
    if spec is None or spec.loader is None or not spec.submodule_search_locations or not spec.origin:
        return
    exports = _exports(spec.origin, name)
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader
    state = {"complete": False}

    def __getattr__(attr: str) -> Any:  # PEP 562: only for names the package does not have yet
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr in exports:
            value = getattr(importlib.import_module(exports[attr]), attr)
            setattr(package, attr, value)
            return value
        if importlib.util.find_spec(f"{name}.{attr}") is not None:
            return importlib.import_module(f"{name}.{attr}")
        with _lock:
            if not state["complete"]:
                state["complete"] = True
                loader.exec_module(package)  # the real __init__, into this same module
        if attr in package.__dict__:
            return package.__dict__[attr]
        raise AttributeError(f"module {name!r} has no attribute {attr!r}")

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = package
    parent_name, _, child = name.rpartition(".")
    parent = sys.modules.get(parent_name)
    if isinstance(parent, ModuleType):
        setattr(parent, child, package)
