"""The campaigns table: the only pynamodb code of the context; every key is built here.

Every pk and brand-scoped GSI pk starts with `T#<tenant>`:

  campaign     pk T#<t>#CAMP#<c>  sk CAMPAIGN        definition, status, counters (ADD)
               gsi1 T#<t>#CAMPAIGNS[#ARCHIVED] / <created_at>#<c>   (the brand's list, newest first)
               gsi2 CAMPDUE#<0-7> / <due>#<t>#<c>   (only while scheduled: sparse) — the due job reads
               it with one Query per shard up to now; it holds no tenant data but keys.
  recipient    pk T#<t>#CAMP#<c>  sk R#<person>      one per campaign × person (conditional put)
               gsi1 T#<t>#CAMP#<c>#S#<status> / <person>           (recipients by status)
  suppression  pk T#<t>#SUPP      sk <channel>#<address>            (opt-outs, bounces, complaints)
  attachment   pk T#<t>#CATT#<upload>  sk ATT                  (an e-mail attachment's S3 key, name, type)
  rate slot    pk RATE#<provider>#<epoch second>  sk RATE           (n sends in that second, TTL) — the
               one key without a tenant: SES's sending rate belongs to the AWS account, shared by brands
  last sent    pk T#<t>#LASTCAMP#<person>  sk LASTCAMP          (the person's latest campaign message:
               campaign, channel, reply_until; TTL) — a reply within the window is that campaign's reply
  outbox       (skailan.platform.outbox)
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from skailan.platform import outbox
from skailan.platform.cancellation import condition_failed
from skailan.platform.clock import iso, utcnow
from skailan.platform.events import DomainEvent
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings
from skailan.platform.storage import TableItem, shared_connection, transaction

DUE_SHARDS = 8
CAMPAIGN_SK = "CAMPAIGN"
# The counters a campaign keeps (ADD on the campaign item, never recounted).
COUNTERS = ("recipients", "queued", "sent", "delivered", "read", "failed", "opened", "clicked", "replied",
            "bounced", "complained", "unsubscribed", "skipped")
# A person's inbound message on a campaign's channel within this long of its send is a reply to
# that campaign (the latest one sent to them): counted once, `campaign_recipient.replied`.
REPLY_WINDOW = timedelta(days=7)


def campaign_pk(tenant_id: str, campaign_id: str) -> str:
    return f"T#{tenant_id}#CAMP#{campaign_id}"


def list_pk(tenant_id: str, *, archived: bool = False) -> str:
    return f"T#{tenant_id}#CAMPAIGNS" + ("#ARCHIVED" if archived else "")


def status_pk(tenant_id: str, campaign_id: str, status: str) -> str:
    return f"T#{tenant_id}#CAMP#{campaign_id}#S#{status}"


def suppression_pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#SUPP"


def due_pk(shard: int) -> str:
    return f"CAMPDUE#{shard}"


def due_shard(campaign_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(campaign_id.encode(), digest_size=2).digest(), "big") % DUE_SHARDS


def recipient_sk(person_id: str) -> str:
    return f"R#{person_id}"


def table_name() -> str:
    return get_settings().campaigns_table


class CampaignsItem(TableItem):
    class Meta:
        table_name = get_settings().campaigns_table

    overloaded_indexes = 2


class CampaignItem(CampaignsItem, discriminator="campaign"):
    tenant_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    name = UnicodeAttribute()
    channel = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)
    audience = JSONAttribute(default=dict)
    content = JSONAttribute(default=dict)
    status = UnicodeAttribute(default="draft")
    scheduled_at = UnicodeAttribute(null=True)  # UTC ISO
    started_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    archived_at = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # why it failed or paused
    fanned_out_at = UnicodeAttribute(null=True)  # every recipient written (completion waits for it)
    created_by = UnicodeAttribute(null=True)
    stats = JSONAttribute(default=dict)  # skipped reasons {reason: n}
    recipients = NumberAttribute(default=0)
    queued = NumberAttribute(default=0)
    sent = NumberAttribute(default=0)
    delivered = NumberAttribute(default=0)
    read = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    opened = NumberAttribute(default=0)
    clicked = NumberAttribute(default=0)
    replied = NumberAttribute(default=0)
    bounced = NumberAttribute(default=0)
    complained = NumberAttribute(default=0)
    unsubscribed = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    revision = VersionAttribute()


class RecipientItem(CampaignsItem, discriminator="recipient"):
    tenant_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    address = UnicodeAttribute(null=True)  # phone (E.164), e-mail or WhatsApp id
    status = UnicodeAttribute()  # skipped | queued | sending | sent | delivered | read | failed
    reason = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    error = JSONAttribute(null=True)
    times: MapAttribute[str, Any] = MapAttribute(default=dict)  # {status: at}


class SuppressionItem(CampaignsItem, discriminator="suppression"):
    tenant_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    reason = UnicodeAttribute()  # opt_out | hard_bounce | complaint | manual
    person_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)


class StaleCampaign(Exception):
    """The campaign changed meanwhile (its revision or status condition failed)."""


# ---------------------------------------------------------------- campaigns


def new_campaign(tenant_id: str, campaign_id: str, **fields: Any) -> CampaignItem:
    return CampaignItem(campaign_pk(tenant_id, campaign_id), CAMPAIGN_SK, tenant_id=tenant_id,
                        campaign_id=campaign_id, **fields)


def get_campaign(tenant_id: str, campaign_id: str, *, consistent: bool = False) -> CampaignItem | None:
    try:
        return CampaignItem.get(campaign_pk(tenant_id, campaign_id), CAMPAIGN_SK, consistent_read=consistent)
    except CampaignItem.DoesNotExist:
        return None


# Paused by the send worker, not by a person: the number was restricted (WhatsApp 131048), or SES
# sending is paused for the account.
SYSTEM_PAUSES = frozenset({"spam_restriction", "ses_sending_paused"})


def attention_pk(tenant_id: str) -> str:
    """gsi2 of the brand's campaigns that need a person: failed, or paused by the send worker (the
    dashboard's "campaigns failing" alert reads them with one Query)."""
    return f"T#{tenant_id}#CATTN"


