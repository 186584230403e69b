"""Lambda functions of the template, run in this process.

Each `AWS::Serverless::Function` becomes a `LocalFunction`: its handler file is imported by path
under a unique module name (many functions have an `app.py`), on first use like a cold start,
and called with the event and a `LambdaContext`. One invocation at a time per function, as one
warm Lambda container would do it: handlers keep per-invocation state on module globals
(Powertools resolvers, loggers), so two threads inside one handler would cross wires.
"""

from __future__ import annotations

import decimal
import importlib.util
import json
import secrets
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from .logs import get_logger
from .physical import PhysicalIds
from .template import Template, UnresolvedReference, cfn_string

log = get_logger("lambda")

DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128
FUNCTION_TYPES = ("AWS::Serverless::Function",)


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    runtime: str = "python3.13"
    timeout: int = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY
    environment: dict[str, str] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    layer_dirs: list[Path] = field(default_factory=list)


def function_specs(template: Template, ids: PhysicalIds) -> dict[str, FunctionSpec]:
    """Every runnable function of the template, with environment and events resolved."""
    resolver = template.resolver(ids)
    specs: dict[str, FunctionSpec] = {}
    for logical_id in template.of_type(*FUNCTION_TYPES):
        properties = template.properties(logical_id)
        if properties.get("PackageType") == "Image" or "InlineCode" in properties:
            log.warning("%s: only zip functions with a CodeUri folder run locally; skipped", logical_id)
            continue
        code_uri = resolver.resolve(properties.get("CodeUri", "."))
        if not isinstance(code_uri, str):
            log.warning("%s: CodeUri %r is not a local folder; skipped", logical_id, code_uri)
            continue
        handler = resolver.resolve(properties.get("Handler"))
        if not handler:
            log.warning("%s: no Handler; skipped", logical_id)
            continue
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=ids.ref(logical_id),
            arn=ids.arn(logical_id),
            code_dir=(template.base_dir / code_uri).resolve(),
            handler=handler,
            runtime=str(resolver.resolve(properties.get("Runtime", "python3.13"))),
            timeout=int(resolver.resolve(properties.get("Timeout", DEFAULT_TIMEOUT))),
            memory_mb=int(resolver.resolve(properties.get("MemorySize", DEFAULT_MEMORY))),
            environment=_environment(logical_id, properties, resolver),
            events=_events(logical_id, properties, resolver),
            layer_dirs=_layer_dirs(template, ids, properties, resolver),
        )
    return specs


def _environment(logical_id: str, properties: dict[str, Any], resolver: Any) -> dict[str, str]:
    variables = ((properties.get("Environment") or {}).get("Variables")) or {}
    environment = {}
    for name, value in variables.items():
        try:
            environment[name] = cfn_string(resolver.resolve(value))
        except (UnresolvedReference, TypeError) as error:
            log.warning("%s: environment variable %s left unset: %s", logical_id, name, error)
    return environment


def _events(logical_id: str, properties: dict[str, Any], resolver: Any) -> dict[str, dict[str, Any]]:
    events = {}
    for name, event in (properties.get("Events") or {}).items():
        try:
            events[name] = {
                "Type": event.get("Type"),
                "Properties": resolver.resolve(event.get("Properties") or {}),
            }
        except UnresolvedReference as error:
            log.warning("%s: event %s cannot be wired locally: %s", logical_id, name, error)
    return events


def _layer_dirs(
    template: Template, ids: PhysicalIds, properties: dict[str, Any], resolver: Any
) -> list[Path]:
    """Folders of the template's own layers, so the layer's packages import as in Lambda."""
    dirs = []
    for layer in properties.get("Layers") or []:
        try:
            arn = resolver.resolve(layer)
        except UnresolvedReference:
            continue
        layer_id = ids.logical_id_for_arn(arn)
        if not layer_id:
            continue  # a published layer (e.g. Powertools): its packages come from the virtualenv
        content_uri = template.properties(layer_id).get("ContentUri")
        if isinstance(content_uri, str):
            root = (template.base_dir / content_uri).resolve()
            dirs += [path for path in (root / "python", root) if path.is_dir()]
    return dirs


