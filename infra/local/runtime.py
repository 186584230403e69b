"""`LocalRuntime`: the whole SAM template on one machine — moto, gateway, pollers, schedules.

    runtime = LocalRuntime("template.yaml", parameter_overrides={"Stage": "local"}).start()
    ...
    runtime.stop()

Start order: moto (fresh state) -> resources from the template -> process environment for the
handlers -> routes -> SQS / async pollers -> scheduler -> `infra.local.seed.seed(runtime)` if
that module exists -> the API port opens -> banner. When the port answers, the runtime is ready.
`stop()` undoes it in reverse and restores os.environ.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import socket
import sys
import urllib.request
from pathlib import Path
from typing import Any

from moto.events.models import EventPattern
from moto.server import ThreadedMotoServer

from . import (
    botocore_perf,
    concurrency,
    moto_cognito,
    moto_dynamodb,
    moto_perf,
    moto_s3,
    request_counts,
    websocket,
)
from .apis import build_route_table, load_http_apis
from .app_schedules import AppSchedules
from .authorizers import JwksCache
from .aws import FAKE_CREDENTIALS, AwsClients
from .functions import DEFAULT_CONCURRENCY, FunctionError, LocalFunction, function_specs
from .gateway import Gateway, LocalRequest, LocalRouteHandler
from .logs import get_logger, quiet_werkzeug
from .moto_process import MotoProcess
from .physical import PhysicalIds
from .pollers import AsyncInvokePoller, QueuePoller, SqsEventSourcePoller, sns_lambda_event
from .provision import Provisioner, ProvisioningError, ScheduleRule
from .schedules import ScheduledJob, Scheduler, parse_schedule, scheduled_event
from .streams import StreamPipePoller, pipe_specs
from .template import Template
from .web import WebApp

log = get_logger("runtime")

DEFAULT_PORT = 3000
DEFAULT_MOTO_PORT = 4566
DEFAULT_VISIBILITY_SECONDS = 2
# `make web-build` output, served at `/` (SKAILAN_WEB_DIST points elsewhere).
WEB_DIST = Path(os.environ.get("SKAILAN_WEB_DIST") or Path(__file__).resolve().parents[2] / "web" / "dist")
# Credentials and profiles that must not leak into handlers (they would reach real AWS or fail).
_CLEARED_VARIABLES = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class LocalRuntime:
    def __init__(
        self,
        template_path: str | Path = "template.yaml",
        port: int | None = None,
        moto_port: int | None = None,
        parameter_overrides: dict[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        stack_name: str = "skailan-local",
        visibility_timeout: int | None = None,
        schedules: bool = True,
        env_overrides: dict[str, str] | None = None,
        seed: bool = True,
        strict: bool = False,
        banner: bool = True,
        ws_port: int | None = None,
        concurrency: int | None = None,
        max_concurrency: int | None = None,
        moto_in_process: bool | None = None,
        web_dist: Path | None = WEB_DIST,
    ) -> None:
        """
        port / moto_port: None reads SKAILAN_PORT / SKAILAN_MOTO_PORT (3000 / 4566); 0 picks a free port.
        visibility_timeout: seconds a received message stays hidden (SKAILAN_LOCAL_VISIBILITY_SECONDS, 2).
        schedules: fire Schedule events on time (firing on demand works either way).
        env_overrides: variables set for the handlers after the template's.
        strict: raise if a resource cannot be created or the seed fails, instead of logging it.
        ws_port: the WebSocket API's port; None reads SKAILAN_WS_PORT (3001), or picks a free one
            when `port` is 0 (tests); 0 picks a free one.
        concurrency: containers of a function without ReservedConcurrentExecutions
            (SKAILAN_LOCAL_CONCURRENCY, 4).
        max_concurrency: a cap on every function's and event source's concurrency
            (SKAILAN_LOCAL_MAX_CONCURRENCY; 0 or unset: the template's own figures).
        moto_in_process: run moto's server as a thread of this process instead of a process of its
            own (SKAILAN_LOCAL_MOTO=thread; the default is a process: the GIL is then split).
        web_dist: the built web app served at `/` (None: no web app, unknown paths are 404).
        """
        self.web_dist = web_dist
        self.template_path = Path(template_path)
        self.port = _env_int("SKAILAN_PORT", DEFAULT_PORT) if port is None else port
        self.moto_port = _env_int("SKAILAN_MOTO_PORT", DEFAULT_MOTO_PORT) if moto_port is None else moto_port
        self.parameter_overrides = dict(
            parameter_overrides if parameter_overrides is not None else {"Stage": "local"}
        )
        self.host = host
        self.stack_name = stack_name
        self.visibility_timeout = (
            _env_int("SKAILAN_LOCAL_VISIBILITY_SECONDS", DEFAULT_VISIBILITY_SECONDS)
            if visibility_timeout is None
            else visibility_timeout
        )
        self.schedules_enabled = schedules
        self.env_overrides = dict(env_overrides or {})
        self.run_seed = seed
        self.strict = strict
        self.print_banner = banner
        if ws_port is None:
            ws_port = _env_int("SKAILAN_WS_PORT", 0 if port == 0 else websocket.DEFAULT_WS_PORT)
        self.ws_port = ws_port
        self.concurrency = (
            _env_int("SKAILAN_LOCAL_CONCURRENCY", DEFAULT_CONCURRENCY) if concurrency is None else concurrency
        )
        self.max_concurrency = (
            _env_int("SKAILAN_LOCAL_MAX_CONCURRENCY", 0) if max_concurrency is None else max_concurrency
        )
        self.moto_in_process = (
            os.environ.get("SKAILAN_LOCAL_MOTO", "process") == "thread" if moto_in_process is None else moto_in_process
        )
        self.websockets: list[websocket.WebSocketServer] = []

        self.template: Template | None = None
        self.ids: PhysicalIds | None = None
        self.clients: AwsClients | None = None
        self.functions: dict[str, LocalFunction] = {}
        self.gateway: Gateway | None = None
        self.scheduler: Scheduler | None = None
        self.app_schedules: AppSchedules | None = None
        self.pollers: list[QueuePoller] = []
        self.pipes: list[StreamPipePoller] = []
        self.seed_lines: list[str] = []
        self._moto: ThreadedMotoServer | None = None
        self._moto_process: MotoProcess | None = None
        self._saved_environment: dict[str, str | None] = {}
        self._added_sys_paths: list[str] = []

    # -- public API ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the local API (the gateway)."""
        return f"http://{self.host}:{self.port}"

    @property
    def endpoint_url(self) -> str:
        """The moto endpoint every AWS client should use (also AWS_ENDPOINT_URL)."""
        return f"http://{self.host}:{self.moto_port}"

    def client(self, service: str) -> Any:
        """A boto3 client for the local AWS (moto)."""
        assert self.clients is not None, "start() first"
        return self.clients(service)

    def ref(self, logical_id: str) -> Any:
        """What `!Ref LogicalId` gives locally (table name, queue URL, user pool id, ...)."""
        assert self.ids is not None, "start() first"
        return self.ids.ref(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        assert self.ids is not None, "start() first"
        return self.ids.get_att(logical_id, attribute)

    def invoke(self, function_logical_id: str, event: Any) -> Any:
        """Invoke a function of the template in process (synchronously), like `sam local invoke`."""
        function = self.functions.get(function_logical_id)
        if function is None:
            raise FunctionError(
                function_logical_id, "ResourceNotFoundException", "no such function in the template"
            )
        return function.invoke(event)

    def moto_cpu_seconds(self) -> float | None:
        """CPU seconds used by moto's own process so far (None when moto runs in this process)."""
        return self._moto_process.cpu_seconds() if self._moto_process is not None else None

    def moto_requests(self) -> dict[str, int] | None:
        """Requests moto's own process has served so far, by operation (None when in process)."""
        if self._moto_process is None:
            return None
        from .moto_remote import call

        return dict(call("GET", "/_skailan/requests")["requests"])

    def add_local_route(self, method: str, path: str, fn: LocalRouteHandler) -> None:
        """Serve a local-only route; `fn(request) -> (status, headers, body)`."""
        assert self.gateway is not None, "start() first"
        self.gateway.add_local_route(method, path, fn)

    def fire_schedule(self, owner: str, event_name: str | None = None) -> list[dict[str, Any]]:
        """Fire now the schedules of a function (or of a schedule rule), by logical id."""
        assert self.scheduler is not None, "start() first"
        return self.scheduler.fire_now(owner, event_name)

    def schedules(self) -> list[dict[str, Any]]:
        return [job.describe() for job in self.scheduler.jobs] if self.scheduler else []

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- start / stop --------------------------------------------------------------------------------

    def start(self) -> LocalRuntime:
        quiet_werkzeug()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        # Fail fast on busy ports, before anything is created.
        _ensure_port_free(self.host, self.moto_port, "SKAILAN_MOTO_PORT")
        _ensure_port_free(self.host, self.port, "SKAILAN_PORT")
        _ensure_port_free(self.host, self.ws_port, "SKAILAN_WS_PORT")
        self.template = Template.load(
            self.template_path, self.parameter_overrides, stack_name=self.stack_name
        )
        self._start_moto()
        botocore_perf.install(self.endpoint_url)  # requests to our moto: no SigV4 computed (README)
        request_counts.install()  # AWS requests by caller: GET /_local/requests (README)
        self.clients = AwsClients(self.endpoint_url, self.template.region)
        self.ids = PhysicalIds(self.template, self.endpoint_url)

        provisioner = Provisioner(self.template, self.ids, self.clients)
        provisioner.provision()
        specs = function_specs(self.template, self.ids)
        provisioner.provision_function_events(specs)
        if provisioner.failures and self.strict:
            raise ProvisioningError("; ".join(provisioner.failures))

        self._set_environment(specs)
        self._add_layer_paths(specs)
        concurrency.install()  # Powertools' per-request class state, per thread (concurrent containers)
        self.functions = {
            logical_id: LocalFunction(spec, default_concurrency=self.concurrency, cap=self.max_concurrency or None)
            for logical_id, spec in specs.items()
        }

        apis = load_http_apis(self.template, self.ids)
        routes = build_route_table(self.template, apis, specs)
        self.gateway = Gateway(
            routes,
            apis,
            self.invoke,
            JwksCache(self.endpoint_url),
            host=self.host,
            port=self.port,
            region=self.template.region,
            account_id=self.template.account_id,
        )
        self._add_runtime_routes()
        # The WebSocket APIs (infra/local/websocket.py) open before the seed: it may push frames.
        self.websockets = websocket.attach(self, self.ws_port)
        if self.websockets:
            self.ws_port = self.websockets[0].port
        self.gateway.web_app = WebApp(self.web_dist) if self.web_dist else None

        self._start_pollers(specs, provisioner)
        self._start_pipes(provisioner)
        self.scheduler = Scheduler(
            self._scheduled_jobs(specs, provisioner.schedule_rules), automatic=self.schedules_enabled
        )
        self.scheduler.start()
        self.app_schedules = self._app_schedules()
        if self.schedules_enabled:
            self.app_schedules.start()

        if self.run_seed:
            self.seed_lines = self._seed()
        # The API port opens last: once it answers, the data is seeded and everything runs.
        self.gateway.start()
        self.port = self.gateway.port
        self._default_app_url()
        log.info(
            "ready: %d functions, %d routes, %d pollers, %d pipes, %d schedules",
            len(self.functions),
            len(routes),
            len(self.pollers),
            len(self.pipes),
            len(self.scheduler.jobs),
        )
        if self.print_banner:
            print(self.banner(), flush=True)

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.app_schedules is not None:
            self.app_schedules.stop()
            self.app_schedules = None
        for poller in self.pollers:
            poller.signal_stop()
        for pipe in self.pipes:
            pipe.signal_stop()
        for poller in self.pollers:
            poller.join()
        for pipe in self.pipes:
            pipe.join()
        self.pollers = []
        self.pipes = []
        for server in self.websockets:
            server.stop()
        self.websockets = []
        if self.gateway is not None:
            self.gateway.stop()
        for function in self.functions.values():
            function.unload()
        if self.clients is not None:
            self.clients.close()
        if self._moto is not None:
            self._moto.stop()
            moto_server = getattr(self._moto, "_server", None)
            if moto_server is not None:
                moto_server.server_close()  # ThreadedMotoServer.stop leaves the socket open
            self._moto = None
        botocore_perf.uninstall(self.endpoint_url)
        if self._moto_process is not None:
            self._moto_process.stop()
            self._moto_process = None
        self._restore_environment()
        for path in self._added_sys_paths:
            if path in sys.path:
                sys.path.remove(path)
        self._added_sys_paths = []
        self.scheduler = self.gateway = self.clients = None

    # -- moto ----------------------------------------------------------------------------------------

    def _start_moto(self) -> None:
        if not self.moto_in_process:
            # moto on a core of its own: the patches below are applied in that process.
            self._moto_process = MotoProcess(self.host, self.moto_port)
            self._moto_process.start()
            self.moto_port = self._moto_process.port
            log.info("moto on %s (own process)", self.endpoint_url)
            return
        moto_dynamodb.install()  # O(transaction) TransactWriteItems, atomic across threads
        moto_cognito.install()  # tokens signed with a key of this process; RevokeToken
        moto_s3.install()  # a PUT body is the object, whatever its Content-Type (as in S3)
        moto_perf.install()  # moto's own per-request overheads off the hot path (measured, see README)
        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.moto_port, verbose=False)
        self._moto.start()
        self.moto_port = self._moto.get_host_and_port()[1]
        # In-process moto shares its state with anything else using moto here: start from empty.
        reset = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(reset, timeout=10):  # noqa: S310 - our own moto, over http
            pass
        log.info("moto on %s", self.endpoint_url)

    # -- environment ------------------------------------------------------------------------------

    def _set_environment(self, specs: dict[str, Any]) -> None:
        """One process, so one environment: the union of every function's variables."""
        assert self.template is not None
        merged: dict[str, str] = {}
        owner: dict[str, str] = {}
        for logical_id, spec in specs.items():
            for name, value in spec.environment.items():
                if name in merged and merged[name] != value:
                    log.warning(
                        "%s sets %s=%r but %s set it to %r; keeping %r",
                        logical_id,
                        name,
                        value,
                        owner[name],
                        merged[name],
                        merged[name],
                    )
                    continue
                merged.setdefault(name, value)
                owner.setdefault(name, logical_id)
        merged.setdefault("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray daemon locally
        region = self.template.region
        merged.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
                "AWS_DEFAULT_REGION": region,
                "AWS_REGION": region,
            }
        )
        merged.update(self.env_overrides)
        for name in _CLEARED_VARIABLES:
            self._save_environment(name)
            os.environ.pop(name, None)
        for name, value in merged.items():
            self._save_environment(name)
            os.environ[name] = value

    def _default_app_url(self) -> None:
        """Invitation and password links point at this runtime (its real port) unless the AppUrl
        parameter (or APP_URL override) names another address."""
        if not os.environ.get("APP_URL"):
            self.set_handler_environment("APP_URL", self.url)

    def set_handler_environment(self, name: str, value: str) -> None:
        """Set a handler variable known only once something local runs (restored by stop())."""
        self._save_environment(name)
        os.environ[name] = value
        settings = sys.modules.get("skailan.platform.settings")
        if settings is not None:  # handlers read settings once; forget a copy read before this
            settings.get_settings.cache_clear()

    def _save_environment(self, name: str) -> None:
        if name not in self._saved_environment:
            self._saved_environment[name] = os.environ.get(name)

    def _restore_environment(self) -> None:
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = {}

    def _add_layer_paths(self, specs: dict[str, Any]) -> None:
        for spec in specs.values():
            for layer_dir in spec.layer_dirs:
                path = str(layer_dir)
                if path not in sys.path:
                    sys.path.insert(0, path)
                    self._added_sys_paths.append(path)

    # -- pollers -------------------------------------------------------------------------------------

    def _start_pollers(self, specs: dict[str, Any], provisioner: Provisioner) -> None:
        assert self.template is not None and self.ids is not None
        sqs = self.client("sqs")
        for logical_id, spec in specs.items():
            for event_name, event in spec.events.items():
                if event["Type"] != "SQS":
                    continue
                properties = event["Properties"]
                if _is_false(properties.get("Enabled", True)):
                    continue
                queue_arn = str(properties["Queue"])
                queue_id = self.ids.logical_id_for_arn(queue_arn)
                queue_url = (
                    self.ids.ref(queue_id)
                    if queue_id
                    else sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
                )
                filters = [
                    EventPattern.load(_json_text(item["Pattern"]))
                    for item in (properties.get("FilterCriteria") or {}).get("Filters") or []
                ]
                consumer = self.functions[logical_id]
                scaling = (properties.get("ScalingConfig") or {}).get("MaximumConcurrency")
                source_concurrency = min(int(scaling), consumer.concurrency) if scaling else consumer.concurrency
                self.pollers.append(
                    SqsEventSourcePoller(
                        consumer,
                        event_name,
                        sqs,
                        queue_url,
                        queue_arn,
                        region=self.template.region,
                        report_batch_item_failures="ReportBatchItemFailures"
                        in (properties.get("FunctionResponseTypes") or []),
                        filters=filters,
                        batch_size=int(properties.get("BatchSize", 10)),
                        batching_window=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
                        visibility_timeout=self.visibility_timeout,
                        concurrency=source_concurrency,
                    )
                )
        for target in provisioner.async_targets:
            function = self.functions.get(target.function_logical_id)
            if function is None:
                continue
            to_event = _sns_event_maker(target.subscription_arn or "") if target.kind == "sns" else json.loads
            self.pollers.append(
                AsyncInvokePoller(
                    function,
                    target.source_name,
                    sqs,
                    target.queue_url,
                    to_event=to_event,
                    max_retries=target.max_retries,
                    dead_letter_queue_url=target.dead_letter_queue_url,
                    visibility_timeout=self.visibility_timeout,
                    concurrency=function.concurrency,
                )
            )
        for poller in self.pollers:
            poller.start()

    def _start_pipes(self, provisioner: Provisioner) -> None:
        """DynamoDB stream → event bus Pipes (the transactional outbox): infra/local/streams.py."""
        from . import bus_faults

        assert self.template is not None and self.ids is not None
        bus_faults.install()
        sqs = self.client("sqs")

        def queue_url(arn: str) -> str:
            return str(sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"])

        for spec in pipe_specs(self.template, provisioner.resolver.resolve, self.ids, self.functions, queue_url):
            assert self.clients is not None
            pipe = StreamPipePoller(spec, self.client("dynamodbstreams"), self.clients("events", retries=False), sqs)
            self.pipes.append(pipe)
            pipe.start()

    # -- schedules -----------------------------------------------------------------------------------

    def _scheduled_jobs(self, specs: dict[str, Any], rules: list[ScheduleRule]) -> list[ScheduledJob]:
        assert self.template is not None
        region, account, stack = self.template.region, self.template.account_id, self.template.stack_name
        jobs = []
        for logical_id, spec in specs.items():
            for event_name, event in spec.events.items():
                kind, properties = event["Type"], event["Properties"]
                if kind not in ("Schedule", "ScheduleV2"):
                    continue
                expression = properties.get("Schedule" if kind == "Schedule" else "ScheduleExpression")
                name = properties.get("Name") or f"{stack}-{logical_id}-{event_name}"
                if kind == "Schedule":
                    arn, source = f"arn:aws:events:{region}:{account}:rule/{name}", "aws.events"
                else:
                    group = properties.get("GroupName", "default")
                    arn, source = (
                        f"arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}",
                        "aws.scheduler",
                    )
                enabled = (
                    not _is_false(properties.get("Enabled", True)) and properties.get("State") != "DISABLED"
                )
                job = self._job(
                    logical_id,
                    f"{logical_id}.{event_name}",
                    expression,
                    properties.get("ScheduleExpressionTimezone"),
                    enabled,
                    self._function_delivery(logical_id, arn, source, properties.get("Input")),
                )
                if job:
                    jobs.append(job)
        for rule in rules:
            job = self._job(
                rule.logical_id,
                rule.logical_id,
                rule.expression,
                rule.timezone,
                rule.enabled,
                self._rule_delivery(rule),
            )
            if job:
                jobs.append(job)
        return jobs

    def _job(
        self, owner: str, name: str, expression: Any, timezone: str | None, enabled: bool, fire: Any
    ) -> ScheduledJob | None:
        try:
            schedule = parse_schedule(str(expression), timezone)
        except ValueError as error:
            log.warning("%s: schedule %r not understood (%s); skipped", name, expression, error)
            return None
        return ScheduledJob(owner=owner, name=name, schedule=schedule, fire=fire, enabled=enabled)

    def _scheduled_payload(
        self, arn: str, source: str, target_input: Any = None, input_path: str | None = None
    ) -> Any:
        assert self.template is not None
        if target_input is not None:
            return json.loads(target_input) if isinstance(target_input, str) else target_input
        event = scheduled_event(
            arn, region=self.template.region, account_id=self.template.account_id, source=source
        )
        return _json_path(event, input_path) if input_path else event

    def _function_delivery(self, logical_id: str, arn: str, source: str, target_input: Any) -> Any:
        def fire() -> str:
            self.invoke(logical_id, self._scheduled_payload(arn, source, target_input))
            return logical_id

        return fire

    def _rule_delivery(self, rule: ScheduleRule) -> Any:
        def fire() -> str:
            assert self.ids is not None
            delivered = []
            for target in rule.targets:
                payload = self._scheduled_payload(
                    rule.arn, rule.source, target.get("Input"), target.get("InputPath")
                )
                if target.get("InputTransformer"):
                    log.warning(
                        "%s: InputTransformer is not applied to scheduled events locally", rule.logical_id
                    )
                arn = str(target["Arn"])
                function_id = self.ids.logical_id_for_arn(arn)
                if function_id in self.functions:
                    self.invoke(function_id, payload)
                    delivered.append(function_id)
                elif ":sqs:" in arn:
                    queue_url = self.client("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
                    params: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": json.dumps(payload)}
                    group = (target.get("SqsParameters") or {}).get("MessageGroupId")
                    if group:
                        params["MessageGroupId"] = group
                    self.client("sqs").send_message(**params)
                    delivered.append(arn.rsplit(":", 1)[-1])
                else:
                    log.warning("%s: scheduled target %s is not delivered locally", rule.logical_id, arn)
            return ", ".join(delivered) or "no local target"

        return fire

    def _app_schedules(self) -> AppSchedules:
        """The application's one-time Scheduler schedules (in moto), fired on the application clock."""
        from skailan.platform import clock

        def function_for_arn(arn: str) -> str | None:
            logical_id = self.ids.logical_id_for_arn(arn) if self.ids is not None else None
            return logical_id if logical_id in self.functions else None

        return AppSchedules(self.client, self.invoke, function_for_arn, clock.utcnow)

    def _tick_app_schedules(self) -> None:
        if self.app_schedules is None:
            return
        try:
            self.app_schedules.tick()
        except Exception:  # moto unreachable: the clock still moved; the poller retries
            log.exception("app schedules not read")

    # -- local routes, seed, banner ----------------------------------------------------------------

    def _add_runtime_routes(self) -> None:
        def list_schedules(_: LocalRequest) -> tuple[int, dict[str, str], Any]:
            return 200, {}, {"schedules": self.schedules()}

        def fire(request: LocalRequest) -> tuple[int, dict[str, str], Any]:
            owner = request.path_params["owner"]
            try:
                results = self.fire_schedule(owner, request.query.get("event"))
            except KeyError:
                return 404, {}, {"message": f"no schedule for {owner}"}
            return 200, {}, {"fired": results}

        def resources(_: LocalRequest) -> tuple[int, dict[str, str], Any]:
            return (
                200,
                {},
                {"endpoint": self.endpoint_url, "resources": self.ids.as_dict() if self.ids else {}},
            )

        def pipes(_: LocalRequest) -> tuple[int, dict[str, str], Any]:
            return 200, {}, {"pipes": [pipe.describe() for pipe in self.pipes]}

        def clock_now(_: LocalRequest) -> tuple[int, dict[str, str], Any]:
            from skailan.platform import clock

            return 200, {}, {"now": clock.iso(), "offset_seconds": clock.offset_seconds()}

        def clock_advance(request: LocalRequest) -> tuple[int, dict[str, str], Any]:
            # The application clock (skailan.platform.clock): one offset for the whole process, so
            # every function thread sees the same time; it only moves forward.
            from skailan.platform import clock

            try:
                spec = request.json()
                seconds = spec["advance_seconds"] if isinstance(spec, dict) and set(spec) == {"advance_seconds"} else None
                if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 10 * 366 * 86400:
                    raise ValueError("advance_seconds: a number of seconds from 0 to 10 years")
                clock.advance(float(seconds))
            except (ValueError, clock.ClockNotAdjustable) as error:
                return 400, {}, {"error": {"code": "validation_error",
                                           "message": "Se espera {\"advance_seconds\": N} (N ≥ 0). / "
                                                      "Expected {\"advance_seconds\": N} (N ≥ 0).",
                                           "details": [{"field": "advance_seconds", "error": str(error)}]}}
            # Schedules whose time the clock just passed fire before the answer (deterministic for tests).
            self._tick_app_schedules()
            return 200, {}, {"now": clock.iso(), "offset_seconds": clock.offset_seconds()}

        def app_schedules(_: LocalRequest) -> tuple[int, dict[str, str], Any]:
            if self.app_schedules is None:
                return 200, {}, {"pending": [], "fired": []}
            self._tick_app_schedules()
            return 200, {}, {"pending": self.app_schedules.pending(), "fired": self.app_schedules.fired}

        self.add_local_route("GET", "/_local/app-schedules", app_schedules)
        self.add_local_route("GET", "/_local/clock", clock_now)
        self.add_local_route("POST", "/_local/clock", clock_advance)
        def functions(_: LocalRequest) -> tuple[int, dict[str, str], Any]:
            return 200, {}, {"functions": [function.describe() for function in self.functions.values()],
                             "pollers": [poller.describe() for poller in self.pollers]}

        def requests(request: LocalRequest) -> tuple[int, dict[str, str], Any]:
            # AWS requests of this process by caller (function or poller/pipe thread) and operation.
            if request.method == "DELETE":
                request_counts.reset()
            return 200, {}, {"requests": request_counts.snapshot()}

        self.add_local_route("GET", "/_local/functions", functions)
        self.add_local_route("GET", "/_local/requests", requests)
        self.add_local_route("DELETE", "/_local/requests", requests)
        self.add_local_route("GET", "/_local/pipes", pipes)
        self.add_local_route("GET", "/_local/schedules", list_schedules)
        self.add_local_route("POST", "/_local/schedules/{owner}", fire)
        self.add_local_route("GET", "/_local/resources", resources)

    def _seed(self) -> list[str]:
        if importlib.util.find_spec("infra.local.seed") is None:
            return []
        try:
            module = importlib.import_module("infra.local.seed")
            lines = module.seed(self)
        except Exception:
            if self.strict:
                raise
            log.exception("seed failed; the runtime is up without demo data")
            return ["(seed failed: see the log above)"]
        return [str(line) for line in lines or []]

    def banner(self) -> str:
        assert self.template is not None
        overrides = ", ".join(f"{k}={v}" for k, v in self.parameter_overrides.items()) or "defaults"
        app = self.gateway.web_app if self.gateway is not None else None
        app_line = f"  App      {self.url}/" + ("" if app and app.available else "  (not built: make web-build)")
        lines = [
            "",
            app_line,
            f"  Skailan local runtime — {self.template_path} (stack {self.stack_name}, {overrides})",
            f"  API      {self.url}",
            f"  Docs     {self.url}/docs",
            f"  AWS      {self.endpoint_url}  (moto; handlers get AWS_ENDPOINT_URL)",
            f"  Local    {self.url}/_local/schedules  ·  {self.url}/_local/resources",
            *(f"  Live     {ws.url}  (WebSocket API {ws.api.logical_id})" for ws in self.websockets),
            *(f"  {line}" for line in self.seed_lines),
            "  Data lives in memory: every start begins empty. Ctrl-C stops.",
            "",
        ]
        return "\n".join(lines)


def _sns_event_maker(subscription_arn: str) -> Any:
    def to_event(body: str) -> dict[str, Any]:
        return sns_lambda_event(body, subscription_arn)

    return to_event


def _ensure_port_free(host: str, port: int, variable: str) -> None:
    """A clear error for a busy port (ThreadedMotoServer.start() would otherwise wait forever)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(
                f"{host}:{port} is in use ({error.strerror}); choose another port with {variable}"
            ) from error


def _is_false(value: Any) -> bool:
    return value is False or str(value).lower() == "false"


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _json_path(document: Any, path: str) -> Any:
    """`$`, `$.a.b`: the InputPath forms EventBridge targets use."""
    value = document
    for part in [p for p in path.removeprefix("$").split(".") if p]:
        value = value.get(part) if isinstance(value, dict) else None
    return value