def running_pk(tenant_id: str) -> str:
    """gsi2 of the brand's campaigns that are sending (the dashboard's "ending soon" reads them)."""
    return f"T#{tenant_id}#CRUN"


def needs_attention(status: str | None, reason: str | None) -> bool:
    return status == "failed" or (status == "paused" and reason in SYSTEM_PAUSES)


def _index(item: CampaignItem) -> None:
    item.gsi1pk = list_pk(item.tenant_id, archived=bool(item.archived_at))
    item.gsi1sk = f"{item.created_at}#{item.campaign_id}"
    # gsi2 is the scheduler's due index while scheduled, the attention index while failing, the
    # running index while sending (one status at a time: never two of them).
    due = item.status == "scheduled" and item.scheduled_at
    attention = not due and not item.archived_at and needs_attention(item.status, item.reason)
    running = item.status == "sending"
    item.gsi2pk = (due_pk(due_shard(item.campaign_id)) if due else attention_pk(item.tenant_id) if attention
                   else running_pk(item.tenant_id) if running else None)
    item.gsi2sk = (f"{item.scheduled_at}#{item.tenant_id}#{item.campaign_id}" if due
                   else item.campaign_id if attention or running else None)


def needing_attention(tenant_id: str, *, limit: int = 20) -> list[CampaignItem]:
    """The brand's failed campaigns and those the send worker paused (one Query on gsi2)."""
    return [i for i in CampaignsItem.gsi2.query(attention_pk(tenant_id), limit=limit) if isinstance(i, CampaignItem)]


def running(tenant_id: str, *, limit: int = 50) -> list[CampaignItem]:
    """The brand's campaigns that are sending (one Query on gsi2)."""
    return [i for i in CampaignsItem.gsi2.query(running_pk(tenant_id), limit=limit) if isinstance(i, CampaignItem)]


