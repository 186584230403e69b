"""Route selection with API Gateway HTTP API priorities."""

from __future__ import annotations

import pytest

from infra.local.routes import Route, RouteTable


@pytest.fixture
def table() -> RouteTable:
    table = RouteTable()
    for method, path in [
        ("GET", "/pets/{proxy+}"),
        ("GET", "/pets/{id}"),
        ("GET", "/pets/dog"),
        ("ANY", "/pets/dog/{id}"),
        ("POST", "/pets/dog/{id}"),
        ("GET", "/a/{x}/c"),
        ("GET", "/a/b/{y}"),
        ("GET", "/"),
    ]:
        table.add(Route(method, path, target=f"{method} {path}"))
    return table


@pytest.mark.parametrize(
    ("method", "path", "route_key", "params"),
    [
        ("GET", "/pets/dog", "GET /pets/dog", {}),  # exact before parameterised
        ("GET", "/pets/cat", "GET /pets/{id}", {"id": "cat"}),  # parameterised before greedy
        ("GET", "/pets/cat/toys/1", "GET /pets/{proxy+}", {"proxy": "cat/toys/1"}),
        ("POST", "/pets/dog/7", "POST /pets/dog/{id}", {"id": "7"}),  # the method before ANY
        ("DELETE", "/pets/dog/7", "ANY /pets/dog/{id}", {"id": "7"}),
        ("GET", "/a/b/c", "GET /a/b/{y}", {"y": "c"}),  # earlier literal segments win
        ("GET", "/pets/caf%C3%A9", "GET /pets/{id}", {"id": "café"}),  # values are decoded
        ("GET", "/", "GET /", {}),
    ],
)
def test_most_specific_route_wins(table, method, path, route_key, params):
    match = table.match(method, path)
    assert match is not None
    assert match.route.route_key == route_key
    assert match.path_parameters == params


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/pets/dog"), ("GET", "/pets"), ("GET", "/pets/"), ("GET", "/other")],
)
def test_no_match(table, method, path):
    assert table.match(method, path) is None


def test_default_route_catches_the_rest(table):
    table.add(Route("ANY", "$default", target="default"))
    assert table.match("PATCH", "/anything/at/all").route.route_key == "$default"
    assert table.match("GET", "/pets/dog").route.route_key == "GET /pets/dog"


def test_duplicates_keep_the_first():
    table = RouteTable()
    assert table.add(Route("get", "/x", target=1)) is True
    assert table.add(Route("GET", "/x", target=2)) is False
    assert table.match("GET", "/x").route.target == 1


def test_greedy_variable_must_be_last():
    with pytest.raises(ValueError):
        RouteTable().add(Route("GET", "/{proxy+}/x"))
