"""Sending a campaign: the fan-out writes the recipients (once per campaign × person) and queues the
ones to send with SendMessageBatch of 10; the send worker sends each recipient exactly once.

Exactly once: a recipient moves queued → sending → sent|failed by conditional writes, so a
redelivered or duplicated message finds it no longer `queued` and does nothing. A worker that dies
between the provider call and the write leaves the recipient `sending`: it is never sent again
(at most once); the record's redelivery after the lease fails it `delivery_unknown`, so the campaign
still completes. Resume and restarts
run the fan-out again: existing recipients are not rewritten, the still-queued ones re-queued.
"""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from skailan.campaigns import content as text
from skailan.campaigns import service, store
from skailan.campaigns.catalogue import CAMPAIGN_COMPLETED
from skailan.channels.errors import SendFailure
from skailan.platform.aws import client
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import NotFound, Retryable
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings
from skailan.platform.ttl_cache import TtlCache

SQS_BATCH = 10
# A batch of 10 jobs stays far under SQS's 256 KB; a bigger person is read by the worker instead.
MAX_JOB_BYTES = 8_000
# The campaign's channel, account and content cannot change once it is sending (service.update
# refuses): a container keeps them; the status is checked by the claim itself.
CAMPAIGN_CACHE_SECONDS = 60.0
SENDING_LEASE_SECONDS = 120  # longer than one provider call with its timeouts
SUPPORTED = frozenset({"sms", "whatsapp", "email"})
WINDOW = timedelta(hours=24)
# WhatsApp codes (Cloud API): pair rate limit and throughput → retried later; healthy-ecosystem
# marketing refusal → not resent; spam restriction → the campaign pauses for the number.
RETRY_LATER = frozenset({"131056", "130429"})
NO_RESEND = frozenset({"131049"})
PAUSE = frozenset({"131048", "ses_sending_paused"})  # and SES sending paused for the account


def _queue(entries: list[dict[str, str]]) -> int:
    """SendMessageBatch of up to 10; entries the queue refused are sent again (never dropped)."""
    url = get_settings().campaign_send_queue_url
    requests = 0
    for start in range(0, len(entries), SQS_BATCH):
        pending = entries[start:start + SQS_BATCH]
        for _attempt in range(5):
            requests += 1
            reply = client("sqs").send_message_batch(QueueUrl=url, Entries=pending)
            failed = {f["Id"] for f in reply.get("Failed") or []}
            pending = [e for e in pending if e["Id"] in failed]
            if not pending:
                break
        if pending:
            raise Retryable("the send queue refused messages")  # the fan-out runs again; nothing is lost
    return requests


def _entry(tenant_id: str, campaign_id: str, person_id: str, delay: int = 0, *, address: str | None = None,
           person: Any = None) -> dict[str, Any]:
    """One send job. With the address and the person's merge values (read by the fan-out anyway), the
    send worker needs no read of the recipient or the person; a person too large for the job, or a
    job without them, makes the worker read them (the slow path)."""
    job: dict[str, Any] = {"t": tenant_id, "c": campaign_id, "p": person_id}
    if address and person is not None:
        job |= {"a": address, "v": text.person_fields(person)}
    body = json.dumps(job, ensure_ascii=False)
    if len(body.encode()) > MAX_JOB_BYTES:
        body = json.dumps({"t": tenant_id, "c": campaign_id, "p": person_id})
    entry: dict[str, Any] = {"Id": person_id[-80:], "MessageBody": body}
    if delay:
        entry["DelaySeconds"] = min(900, delay)
    return entry


