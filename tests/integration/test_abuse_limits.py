"""Abuse limits on the public sign-in routes (skailan.platform.limits): per-IP sliding window,
per-account limit that never locks the owner's known address out, 429 + Retry-After in the
one error shape; time moved through skailan.platform.clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import Reply, http_event, invoke

AUTH = "api/auth"
PASSWORD = "Demo-pass-2026"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 12, 0, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from skailan.platform import clock as platform_clock

    fake = Clock()
    monkeypatch.setattr(platform_clock, "utcnow", fake)
    return fake


def _post(path: str, body: dict[str, Any], ip: str) -> Reply:
    event = http_event("POST", path, body=body)
    event["requestContext"]["http"]["sourceIp"] = ip
    return invoke(AUTH, event)


def _login(email: str, password: str, ip: str) -> Reply:
    return _post("/v1/auth/login", {"email": email, "password": password}, ip)


def _assert_429(reply: Reply) -> None:
    assert reply.status == 429, reply.body
    assert reply.body["error"]["code"] == "rate_limited"
    assert " / " in reply.body["error"]["message"]  # Spanish / English
    retry = reply.body["error"]["details"]["retry_after"]
    assert retry > 0 and reply.headers["Retry-After"] == str(retry)


def test_one_address_guessing_across_accounts_is_slowed_then_let_through_later(demo, clock):
    from skailan.platform.settings import get_settings

    limit = get_settings().signin_ip_max_failures
    for i in range(limit):  # a different account each time: no per-account limit is reached
        assert _login(f"nobody{i}@demo.local", "Wrong-pass-1", "203.0.113.7").status == 401
    _assert_429(_login("nobody-else@demo.local", "Wrong-pass-1", "203.0.113.7"))
    # even the right password of a real account, from that address, waits
    _assert_429(_login("agent2@demo.local", PASSWORD, "203.0.113.7"))
    # other addresses are not affected
    assert _login("agent2@demo.local", PASSWORD, "198.51.100.20").status == 200
    # sliding window: just into the next window the previous one still weighs almost fully, so
    # one more failure is let through, not another full window's worth
    clock.advance(get_settings().signin_ip_window_seconds)
    assert _login("nobody-else@demo.local", "Wrong-pass-1", "203.0.113.7").status == 401
    _assert_429(_login("nobody-else@demo.local", "Wrong-pass-1", "203.0.113.7"))
    clock.advance(get_settings().signin_ip_window_seconds)
    assert _login("agent2@demo.local", PASSWORD, "203.0.113.7").status == 200


def test_an_attacker_cannot_lock_the_owner_out_of_their_account(demo, clock):
    from skailan.platform.settings import get_settings

    owner_ip, attacker_ip = "198.51.100.1", "203.0.113.99"
    assert _login("supervisor@demo.local", PASSWORD, owner_ip).status == 200  # the owner's address, known
    for _ in range(get_settings().login_max_failures):
        assert _login("supervisor@demo.local", "Wrong-pass-1", attacker_ip).status == 401
    # the account now refuses addresses it was never used from, the attacker's included...
    _assert_429(_login("supervisor@demo.local", PASSWORD, attacker_ip))
    _assert_429(_login("supervisor@demo.local", PASSWORD, "192.0.2.50"))
    # ...but not its owner's
    assert _login("supervisor@demo.local", PASSWORD, owner_ip).status == 200
    # the owner's own typos (from an address they signed in from) do not lock the account
    assert _login("admin@demo.local", PASSWORD, owner_ip).status == 200
    for _ in range(get_settings().login_max_failures + 1):
        assert _login("admin@demo.local", "Wrong-pass-1", owner_ip).status == 401
    assert _login("admin@demo.local", PASSWORD, "198.51.100.2").status == 200
    # and the account opens again for unknown addresses once the window passes
    clock.advance(get_settings().login_lockout_seconds)
    assert _login("supervisor@demo.local", PASSWORD, "192.0.2.50").status == 200


def test_forgot_password_is_limited_per_email_and_per_address_without_revealing_accounts(demo, clock):
    for _ in range(3):
        assert _post("/v1/auth/forgot-password", {"email": "agent1@demo.local"}, "198.51.100.30").status == 202
    _assert_429(_post("/v1/auth/forgot-password", {"email": "agent1@demo.local"}, "198.51.100.31"))
    for _ in range(3):  # an address nobody owns is limited the same way: a 429 tells nothing
        assert _post("/v1/auth/forgot-password", {"email": "ghost@demo.local"}, "198.51.100.32").status == 202
    _assert_429(_post("/v1/auth/forgot-password", {"email": "ghost@demo.local"}, "198.51.100.33"))
    for i in range(4):  # 10 per address per hour: 3 + 3 + 4 used above/below from fresh addresses
        assert _post("/v1/auth/forgot-password", {"email": f"a{i}@demo.local"}, "198.51.100.40").status == 202
    for i in range(6):
        assert _post("/v1/auth/forgot-password", {"email": f"b{i}@demo.local"}, "198.51.100.40").status == 202
    _assert_429(_post("/v1/auth/forgot-password", {"email": "c@demo.local"}, "198.51.100.40"))
    clock.advance(3600)
    assert _post("/v1/auth/forgot-password", {"email": "c@demo.local"}, "198.51.100.40").status == 202


def test_invitation_and_reset_codes_cannot_be_guessed_without_limit(demo, clock):
    for _ in range(20):
        reply = _post("/v1/auth/accept-invitation", {"token": "x" * 40, "password": "Nueva-pass-2026"}, "203.0.113.5")
        assert reply.status in (400, 404, 422), reply.body
    _assert_429(_post("/v1/auth/accept-invitation", {"token": "x" * 40, "password": "Nueva-pass-2026"}, "203.0.113.5"))
    for _ in range(20):
        reply = _post("/v1/auth/confirm-password", {"email": "agent1@demo.local", "code": "123456",
                                                    "password": "Nueva-pass-2026"}, "203.0.113.6")
        assert reply.status != 429, reply.body  # (moto accepts any code: issue 10 item 10, not this limit)
    _assert_429(_post("/v1/auth/confirm-password", {"email": "agent1@demo.local", "code": "123456",
                                                    "password": "Nueva-pass-2026"}, "203.0.113.6"))
