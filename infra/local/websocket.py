"""The template's API Gateway WebSocket APIs, served as real WebSockets on 127.0.0.1.

`AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`, its `Route`s (`$connect`,
`$disconnect`, `$default`, custom keys picked by `RouteSelectionExpression`
`$request.body.<field>`), their `Integration`s (`AWS_PROXY` to a function of the template), the
`$connect` REQUEST `Authorizer` (identity sources `route.request.querystring.*` /
`route.request.header.*`; an IAM policy answer) and two-way routes (`RouteResponseSelectionExpression`:
the function's `body` goes back to the client) — with API Gateway's event shapes
(`requestContext.connectionId`, `routeKey`, `eventType`, `domainName`, `stage`, `authorizer`…).

The management API (`apigatewaymanagementapi`: `POST`/`GET`/`DELETE /@connections/{id}`, 410
`GoneException` for a closed connection) is served on its own port: the push worker reaches it
through `WEBSOCKET_MANAGEMENT_URL` (its `endpoint_url`), as in AWS. The WebSocket server is
`websockets`' sync server in a thread; the management API a threaded werkzeug server.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .functions import FunctionError
from .logs import get_logger

if TYPE_CHECKING:
    from .gateway import LocalRouteHandler
    from .physical import PhysicalIds
    from .template import Template

log = get_logger("websocket")

DEFAULT_WS_PORT = 3001
_FUNCTION_IN_URI = re.compile(r"functions/(?P<arn>.+)/invocations$")
_CONNECTIONS_PATH = re.compile(r"^(?:/[^/@]+)*/@connections/(?P<id>[^/]+)$")

Invoker = Callable[[str, dict[str, Any]], Any]


class RuntimeHooks(Protocol):
    """What the WebSocket APIs need of the runtime (`LocalRuntime` in runtime.py), described here
    rather than imported: the runtime imports this module, not the other way round."""

    host: str
    template: Template | None
    ids: PhysicalIds | None

    def invoke(self, function_logical_id: str, event: Any) -> Any: ...

    def set_handler_environment(self, name: str, value: str) -> None: ...

    def add_local_route(self, method: str, path: str, fn: LocalRouteHandler) -> None: ...


@dataclass
class WsAuthorizer:
    function_logical_id: str
    identity_sources: list[str]


@dataclass
class WsRoute:
    key: str
    function_logical_id: str | None
    authorizer: WsAuthorizer | None = None
    two_way: bool = False


@dataclass
class WebSocketApi:
    logical_id: str
    api_id: str
    stage: str
    selection_expression: str
    routes: dict[str, WsRoute] = field(default_factory=dict)


def load_websocket_apis(runtime: RuntimeHooks) -> list[WebSocketApi]:
    """Every WebSocket API of the template, with its routes wired to the template's functions."""
    template, ids = runtime.template, runtime.ids
    assert template is not None and ids is not None
    resolver = template.resolver(ids)

    def props(logical_id: str) -> dict[str, Any]:
        return resolver.resolve(template.properties(logical_id))

    def function_of(uri: Any) -> str | None:
        match = _FUNCTION_IN_URI.search(str(uri or ""))
        return ids.logical_id_for_arn(match.group("arn")) if match else None

    apis = []
    for api_id in template.of_type("AWS::ApiGatewayV2::Api"):
        api_props = props(api_id)
        if str(api_props.get("ProtocolType", "")).upper() != "WEBSOCKET":
            continue
        api_ref = ids.ref(api_id)
        owned = [lid for lid in template.resources if _refers_to(template.properties(lid).get("ApiId"), api_id)]
        stage = next((str(props(lid).get("StageName")) for lid in owned
                      if template.type_of(lid) == "AWS::ApiGatewayV2::Stage"), "$default")
        integrations = {str(ids.ref(lid)): function_of(props(lid).get("IntegrationUri")) for lid in owned
                        if template.type_of(lid) == "AWS::ApiGatewayV2::Integration"}
        authorizers = {}
        for lid in owned:
            if template.type_of(lid) == "AWS::ApiGatewayV2::Authorizer":
                authorizer_props = props(lid)
                function = function_of(authorizer_props.get("AuthorizerUri"))
                if function:
                    authorizers[str(ids.ref(lid))] = WsAuthorizer(
                        function, [str(s) for s in authorizer_props.get("IdentitySource") or []])
        api = WebSocketApi(api_id, str(api_ref), stage,
                           str(api_props.get("RouteSelectionExpression") or "$request.body.action"))
        for lid in owned:
            if template.type_of(lid) != "AWS::ApiGatewayV2::Route":
                continue
            route_props = props(lid)
            target = str(route_props.get("Target") or "").removeprefix("integrations/")
            function = integrations.get(target)
            if function is None:
                log.warning("%s: route %s has no Lambda integration locally", api_id, route_props.get("RouteKey"))
            authorizer = None
            if route_props.get("AuthorizationType") == "CUSTOM":
                authorizer = authorizers.get(str(route_props.get("AuthorizerId")))
            api.routes[str(route_props["RouteKey"])] = WsRoute(
                str(route_props["RouteKey"]), function, authorizer,
                two_way=bool(route_props.get("RouteResponseSelectionExpression")))
        apis.append(api)
    return apis