def fan_out(tenant_id: str, campaign_id: str) -> dict[str, int]:
    """Write the campaign's recipients and queue the ones to send. Idempotent: run it again after a
    crash, a redelivery or a resume and nobody is written or sent twice."""
    try:
        item = service.load(tenant_id, campaign_id)
    except NotFound:
        return {"recipients": 0}
    if item.status != "sending":
        return {"recipients": 0}
    if item.channel not in SUPPORTED:
        store.set_status(tenant_id, campaign_id, "failed", expected=["sending"], reason="channel_not_supported")
        logger.warning("campaign channel not sent yet", tenant_id=tenant_id, campaign_id=campaign_id)
        return {"recipients": 0}
    now = iso()
    counts = {"recipients": 0, "queued": 0, "skipped": 0}
    reasons: dict[str, int] = {}
    entries: list[dict[str, Any]] = []
    batch: list[tuple[str, Any]] = []

    def flush() -> None:
        for pid, person, address, why in service.classify(tenant_id, item.channel, batch):
            status = "skipped" if why else "queued"
            name = person.name if person is not None else None
            if store.put_recipient(tenant_id, campaign_id, pid, status=status, name=name, address=address,
                                   reason=why, at=now):
                counts["recipients"] += 1
                counts[status] += 1
                if why:
                    reasons[why] = reasons.get(why, 0) + 1
                else:
                    entries.append(_entry(tenant_id, campaign_id, pid, address=address, person=person))
            else:
                existing = store.get_recipient(tenant_id, campaign_id, pid)
                if existing is not None and existing.status == "queued":  # a resume or a restart
                    entries.append(_entry(tenant_id, campaign_id, pid, address=existing.address, person=person))
        batch.clear()
        if len(entries) >= 100:
            _queue(entries)
            entries.clear()

    for pid, person in service.people(tenant_id, item.audience):
        batch.append((pid, person))
        if len(batch) == service.BATCH:
            flush()
    flush()
    store.add_counts(tenant_id, campaign_id, counts, skipped_reasons=reasons)
    if entries:
        _queue(entries)
    store.mark_fanned_out(tenant_id, campaign_id)
    _complete_if_done(tenant_id, campaign_id)
    return counts


def _complete_if_done(tenant_id: str, campaign_id: str, after: dict[str, Any] | None = None) -> None:
    if after is not None and (after["status"] != "sending" or not after["fanned_out_at"] or after["queued"] > 0):
        return  # the counters' own update answered: not done, no read needed
    item = store.get_campaign(tenant_id, campaign_id, consistent=True)
    if item is None or item.status != "sending" or not item.fanned_out_at:
        return
    if int(item.queued or 0) > 0:
        return
    item.status = "completed"  # as the event tells it; written with the move, which happens once
    store.set_status(tenant_id, campaign_id, "completed", expected=["sending"], at_field="completed_at", at=iso(),
                     events=[service._event(None, item, CAMPAIGN_COMPLETED)])


def _settle(tenant_id: str, campaign_id: str, counter: str) -> None:
    after = store.add_counts(tenant_id, campaign_id, {counter: 1, "queued": -1})
    if after is not None:
        _complete_if_done(tenant_id, campaign_id, after)


# Per container: the sending campaigns (content fixed once sending) and the brands' names.
_campaigns = TtlCache(missing_seconds=0.0)
_brand_names = TtlCache()


def forget_cached() -> None:
    """Drop this container's campaigns and brand names (tests; a container's state otherwise)."""
    _campaigns.clear()
    _brand_names.clear()


def _sending_campaign(tenant_id: str, campaign_id: str) -> store.CampaignItem | None:
    """The campaign as this container last read it while sending (its content is fixed by then)."""
    def load() -> store.CampaignItem | None:
        item = store.get_campaign(tenant_id, campaign_id, consistent=True)
        return item if item is not None and item.status == "sending" else None

    return _campaigns.get((tenant_id, campaign_id), load, ttl=CAMPAIGN_CACHE_SECONDS)


def _brand_name(tenant_id: str) -> str:
    """`{{brand.name}}`: read at most once a minute per container (a rename shows within that)."""
    return _brand_names.get((tenant_id,), lambda: str(service._brand(tenant_id).name), ttl=CAMPAIGN_CACHE_SECONDS)


