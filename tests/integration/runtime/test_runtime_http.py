"""The gateway over real HTTP: routes, payload 2.0 events, responses, CORS and authorizers."""

from __future__ import annotations

import base64
import concurrent.futures
import json

import jwt
import pytest

from infra.local import apigw


def test_path_params_query_cookies_and_headers_reach_the_handler(api):
    response = api.get("/items/42?a=1&a=2&b=x%20y", headers={"cookie": "s=1; t=2", "x-dup": "one"})

    assert response.status_code == 200
    event = response.json()
    assert event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/42"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-dup"] == "one"
    assert event["isBase64Encoded"] is False and event["body"] is None
    context = event["requestContext"]
    assert context["http"]["method"] == "GET" and context["http"]["path"] == "/items/42"
    assert context["stage"] == "$default" and context["routeKey"] == "GET /items/{id}"
    assert context["accountId"] == "123456789012"
    assert isinstance(context["timeEpoch"], int) and context["requestId"]
    assert "authorizer" not in context
    assert response.headers["apigw-requestid"] == context["requestId"]


def test_function_environment_is_resolved_from_the_template(api, runtime):
    env = api.get("/items/1").json()["env"]

    assert env["ITEMS_TABLE"] == "skailan-local-items"
    assert env["STAGE"] == "local" and env["IS_LOCAL"] == "yes"
    assert env["WORK_QUEUE_URL"] == runtime.ref("WorkQueue")
    assert env["WORK_QUEUE_URL"].startswith(runtime.endpoint_url)
    assert env["USER_POOL_ID"] == runtime.ref("UserPool") and env["USER_POOL_ID"].startswith("us-east-1_")
    assert env["USER_POOL_CLIENT_ID"] == runtime.ref("UserPoolClient")
    assert env["BUS_NAME"] == "skailan-local-bus"
    assert env["BUS_ARN"] == "arn:aws:events:us-east-1:123456789012:event-bus/skailan-local-bus"
    assert env["SECRET_ARN"].startswith(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:skailan-local/provider"
    )
    assert env["POOL_PROVIDER_URL"] == f"https://cognito-idp.us-east-1.amazonaws.com/{env['USER_POOL_ID']}"
    assert env["AWS_ENDPOINT_URL"] == runtime.endpoint_url and env["AWS_REGION"] == "us-east-1"