def _refers_to(value: Any, logical_id: str) -> bool:
    return isinstance(value, dict) and value.get("Ref") == logical_id


def _now_ms() -> int:
    return int(time.time() * 1000)


def _request_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _new_connection_id() -> str:
    # API Gateway's ids look like "Qx1bVdHyoAMCJTA=": 16 characters of base64.
    return base64.urlsafe_b64encode(os.urandom(11)).decode()


def _request_id() -> str:
    return base64.b64encode(os.urandom(12)).decode()[:16]


@dataclass
class _Connection:
    connection_id: str
    socket: ServerConnection | None
    headers: dict[str, str]
    query: dict[str, str]
    source_ip: str
    user_agent: str
    connected_at: int
    authorizer: dict[str, Any] | None
    last_active_at: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class WebSocketServer:
    """One WebSocket API on `host:port`, and its management API on `host:<free port>`."""

    def __init__(self, api: WebSocketApi, invoke: Invoker, *, host: str = "127.0.0.1", port: int = DEFAULT_WS_PORT,
                 region: str = "us-east-1", account_id: str = "123456789012") -> None:
        self.api = api
        self.invoke = invoke
        self.host = host
        self.port = port
        self.region = region
        self.account_id = account_id
        self.connections: dict[str, _Connection] = {}
        self._pending: dict[int, _Connection] = {}
        self._lock = threading.Lock()
        self._server: Server | None = None
        self._management: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []
        self.management_port = 0

    # -- lifecycle ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def management_url(self) -> str:
        """What a stage's `https://{api}.execute-api.{region}.amazonaws.com/{stage}` is locally."""
        return f"http://{self.host}:{self.management_port}/{self.api.stage}"

    def start(self) -> None:
        self._server = serve(self._handle, self.host, self.port, process_request=self._process_request,
                             compression=None, server_header=None, close_timeout=2,
                             logger=get_logger("websocket.server"))
        self.port = self._server.socket.getsockname()[1]
        self._management = make_server(self.host, 0, self._management_app, threaded=True,
                                       request_handler=_QuietHandler)
        self.management_port = self._management.server_port
        for name, target in (("skailan-local-websocket", self._server.serve_forever),
                             ("skailan-local-websocket-management", self._management.serve_forever)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        # Open sockets first, while moto still runs: their $disconnect functions write to it.
        for connection in list(self.connections.values()):
            if connection.socket is not None:
                connection.socket.close(1001, "Going away")
        deadline = time.monotonic() + 5
        while self.connections and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._server is not None:
            self._server.shutdown()
        if self._management is not None:
            self._management.shutdown()
            self._management.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._server = self._management = None

    # -- events -------------------------------------------------------------------------------------

    def _context(self, route_key: str, event_type: str, connection: _Connection, **extra: Any) -> dict[str, Any]:
        now = _now_ms()
        request_id = _request_id()
        context: dict[str, Any] = {
            "routeKey": route_key, "eventType": event_type, "extendedRequestId": request_id,
            "requestTime": _request_time(now), "messageDirection": "IN", "stage": self.api.stage,
            "connectedAt": connection.connected_at, "requestTimeEpoch": now,
            "identity": {"userAgent": connection.user_agent, "sourceIp": connection.source_ip},
            "requestId": request_id, "domainName": f"{self.host}:{self.port}",
            "connectionId": connection.connection_id, "apiId": self.api.api_id, **extra,
        }
        if connection.authorizer is not None:
            context["authorizer"] = connection.authorizer
        return context

    def _method_arn(self, route_key: str) -> str:
        return f"arn:aws:execute-api:{self.region}:{self.account_id}:{self.api.api_id}/{self.api.stage}/{route_key}"

    def _authorize(self, route: WsRoute, connection: _Connection) -> None:
        authorizer = route.authorizer
        if authorizer is None:
            return
        lowered = {k.lower(): v for k, v in connection.headers.items()}
        for source in authorizer.identity_sources:
            kind, _, name = source.removeprefix("route.request.").partition(".")
            value = connection.query.get(name) if kind == "querystring" else lowered.get(name.lower())
            if not value:
                raise _Refused(401, "Unauthorized")  # API Gateway does not call the authorizer
        method_arn = self._method_arn(route.key)
        event: dict[str, Any] = {
            "type": "REQUEST", "methodArn": method_arn, "headers": connection.headers,
            "multiValueHeaders": {k: [v] for k, v in connection.headers.items()},
            "queryStringParameters": connection.query or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in connection.query.items()} or None,
            "stageVariables": {}, "requestContext": self._context(route.key, "CONNECT", connection),
        }
        started = time.monotonic()
        try:
            result = self.invoke(authorizer.function_logical_id, event)
        except FunctionError as error:
            if error.message == "Unauthorized":
                raise _Refused(401, "Unauthorized") from error
            raise _Refused(500, "Internal server error") from error
        statements = ((result or {}).get("policyDocument") or {}).get("Statement") or []
        allowed = any(
            s.get("Effect") == "Allow" and any(r in ("*", method_arn) or _arn_matches(r, method_arn)
                                               for r in _as_list(s.get("Resource")))
            for s in statements)
        denied = any(s.get("Effect") == "Deny" for s in statements)
        if not allowed or denied:
            raise _Refused(403, "Forbidden")
        connection.authorizer = {
            "principalId": result.get("principalId"), "integrationLatency": int((time.monotonic() - started) * 1000),
            **(result.get("context") or {}),
        }

    def _process_request(self, socket: ServerConnection, request: Request) -> Response | None:
        """The handshake: `$connect`'s authorizer and function decide whether the socket opens."""
        parts = urlsplit(request.path)
        headers = {name: value for name, value in request.headers.raw_items()}
        remote = socket.remote_address
        connection = _Connection(
            connection_id=_new_connection_id(), socket=None, headers=headers,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            source_ip=str(remote[0]) if remote else "127.0.0.1",
            user_agent=request.headers.get("User-Agent", ""), connected_at=_now_ms(), authorizer=None)
        route = self.api.routes.get("$connect")
        try:
            if route is not None:
                self._authorize(route, connection)
                if route.function_logical_id:
                    event = {"headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
                             "queryStringParameters": connection.query or None,
                             "multiValueQueryStringParameters": {k: [v] for k, v in connection.query.items()} or None,
                             "requestContext": self._context("$connect", "CONNECT", connection),
                             "isBase64Encoded": False}
                    try:
                        result = self.invoke(route.function_logical_id, event)
                    except FunctionError as error:
                        raise _Refused(500, "Internal server error") from error
                    status = int((result or {}).get("statusCode", 200)) if isinstance(result, dict) else 200
                    if not 200 <= status < 300:
                        raise _Refused(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error")
        except _Refused as refused:
            log.info("websocket handshake refused: %s %s", refused.status, refused.message)
            body = json.dumps({"message": refused.message}).encode()
            reason = HTTPStatus(refused.status).phrase if refused.status in HTTPStatus._value2member_map_ else "Error"
            return Response(refused.status, reason, Headers([("Content-Type", "application/json"),
                                                             ("Content-Length", str(len(body)))]), body)
        with self._lock:
            self._pending[id(socket)] = connection
        return None

    def _handle(self, socket: ServerConnection) -> None:
        with self._lock:
            connection = self._pending.pop(id(socket))
            connection.socket = socket
            connection.last_active_at = _now_ms()
            self.connections[connection.connection_id] = connection
        try:
            for message in socket:
                connection.last_active_at = _now_ms()
                self._on_message(connection, message)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self.connections.pop(connection.connection_id, None)
            self._on_disconnect(connection, socket)

    def _select(self, message: str | bytes) -> str:
        expression = self.api.selection_expression
        if isinstance(message, str) and expression.startswith("$request.body."):
            try:
                value: Any = json.loads(message)
            except ValueError:
                value = None
            for part in expression.removeprefix("$request.body.").split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str) and value in self.api.routes:
                return value
        return "$default"

    def _on_message(self, connection: _Connection, message: str | bytes) -> None:
        route_key = self._select(message)
        route = self.api.routes.get(route_key)
        request_id = _request_id()
        if route is None or route.function_logical_id is None:
            self._send(connection, json.dumps({"message": "Forbidden", "connectionId": connection.connection_id,
                                               "requestId": request_id}))
            return
        binary = isinstance(message, bytes)
        event = {
            "requestContext": self._context(route_key, "MESSAGE", connection, messageId=_request_id()),
            "body": base64.b64encode(message).decode() if isinstance(message, bytes) else message,
            "isBase64Encoded": binary,
        }
        try:
            result = self.invoke(route.function_logical_id, event)
        except FunctionError:
            self._send(connection, json.dumps({"message": "Internal server error",
                                               "connectionId": connection.connection_id, "requestId": request_id}))
            return
        if route.two_way and result is not None:
            body = result.get("body") if isinstance(result, dict) and "statusCode" in result else json.dumps(result)
            if body:
                self._send(connection, str(body))

    def _on_disconnect(self, connection: _Connection, socket: ServerConnection) -> None:
        route = self.api.routes.get("$disconnect")
        if route is None or route.function_logical_id is None:
            return
        event = {
            "headers": {"Host": f"{self.host}:{self.port}", "x-api-key": "", "X-Forwarded-For": "",
                        "x-restapi": ""},
            "multiValueHeaders": {},
            "requestContext": self._context("$disconnect", "DISCONNECT", connection,
                                            disconnectStatusCode=socket.close_code or 1006,
                                            disconnectReason=socket.close_reason or ""),
            "isBase64Encoded": False,
        }
        # A failure is logged by the function runner; API Gateway ignores $disconnect's outcome too.
        with contextlib.suppress(FunctionError):
            self.invoke(route.function_logical_id, event)

    def _send(self, connection: _Connection, data: str | bytes) -> bool:
        socket = connection.socket
        if socket is None:
            return False
        try:
            with connection.lock:
                socket.send(data)
        except ConnectionClosed:
            return False
        return True

    # -- the management API ---------------------------------------------------------------------------

    def _management_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method = environ["REQUEST_METHOD"].upper()
        match = _CONNECTIONS_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return _reply(start_response, 404, {"message": "Not Found"})
        connection = self.connections.get(unquote(match.group("id")))
        gone = connection is None or connection.socket is None
        if gone and method in ("POST", "GET", "DELETE"):
            return _reply(start_response, 410, {"message": None}, error_type="GoneException")
        assert connection is not None and connection.socket is not None
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            data = environ["wsgi.input"].read(length) if length else b""
            if len(data) > 128 * 1024:
                return _reply(start_response, 413, {"message": "Message too long"}, error_type="PayloadTooLargeException")
            try:
                text: str | bytes = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data
            if not self._send(connection, text):
                return _reply(start_response, 410, {"message": None}, error_type="GoneException")
            return _reply(start_response, 200, None)
        if method == "GET":
            return _reply(start_response, 200, {
                "connectedAt": _iso(connection.connected_at),
                "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
                "lastActiveAt": _iso(connection.last_active_at or connection.connected_at)})
        if method == "DELETE":
            connection.socket.close(1000, "")
            return _reply(start_response, 204, None)
        return _reply(start_response, 405, {"message": "Method Not Allowed"})


