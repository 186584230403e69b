"""Gateway request handling without sockets: CORS, local routes, errors, authorizer outcomes."""

from __future__ import annotations

import base64
import json

import pytest

from infra.local import apigw
from infra.local.apigw import IncomingRequest
from infra.local.apis import CorsConfig, HttpApi, RouteTarget, Throttle
from infra.local.authorizers import JwksCache, LambdaAuthorizer
from infra.local.functions import FunctionError
from infra.local.gateway import Gateway
from infra.local.routes import Route, RouteTable


def _gateway(invoke, cors=None, authorizer=None):
    api = HttpApi("Api", "api", cors=cors)
    routes = RouteTable()
    routes.add(Route("GET", "/things/{id}", RouteTarget(api, "Things", None, [])))
    routes.add(Route("POST", "/secure", RouteTarget(api, "Secure", authorizer, [])))
    return Gateway(routes, {"Api": api}, invoke, JwksCache("http://127.0.0.1:1"))


def _request(method, path, headers=(), query=""):
    return IncomingRequest(method=method, raw_path=path, raw_query=query, headers=list(headers))


def test_routes_reach_the_function_with_the_event():
    calls = []
    gateway = _gateway(lambda fn, event: calls.append((fn, event)) or {"statusCode": 200, "body": "ok"})

    response = gateway.handle(_request("GET", "/things/9", query="a=1"))

    assert (response.status, response.body) == (200, b"ok")
    assert calls[0][0] == "Things"
    assert calls[0][1]["pathParameters"] == {"id": "9"} and calls[0][1]["routeKey"] == "GET /things/{id}"
    assert response.header("apigw-requestid")


def test_function_errors_are_500():
    def invoke(fn, event):
        raise FunctionError(fn, "ValueError", "secret")

    response = _gateway(invoke).handle(_request("GET", "/things/1"))
    assert (response.status, json.loads(response.body)) == (500, apigw.INTERNAL_ERROR)


@pytest.mark.parametrize(
    ("origins", "credentials", "origin", "allowed"),
    [
        (["*"], False, "https://a.example", "*"),
        (["*"], True, "https://a.example", "https://a.example"),
        (["https://a.example"], False, "https://a.example", "https://a.example"),
        (["https://a.example"], False, "https://b.example", None),
    ],
)
def test_cors_preflight(origins, credentials, origin, allowed):
    cors = CorsConfig(origins, ["GET", "POST"], ["*"], max_age=60, allow_credentials=credentials)
    gateway = _gateway(lambda fn, event: pytest.fail("a preflight never reaches the function"), cors=cors)

    response = gateway.handle(
        _request(
            "OPTIONS",
            "/things/1",
            headers=[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "authorization,x-tenant-id"),
            ],
        )
    )

    assert response.status == 204
    assert response.header("access-control-allow-origin") == allowed
    if allowed:
        assert response.header("access-control-allow-methods") == "GET,POST"
        assert response.header("access-control-allow-headers") == "authorization,x-tenant-id"


def test_options_without_cors_is_an_ordinary_request():
    response = _gateway(lambda fn, event: None).handle(
        _request(
            "OPTIONS",
            "/things/1",
            headers=[("Origin", "https://a.example"), ("Access-Control-Request-Method", "GET")],
        )
    )
    assert response.status == 404


def test_local_routes_win_and_serialize_json():
    gateway = _gateway(lambda fn, event: pytest.fail("local route expected"))
    gateway.add_local_route(
        "GET", "/things/{id}", lambda request: (200, None, {"local": request.path_params["id"]})
    )

    response = gateway.handle(_request("GET", "/things/5"))

    assert response.status == 200 and response.body == b'{"local": "5"}'
    assert response.header("content-type") == "application/json"


def test_lambda_authorizer_outcomes_and_context():
    authorizer = LambdaAuthorizer("Key", "AuthFn", ["$request.header.x-key"], simple_responses=True)
    seen = {}

    def invoke(fn, event):
        if fn == "AuthFn":
            return {"isAuthorized": event["headers"].get("x-key") == "good", "context": {"user": "u1"}}
        seen["authorizer"] = event["requestContext"]["authorizer"]
        return {"statusCode": 201}

    gateway = _gateway(invoke, authorizer=authorizer)

    assert gateway.handle(_request("POST", "/secure")).status == 401
    assert gateway.handle(_request("POST", "/secure", headers=[("x-key", "bad")])).status == 403
    assert gateway.handle(_request("POST", "/secure", headers=[("x-key", "good")])).status == 201
    assert seen["authorizer"] == {"lambda": {"user": "u1"}}


def _error_shape(response, status, code):
    body = json.loads(response.body)
    assert response.status == status and body["error"]["code"] == code
    assert set(body["error"]) == {"code", "message", "details"}
    spanish, english = body["error"]["message"].split(" / ")
    assert spanish and english  # Spanish first, then English


def test_gateway_errors_use_the_apis_error_shape_in_spanish_and_english():
    gateway = _gateway(lambda fn, event: {"statusCode": 200, "body": "ok"})
    _error_shape(gateway.handle(_request("GET", "/nowhere")), 404, "route_not_found")
    huge = IncomingRequest(method="GET", raw_path="/things/1", raw_query="", headers=[],
                           body=b"x" * (apigw.MAX_PAYLOAD_BYTES + 1))
    _error_shape(gateway.handle(huge), 413, "payload_too_large")


def test_route_throttling_answers_429_past_the_burst_in_the_error_shape():
    api = HttpApi("Api", "api", default_throttle=Throttle(rate=0.001, burst=2),
                  route_throttles={"POST /login": Throttle(rate=0.001, burst=1)})
    routes = RouteTable()
    routes.add(Route("GET", "/things/{id}", RouteTarget(api, "Things", None, [])))
    routes.add(Route("POST", "/login", RouteTarget(api, "Login", None, [])))
    gateway = Gateway(routes, {"Api": api}, lambda fn, event: {"statusCode": 200, "body": "ok"},
                      JwksCache("http://127.0.0.1:1"))
    assert [gateway.handle(_request("GET", "/things/1")).status for _ in range(2)] == [200, 200]
    limited = gateway.handle(_request("GET", "/things/2"))
    _error_shape(limited, 429, "too_many_requests")
    assert limited.header("retry-after")
    assert gateway.handle(_request("POST", "/login")).status == 200  # its own bucket
    assert gateway.handle(_request("POST", "/login")).status == 429


def test_a_json_body_that_is_not_utf8_reaches_the_function_untouched_as_base64():
    seen = []
    gateway = _gateway(lambda fn, event: seen.append(event) or {"statusCode": 200, "body": "ok"})
    raw = b'{"name": "\xff\xfe"}'
    gateway.handle(IncomingRequest(method="GET", raw_path="/things/1", raw_query="",
                                   headers=[("content-type", "application/json")], body=raw))
    assert seen[0]["isBase64Encoded"] is True and base64.b64decode(seen[0]["body"]) == raw
