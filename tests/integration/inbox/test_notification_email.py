"""Issue 11 item 7: notifications reach people — every kind on the live channel, and by e-mail for
the kinds a user opts into (GET/PUT /v1/me/notification-preferences), a burst batched into one
e-mail per window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.inbox.conftest import INBOX, action, customer_writes
from tests.support import OutboxWatch, call

PREFS = "/v1/me/notification-preferences"


def _mail_to(address: str, since: int) -> list[dict]:
    from infra.local.seed import local_mail

    return [m for m in local_mail()[since:] if address in m["to"]]


def _mail_count() -> int:
    from infra.local.seed import local_mail

    return len(local_mail())


def _run_timers(after: timedelta) -> dict[str, int]:
    from skailan.conversations.inbox.workers import run_timers
    from skailan.platform.clock import iso, utcnow

    return run_timers(iso(utcnow() + after))


def _window() -> timedelta:
    from skailan.conversations.inbox.notification_mail import window

    return window()


def test_preferences_default_off_validated_and_per_brand(demo):
    supervisor, acme = demo["supervisor@demo.local"], demo["admin@acme.local"]
    got = call(INBOX, "GET", PREFS, principal=supervisor)
    assert got.status == 200, got.body
    assert got.body["email"] == {k: False for k in ("message", "assigned", "mentioned", "unassigned_alert",
                                                   "reminder", "task_reminder", "task_overdue")}
    assert got.body["email_address"] == "supervisor@demo.local" and got.body["email_batch_seconds"] == 300

    for bad in ({"email": {"mentioned": None}}, {"email": {"mentioned": "yes"}}, {"email": {"chat": True}},
                {"email": {"mentioned": True}, "user_id": acme.sub}, {}, None):
        reply = call(INBOX, "PUT", PREFS, principal=supervisor, body=bad)
        assert reply.status in (400, 422), (bad, reply.status, reply.body)
        assert set(reply.body["error"]) == {"code", "message", "details"} and " / " in reply.body["error"]["message"]
    assert call(INBOX, "GET", PREFS, principal=supervisor, query={"kind": "x"}).status == 400  # strict query
    assert call(INBOX, "GET", PREFS, principal=supervisor).body["email"]["mentioned"] is False  # nothing written

    put = call(INBOX, "PUT", PREFS, principal=supervisor, body={"email": {"mentioned": True, "task_overdue": True}})
    assert put.status == 200, put.body
    assert put.body["email"]["mentioned"] is True and put.body["email"]["assigned"] is False
    assert call(INBOX, "GET", PREFS, principal=supervisor).body["email"]["task_overdue"] is True
    # another brand's member has their own (default) preferences; another brand is not reachable
    assert call(INBOX, "GET", PREFS, principal=acme).body["email"]["mentioned"] is False
    other = call(INBOX, "GET", PREFS, principal=supervisor, tenant="acme")
    assert other.status == 404 and other.body["error"]["code"] == "brand_not_found"
    # a kind left out of a PUT is off again
    assert call(INBOX, "PUT", PREFS, principal=supervisor, body={"email": {"mentioned": True}}).body["email"][
        "task_overdue"] is False
    # everything off again (an empty choice is stored as such)
    off = call(INBOX, "PUT", PREFS, principal=supervisor, body={"email": {}})
    assert off.status == 200 and not any(off.body["email"].values())
    assert not any(call(INBOX, "GET", PREFS, principal=supervisor).body["email"].values())


def test_a_burst_of_mentions_is_one_email_after_the_window_and_unopted_users_get_none(demo):
    agent1, agent2, supervisor = demo["agent1@demo.local"], demo["agent2@demo.local"], demo["supervisor@demo.local"]
    assert call(INBOX, "PUT", PREFS, principal=supervisor, body={"email": {"mentioned": True}}).status == 200
    _run_timers(_window() * 3)  # what earlier tests left pending
    conversation_id = customer_writes("Necesito ayuda con mi pedido", wa_id="573101009901", message_id="wamid.NM1")
    watch = OutboxWatch("skailan-local-inbox")
    before = _mail_count()
    for i in range(12):
        note = action(agent1, conversation_id, "notes",
                      {"text": f"@Sofía mira esto ({i})", "mentions": [supervisor.sub, agent2.sub]})
        assert note.status == 201, note.body
    # every notice also goes to the live channel
    created = [e for e in watch.events() if e.type == "notification.created"]
    assert len([e for e in created if e.data["user_id"] == supervisor.sub]) == 12
    assert len([e for e in created if e.data["user_id"] == agent2.sub]) == 12

    assert _run_timers(timedelta(seconds=1)).get("notify_mail:sent") is None  # the window is still open
    assert _mail_to("supervisor@demo.local", before) == []
    outcomes = _run_timers(_window() + timedelta(seconds=5))
    assert outcomes.get("notify_mail:sent") == 1, outcomes
    (mail,) = _mail_to("supervisor@demo.local", before)
    assert "12 notificaciones nuevas / 12 new notifications" in mail["subject"]
    assert mail["body"].count("mencionó") == 12 and f"/inbox/{conversation_id}" in mail["body"]
    assert _mail_to("agent2@demo.local", before) == []  # agent2 did not opt in
    # the digest is gone: running again sends nothing more
    assert _run_timers(_window() * 2).get("notify_mail:sent") is None
    assert len(_mail_to("supervisor@demo.local", before)) == 1

    # the next mention opens a new window: a second e-mail, with only it
    action(agent1, conversation_id, "notes", {"text": "@Sofía una más", "mentions": [supervisor.sub]})
    assert _run_timers(_window() + timedelta(seconds=5)).get("notify_mail:sent") == 1
    second = _mail_to("supervisor@demo.local", before)[1]
    assert "1 notificación nueva" in second["subject"] and second["body"].count("mencionó") == 1


def test_read_notifications_are_not_mailed_and_a_failed_send_is_retried_not_lost(demo, monkeypatch):
    agent1, supervisor = demo["agent1@demo.local"], demo["supervisor@demo.local"]
    assert call(INBOX, "PUT", PREFS, principal=supervisor, body={"email": {"mentioned": True}}).status == 200
    _run_timers(_window() * 3)
    conversation_id = customer_writes("Otra consulta", wa_id="573101009902", message_id="wamid.NM2")
    before = _mail_count()
    action(agent1, conversation_id, "notes", {"text": "@Sofía leída", "mentions": [supervisor.sub]})
    feed = call(INBOX, "GET", "/v1/notifications", principal=supervisor).body["items"]
    read = next(n for n in feed if n["type"] == "mentioned" and n["conversation_id"] == conversation_id)
    assert call(INBOX, "POST", f"/v1/notifications/{read['id']}/read", principal=supervisor).status == 200
    assert _run_timers(_window() + timedelta(seconds=5)).get("notify_mail:nothing") == 1
    assert _mail_to("supervisor@demo.local", before) == []

    action(agent1, conversation_id, "notes", {"text": "@Sofía no se pierde", "mentions": [supervisor.sub]})
    from skailan.platform import mail

    def broken(*_args, **_kwargs):
        raise RuntimeError("SES is down")

    monkeypatch.setattr(mail, "send_system_email", broken)
    assert _run_timers(_window() + timedelta(seconds=5)).get("notify_mail:retry") == 1
    monkeypatch.undo()
    assert _mail_to("supervisor@demo.local", before) == []
    # back in a digest with a new window: sent once on a later run
    assert _run_timers(_window() * 2 + timedelta(seconds=10)).get("notify_mail:sent") == 1
    (mail_sent,) = _mail_to("supervisor@demo.local", before)
    assert mail_sent["body"].count("mencionó") == 1


@pytest.mark.parametrize("kind", ["assigned", "unassigned_alert"])
def test_every_kind_reaches_the_live_channel(demo, kind):
    from skailan.conversations.inbox import notifications

    supervisor = demo["supervisor@demo.local"]
    watch = OutboxWatch("skailan-local-inbox")
    notifications.notify("demo", supervisor.sub, kind, conversation_id=None, text="x / x")
    assert [e.data["type"] for e in watch.events() if e.type == "notification.created"] == [kind]