def save_campaign(item: CampaignItem, events: Iterable[DomainEvent]) -> None:
    """The campaign (conditional on its revision) and its events, atomically."""
    _index(item)
    try:
        with transaction() as tx:
            tx.save(item)  # VersionAttribute: refused if someone saved it meanwhile
            outbox.add(tx, events, table_name())
    except TransactWriteError as err:
        raise StaleCampaign(str(err)) from err


def delete_campaign(item: CampaignItem, events: Iterable[DomainEvent]) -> None:
    try:
        with transaction() as tx:
            tx.delete(item, condition=CampaignItem.status == "draft")
            outbox.add(tx, events, table_name())
    except TransactWriteError as err:
        raise StaleCampaign(str(err)) from err


# A filtered list reads the brand's list index with a FilterExpression, at most this many Query pages
# of at most this many items per request: bounded work per call; a page may hold fewer items (even
# none) with a next cursor, and the next request continues where this one stopped.
FILTERED_PAGE_SIZE = 100
FILTERED_MAX_PAGES = 4


def list_campaigns(tenant_id: str, *, archived: bool, cursor: str | None, limit: int | None,
                   statuses: Iterable[str] = (), channel: str | None = None) -> tuple[list[CampaignItem], str | None]:
    """The brand's campaigns, newest first, optionally of some statuses and one channel.

    Filters are a FilterExpression on the list index (gsi1), not sparse per-status indexes: a
    brand's campaigns are written by people (hundreds to a few thousand, not millions), so the
    bounded reads above cover a realistic list in one or two requests; a status moves many times
    in a campaign's life (and the workers move it with conditional writes), so an index per status
    would add key rewrites to every transition and a merge of several partitions for a multi-status
    filter, for no gain at this size. No Scan: one partition of the brand, read in key order.
    """
    pk = list_pk(tenant_id, archived=archived)
    start = decode_cursor(cursor, partition_attr="gsi1pk", partition_value=pk)
    size = clamp_limit(limit)
    wanted = sorted(set(statuses))
    condition: Any = None
    if wanted:
        condition = CampaignItem.status.is_in(*wanted)
    if channel:
        condition = (CampaignItem.channel == channel) if condition is None else condition & (CampaignItem.channel == channel)
    if condition is None:
        page = CampaignsItem.gsi1.query(pk, scan_index_forward=False, limit=size, last_evaluated_key=start)
        items = [i for i in page if isinstance(i, CampaignItem)]
        return items, encode_cursor(page.last_evaluated_key)
    results = CampaignsItem.gsi1.query(pk, scan_index_forward=False, filter_condition=condition,
                                       page_size=max(size, FILTERED_PAGE_SIZE), last_evaluated_key=start)
    pages = results.page_iter
    found: list[tuple[CampaignItem, dict[str, Any]]] = []
    last_key = start
    for _ in range(FILTERED_MAX_PAGES):
        try:
            raw_page = next(pages)
        except StopIteration:
            last_key = None
            break
        for raw in raw_page.get("Items", []):
            item = CampaignsItem.from_raw_data(raw)
            if isinstance(item, CampaignItem):
                found.append((item, {k: raw[k] for k in pages.key_names if k in raw}))
        last_key = raw_page.get("LastEvaluatedKey")
        if last_key is None or len(found) >= size:
            break
    if len(found) > size:
        # More matched than asked: continue right after the last one returned.
        found, last_key = found[:size], found[size - 1][1]
    return [item for item, _ in found], encode_cursor(last_key)


def due_campaigns(until: str) -> Iterator[tuple[str, str]]:
    """(tenant, campaign) of every scheduled campaign due by `until`: one Query per shard."""
    for shard in range(DUE_SHARDS):
        for item in CampaignsItem.gsi2.query(due_pk(shard), CampaignsItem.gsi2sk <= f"{until}~"):
            if isinstance(item, CampaignItem):
                yield item.tenant_id, item.campaign_id