def send_one(body: str, *, receive_count: int = 1) -> str:
    """One queued recipient out to its provider, at most once and never twice.

    The usual job carries the address and merge values: one transaction claims the recipient while
    the campaign is still sending, one records it sent, one counts it (3 DynamoDB requests). Any
    refusal, and older jobs, take the slow path that reads why."""
    job = json.loads(body)
    tenant_id, campaign_id, person_id = job["t"], job["c"], job["p"]
    address, values = job.get("a"), job.get("v")
    if isinstance(address, str) and isinstance(values, dict):
        item = _sending_campaign(tenant_id, campaign_id)
        if item is not None:
            _wait_for_room(item)
            if store.claim_recipient(tenant_id, campaign_id, person_id, at=iso()):
                return _send_claimed(item, person_id, address, SimpleNamespace(**values), receive_count)
            _campaigns.forget((tenant_id, campaign_id))  # paused, cancelled or done: read it afresh
    return _send_read(tenant_id, campaign_id, person_id, receive_count)


def _wait_for_room(item: store.CampaignItem) -> None:
    """The channel's pace, before the claim: without room the job stays queued and retries later."""
    if item.channel == "whatsapp" and item.account_id and not _whatsapp_room(item):
        # Over the messaging limit: wait for room, never dropped (the delay is the queue's own).
        raise Retryable("messaging limit reached", retry_after=900)
    if item.channel == "email":
        from skailan.campaigns import mail

        try:
            mail.take_slot()  # the SES sending rate, before the claim: a full second leaves it queued
        except SendFailure as failure:
            raise Retryable("SES sending rate reached", retry_after=failure.retry_after) from failure


def _send_read(tenant_id: str, campaign_id: str, person_id: str, receive_count: int) -> str:
    item = store.get_campaign(tenant_id, campaign_id, consistent=True)
    recipient = store.get_recipient(tenant_id, campaign_id, person_id)
    if item is not None and recipient is not None and recipient.status == "sending":
        return _stuck(item, recipient, receive_count)
    if item is None or recipient is None or recipient.status != "queued":
        return "already_done"
    if item.status == "paused":
        return "paused"  # stays queued: the resume's fan-out queues it again
    if item.status == "cancelled":
        if store.move_recipient(tenant_id, campaign_id, person_id, "skipped", expected=["queued"], at=iso(),
                                reason="cancelled"):
            store.add_counts(tenant_id, campaign_id, {"skipped": 1, "queued": -1})
        return "cancelled"
    if item.status != "sending":
        return "already_done"
    _wait_for_room(item)
    if not store.move_recipient(tenant_id, campaign_id, person_id, "sending", expected=["queued"], at=iso()):
        return "already_done"  # another worker claimed it
    return _send_claimed(item, person_id, recipient.address or "", _person(tenant_id, person_id), receive_count)


def _send_claimed(item: store.CampaignItem, person_id: str, address: str, person: Any, receive_count: int) -> str:
    """The recipient is ours (`sending`): to the provider, then recorded and counted."""
    tenant_id, campaign_id = item.tenant_id, item.campaign_id
    try:
        result = _deliver(item, person_id, address, person)
    except SendFailure as failure:
        return _failed(item, person_id, failure, receive_count)
    at = iso()
    store.move_recipient(tenant_id, campaign_id, person_id, "sent", expected=["sending"], at=at,
                         provider_message_id=result.provider_message_id,
                         event_data=_sent_data(item, address))
    if item.channel == "whatsapp" and item.account_id:
        store.record_reach(tenant_id, item.account_id, person_id, at, utcnow() + WINDOW + timedelta(hours=1))
    _settle(tenant_id, campaign_id, "sent")
    return "sent"


def _sent_data(item: store.CampaignItem, address: str) -> dict[str, Any]:
    """`campaign_recipient.sent`'s pricing inputs (analytics charges WhatsApp credits from them)."""
    from skailan.platform.calling_codes import country_of

    content = dict(item.content or {})
    data: dict[str, Any] = {"channel": item.channel, "account_id": item.account_id, "nps": bool(content.get("nps"))}
    template = content.get("template")
    if item.channel == "whatsapp" and isinstance(template, dict):
        data["template"] = {"name": str(template.get("name") or ""), "language": str(template.get("language") or "")}
    if item.channel in ("whatsapp", "sms"):
        data["country"] = country_of(address)
    return data


