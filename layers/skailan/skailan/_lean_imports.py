"""Cold-start trim: `aws_lambda_powertools.event_handler` without its package `__init__`.

That `__init__` imports every resolver Powertools has — AppSync (and asyncio with it), Bedrock
agents, VPC Lattice… — about 20 ms of every API function's cold start, for the one HTTP
resolver we use. `install()` registers the package as a plain namespace pointing at the same
directory, so `event_handler.api_gateway` and the other submodules import as usual and the
package itself executes nothing. Its exported names still resolve: the HTTP ones from
`api_gateway`, any other by running the real `__init__` into the package at that moment, so
nothing that expects the full package can break — it only pays what it uses.

Installed by `skailan/__init__.py`; a process that imported `event_handler` earlier keeps the
full package (the trim is skipped, nothing else changes).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

PACKAGE = "aws_lambda_powertools.event_handler"
_FROM_API_GATEWAY = frozenset({"ALBResolver", "APIGatewayHttpResolver", "ApiGatewayResolver",
                               "APIGatewayRestResolver", "CORSConfig", "Response"})
_lock = threading.Lock()


def install() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)
    state = {"complete": False}

    def __getattr__(name: str) -> Any:  # PEP 562: only for names the package does not have yet
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _FROM_API_GATEWAY:
            return getattr(importlib.import_module(f"{PACKAGE}.api_gateway"), name)
        if importlib.util.find_spec(f"{PACKAGE}.{name}") is not None:
            return importlib.import_module(f"{PACKAGE}.{name}")
        with _lock:
            if not state["complete"]:
                state["complete"] = True
                spec.loader.exec_module(package)  # the real __init__, into this same module
        if name in package.__dict__:
            return package.__dict__[name]
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[PACKAGE] = package
    parent = sys.modules.get("aws_lambda_powertools")
    if isinstance(parent, ModuleType):
        parent.event_handler = package  # type: ignore[attr-defined]
