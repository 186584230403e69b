"""Notifications by e-mail, for the kinds a user opts into (issue 11 item 7; docs/inbox.md).

Preferences: one item per user and brand (`T#<tenant>#U#<user>#NP`), every kind off by default.

Batching: a notification of an opted-in kind is added to the user's pending digest
(`T#<tenant>#U#<user>#NM`, one atomic UpdateItem). The add that creates the digest schedules a
`notify_mail` timer `window` seconds later; every other notification of the window joins the same
digest. When the timer fires the digest is taken (deleted on the version it was read at, so a
notification joining meanwhile is never lost) and ONE e-mail lists what is still unread — a burst
of 50 mentions is one e-mail, and a user gets at most one e-mail per window. A failed send puts the
notifications back into a digest (a new window), so nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from skailan.conversations.inbox.models import (
    EmailNotificationKindsOut,
    NotificationPreferencesIn,
    NotificationPreferencesOut,
)
from skailan.conversations.store import notifications as store
from skailan.conversations.store import timers
from skailan.conversations.store.inbox_items import NotificationItem, NotificationMailItem
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed

KINDS = tuple(EmailNotificationKindsOut.model_fields)
TIMER_KIND = "notify_mail"
MAX_LISTED = 20  # lines in one e-mail; the rest are counted ("and N more")
MAX_IDS = 100  # ids kept per digest; later ones only count


def window() -> timedelta:
    return timedelta(seconds=max(1, get_settings().notification_mail_window_seconds))


# ---------------------------------------------------------------- preferences


def _email_of(tenant_id: str, user_id: str) -> str | None:
    from skailan.tenancy import member_reads

    member = member_reads.find_member(tenant_id, user_id)
    return member.email if member is not None and member.status == "active" else None


def email_kinds(tenant_id: str, user_id: str) -> set[str]:
    item = store.email_preferences(tenant_id, user_id)
    return set(item.email_kinds or ()) & set(KINDS) if item is not None else set()


def _prefs_out(tenant_id: str, user_id: str, kinds: set[str], updated_at: str | None) -> NotificationPreferencesOut:
    return NotificationPreferencesOut(email=EmailNotificationKindsOut(**{k: k in kinds for k in KINDS}),
                                      email_address=_email_of(tenant_id, user_id),
                                      email_batch_seconds=int(window().total_seconds()), updated_at=updated_at)


def get_preferences(caller: Caller) -> NotificationPreferencesOut:
    item = store.email_preferences(caller.tenant_id, caller.principal_id)
    if item is None:
        return _prefs_out(caller.tenant_id, caller.principal_id, set(), None)
    return _prefs_out(caller.tenant_id, caller.principal_id, set(item.email_kinds or ()) & set(KINDS), item.updated_at)


def put_preferences(caller: Caller, body: NotificationPreferencesIn) -> NotificationPreferencesOut:
    kinds = {k for k in KINDS if getattr(body.email, k)}
    now = iso()
    store.put_email_preferences(caller.tenant_id, caller.principal_id, kinds, at=now)
    return _prefs_out(caller.tenant_id, caller.principal_id, kinds, now)


# ---------------------------------------------------------------- batching


def queue(tenant_id: str, user_id: str, type_: str, notification_ids: list[str]) -> bool:
    """Add notifications to the user's next e-mail if they opted into `type_`; True if added."""
    if type_ not in KINDS or type_ not in email_kinds(tenant_id, user_id):
        return False
    _add(tenant_id, user_id, notification_ids)
    return True


def _add(tenant_id: str, user_id: str, notification_ids: list[str]) -> None:
    now = utcnow()
    key = store.add_to_digest(tenant_id, user_id, notification_ids, now=now, due_at=iso(now + window()),
                              max_ids=MAX_IDS)
    # The add that created the digest opens the window. A digest whose timer was lost (a crash
    # between the two writes) is past due: the next add schedules it again (same timer, idempotent).
    if key.added == len(notification_ids) or (key.due_at and parse_iso(key.due_at) < now - window()):
        timers.schedule(tenant_id, TIMER_KIND, user_id, key.due_at or iso(now + window()), {"user_id": user_id})


def _take(tenant_id: str, user_id: str) -> NotificationMailItem | None:
    """Read and delete the digest at the version read: a notification that joins meanwhile makes
    the delete fail and the digest is read again, so it is in this e-mail or the next, never lost."""
    for _ in range(5):
        try:
            return store.take_digest(tenant_id, user_id)
        except ConditionFailed:
            continue
    raise RuntimeError("notification digest kept changing")  # the timer runs again next minute


def _lines(items: list[NotificationItem]) -> list[str]:
    base = get_settings().app_url
    out = []
    for n in items:
        link = f"\n  {base}/inbox/{n.conversation_id}" if n.conversation_id else ""
        out.append(f"- {n.text}{link}")
    return out


def send_digest(tenant_id: str, user_id: str) -> str:
    """The timer: one e-mail with the unread notifications of the window. Returns the outcome."""
    from skailan.platform.mail import send_system_email

    digest = _take(tenant_id, user_id)
    if digest is None:
        return "empty"
    wanted = email_kinds(tenant_id, user_id)
    ids = [str(i) for i in dict.fromkeys(digest.notification_ids or [])]
    found = store.notifications_by_id(tenant_id, user_id, ids)
    # Read in the app meanwhile, or a kind switched off since: no need to e-mail it.
    items = [found[i] for i in ids if i in found and found[i].read_at is None and found[i].type in wanted]
    extra = max(0, int(digest.added or 0) - len(ids))  # beyond MAX_IDS: counted, not listed
    email = _email_of(tenant_id, user_id)
    if (not items and not extra) or not email:
        return "nothing"
    total = len(items) + extra
    listed = items[:MAX_LISTED]
    more = total - len(listed)
    subject = (f"Skailan: {total} notificación nueva / 1 new notification" if total == 1 else
               f"Skailan: {total} notificaciones nuevas / {total} new notifications")
    body = "\n".join([
        "Tienes notificaciones nuevas en Skailan. / You have new notifications in Skailan.", "",
        *_lines(listed),
        *(["", f"… y {more} más. / … and {more} more."] if more else []), "",
        f"Ábrelas en / Open them at {get_settings().app_url}/",
        "Elige qué te llega por correo en tu perfil. / Choose what reaches you by e-mail in your profile.",
    ])
    try:
        send_system_email(email, subject, body)
    except Exception:
        # Back into a digest (a new window): sent later, not lost, not twice.
        logger.exception("notification e-mail failed", tenant_id=tenant_id, user_id=user_id)
        _add(tenant_id, user_id, [n.notification_id for n in items])
        return "retry"
    logger.info("notification e-mail sent", tenant_id=tenant_id, user_id=user_id, notifications=total)
    return "sent"


def run_timer(tenant_id: str, data: dict[str, Any]) -> str:
    return send_digest(tenant_id, str(data.get("user_id") or ""))