# --------------------------------------------------------------------------------------------
# Context and invocation
# --------------------------------------------------------------------------------------------


class LambdaContext:
    """The attributes and method the Python Lambda runtime gives handlers (awslambdaric)."""

    def __init__(self, spec: FunctionSpec, request_id: str) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = str(spec.memory_mb)  # the real runtime passes the env var string
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{secrets.token_hex(16)}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionError(Exception):
    """The handler raised, could not be imported, or returned something Lambda cannot serialize."""

    def __init__(self, logical_id: str, error_type: str, message: str, stack: str = "") -> None:
        super().__init__(f"{logical_id}: {error_type}: {message}")
        self.logical_id = logical_id
        self.error_type = error_type
        self.message = message
        self.stack = stack


def _lambda_json_default(value: Any) -> Any:
    # awslambdaric serializes Decimal (DynamoDB numbers) as numbers.
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class LocalFunction:
    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self.module_name = f"skailan_local_fn_{spec.logical_id}"
        self._handler: Any = None
        self._lock = threading.Lock()

    @property
    def logical_id(self) -> str:
        return self.spec.logical_id

    def invoke(self, event: Any, *, request_id: str | None = None) -> Any:
        """Run the handler like Lambda: JSON in, JSON out; errors become `FunctionError`."""
        request_id = request_id or str(uuid.uuid4())
        payload = json.loads(json.dumps(event))  # the handler gets its own copy, as over the wire
        with self._lock:
            handler = self._load()
            context = LambdaContext(self.spec, request_id)
            started = time.monotonic()
            try:
                result = handler(payload, context)
            except Exception as error:
                stack = traceback.format_exc()
                log.error(
                    "%s raised %s: %s\n%s", self.logical_id, type(error).__name__, error, stack.rstrip()
                )
                raise FunctionError(self.logical_id, type(error).__name__, str(error), stack) from error
            finally:
                elapsed = time.monotonic() - started
                if elapsed > self.spec.timeout:
                    log.warning(
                        "%s ran %.1fs, over its Timeout of %ss: AWS would have stopped it",
                        self.logical_id,
                        elapsed,
                        self.spec.timeout,
                    )
        try:
            return json.loads(json.dumps(result, default=_lambda_json_default))
        except (TypeError, ValueError) as error:
            log.error("%s returned a value Lambda cannot serialize: %s", self.logical_id, error)
            raise FunctionError(self.logical_id, "Runtime.MarshalError", str(error)) from error

    def unload(self) -> None:
        sys.modules.pop(self.module_name, None)
        self._handler = None

    def _load(self) -> Any:
        if self._handler is None:
            module_path, _, function_name = self.spec.handler.rpartition(".")
            source = self.spec.code_dir / (module_path.replace(".", "/") + ".py")
            try:
                module = self._import(source)
                self._handler = getattr(module, function_name)
            except Exception as error:
                stack = traceback.format_exc()
                log.error(
                    "%s: cannot load handler %s from %s\n%s",
                    self.logical_id,
                    self.spec.handler,
                    source,
                    stack,
                )
                raise FunctionError(
                    self.logical_id, "Runtime.ImportModuleError", str(error), stack
                ) from error
        return self._handler

    def _import(self, source: Path) -> ModuleType:
        module_spec = importlib.util.spec_from_file_location(self.module_name, source)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"no module at {source}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[self.module_name] = module
        # Lambda puts the code folder first on sys.path; do the same while the module imports.
        code_dir = str(self.spec.code_dir)
        sys.path.insert(0, code_dir)
        try:
            module_spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(self.module_name, None)
            raise
        finally:
            sys.path.remove(code_dir)
        return module