def _reply(start_response: Callable[..., Any], status: int, body: Any, *, error_type: str | None = None) -> list[bytes]:
    raw = b"" if body is None else json.dumps(body).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(raw))),
               ("x-amzn-RequestId", str(uuid.uuid4()))]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [raw]


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _arn_matches(pattern: str, arn: str) -> bool:
    regex = "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"
    return re.match(regex, arn) is not None


class _QuietHandler(WSGIRequestHandler):
    timeout = 10

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


# -- the runtime's hook --------------------------------------------------------------------------------


def attach(runtime: RuntimeHooks, port: int) -> list[WebSocketServer]:
    """Serve the template's WebSocket APIs (the first on `port`, others on free ports), point the
    functions' `WEBSOCKET_MANAGEMENT_URL` at the local management API, and add `GET /config.json`."""
    assert runtime.template is not None
    servers: list[WebSocketServer] = []
    for index, api in enumerate(load_websocket_apis(runtime)):
        server = WebSocketServer(api, runtime.invoke, host=runtime.host, port=port if index == 0 else 0,
                                 region=runtime.template.region, account_id=runtime.template.account_id)
        server.start()
        servers.append(server)
        log.info("websocket api %s on %s (management %s)", api.logical_id, server.url, server.management_url)
    if servers:
        runtime.set_handler_environment("WEBSOCKET_MANAGEMENT_URL", servers[0].management_url)
        ws_url = servers[0].url

        def config(_: Any) -> tuple[int, dict[str, str], Any]:
            # What the app fetches at boot; in AWS `make deploy-web` writes it (docs/realtime.md).
            return 200, {"cache-control": "no-store"}, {"apiUrl": "", "wsUrl": ws_url}

        runtime.add_local_route("GET", "/config.json", config)
    return servers