def test_resources_exist_in_moto_as_declared(runtime):
    table = runtime.client("dynamodb").describe_table(TableName="skailan-local-items")["Table"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    ttl = runtime.client("dynamodb").describe_time_to_live(TableName="skailan-local-items")
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"
    fifo = runtime.client("sqs").get_queue_attributes(
        QueueUrl=runtime.ref("InboundFifoQueue"), AttributeNames=["All"]
    )
    assert (
        fifo["Attributes"]["FifoQueue"] == "true"
        and fifo["Attributes"]["ContentBasedDeduplication"] == "true"
    )
    secret = runtime.client("secretsmanager").get_secret_value(SecretId=runtime.ref("ProviderSecret"))
    assert '"app_id": "123"' in secret["SecretString"] and "app_secret" in secret["SecretString"]
    groups = runtime.client("cognito-idp").list_groups(UserPoolId=runtime.ref("UserPool"))["Groups"]
    assert [group["GroupName"] for group in groups] == ["admins"]
    tables = runtime.client("dynamodb").list_tables()["TableNames"]
    assert all("ProdOnly" not in name for name in tables)  # its Condition is false


def test_post_then_get_goes_through_dynamodb(api):
    created = api.post("/items", json={"id": "7", "name": "seven"})
    fetched = api.get("/items/7")

    assert created.status_code == 201 and created.json() == {"id": "7", "name": "seven"}
    assert fetched.json()["stored"] == {"pk": "item#7", "sk": "item", "id": "7", "name": "seven"}


def test_exact_route_wins_over_parameterised_and_greedy_catches_the_rest(api):
    assert api.get("/items/special").json()["routeKey"] == "GET /items/special"
    files = api.delete("/files/a/b%20c.txt").json()
    assert files["routeKey"] == "ANY /files/{proxy+}"
    assert files["pathParameters"] == {"proxy": "a/b c.txt"}


def test_unknown_route_or_method_is_404(api):
    assert api.get("/nope").status_code == 404
    assert api.get("/nope").json() == apigw.NOT_FOUND
    assert api.delete("/items/7").status_code == 404
    assert api.get("/files").status_code == 404  # a greedy variable needs at least one segment


def test_non_text_bodies_arrive_base64_encoded(api):
    form = api.post(
        "/files/upload", content=b"a=1&b=2", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    text = api.post("/files/upload", content=b"plain", headers={"content-type": "text/plain; charset=utf-8"})

    assert form.json()["isBase64Encoded"] is True
    assert base64.b64decode(form.json()["body"]) == b"a=1&b=2"
    assert text.json()["isBase64Encoded"] is False and text.json()["body"] == "plain"


def test_binary_response_with_cookies(api):
    response = api.get("/files/logo.png?respond=binary")

    assert response.status_code == 201
    assert response.content == b"\x89PNG\r\n\x1a\n"
    assert response.headers["content-type"] == "image/png"
    assert response.headers.get_list("set-cookie") == ["session=abc; HttpOnly", "theme=dark"]


def test_plain_results_become_200_json(api):
    response = api.get("/files/x?respond=string")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == "hello"


def test_malformed_response_and_handler_errors_are_500_without_details(api):
    malformed = api.get("/files/x?respond=bad")
    boom = api.post("/boom")

    assert malformed.status_code == 500 and malformed.json() == apigw.INTERNAL_ERROR
    assert boom.status_code == 500 and boom.json() == apigw.INTERNAL_ERROR
    assert "secret" not in boom.text


def test_cors_preflight_is_answered_by_the_gateway(api):
    preflight = api.options(
        "/me",
        headers={
            "origin": "http://localhost:5173",
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization",
        },
    )

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert preflight.headers["access-control-allow-methods"] == "GET,POST,PUT,DELETE"
    assert preflight.headers["access-control-allow-headers"] == "authorization,content-type,x-tenant-id"
    assert preflight.headers["access-control-max-age"] == "600"
    assert preflight.headers["access-control-allow-credentials"] == "true"


def test_cors_headers_replace_the_backends(api):
    allowed = api.get("/files/logo.png?respond=binary", headers={"origin": "http://localhost:5173"})
    other = api.get("/files/logo.png?respond=binary", headers={"origin": "https://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert allowed.headers["access-control-expose-headers"] == "x-request-id"
    assert "access-control-allow-origin" not in other.headers  # the handler's "*" is dropped


# -- JWT authorizer against the moto user pool ---------------------------------------------------


@pytest.fixture(scope="module")
def tokens(runtime):
    cognito = runtime.client("cognito-idp")
    pool, client = runtime.ref("UserPool"), runtime.ref("UserPoolClient")
    cognito.admin_create_user(
        UserPoolId=pool,
        Username="ana@example.com",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "ana@example.com"},
            {"Name": "custom:tenant", "Value": "t1"},
        ],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="ana@example.com", Password="Secret123", Permanent=True
    )
    result = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ana@example.com", "PASSWORD": "Secret123"},
    )["AuthenticationResult"]
    return result


def test_no_token_or_garbage_is_401(api):
    assert api.get("/me").status_code == 401
    assert api.get("/me").json() == apigw.UNAUTHORIZED
    assert api.get("/me", headers={"authorization": "Bearer not-a-jwt"}).status_code == 401


def test_id_token_from_the_user_pool_passes_with_its_claims(api, runtime, tokens):
    response = api.get("/me", headers={"authorization": f"Bearer {tokens['IdToken']}"})

    assert response.status_code == 200
    jwt_context = response.json()["authorizer"]["jwt"]
    claims = jwt_context["claims"]
    assert claims["email"] == "ana@example.com"
    assert claims["custom:tenant"] == "t1"
    assert claims["aud"] == runtime.ref("UserPoolClient")
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{runtime.ref('UserPool')}"
    assert claims["token_use"] == "id"
    assert all(isinstance(value, str) for value in claims.values())  # API Gateway passes strings
    assert jwt_context["scopes"] is None


def test_access_token_passes_on_client_id_without_bearer_prefix(api, runtime, tokens):
    response = api.get("/me", headers={"authorization": tokens["AccessToken"]})

    assert response.status_code == 200
    assert response.json()["authorizer"]["jwt"]["claims"]["client_id"] == runtime.ref("UserPoolClient")


def test_token_for_another_client_or_tampered_is_401(api, runtime, tokens):
    cognito = runtime.client("cognito-idp")
    other = cognito.create_user_pool_client(
        UserPoolId=runtime.ref("UserPool"), ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    other_token = cognito.initiate_auth(
        ClientId=other,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ana@example.com", "PASSWORD": "Secret123"},
    )["AuthenticationResult"]["IdToken"]
    header, _payload, signature = tokens["IdToken"].split(".")
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    claims["custom:tenant"] = "t2"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    assert api.get("/me", headers={"authorization": f"Bearer {other_token}"}).status_code == 401
    assert (
        api.get("/me", headers={"authorization": f"Bearer {header}.{forged_payload}.{signature}"}).status_code
        == 401
    )


# -- Lambda authorizer -------------------------------------------------------------------------------


def test_lambda_authorizer_missing_identity_is_401_wrong_is_403_right_is_200(api):
    missing = api.get("/keyed")
    wrong = api.get("/keyed", headers={"x-api-key": "guess"})
    right = api.get("/keyed", headers={"x-api-key": "letmein"})

    assert missing.status_code == 401 and missing.json() == apigw.UNAUTHORIZED
    assert wrong.status_code == 403 and wrong.json() == apigw.FORBIDDEN
    assert right.status_code == 200
    context = right.json()["authorizer"]["lambda"]
    assert context["tenant"] == "t1"
    assert context["identitySource"] == ["letmein"]
    assert context["routeArn"].startswith("arn:aws:execute-api:us-east-1:123456789012:")
    assert context["routeArn"].endswith("/$default/GET/keyed")


def test_local_routes_list_schedules_and_resources(api, runtime):
    schedules = api.get("/_local/schedules").json()["schedules"]
    resources = api.get("/_local/resources").json()["resources"]

    assert {s["name"] for s in schedules} == {
        "JobFunction.Hourly",
        "JobFunction.Weekly",
        "NightlyRule",
        "DailyDigestSchedule",
    }
    assert resources["WorkQueue"]["Ref"] == runtime.ref("WorkQueue")


def test_add_local_route_serves_before_template_routes(api, runtime):
    runtime.add_local_route(
        "GET", "/docs", lambda request: (200, {"content-type": "text/html"}, "<h1>docs</h1>")
    )
    runtime.add_local_route(
        "POST",
        "/_local/echo/{name}",
        lambda request: (
            202,
            None,
            {"name": request.path_params["name"], "body": request.json(), "q": request.query},
        ),
    )

    docs = api.get("/docs")
    echo = api.post("/_local/echo/ana?x=1", json={"a": 1})

    assert docs.status_code == 200 and docs.text == "<h1>docs</h1>"
    assert echo.status_code == 202 and echo.json() == {"name": "ana", "body": {"a": 1}, "q": {"x": "1"}}


def test_gateway_serves_concurrent_requests(api):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda i: api.get(f"/items/{i}").json()["rawPath"], range(16)))

    assert paths == [f"/items/{i}" for i in range(16)]