def add_counts(tenant_id: str, campaign_id: str, counts: dict[str, int], *,
               skipped_reasons: dict[str, int] | None = None) -> dict[str, Any] | None:
    """ADD the counters; returns the campaign's status, fanned_out_at and queued after the update
    (so the caller checks completion without another read), None when the campaign is gone."""
    actions: list[Any] = [getattr(CampaignItem, name).add(n) for name, n in counts.items() if n and name in COUNTERS]
    if not actions:
        return None
    try:
        reply = CampaignItem._get_connection().update_item(
            campaign_pk(tenant_id, campaign_id), CAMPAIGN_SK, actions=actions, condition=CampaignItem.pk.exists(),
            return_values="ALL_NEW")
    except UpdateError:
        return None  # the campaign is gone
    attributes = reply.get("Attributes") or {}
    after = {"status": (attributes.get("status") or {}).get("S"),
             "fanned_out_at": (attributes.get("fanned_out_at") or {}).get("S"),
             "queued": int((attributes.get("queued") or {}).get("N", "0"))}
    if skipped_reasons:
        item = get_campaign(tenant_id, campaign_id, consistent=True)
        if item is not None:
            stats = dict(item.stats or {})
            reasons = dict(stats.get("skipped_reasons") or {})
            for reason, n in skipped_reasons.items():
                reasons[reason] = int(reasons.get(reason, 0)) + n
            stats["skipped_reasons"] = reasons
            _update(item.pk, item.sk, [CampaignItem.stats.set(stats)], None)
    return after


def set_status(tenant_id: str, campaign_id: str, status: str, *, expected: Iterable[str],
               at_field: str | None = None, at: str | None = None, reason: str | None = None,
               events: Iterable[DomainEvent] = ()) -> bool:
    """Move the status if it is still one of `expected` (a conditional write, no lost races), with
    `events` in the same transaction (the move happens once, so they are written once). The
    workers move campaigns out of `sending` only, so the due index is never theirs to keep."""
    actions: list[Any] = [CampaignItem.status.set(status)]
    if at_field and at:
        actions.append(getattr(CampaignItem, at_field).set(at))
    if reason is not None:
        actions.append(CampaignItem.reason.set(reason))
    if needs_attention(status, reason):
        actions += [CampaignItem.gsi2pk.set(attention_pk(tenant_id)), CampaignItem.gsi2sk.set(campaign_id)]
    elif status != "sending":
        actions += [CampaignItem.gsi2pk.remove(), CampaignItem.gsi2sk.remove()]  # off the running index
    try:
        _update(campaign_pk(tenant_id, campaign_id), CAMPAIGN_SK, actions, CampaignItem.status.is_in(*expected),
                events=list(events))
    except UpdateError:
        return False
    except TransactWriteError as err:
        if condition_failed(err, 0):
            return False
        raise
    return True


def mark_fanned_out(tenant_id: str, campaign_id: str) -> None:
    try:
        _update(campaign_pk(tenant_id, campaign_id), CAMPAIGN_SK, [CampaignItem.fanned_out_at.set(iso())],
                CampaignItem.pk.exists())
    except UpdateError:
        return


def _update(pk: str, sk: str, actions: list[Any], condition: Any, events: list[DomainEvent] | None = None) -> None:
    # The connection's UpdateItem: counters and status moves must not touch the item's revision
    # (Model.update would add a revision condition and bump it). With events, the same update
    # and their outbox items in one low-level TransactWriteItems (the update first).
    connection = CampaignItem._get_connection()
    if not events:
        connection.update_item(pk, sk, actions=actions, condition=condition)
        return
    update = connection.get_operation_kwargs(pk, range_key=sk, actions=actions, condition=condition)
    shared_connection().transact_write_items(
        condition_check_items=[], delete_items=[], put_items=[],
        update_items=[update, *(outbox.operation(event, table_name())["Update"] for event in events)])


# ---------------------------------------------------------------- recipients


def put_recipient(tenant_id: str, campaign_id: str, person_id: str, *, status: str, name: str | None,
                  address: str | None, reason: str | None, at: str) -> bool:
    """Write the recipient once per campaign × person; False when it exists (a redelivery or restart)."""
    item = RecipientItem(campaign_pk(tenant_id, campaign_id), recipient_sk(person_id), tenant_id=tenant_id,
                         campaign_id=campaign_id, person_id=person_id, name=name, address=address, status=status,
                         reason=reason, times={status: at}, created_at=at, updated_at=at,
                         gsi1pk=status_pk(tenant_id, campaign_id, status), gsi1sk=person_id)
    try:
        item.save(condition=RecipientItem.pk.does_not_exist())
    except PutError:
        return False
    return True