def _stuck(item: store.CampaignItem, recipient: store.RecipientItem, receive_count: int) -> str:
    """A redelivered record whose recipient is `sending`: another attempt is sending it, or a worker
    died between the provider call and the write. Within the lease: wait; after it the outcome is
    unknown, so it is failed `delivery_unknown` (never resent: at most once) and the campaign can end."""
    claimed = (recipient.times.as_dict() if recipient.times is not None else {}).get("sending")
    age = (utcnow() - parse_iso(claimed)).total_seconds() if claimed else SENDING_LEASE_SECONDS
    if age < SENDING_LEASE_SECONDS and receive_count < 5:
        raise Retryable("another attempt is sending this recipient", retry_after=SENDING_LEASE_SECONDS - age)
    if store.move_recipient(item.tenant_id, item.campaign_id, recipient.person_id, "failed", expected=["sending"],
                            at=iso(), reason="delivery_unknown", error={"code": "delivery_unknown"}):
        _settle(item.tenant_id, item.campaign_id, "failed")
    return "failed"


def _failed(item: store.CampaignItem, person_id: str, failure: SendFailure, receive_count: int) -> str:
    tenant_id, campaign_id = item.tenant_id, item.campaign_id
    error = {"code": failure.code, "message_es": failure.reason_es, "message_en": failure.reason_en}
    if not failure.permanent or failure.code in RETRY_LATER:
        if receive_count < 5:
            # Back to queued: this same record retries after the backoff (the claim is released).
            store.move_recipient(tenant_id, campaign_id, person_id, "queued", expected=["sending"], at=iso(),
                                 error=error)
            raise Retryable(f"provider said retry later ({failure.code})", retry_after=failure.retry_after)
        error["code"] = f"retries_exhausted:{failure.code}"
    if failure.code in PAUSE:
        pause = "spam_restriction" if failure.code == "131048" else failure.code
        store.set_status(tenant_id, campaign_id, "paused", expected=["sending"], reason=pause)
        # The dashboard's "campaigns failing" alert shows it (store.needing_attention).
        logger.error("campaign paused by the sending account", reason=pause, tenant_id=tenant_id,
                     campaign_id=campaign_id, account_id=item.account_id)
    reason = "ecosystem_limit" if failure.code in NO_RESEND else failure.code
    store.move_recipient(tenant_id, campaign_id, person_id, "failed", expected=["sending"], at=iso(), reason=reason,
                         error=error)
    _settle(tenant_id, campaign_id, "failed")
    return "failed"


def _whatsapp_room(item: store.CampaignItem) -> bool:
    limit = service._messaging_limit(item.tenant_id, item.account_id)
    if limit == "unlimited":
        return True
    return service.used_24h(item.tenant_id, item.account_id) < int(limit)


def _person(tenant_id: str, person_id: str) -> Any:
    from skailan.crm.store.person_reads import batch_people

    return batch_people(tenant_id, [person_id]).get(person_id)


def _deliver(item: store.CampaignItem, person_id: str, address: str, person: Any) -> Any:
    from skailan.channels.models import OutboundMessage
    from skailan.conversations import accounts
    from skailan.conversations.sending import SmsDelivery, WhatsAppDelivery, own_failure

    brand = {"name": _brand_name(item.tenant_id)}
    account = accounts.account(item.tenant_id, item.account_id) if item.account_id else None
    if account is None or not account.active:
        raise own_failure("channel_disabled")
    if item.channel == "email":
        from skailan.campaigns import mail
        from skailan.channels.models import SendResult

        source = str(account.external.get("address") or "")
        composed = mail.message_for(item, person_id, person, address, account, brand)
        ses_id = mail.send(composed, source=source, to=address, tenant_id=item.tenant_id, campaign_id=item.campaign_id)
        return SendResult(provider_message_id=ses_id)  # SES's MessageId: its events name the message by it
    rendered = service.render_for(item, person, brand)
    if item.channel == "sms":
        message = OutboundMessage(channel="sms", to=address, type="text", text=rendered["text"])
        return SmsDelivery(account, None).sender().send(message)  # type: ignore[arg-type]
    message = OutboundMessage(channel="whatsapp", to=address.lstrip("+"), type="template",
                              template=rendered["template"])
    return WhatsAppDelivery(account, None).sender().send(message)  # type: ignore[arg-type]
