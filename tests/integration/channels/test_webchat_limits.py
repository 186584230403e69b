"""Web chat and public forms abuse limits: sessions per IP, messages per session and per IP,
uploads and upload bytes per session, polls, body size caps; a CRM person only once a visitor
writes; the snippet never echoes the Host header."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.channels.conftest import http_request, invoke_http

ORIGIN = "http://127.0.0.1:3000"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    from skailan.platform import clock as platform_clock

    now = [datetime(2026, 6, 1, 12, 0, 5, tzinfo=UTC)]
    monkeypatch.setattr(platform_clock, "utcnow", lambda: now[0])
    return now


def _widget(method: str, path: str, *, body: Any = None, token: str | None = None, ip: str = "203.0.113.10",
            headers: dict[str, str] | None = None, raw: bytes | None = None):
    all_headers = {"content-type": "application/json", "origin": ORIGIN, **(headers or {})}
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    event = http_request(method, f"/public/webchat/widgets/demo-widget{path}", headers=all_headers,
                         body=raw if raw is not None else (json.dumps(body).encode() if body is not None else None))
    event["requestContext"]["http"]["sourceIp"] = ip
    return invoke_http("api/webchat", event)


def _limited(reply) -> None:
    assert reply.status == 429, reply.body
    assert reply.body["error"]["code"] == "rate_limited" and int(reply.headers["Retry-After"]) > 0
    assert reply.headers["Access-Control-Allow-Origin"] == ORIGIN  # the widget can read why


def _person_of(session_id: str) -> Any:
    from skailan.crm.store.person_reads import find_by_identity

    return find_by_identity("demo", "webchat", session_id)


def test_sessions_per_address_are_limited_and_create_no_person(demo, clock):
    from skailan.platform.limits import public_limit

    limit = public_limit("webchat-session-ip").max
    sessions = [_widget("POST", "/sessions", body={"name": "Bot", "email": f"bot{i}@example.com"}, ip="203.0.113.11")
                for i in range(limit)]
    assert all(s.status == 201 for s in sessions)
    assert all(s.body["conversation_id"] is None for s in sessions)
    assert all(_person_of(s.body["session_id"]) is None for s in sessions)  # no CRM person for a session
    _limited(_widget("POST", "/sessions", body={"name": "Bot", "email": "bot@example.com"}, ip="203.0.113.11"))
    _limited(_widget("POST", "/sessions", body={"name": "Bot", "email": "bot@example.com"}, ip="203.0.113.11"))
    from skailan.platform.limit_counters import LimitItem

    counters = [i for i in LimitItem.scan() if i.pk.startswith("webchat-session-ip#")]
    assert max(int(i.hits) for i in counters) == limit  # refused requests are not counted
    assert _widget("POST", "/sessions", body={"name": "Ana", "email": "ana@example.com"}, ip="198.51.100.9").status == 201
    clock[0] += timedelta(seconds=public_limit("webchat-session-ip").window)
    assert _widget("POST", "/sessions", body={"name": "Bot", "email": "bot@example.com"}, ip="203.0.113.11").status == 201


def test_the_person_appears_with_the_first_message(demo, clock):
    session = _widget("POST", "/sessions", body={"name": "Lucía", "email": "lucia@example.com"}, ip="198.51.100.12")
    token, session_id = session.body["token"], session.body["session_id"]
    assert _widget("GET", "/messages", token=token, ip="198.51.100.12").body == {"items": [], "after": None}
    assert _person_of(session_id) is None
    sent = _widget("POST", "/messages", body={"text": "Hola"}, token=token, ip="198.51.100.12")
    assert sent.status == 202 and sent.body["conversation_id"]
    person = _person_of(session_id)
    assert person is not None and person.name == "Lucía"
    again = _widget("POST", "/messages", body={"text": "¿Siguen ahí?"}, token=token, ip="198.51.100.12")
    assert again.body["conversation_id"] == sent.body["conversation_id"]
    assert _person_of(session_id).person_id == person.person_id


def test_messages_per_session_and_uploads_per_session_are_limited(demo, clock):
    from skailan.platform.limits import public_limit

    session = _widget("POST", "/sessions", body={"name": "Spam", "email": "spam@example.com"}, ip="203.0.113.20")
    token = session.body["token"]
    for i in range(public_limit("webchat-message-session").max):
        assert _widget("POST", "/messages", body={"text": f"m{i}"}, token=token, ip="203.0.113.20").status == 202
    _limited(_widget("POST", "/messages", body={"text": "one more"}, token=token, ip="203.0.113.20"))
    # a 1 MB upload: bytes per session run out before the count does
    blob = base64.b64encode(b"\x89PNG" + b"0" * (1024 * 1024)).decode()
    byte_limit = public_limit("webchat-upload-bytes-session").max
    accepted = 0
    for _ in range(public_limit("webchat-upload-session").max):
        reply = _widget("POST", "/attachments", token=token, ip="203.0.113.20",
                        body={"filename": "a.png", "content_type": "image/png", "data": blob})
        if reply.status == 429:
            break
        assert reply.status == 201, reply.body
        accepted += reply.body["size"]
    assert accepted <= byte_limit
    _limited(_widget("POST", "/attachments", token=token, ip="203.0.113.20",
                     body={"filename": "a.png", "content_type": "image/png", "data": blob}))


def test_bodies_are_capped_and_bad_bodies_are_4xx(demo, clock):
    session = _widget("POST", "/sessions", body={"name": "Big", "email": "big@example.com"}, ip="198.51.100.40")
    token = session.body["token"]
    huge = _widget("POST", "/messages", token=token, ip="198.51.100.40", body={"text": "x" * 20_000})
    assert huge.status == 413 and huge.body["error"]["code"] == "payload_too_large"
    assert huge.headers["Access-Control-Allow-Origin"] == ORIGIN  # the widget can read why
    foreign = _widget("POST", "/messages", token=token, ip="198.51.100.40", body={"text": "x" * 20_000},
                      headers={"origin": "https://evil.example"})
    assert foreign.status == 413 and "Access-Control-Allow-Origin" not in foreign.headers
    not_json = _widget("POST", "/messages", token=token, ip="198.51.100.40", raw=b"text=hola",
                       headers={"content-type": "text/plain"})
    assert not_json.status == 415 and " / " in not_json.body["error"]["message"]
    nested = _widget("POST", "/messages", token=token, ip="198.51.100.40", raw=b"[" * 200 + b"]" * 200)
    assert nested.status == 422 and nested.body["error"]["code"] == "json_too_deep"
    too_big = _widget("POST", "/attachments", token=token, ip="198.51.100.40",
                      raw=json.dumps({"filename": "a.png", "content_type": "image/png",
                                      "data": "A" * (8 * 1024 * 1024)}).encode())
    assert too_big.status == 413
    assert _widget("GET", "/messages", token=token, ip="198.51.100.40", raw=None,
                   headers={}).status == 200


def test_the_snippet_uses_the_configured_address_never_the_host_header(demo, monkeypatch):
    from skailan.platform.settings import get_settings

    evil = _widget("GET", "", headers={"host": 'x"><script>alert(1)</script>'})
    assert "<script>alert" not in json.dumps(evil.body)
    monkeypatch.setenv("WEBCHAT_PUBLIC_URL", "https://chat.example.com")
    get_settings.cache_clear()
    try:
        ok = _widget("GET", "", headers={"host": "attacker.example"})
        assert 'src="https://chat.example.com/public/webchat/widget.js"' in ok.body["snippet"]
        assert "attacker.example" not in ok.body["snippet"]
    finally:
        get_settings.cache_clear()
    # embeddable: no frame-ancestors on the widget API, but nosniff everywhere
    assert "Content-Security-Policy" not in ok.headers and ok.headers["X-Content-Type-Options"] == "nosniff"
