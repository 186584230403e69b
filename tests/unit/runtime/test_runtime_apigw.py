"""Payload format 2.0: the request event, the authorizer event and response mapping."""

from __future__ import annotations

import base64

import pytest

from infra.local.apigw import (
    IncomingRequest,
    InvalidLambdaResponse,
    build_authorizer_event,
    build_http_event,
    is_text_media_type,
    response_from_result,
    route_arn,
)


def _request(**overrides) -> IncomingRequest:
    values = {
        "method": "POST",
        "raw_path": "/v1/items/a%20b",
        "raw_query": "tag=x&tag=y&empty=&q=a%2Bb",
        "headers": [
            ("Host", "127.0.0.1:3000"),
            ("X-Multi", "1"),
            ("x-multi", "2"),
            ("Cookie", "a=1; b=2"),
            ("Content-Type", "application/json"),
            ("User-Agent", "curl/8"),
        ],
        "body": b'{"a": 1}',
        "source_ip": "127.0.0.1",
        "port": 3000,
        "time_epoch_ms": 1583348638390,
        "request_id": "JKJaXmPLvHcESHA=",
    }
    values.update(overrides)
    return IncomingRequest(**values)


def test_http_event_has_the_payload_2_0_shape():
    event = build_http_event(
        _request(),
        route_key="POST /v1/items/{id}",
        path_parameters={"id": "a b"},
        api_id="api1",
        account_id="123456789012",
    )

    assert list(event) == [
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "cookies",
        "headers",
        "queryStringParameters",
        "requestContext",
        "body",
        "isBase64Encoded",
        "pathParameters",
    ]
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/v1/items/a%20b"
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-multi"] == "1,2"
    assert "cookie" not in event["headers"] and "Host" not in event["headers"]
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["queryStringParameters"] == {"tag": "x,y", "empty": "", "q": "a+b"}
    assert event["body"] == '{"a": 1}' and event["isBase64Encoded"] is False
    assert event["pathParameters"] == {"id": "a b"}
    assert event["requestContext"] == {
        "accountId": "123456789012",
        "apiId": "api1",
        "domainName": "127.0.0.1:3000",
        "domainPrefix": "127",
        "http": {
            "method": "POST",
            "path": "/v1/items/a%20b",
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "curl/8",
        },
        "requestId": "JKJaXmPLvHcESHA=",
        "routeKey": "POST /v1/items/{id}",
        "stage": "$default",
        "time": "04/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390,
    }


def test_optional_keys_are_absent_when_empty():
    event = build_http_event(
        _request(method="GET", raw_query="", headers=[("Host", "h")], body=b""),
        route_key="GET /x",
        path_parameters={},
        api_id="a",
        account_id="1",
        authorizer={"jwt": {"claims": {}, "scopes": None}},
    )

    for key in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert key not in event
    assert event["isBase64Encoded"] is False
    assert event["requestContext"]["authorizer"] == {"jwt": {"claims": {}, "scopes": None}}


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("text/plain", True),
        ("text/html", True),
        ("application/xml", True),
        ("application/javascript", True),
        ("application/x-www-form-urlencoded", False),
        ("multipart/form-data; boundary=x", False),
        ("application/octet-stream", False),
        ("image/png", False),
        (None, False),
    ],
)
def test_which_bodies_are_text(content_type, text):
    assert is_text_media_type(content_type) is text


def test_binary_body_is_base64_encoded():
    headers = [("content-type", "application/x-www-form-urlencoded")]
    event = build_http_event(
        _request(headers=headers, body=b"From=%2B1&Body=hi"),
        route_key="POST /x",
        path_parameters={},
        api_id="a",
        account_id="1",
    )
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"From=%2B1&Body=hi"


def test_authorizer_event_is_the_request_2_0_format():
    event = build_authorizer_event(
        _request(),
        route_key="POST /v1/items/{id}",
        route_arn="arn:x",
        identity_source=["token"],
        path_parameters={"id": "7"},
        api_id="a",
        account_id="1",
    )
    assert event["version"] == "2.0" and event["type"] == "REQUEST"
    assert event["routeArn"] == "arn:x" and event["identitySource"] == ["token"]
    assert event["pathParameters"] == {"id": "7"}
    assert "body" not in event and "isBase64Encoded" not in event


def test_route_arn():
    assert route_arn("us-east-1", "123456789012", "api1", "$default", "get", "/v1/x") == (
        "arn:aws:execute-api:us-east-1:123456789012:api1/$default/GET/v1/x"
    )


def test_response_without_status_code_is_200_json():
    as_dict = response_from_result({"message": "hi"})
    as_string = response_from_result("Hello from Lambda!")

    assert (as_dict.status, as_dict.body, as_dict.header("content-type")) == (
        200,
        b'{"message": "hi"}',
        "application/json",
    )
    assert (as_string.status, as_string.body) == (200, b"Hello from Lambda!")


def test_response_with_status_code_headers_cookies_and_base64():
    response = response_from_result(
        {
            "statusCode": 302,
            "headers": {"Location": "/next", "X-Flag": True, "Content-Type": "image/gif"},
            "cookies": ["a=1; Secure", "b=2"],
            "isBase64Encoded": True,
            "body": base64.b64encode(b"GIF89a").decode(),
        }
    )

    assert response.status == 302
    assert response.body == b"GIF89a"
    assert ("Location", "/next") in response.headers and ("X-Flag", "true") in response.headers
    assert [v for k, v in response.headers if k == "set-cookie"] == ["a=1; Secure", "b=2"]


def test_response_without_body_is_empty():
    assert response_from_result({"statusCode": 204}).body == b""


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": 200, "body": {"a": 1}},
        {"statusCode": "two hundred"},
        {"statusCode": 200, "isBase64Encoded": True, "body": "***"},
    ],
)
def test_malformed_responses_are_rejected(result):
    with pytest.raises(InvalidLambdaResponse):
        response_from_result(result)