def get_recipient(tenant_id: str, campaign_id: str, person_id: str) -> RecipientItem | None:
    try:
        return RecipientItem.get(campaign_pk(tenant_id, campaign_id), recipient_sk(person_id), consistent_read=True)
    except RecipientItem.DoesNotExist:
        return None


def move_recipient(tenant_id: str, campaign_id: str, person_id: str, status: str, *, expected: Iterable[str],
                   at: str, reason: str | None = None, provider_message_id: str | None = None,
                   error: dict[str, Any] | None = None, event_data: dict[str, Any] | None = None) -> bool:
    """Move a recipient forward only from one of `expected` (conditional: each step happens once)."""
    actions: list[Any] = [RecipientItem.status.set(status), RecipientItem.updated_at.set(at),
                          RecipientItem.gsi1pk.set(status_pk(tenant_id, campaign_id, status)),
                          RecipientItem.times[status].set(at)]
    if reason is not None:
        actions.append(RecipientItem.reason.set(reason))
    if provider_message_id is not None:
        # Delivery webhooks name the provider's id: gsi2 finds the recipient from it.
        actions += [RecipientItem.provider_message_id.set(provider_message_id),
                    RecipientItem.gsi2pk.set(provider_pk(tenant_id, provider_message_id)),
                    RecipientItem.gsi2sk.set("R")]
    if error is not None:
        actions.append(RecipientItem.error.set(error))
    return _update_recipient_once(tenant_id, campaign_id, person_id, status, actions=actions,
                                  condition=RecipientItem.status.is_in(*expected), extra=event_data)


def claim_recipient(tenant_id: str, campaign_id: str, person_id: str, *, at: str) -> bool:
    """queued → sending while the campaign is still `sending`, in one transaction: the send worker's
    claim needs no read of the campaign's status or of the recipient (a pause or a cancel between
    the fan-out and this claim refuses it). False when either condition fails; the caller reads
    why (the slow path)."""
    item = RecipientItem(campaign_pk(tenant_id, campaign_id), recipient_sk(person_id))
    actions = [RecipientItem.status.set("sending"), RecipientItem.updated_at.set(at),
               RecipientItem.gsi1pk.set(status_pk(tenant_id, campaign_id, "sending")),
               RecipientItem.times["sending"].set(at)]
    try:
        with transaction() as tx:
            tx.condition_check(CampaignItem, campaign_pk(tenant_id, campaign_id), CAMPAIGN_SK,
                               condition=CampaignItem.status == "sending")
            tx.update(item, actions=actions, condition=RecipientItem.status == "queued")
    except TransactWriteError as err:
        if condition_failed(err):
            return False
        raise
    return True


RECIPIENT_EVENT_STATUSES = ("delivered", "read", "opened", "clicked", "replied")  # what automations trigger on


def _update_recipient_once(tenant_id: str, campaign_id: str, person_id: str, status: str, *,
                           actions: list[Any], condition: Any, extra: dict[str, Any] | None = None) -> bool:
    """The conditional update that makes `status` true, with its `campaign_recipient.<status>`
    event in the same transaction (the outbox): published once, never lost. Events: the statuses
    automations trigger on, and `sent` with its details (usage and WhatsApp charges: analytics).
    False when the condition fails (the step already happened)."""
    item = RecipientItem(campaign_pk(tenant_id, campaign_id), recipient_sk(person_id))
    if status not in RECIPIENT_EVENT_STATUSES and not (status == "sent" and extra):
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError:
            return False
        return True
    from skailan.campaigns import catalogue
    from skailan.platform.events import build_event

    type_ = catalogue.CATALOGUE.check(f"campaign_recipient.{status}")
    event = build_event(catalogue.SOURCE, tenant_id, type_, entity_type="contact", entity_id=person_id,
                        data={**(extra or {}), "campaign_id": campaign_id, "person_id": person_id,
                              "status": status})
    channel = (extra or {}).get("channel") if status == "sent" else None
    try:
        with transaction() as tx:
            tx.update(item, actions=actions, condition=condition)
            if channel:  # an update too, after the recipient's: the reasons keep their positions
                marker, marker_actions = _last_sent(tenant_id, campaign_id, person_id, str(channel))
                tx.update(marker, actions=marker_actions)
            outbox.add(tx, [event], table_name())
    except TransactWriteError as err:
        if condition_failed(err, 0):
            return False
        raise
    return True


