"""Removing a suppression by its address in the path: the web app (openapi-fetch) percent-encodes
it, so a phone's "+" arrives as "%2B" and an e-mail's "@" may arrive as "%40"."""

from __future__ import annotations

from tests.support import call

API = "api/campaigns"


def test_an_encoded_phone_or_email_in_the_path_removes_the_suppression(demo):
    admin = demo["admin@demo.local"]
    for channel, address, encoded in (("sms", "+573009990011", "%2B573009990011"),
                                      ("email", "encoded.baja@example.com", "encoded.baja%40example.com")):
        added = call(API, "POST", "/v1/suppressions", principal=admin, body={"channel": channel, "address": address})
        assert added.status == 201, added.body
        removed = call(API, "DELETE", f"/v1/suppressions/{channel}/{encoded}", principal=admin)
        assert removed.status == 204, removed.body
        left = call(API, "GET", "/v1/suppressions", principal=admin, query={"channel": channel, "limit": 100}).body
        assert address not in [s["address"] for s in left["items"]]
    # another brand cannot remove this brand's suppression, encoded or not
    assert call(API, "POST", "/v1/suppressions", principal=admin,
                body={"channel": "sms", "address": "+573009990012"}).status == 201
    assert call(API, "DELETE", "/v1/suppressions/sms/%2B573009990012", principal=demo["admin@acme.local"]).status == 404
    assert call(API, "DELETE", "/v1/suppressions/sms/%2B573009990012", principal=admin).status == 204
