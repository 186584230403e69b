"""The local seeding helper for benches: POST /_local/seed/conversations writes conversations the
inbox lists, counts and opens like any other (same item, same indexes), idempotently."""

from __future__ import annotations

import json

from infra.local.gateway import LocalRequest
from tests.integration.inbox.conftest import CONVERSATIONS, INBOX
from tests.support import call


def _post(body: object) -> tuple[int, dict]:
    from infra.local import seed_conversations

    request = LocalRequest(method="POST", path="/_local/seed/conversations", path_params={}, query={}, headers={},
                           body=json.dumps(body).encode())
    status, _headers, out = seed_conversations.route(request)
    return status, out


def _all(principal) -> int:
    reply = call(INBOX, "GET", "/v1/inbox/counts", principal=principal, query={"status": "open,pending,closed"})
    assert reply.status == 200, reply.body
    return reply.body["all"]


def test_seeded_conversations_are_listed_counted_and_opened_like_any_other(demo):
    superadmin, agent1, acme = demo["superadmin@demo.local"], demo["agent1@demo.local"], demo["admin@acme.local"]
    before, acme_before = _all(superadmin), _all(acme)
    status, out = _post({"count": 300, "start": 5000})
    assert status == 200 and out["written"] == 300 and out["open"] + out["closed"] == 300
    assert _all(superadmin) == before + 300
    assert _all(acme) == acme_before  # another brand: untouched
    # the same range again overwrites: nothing twice
    assert _post({"count": 300, "start": 5000})[0] == 200
    assert _all(superadmin) == before + 300

    page = call(CONVERSATIONS, "GET", "/v1/conversations", principal=superadmin,
                query={"status": "open,closed", "limit": 50})
    assert page.status == 200 and len(page.body["items"]) == 50 and page.body["next_cursor"]
    seeded = [c for c in page.body["items"] if c["id"].startswith("seed-")]
    assert seeded and all(c["contact"]["name"] and c["last_message"]["text"].startswith("Hola") for c in seeded)
    opened = call(CONVERSATIONS, "GET", f"/v1/conversations/{seeded[0]['id']}", principal=superadmin)
    assert opened.status == 200 and opened.body["account_id"].startswith("demo-")
    # agents see the unassigned ones (all seeded conversations are unassigned)
    mine = call(CONVERSATIONS, "GET", "/v1/conversations", principal=agent1, query={"status": "open", "limit": 100})
    assert any(c["id"].startswith("seed-") for c in mine.body["items"])
    assert call(CONVERSATIONS, "GET", f"/v1/conversations/{seeded[0]['id']}", principal=acme).status == 404


def test_bad_seed_requests_are_refused_and_write_nothing(demo):
    superadmin = demo["superadmin@demo.local"]
    before = _all(superadmin)
    for body in ({"count": 0}, {"count": 20_001}, {"count": "10"}, {"count": True}, {"count": 5, "extra": 1},
                 {"count": 5, "tenant_id": "../x"}, [1], None):
        status, out = _post(body)
        assert status == 400, (body, out)
        assert set(out["error"]) == {"code", "message", "details"}
    assert _all(superadmin) == before