# ---------------------------------------------------------------- replies


class LastSentItem(CampaignsItem, discriminator="last_sent"):
    """The person's latest campaign message (one item per person, overwritten by the next send)."""

    tenant_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    reply_until = UnicodeAttribute()  # UTC ISO: TTL removal is lazy, so readers compare this


def last_sent_pk(tenant_id: str, person_id: str) -> str:
    return f"T#{tenant_id}#LASTCAMP#{person_id}"


LAST_SENT_SK = "LASTCAMP"


def _last_sent(tenant_id: str, campaign_id: str, person_id: str, channel: str) -> tuple[LastSentItem, list[Any]]:
    now = utcnow()
    until = now + REPLY_WINDOW
    return LastSentItem(last_sent_pk(tenant_id, person_id), LAST_SENT_SK), [
        CampaignsItem.kind.set(LastSentItem), LastSentItem.tenant_id.set(tenant_id),
        LastSentItem.campaign_id.set(campaign_id), LastSentItem.channel.set(channel),
        LastSentItem.reply_until.set(iso(until)), LastSentItem.created_at.set(iso(now)),
        LastSentItem.ttl.set(until + timedelta(days=1))]


def last_sent(tenant_id: str, person_id: str) -> LastSentItem | None:
    """One GetItem: the campaign a reply of this person may answer."""
    try:
        item = CampaignsItem.get(last_sent_pk(tenant_id, person_id), LAST_SENT_SK)
    except CampaignsItem.DoesNotExist:
        return None
    return item if isinstance(item, LastSentItem) else None


def drop_last_sent(tenant_id: str, person_id: str, campaign_id: str) -> None:
    """Forget the marker once its reply is counted (later messages find none), unless a newer
    campaign replaced it meanwhile (conditional)."""
    with contextlib.suppress(DeleteError):
        LastSentItem(last_sent_pk(tenant_id, person_id), LAST_SENT_SK).delete(
            condition=LastSentItem.campaign_id == campaign_id)


def provider_pk(tenant_id: str, provider_message_id: str) -> str:
    return f"T#{tenant_id}#PMID#{provider_message_id}"


def recipient_by_provider_id(tenant_id: str, provider_message_id: str) -> RecipientItem | None:
    for item in CampaignsItem.gsi2.query(provider_pk(tenant_id, provider_message_id), limit=1):
        if isinstance(item, RecipientItem):
            return item
    return None


def list_recipients(tenant_id: str, campaign_id: str, *, status: str | None, cursor: str | None,
                    limit: int | None) -> tuple[list[RecipientItem], str | None]:
    if status:
        pk = status_pk(tenant_id, campaign_id, status)
        start = decode_cursor(cursor, partition_attr="gsi1pk", partition_value=pk)
        page: Any = CampaignsItem.gsi1.query(pk, limit=clamp_limit(limit), last_evaluated_key=start)
    else:
        pk = campaign_pk(tenant_id, campaign_id)
        start = decode_cursor(cursor, partition_attr="pk", partition_value=pk)
        page = CampaignsItem.query(pk, CampaignsItem.sk.startswith("R#"), limit=clamp_limit(limit),
                                   last_evaluated_key=start)
    items = [i for i in page if isinstance(i, RecipientItem)]
    return items, encode_cursor(page.last_evaluated_key)


# How many recipients one filtered request reads at most: a search never walks a 100 000-person
# partition in one request; it answers what it found with a cursor to go on from.
FILTER_EXAMINE_MAX = 1000


