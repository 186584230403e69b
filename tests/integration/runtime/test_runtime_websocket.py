"""The local WebSocket API (infra/local/websocket.py) from a fixture template: handshake and
authorizer, API Gateway's event shapes, route selection, two-way routes, the management API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from infra.local import LocalRuntime

TEMPLATE = Path(__file__).parent / "websocket_fixture" / "template.yaml"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = LocalRuntime(TEMPLATE, port=0, moto_port=0, parameter_overrides={"Stage": "test"}, schedules=False,
                         seed=False, strict=True, banner=False).start()
    try:
        yield local
    finally:
        local.stop()


def events(runtime: LocalRuntime, connection_id: str) -> list[dict[str, Any]]:
    table = runtime.ref("EventsTable")
    items = runtime.client("dynamodb").query(TableName=table, KeyConditionExpression="pk = :pk",
                                             ExpressionAttributeValues={":pk": {"S": connection_id}})["Items"]
    return [json.loads(i["event"]["S"]) for i in sorted(items, key=lambda i: i["sk"]["S"])]


def management(runtime: LocalRuntime) -> Any:
    import os

    return boto3.client("apigatewaymanagementapi", endpoint_url=os.environ["WEBSOCKET_MANAGEMENT_URL"],
                        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def url(runtime: LocalRuntime, query: str) -> str:
    return f"ws://127.0.0.1:{runtime.ws_port}/?{query}"


def test_connect_messages_and_the_event_shapes(runtime):
    assert runtime.ws_port not in (0, 3001)  # a free port when the API's is
    with connect(url(runtime, "token=good&x=1")) as socket:
        socket.send(json.dumps({"action": "echo", "n": 1}))
        echoed = json.loads(socket.recv(timeout=10))
        assert echoed["route"] == "echo" and json.loads(echoed["got"]) == {"action": "echo", "n": 1}
        socket.send("plain text")
        assert json.loads(socket.recv(timeout=10))["route"] == "$default"
        socket.send(json.dumps({"action": "nope"}))
        assert json.loads(socket.recv(timeout=10))["route"] == "$default"
        socket.send(b"\x00\x01")
        assert json.loads(socket.recv(timeout=10))["binary"] is True
        socket.send(json.dumps({"action": "quiet"}))  # one-way route: nothing comes back
        with pytest.raises(TimeoutError):
            socket.recv(timeout=0.5)
        socket.send("fail")
        failed = json.loads(socket.recv(timeout=10))
        assert failed["message"] == "Internal server error" and failed["connectionId"]
        connection_id = failed["connectionId"]
    deadline = time.monotonic() + 10
    while not any(e["requestContext"]["eventType"] == "DISCONNECT" for e in events(runtime, connection_id)):
        assert time.monotonic() < deadline, "no $disconnect"
        time.sleep(0.1)
    seen = events(runtime, connection_id)
    connect_event, message, disconnect = seen[0], seen[1], seen[-1]
    ctx = connect_event["requestContext"]
    assert ctx["eventType"] == "CONNECT" and ctx["routeKey"] == "$connect" and ctx["stage"] == "test"
    assert ctx["domainName"] == f"127.0.0.1:{runtime.ws_port}" and ctx["connectionId"] == connection_id
    assert ctx["authorizer"]["principalId"] == "u1" and ctx["authorizer"]["user"] == "u1"
    assert ctx["authorizer"]["level"] == 3 and ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert isinstance(ctx["connectedAt"], int) and ctx["apiId"]
    assert connect_event["queryStringParameters"] == {"token": "good", "x": "1"}
    assert message["requestContext"]["eventType"] == "MESSAGE" and message["requestContext"]["messageId"]
    assert message["requestContext"]["authorizer"]["user"] == "u1"  # on every event of the connection
    assert disconnect["requestContext"]["routeKey"] == "$disconnect"
    assert disconnect["requestContext"]["disconnectStatusCode"] == 1000


@pytest.mark.parametrize(("query", "status"), [("", 401), ("token=", 401), ("token=deny", 403), ("token=bad", 401),
                                               ("token=boom", 500), ("token=good&reject=1", 403)])
def test_the_handshake_is_refused_like_api_gateway(runtime, query, status):
    with pytest.raises(InvalidStatus) as refused:
        connect(url(runtime, query), open_timeout=10)
    assert refused.value.response.status_code == status


def test_the_management_api_posts_reads_and_closes_connections(runtime):
    client = management(runtime)
    with connect(url(runtime, "token=good")) as socket:
        socket.send("who am i")
        connection_id = json.loads(socket.recv(timeout=10))["connection_id"]
        client.post_to_connection(ConnectionId=connection_id, Data=b'{"hello": "mundo"}')
        assert json.loads(socket.recv(timeout=10)) == {"hello": "mundo"}
        info = client.get_connection(ConnectionId=connection_id)
        assert info["Identity"]["SourceIp"] == "127.0.0.1" and info["ConnectedAt"] <= info["LastActiveAt"]
        client.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=10)
    for call in (lambda: client.post_to_connection(ConnectionId=connection_id, Data=b"x"),
                 lambda: client.get_connection(ConnectionId=connection_id),
                 lambda: client.post_to_connection(ConnectionId="never-was=", Data=b"x")):
        with pytest.raises(client.exceptions.GoneException):
            call()


def test_config_json_names_the_socket(runtime):
    reply = httpx.get(f"{runtime.url}/config.json")
    assert reply.json() == {"apiUrl": "", "wsUrl": f"ws://127.0.0.1:{runtime.ws_port}"}
