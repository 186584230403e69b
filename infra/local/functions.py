"""Lambda functions of the template, run in this process.

Each `AWS::Serverless::Function` becomes a `LocalFunction`: its handler file is imported by path
under a unique module name (many functions have an `app.py`), on first use like a cold start,
and called with the event and a `LambdaContext`.

Concurrency, as Lambda: a function runs up to `concurrency` invocations at once — its
`ReservedConcurrentExecutions`, else `DEFAULT_CONCURRENCY` (`SKAILAN_LOCAL_CONCURRENCY`). Each
invocation takes a warm "container" (the most recently used free one, else a new one: a cold
start) and gives it back when done, so a container is reused but never shared by two invocations
at once. A container is the handler file imported once more under its own module name
(`skailan_local_fn_<Function>`, `..._2`, ...): its module globals (the Powertools resolver, cached
clients of the handler) are its own. The layer's packages (`skailan`, Powertools) are imported once
per process and shared, as a process-wide clock offset or settings cache must be; the few
per-request globals Powertools keeps on classes are made per thread by `concurrency.install()`.
When every container is busy the next invocation waits for one (Lambda would throttle).
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

from .concurrency import own_log_keys
from .logs import get_logger
from .physical import PhysicalIds
from .request_counts import invoking
from .template import Template, UnresolvedReference, cfn_string

log = get_logger("lambda")

DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY = 128
# Containers per function without ReservedConcurrentExecutions (Lambda's would be the account's
# unreserved pool): enough to overlap I/O, few enough for one laptop.
DEFAULT_CONCURRENCY = 4
_import_lock = threading.RLock()  # sys.path and sys.modules edits of concurrent cold starts
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
    reserved_concurrency: int | None = None


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
            reserved_concurrency=_reserved_concurrency(logical_id, properties, resolver),
        )
    return specs


def _reserved_concurrency(logical_id: str, properties: dict[str, Any], resolver: Any) -> int | None:
    value = properties.get("ReservedConcurrentExecutions")
    if value is None:
        return None
    try:
        return max(0, int(resolver.resolve(value)))
    except (UnresolvedReference, TypeError, ValueError) as error:
        log.warning("%s: ReservedConcurrentExecutions %r not understood (%s)", logical_id, value, error)
        return None


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


class _Container:
    """One warm "container": the handler, loaded from its own copy of the handler module."""

    def __init__(self, number: int, module_name: str, handler: Any) -> None:
        self.number = number
        self.module_name = module_name
        self.handler = handler


class LocalFunction:
    def __init__(self, spec: FunctionSpec, *, default_concurrency: int = DEFAULT_CONCURRENCY,
                 cap: int | None = None) -> None:
        self.spec = spec
        self.module_name = f"skailan_local_fn_{spec.logical_id}"
        reserved = spec.reserved_concurrency
        concurrency = reserved if reserved is not None else default_concurrency
        # 0 reserved means "never runs" in AWS; locally still one, so a disabled function can be invoked by hand.
        self.concurrency = max(1, min(concurrency, cap) if cap else concurrency)
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._lock = threading.Lock()
        self._free: list[_Container] = []  # LIFO: the warmest container first, as Lambda reuses
        self._containers: list[_Container] = []
        self.invocations = 0
        self.peak = 0
        self._running = 0

    @property
    def logical_id(self) -> str:
        return self.spec.logical_id

    def describe(self) -> dict[str, Any]:
        return {"function": self.logical_id, "concurrency": self.concurrency, "containers": len(self._containers),
                "running": self._running, "peak": self.peak, "invocations": self.invocations}

    def invoke(self, event: Any, *, request_id: str | None = None) -> Any:
        """Run the handler like Lambda: JSON in, JSON out; errors become `FunctionError`."""
        request_id = request_id or str(uuid.uuid4())
        payload = json.loads(json.dumps(event))  # the handler gets its own copy, as over the wire
        with self._slots:
            container = self._take()
            try:
                result = self._run(container, payload, request_id)
            finally:
                self._give_back(container)
        try:
            return json.loads(json.dumps(result, default=_lambda_json_default))
        except (TypeError, ValueError) as error:
            log.error("%s returned a value Lambda cannot serialize: %s", self.logical_id, error)
            raise FunctionError(self.logical_id, "Runtime.MarshalError", str(error)) from error

    def _run(self, container: _Container, payload: Any, request_id: str) -> Any:
        context = LambdaContext(self.spec, request_id)
        started = time.monotonic()
        try:
            with invoking(self.logical_id), own_log_keys():
                return container.handler(payload, context)
        except Exception as error:
            stack = traceback.format_exc()
            log.error("%s raised %s: %s\n%s", self.logical_id, type(error).__name__, error, stack.rstrip())
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

    def _take(self) -> _Container:
        with self._lock:
            self._running += 1
            self.invocations += 1
            self.peak = max(self.peak, self._running)
            if self._free:
                return self._free.pop()
            number = len(self._containers) + 1
            self._containers.append(placeholder := _Container(number, "", None))
        try:
            module_name = self.module_name if number == 1 else f"{self.module_name}_{number}"
            placeholder.module_name = module_name
            placeholder.handler = self._load(module_name)
        except BaseException:
            with self._lock:  # the next invocation tries a cold start again
                self._containers.remove(placeholder)
                self._running -= 1
            raise
        return placeholder

    def _give_back(self, container: _Container) -> None:
        with self._lock:
            self._running -= 1
            self._free.append(container)

    def unload(self) -> None:
        with self._lock:
            for container in self._containers:
                sys.modules.pop(container.module_name, None)
            self._containers = []
            self._free = []

    def _load(self, module_name: str) -> Any:
        module_path, _, function_name = self.spec.handler.rpartition(".")
        source = self.spec.code_dir / (module_path.replace(".", "/") + ".py")
        try:
            module = self._import(source, module_name)
            return getattr(module, function_name)
        except Exception as error:
            stack = traceback.format_exc()
            log.error(
                "%s: cannot load handler %s from %s\n%s",
                self.logical_id,
                self.spec.handler,
                source,
                stack,
            )
            raise FunctionError(self.logical_id, "Runtime.ImportModuleError", str(error), stack) from error

    def _import(self, source: Path, module_name: str) -> ModuleType:
        module_spec = importlib.util.spec_from_file_location(module_name, source)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"no module at {source}")
        module = importlib.util.module_from_spec(module_spec)
        # Lambda puts the code folder first on sys.path; do the same while the module imports.
        code_dir = str(self.spec.code_dir)
        with _import_lock:
            sys.modules[module_name] = module
            sys.path.insert(0, code_dir)
            try:
                module_spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(module_name, None)
                raise
            finally:
                sys.path.remove(code_dir)
        return module