def search_recipients(tenant_id: str, campaign_id: str, match: Callable[[RecipientItem], bool], *,
                      status: str | None, cursor: str | None, limit: int | None,
                      ) -> tuple[list[RecipientItem], str | None]:
    """Recipients that `match`, read from the campaign's recipient partition (or its status index)
    page by page — a Query of one partition, never a Scan. Stops at `limit` matches or after
    FILTER_EXAMINE_MAX items read; the cursor is the key of the last item read, so the next
    request continues right after it (a page may hold fewer than `limit` items, even none)."""
    want = clamp_limit(limit)
    if status:
        pk = status_pk(tenant_id, campaign_id, status)
        start = decode_cursor(cursor, partition_attr="gsi1pk", partition_value=pk)
        results: Any = CampaignsItem.gsi1.query(pk, last_evaluated_key=start, page_size=100)
    else:
        pk = campaign_pk(tenant_id, campaign_id)
        start = decode_cursor(cursor, partition_attr="pk", partition_value=pk)
        results = CampaignsItem.query(pk, CampaignsItem.sk.startswith("R#"), last_evaluated_key=start,
                                      page_size=100)
    found: list[RecipientItem] = []
    for examined, item in enumerate(results, start=1):
        if isinstance(item, RecipientItem) and match(item):
            found.append(item)
        if len(found) >= want or examined >= FILTER_EXAMINE_MAX:
            key = {"pk": {"S": item.pk}, "sk": {"S": item.sk}}
            if status:
                key |= {"gsi1pk": {"S": item.gsi1pk}, "gsi1sk": {"S": item.gsi1sk}}
            return found, encode_cursor(key)
    return found, None  # the partition is read to its end


def all_recipients(tenant_id: str, campaign_id: str) -> Iterator[RecipientItem]:
    for item in CampaignsItem.query(campaign_pk(tenant_id, campaign_id), CampaignsItem.sk.startswith("R#")):
        if isinstance(item, RecipientItem):
            yield item


# ---------------------------------------------------------------- suppressions


def suppression_sk(channel: str, address: str) -> str:
    return f"{channel}#{address}"


def put_suppression(tenant_id: str, channel: str, address: str, *, reason: str, person_id: str | None,
                    source: str | None, at: str, events: Iterable[DomainEvent]) -> bool:
    item = SuppressionItem(suppression_pk(tenant_id), suppression_sk(channel, address), tenant_id=tenant_id,
                           channel=channel, address=address, reason=reason, person_id=person_id, source=source,
                           created_at=at)
    try:
        with transaction() as tx:
            tx.save(item, condition=SuppressionItem.pk.does_not_exist())
            outbox.add(tx, events, table_name())
    except TransactWriteError:
        return False  # already suppressed
    return True


def delete_suppression(tenant_id: str, channel: str, address: str, events: Iterable[DomainEvent]) -> bool:
    item = SuppressionItem(suppression_pk(tenant_id), suppression_sk(channel, address))
    try:
        with transaction() as tx:
            tx.delete(item, condition=SuppressionItem.pk.exists())
            outbox.add(tx, events, table_name())
    except TransactWriteError:
        return False
    return True


def suppressed(tenant_id: str, channel: str, addresses: Iterable[str]) -> set[str]:
    """Which of the addresses are suppressed for the channel (BatchGetItem, 100 keys a call)."""
    keys = [(suppression_pk(tenant_id), suppression_sk(channel, a)) for a in dict.fromkeys(addresses) if a]
    return {i.address for i in SuppressionItem.batch_get(keys)} if keys else set()


def list_suppressions(tenant_id: str, *, channel: str | None, cursor: str | None,
                      limit: int | None) -> tuple[list[SuppressionItem], str | None]:
    pk = suppression_pk(tenant_id)
    start = decode_cursor(cursor, partition_attr="pk", partition_value=pk)
    condition = CampaignsItem.sk.startswith(f"{channel}#") if channel else None
    page = CampaignsItem.query(pk, condition, limit=clamp_limit(limit), last_evaluated_key=start)
    return [i for i in page if isinstance(i, SuppressionItem)], encode_cursor(page.last_evaluated_key)


# ---------------------------------------------------------------- WhatsApp messaging limit


