"""The local API Gateway: one threaded HTTP server for every HttpApi route of the template.

Per request, in API Gateway's order: CORS preflight (answered by the gateway itself when the API
has a CorsConfiguration), local-only routes (`add_local_route`), route selection, the route's
authorizer, the payload 2.0 event, the handler in process, the payload 2.0 response mapping,
then CORS headers. The gateway's own errors (404, 401/403, 413 over 10 MB, 429 from the route
throttling of DefaultRouteSettings / RouteSettings, 500) answer the API's one error shape
`{"error": {"code", "message", "details"}}` with Spanish and English messages.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import apigw
from .apigw import HttpResponse, IncomingRequest, InvalidLambdaResponse, json_response
from .apis import HttpApi, RouteTarget
from .authorizers import Decision, JwksCache, JwtAuthorizer, authorize_jwt, authorize_lambda
from .functions import FunctionError
from .logs import get_logger
from .routes import Route, RouteTable
from .web import WebApp

log = get_logger("gateway")


@dataclass
class LocalRequest:
    """What a local-only route handler receives."""

    method: str
    path: str
    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


# fn(request) -> (status, headers, body): body may be bytes, str, or anything JSON-serializable.
LocalRouteHandler = Callable[[LocalRequest], tuple[int, dict[str, str] | None, Any]]
Invoker = Callable[[str, dict[str, Any]], Any]


class _QuietRequestHandler(WSGIRequestHandler):
    timeout = 10  # close idle keep-alive connections, so no handler thread outlives stop() for long

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the gateway logs its own line per request


class Gateway:
    def __init__(
        self,
        routes: RouteTable,
        apis: dict[str, HttpApi],
        invoke: Invoker,
        jwks: JwksCache,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        region: str = "us-east-1",
        account_id: str = "123456789012",
    ) -> None:
        self.routes = routes
        self.apis = apis
        self.invoke = invoke
        self.jwks = jwks
        self.host = host
        self.port = port
        self.region = region
        self.account_id = account_id
        self.local_routes = RouteTable()
        self._buckets: dict[tuple[str, str], list[float]] = {}  # (api id, route key) -> [tokens, last refill]
        self._buckets_lock = threading.Lock()
        self.web_app: WebApp | None = None  # the built SPA, asked when no route matches
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._server = make_server(
            self.host, self.port, self, threaded=True, request_handler=_QuietRequestHandler
        )
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="skailan-local-gateway", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def add_local_route(self, method: str, path: str, fn: LocalRouteHandler) -> None:
        """A route that exists only locally (e.g. `/docs`, `/_local/...`); it wins over the template's."""
        self.local_routes.add(Route(method, path, fn))

    # -- WSGI ---------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        request = _incoming_request(environ, self.port)
        response = self.handle(request)
        reason = (
            HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else ""
        )
        headers = [(name, value) for name, value in response.headers if name.lower() != "content-length"]
        headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status} {reason}".strip(), headers)
        return [b"" if request.method.upper() == "HEAD" else response.body]

    # -- request handling -----------------------------------------------------------------------

    def handle(self, request: IncomingRequest) -> HttpResponse:
        started = time.monotonic()
        handled_by = ""
        try:
            response, handled_by = self._dispatch(request)
        except Exception:
            log.exception("gateway error on %s %s", request.method, request.raw_path)
            response = json_response(500, apigw.INTERNAL_ERROR)
        response.headers.append(("apigw-requestid", request.request_id))
        if not any(name.lower() == "x-content-type-options" for name, _ in response.headers):
            response.headers.append(("x-content-type-options", "nosniff"))  # the gateway's own answers too
        elapsed_ms = (time.monotonic() - started) * 1000
        query = f"?{request.raw_query}" if request.raw_query else ""
        log.info(
            "%s %s%s -> %d %.0fms%s",
            request.method,
            request.raw_path,
            query,
            response.status,
            elapsed_ms,
            f" ({handled_by})" if handled_by else "",
        )
        return response

    def _dispatch(self, request: IncomingRequest) -> tuple[HttpResponse, str]:
        method = request.method.upper()
        api = self._api_for_path(request.raw_path, method)

        is_preflight = (
            method == "OPTIONS"
            and request.header("origin")
            and request.header("access-control-request-method")
        )
        if is_preflight and api is not None and api.cors is not None:
            return _preflight(api, request), "cors"

        local = self.local_routes.match(method, request.raw_path)
        if local is not None:
            return self._call_local_route(local.route.target, request, local.path_parameters), "local"

        match = self.routes.match(method, request.raw_path)
        if match is None:
            page = self.web_app.respond(method, request.raw_path, request.header("accept")) if self.web_app else None
            if page is not None:
                return page, "web"
            return _with_cors(api, request, json_response(404, apigw.NOT_FOUND)), ""
        target: RouteTarget = match.route.target
        route_key = match.route.route_key

        if len(request.body) > apigw.MAX_PAYLOAD_BYTES:
            return _with_cors(target.api, request, json_response(413, apigw.PAYLOAD_TOO_LARGE)), ""
        if not self._take_token(target.api, route_key):
            return _with_cors(target.api, request, json_response(
                429, apigw.TOO_MANY_REQUESTS, [("retry-after", "1")])), ""

        decision = self._authorize(target, request, route_key, match.path_parameters)
        if not decision.allowed:
            log.info("%s -> %d: %s", route_key, decision.status, decision.reason)
            body = {401: apigw.UNAUTHORIZED, 403: apigw.FORBIDDEN}.get(decision.status, apigw.INTERNAL_ERROR)
            return _with_cors(
                target.api, request, json_response(decision.status, body)
            ), target.function_logical_id

        event = apigw.build_http_event(
            request,
            route_key=route_key,
            path_parameters=match.path_parameters,
            api_id=target.api.api_id,
            account_id=self.account_id,
            authorizer=decision.authorizer,
        )
        try:
            result = self.invoke(target.function_logical_id, event)
            response = apigw.response_from_result(result)
        except FunctionError:
            response = json_response(500, apigw.INTERNAL_ERROR)  # the traceback is logged by the function
        except InvalidLambdaResponse as error:
            log.error("%s returned a malformed response: %s", target.function_logical_id, error)
            response = json_response(500, apigw.INTERNAL_ERROR)
        return _with_cors(target.api, request, response), target.function_logical_id

    def _take_token(self, api: HttpApi, route_key: str) -> bool:
        """API Gateway's token bucket per route: `burst` tokens, refilled at `rate` per second."""
        throttle = api.throttle_for(route_key)
        if throttle is None:
            return True
        now = time.monotonic()
        with self._buckets_lock:
            tokens, last = self._buckets.get((api.api_id, route_key), [float(throttle.burst), now])
            tokens = min(float(throttle.burst), tokens + (now - last) * throttle.rate)
            allowed = tokens >= 1
            self._buckets[(api.api_id, route_key)] = [tokens - 1 if allowed else tokens, now]
            return allowed

    def _authorize(
        self, target: RouteTarget, request: IncomingRequest, route_key: str, path_parameters: dict[str, str]
    ) -> Decision:
        authorizer = target.authorizer
        if authorizer is None:
            return Decision(True)
        if isinstance(authorizer, JwtAuthorizer):
            return authorize_jwt(authorizer, request, target.scopes, self.jwks)
        return authorize_lambda(
            authorizer,
            request,
            invoke=self.invoke,
            route_key=route_key,
            route_arn=apigw.route_arn(
                self.region, self.account_id, target.api.api_id, "$default", request.method, request.raw_path
            ),
            path_parameters=path_parameters,
            api_id=target.api.api_id,
            account_id=self.account_id,
        )

    def _api_for_path(self, path: str, method: str) -> HttpApi | None:
        """The API a request belongs to, for CORS: the one of its route, else the only one."""
        for candidate_method in (method, "ANY", None):
            for route in self.routes.paths_matching(path):
                if candidate_method is None or route.method == candidate_method:
                    return route.target.api
        return next(iter(self.apis.values())) if len(self.apis) == 1 else None

    def _call_local_route(
        self, fn: LocalRouteHandler, request: IncomingRequest, params: dict[str, str]
    ) -> HttpResponse:
        local_request = LocalRequest(
            method=request.method.upper(),
            path=request.raw_path,
            path_params=params,
            query=dict(parse_qsl(request.raw_query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in request.headers},
            body=request.body,
        )
        status, headers, body = fn(local_request)
        header_list = list((headers or {}).items())
        if isinstance(body, bytes):
            payload = body
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = json.dumps(body).encode()
            if not any(name.lower() == "content-type" for name, _ in header_list):
                header_list.append(("content-type", "application/json"))
        return HttpResponse(status, header_list, payload)


# --------------------------------------------------------------------------------------------
# CORS
# --------------------------------------------------------------------------------------------


def _preflight(api: HttpApi, request: IncomingRequest) -> HttpResponse:
    cors = api.cors
    assert cors is not None
    origin = request.header("origin") or ""
    requested_method = (request.header("access-control-request-method") or "").upper()
    requested_headers = request.header("access-control-request-headers") or ""
    allowed_origin = cors.allowed_origin(origin)
    method_ok = "*" in cors.allow_methods or requested_method in cors.allow_methods
    if allowed_origin is None or not method_ok:
        return HttpResponse(204)
    headers = [
        ("access-control-allow-origin", allowed_origin),
        (
            "access-control-allow-methods",
            requested_method if "*" in cors.allow_methods else ",".join(cors.allow_methods),
        ),
    ]
    if cors.allow_headers:
        allow_headers = requested_headers if "*" in cors.allow_headers else ",".join(cors.allow_headers)
        if allow_headers:
            headers.append(("access-control-allow-headers", allow_headers))
    if cors.max_age is not None:
        headers.append(("access-control-max-age", str(cors.max_age)))
    if cors.allow_credentials:
        headers.append(("access-control-allow-credentials", "true"))
    return HttpResponse(204, headers)


def _with_cors(api: HttpApi | None, request: IncomingRequest, response: HttpResponse) -> HttpResponse:
    """With a CorsConfiguration, API Gateway replaces the backend's CORS headers with its own."""
    if api is None or api.cors is None:
        return response
    response.headers = [(n, v) for n, v in response.headers if not n.lower().startswith("access-control-")]
    origin = request.header("origin")
    allowed = api.cors.allowed_origin(origin) if origin else None
    if allowed:
        response.headers.append(("access-control-allow-origin", allowed))
        if api.cors.allow_credentials:
            response.headers.append(("access-control-allow-credentials", "true"))
        if api.cors.expose_headers:
            response.headers.append(("access-control-expose-headers", ",".join(api.cors.expose_headers)))
    return response


# --------------------------------------------------------------------------------------------
# WSGI environ -> IncomingRequest
# --------------------------------------------------------------------------------------------


def _unwsgi(value: str) -> str:
    """WSGI carries bytes as latin-1 strings; undo that to get the UTF-8 text that was sent."""
    return value.encode("latin-1").decode("utf-8", errors="replace")


def _incoming_request(environ: dict[str, Any], port: int) -> IncomingRequest:
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
    if "://" in raw_uri:  # absolute-form request target
        raw_uri = "/" + raw_uri.split("://", 1)[1].partition("/")[2]
    raw_path, _, raw_query = _unwsgi(raw_uri).partition("?")
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").lower(), _unwsgi(value)))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").lower(), value))
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    return IncomingRequest(
        method=environ["REQUEST_METHOD"],
        raw_path=raw_path or "/",
        raw_query=raw_query,
        headers=headers,
        body=body,
        source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
        protocol=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        port=port,
    )
