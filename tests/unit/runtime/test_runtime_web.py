"""The gateway serves the built web app beside the API: files, SPA fallback, caching, API paths kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local.apigw import IncomingRequest
from infra.local.apis import HttpApi, RouteTarget
from infra.local.authorizers import JwksCache
from infra.local.gateway import Gateway
from infra.local.routes import Route, RouteTable
from infra.local.web import WebApp


@pytest.fixture
def gateway(tmp_path: Path) -> Gateway:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    (tmp_path.parent / "secret.txt").write_text("no")
    api = HttpApi("Api", "api")
    routes = RouteTable()
    routes.add(Route("GET", "/v1/me", RouteTarget(api, "Me", None, [])))
    gw = Gateway(routes, {"Api": api}, lambda fn, event: {"statusCode": 200, "body": "me"}, JwksCache("http://127.0.0.1:1"))
    gw.web_app = WebApp(tmp_path)
    return gw


def _get(gw: Gateway, path: str, accept: str = "*/*", method: str = "GET"):
    return gw.handle(IncomingRequest(method=method, raw_path=path, raw_query="", headers=[("accept", accept)]))


def test_index_and_deep_links_get_index_html_revalidated(gateway):
    for path in ("/", "/inbox", "/inbox/c-123", "/accept-invitation"):
        response = _get(gateway, path, accept="text/html")
        assert response.status == 200, path
        assert response.body.startswith(b"<!doctype html>")
        assert response.header("content-type") == "text/html; charset=utf-8"
        assert response.header("cache-control") == "no-cache"


def test_hashed_assets_are_cached_for_a_year_with_their_type(gateway):
    response = _get(gateway, "/assets/index-abc123.js")
    assert (response.status, response.body) == (200, b"console.log(1)")
    assert response.header("content-type") == "text/javascript; charset=utf-8"
    assert response.header("cache-control") == "public, max-age=31536000, immutable"
    assert _get(gateway, "/favicon.svg").header("content-type") == "image/svg+xml"
    assert _get(gateway, "/favicon.svg").header("cache-control") == "no-cache"


def test_api_paths_stay_the_apis(gateway):
    assert _get(gateway, "/v1/me").body == b"me"
    for path in ("/v1/nothing", "/webhooks/x", "/_local/x", "/docs/x", "/ext/v1/x", "/public/x"):
        response = _get(gateway, path, accept="text/html")
        assert response.status == 404, path
        assert json.loads(response.body)["error"]["code"] == "route_not_found"  # the API's, not the app's page


def test_missing_files_and_writes_are_not_the_app(gateway):
    # /config.json belongs to a local route when there is one; never index.html in its place
    assert _get(gateway, "/config.json", accept="application/json").status == 404
    assert _get(gateway, "/assets/gone.js").status == 404
    assert _get(gateway, "/inbox", method="POST").status == 404
    assert _get(gateway, "/../secret.txt").status != 200 or b"no" not in _get(gateway, "/../secret.txt").body
    assert _get(gateway, "/%2e%2e/secret.txt").body != b"no"


def test_a_local_route_wins_over_the_app(gateway):
    gateway.add_local_route("GET", "/config.json", lambda request: (200, {}, {"apiUrl": "", "wsUrl": None}))
    response = _get(gateway, "/config.json")
    assert json.loads(response.body) == {"apiUrl": "", "wsUrl": None}


def test_without_a_build_nothing_is_served(tmp_path):
    api = HttpApi("Api", "api")
    gw = Gateway(RouteTable(), {"Api": api}, lambda fn, event: None, JwksCache("http://127.0.0.1:1"))
    gw.web_app = WebApp(tmp_path / "missing")
    assert _get(gw, "/", accept="text/html").status == 404