def reach_pk(tenant_id: str, account_id: str) -> str:
    return f"T#{tenant_id}#WAREACH#{account_id}"


class ReachItem(CampaignsItem, discriminator="reach"):
    """A business-initiated send to one person on one WhatsApp account (sk <at>#<person>)."""


def record_reach(tenant_id: str, account_id: str, person_id: str, at: str, expires: Any) -> None:
    """One business-initiated send to a person on this account (the moving 24 h window counts them)."""
    ReachItem(reach_pk(tenant_id, account_id), f"{at}#{person_id}", ttl=expires).save()


def window_count(tenant_id: str, account_id: str, since: str) -> int:
    return int(ReachItem.count(reach_pk(tenant_id, account_id), ReachItem.sk >= since))


def transition(item: CampaignItem, expected: Iterable[str], changes: dict[str, Any],
               events: Iterable[DomainEvent]) -> None:
    """Set only the changed attributes (the counters the workers ADD stay theirs), if the status is
    still one of `expected`, with the events, atomically."""
    for name, value in changes.items():
        setattr(item, name, value)
    _index(item)
    names = [*changes, "gsi1pk", "gsi1sk"]
    actions: list[Any] = [getattr(CampaignItem, n).set(getattr(item, n)) if getattr(item, n) is not None
                          else getattr(CampaignItem, n).remove() for n in names]
    if item.gsi2pk:
        actions += [CampaignItem.gsi2pk.set(item.gsi2pk), CampaignItem.gsi2sk.set(item.gsi2sk)]
    else:
        actions += [CampaignItem.gsi2pk.remove(), CampaignItem.gsi2sk.remove()]
    try:
        with transaction() as tx:
            # The loaded item: pynamodb adds its revision to the condition and bumps it.
            tx.update(item, actions=actions, condition=CampaignItem.status.is_in(*expected))
            outbox.add(tx, events, table_name())
    except TransactWriteError as err:
        raise StaleCampaign(str(err)) from err


class RateItem(CampaignsItem, discriminator="rate"):
    n = NumberAttribute(default=0)


def take_rate_slot(provider: str, second: int, limit: int) -> bool:
    """One of `limit` sends in this second (a conditional ADD: concurrent workers never overshoot)."""
    try:
        RateItem(f"RATE#{provider}#{second}", "RATE").update(
            actions=[RateItem.n.add(1), RateItem.ttl.set(datetime.fromtimestamp(second + 120, tz=UTC))],
            condition=RateItem.n.does_not_exist() | (RateItem.n < limit))
    except UpdateError:
        return False
    return True


def mark_once(tenant_id: str, campaign_id: str, person_id: str, what: str, at: str) -> bool:
    """Stamp `times.<what>` once (opened, clicked): True only the first time."""
    return _update_recipient_once(tenant_id, campaign_id, person_id, what,
                                  actions=[RecipientItem.times[what].set(at)],
                                  condition=RecipientItem.pk.exists() & RecipientItem.times[what].does_not_exist())


# ---------------------------------------------------------------- e-mail attachments


class AttachmentItem(CampaignsItem, discriminator="attachment"):
    tenant_id = UnicodeAttribute()
    upload_id = UnicodeAttribute()
    key = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute(default=0)
    created_by = UnicodeAttribute(null=True)


def attachment_pk(tenant_id: str, upload_id: str) -> str:
    return f"T#{tenant_id}#CATT#{upload_id}"


def put_attachment(tenant_id: str, upload_id: str, *, key: str, filename: str, content_type: str, size: int,
                   created_by: str) -> None:
    AttachmentItem(attachment_pk(tenant_id, upload_id), "ATT", tenant_id=tenant_id, upload_id=upload_id, key=key,
                   filename=filename, content_type=content_type, declared_size=size, created_by=created_by,
                   created_at=iso()).save(condition=AttachmentItem.pk.does_not_exist())


def get_attachment(tenant_id: str, upload_id: str) -> AttachmentItem | None:
    try:
        return AttachmentItem.get(attachment_pk(tenant_id, upload_id), "ATT")
    except AttachmentItem.DoesNotExist:
        return None
