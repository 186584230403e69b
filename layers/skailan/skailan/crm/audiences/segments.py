"""Dynamic segments: stored rule trees whose membership follows the data, event-driven.

Membership is materialised as facet items `F#segment#<id>` (gsi1 `T#<t>#F#segment#<id>`), so
listing a segment's members is a Query whose cost per page does not grow with the brand.

Keeping it current (the segments worker, `functions/workers/segments`):
- `contact.created/updated/deleted/merged` → `evaluate_person`: read the person and the brand's
  segments (one GetItem, one Query), evaluate every rule, write or delete the memberships that
  changed (conditional put/delete + `ADD count` in one transaction each, so a redelivered event
  changes nothing twice); `contact.imported` (50 people) reads its people, their duplicate keys
  and the brand's segments, zone and fields once for the batch (`evaluate_people`);
- `segment.created/updated` → `backfill`: walk the brand's people (paginated Query on gsi1
  `T#<t>#PEOPLE`), write the memberships, set the exact count and `status=ready`;
- `segment.deleted` → drop its memberships.

`preview(rule)` counts matches without storing anything: it walks the people partition the
same way — one Query per ~1 MB page (≈ 1 000 people), so ≈ 100 requests and a few seconds for
100 000 people. It is the only CRM request whose cost grows with the brand; the bench reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from skailan.crm.audiences.lists import drop_members_of
from skailan.crm.audiences.models import SegmentIn, SegmentOut, SegmentPreviewOut, SegmentUpdateIn
from skailan.crm.events import emit
from skailan.crm.store.items import (
    PERSON_SK,
    SEG,
    SEGMENT_REFRESH_SHARDS,
    FacetItem,
    PersonItem,
    SegmentItem,
    facet_index_pk,
    facet_member_sk,
    facet_sk,
    people_index_pk,
    person_pk,
    segment_refresh_due,
    segment_refresh_pk,
    segment_refresh_shard_pk,
    segment_refresh_sk,
    segment_refreshes_due_by,
    segments_pk,
)
from skailan.crm.store.transact import TransactionFailed, update_if
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, utcnow
from skailan.platform.errors import NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import new_id
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.storage import transaction

SEGMENT_FACET = "segment"
REFRESH_AFTER_MIDNIGHT = timedelta(minutes=5)


def _rule(tenant_id: str, raw: dict[str, Any]) -> Any:
    """Validate a rule against the brand's fields; errors name `rule.<json path>`."""
    from skailan.crm.audiences.rules import parse_rule
    from skailan.crm.vocabulary.definitions import load

    try:
        return parse_rule(raw, load(tenant_id).fields)
    except Unprocessable as err:
        for detail in err.details or []:
            if isinstance(detail, dict) and "path" in detail:
                detail["field"] = "rule" + str(detail["path"])[1:]
        raise


def _out(item: SegmentItem) -> SegmentOut:
    return SegmentOut(id=item.segment_id, name=item.name, description=item.description, rule=item.rule,
                      count=max(int(item.count or 0), 0), status=item.status, created_at=item.created_at,
                      updated_at=item.updated_at)


def create_segment(caller: Caller, data: SegmentIn) -> SegmentOut:
    rule = _rule(caller.tenant_id, data.rule)
    segment_id = new_id().lower()
    now = iso()
    item = SegmentItem(segments_pk(caller.tenant_id), SEG + segment_id, tenant_id=caller.tenant_id,
                       segment_id=segment_id, name=data.name, description=data.description, rule=rule.to_json(),
                       count=0, status="computing", rule_version=1, created_at=now, updated_at=now)
    _schedule_refresh(item, rule)
    item.save(condition=SegmentItem.pk.does_not_exist())
    emit(caller.tenant_id, "segment.created", caller=caller, entity_type="segment", entity_id=segment_id,
         data={"name": data.name, "rule_version": 1})
    return _out(item)


def load_segment(tenant_id: str, segment_id: str) -> SegmentItem:
    try:
        return SegmentItem.get(segments_pk(tenant_id), SEG + segment_id)
    except SegmentItem.DoesNotExist as err:
        raise NotFound(both("Segmento no encontrado", "Segment not found"), code="segment_not_found") from err


def get_segment(tenant_id: str, segment_id: str) -> SegmentOut:
    return _out(load_segment(tenant_id, segment_id))


def list_segments(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[SegmentOut]:
    pk = segments_pk(tenant_id)
    results = SegmentItem.query(pk, SegmentItem.sk.startswith(SEG), limit=clamp_limit(limit),
                                scan_index_forward=False,
                                last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    return Page[SegmentOut](items=[_out(i) for i in results], next_cursor=encode_cursor(results.last_evaluated_key))


def update_segment(caller: Caller, segment_id: str, data: SegmentUpdateIn) -> SegmentOut:
    item = load_segment(caller.tenant_id, segment_id)
    sent = data.model_fields_set
    actions: list[Any] = [SegmentItem.updated_at.set(iso())]
    if data.name is not None:
        actions.append(SegmentItem.name.set(data.name))
    if "description" in sent:
        actions.append(SegmentItem.description.set(data.description) if data.description
                       else SegmentItem.description.remove())
    rule_changed = data.rule is not None
    if rule_changed:
        rule = _rule(caller.tenant_id, data.rule or {})
        actions += [SegmentItem.rule.set(rule.to_json()), SegmentItem.status.set("computing"),
                    SegmentItem.rule_version.add(1)]
        if _schedule_refresh(item, rule):
            actions += [SegmentItem.gsi2pk.set(item.gsi2pk), SegmentItem.gsi2sk.set(item.gsi2sk)]
        else:
            actions += [SegmentItem.gsi2pk.remove(), SegmentItem.gsi2sk.remove()]
    item.update(actions=actions)
    emit(caller.tenant_id, "segment.updated", caller=caller, entity_type="segment", entity_id=segment_id,
         data={"changed": sorted(sent), "rule_changed": rule_changed, "rule_version": int(item.rule_version)})
    return _out(item)


def delete_segment(caller: Caller, segment_id: str) -> None:
    item = load_segment(caller.tenant_id, segment_id)
    item.delete()
    emit(caller.tenant_id, "segment.deleted", caller=caller, entity_type="segment", entity_id=segment_id,
         data={"name": item.name})


# ---------------------------------------------------------------- daily refresh of relative-date rules




def _next_refresh(tenant_id: str, after: datetime) -> str:
    """Just after the brand's next local midnight, when "within the last N days" moves by a day."""
    from skailan.crm.people.service import brand_locale

    tz = _zone(brand_locale(tenant_id)[1])
    local = after.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return iso(midnight + REFRESH_AFTER_MIDNIGHT)


def _schedule_refresh(item: SegmentItem, rule: Any) -> bool:
    """Put a rule with relative dates on the refresh index (sparse gsi2); False for other rules."""
    from skailan.crm.audiences.rules import depends_on_today

    if not depends_on_today(rule):
        item.gsi2pk = item.gsi2sk = None
        return False
    item.gsi2pk = segment_refresh_pk(item.tenant_id)
    item.gsi2sk = segment_refresh_sk(_next_refresh(item.tenant_id, utcnow()), item.tenant_id, item.segment_id)
    return True


def request_due_refreshes(now: datetime | None = None) -> int:
    """The hourly job: every segment whose refresh is due gets `segment.refresh_requested` (the
    segments worker backfills it) and its next refresh. At least once: the event goes first, then
    the new time; a backfill twice is harmless. One Query per shard, never a Scan."""
    moment = now or utcnow()
    stamp = iso(moment)
    requested = 0
    for shard in range(SEGMENT_REFRESH_SHARDS):
        for item in SegmentItem.gsi2.query(segment_refresh_shard_pk(shard), SegmentItem.gsi2sk <= segment_refreshes_due_by(stamp)):
            if not isinstance(item, SegmentItem):
                continue
            emit(item.tenant_id, "segment.refresh_requested", entity_type="segment", entity_id=item.segment_id,
                 data={"rule_version": int(item.rule_version or 1), "due": segment_refresh_due(item.gsi2sk)})
            # False: the rule was saved meanwhile, and has its own next refresh
            update_if(item, [SegmentItem.gsi2sk.set(
                segment_refresh_sk(_next_refresh(item.tenant_id, moment), item.tenant_id, item.segment_id))],
                SegmentItem.gsi2sk == item.gsi2sk)
            requested += 1
    return requested


def _people(tenant_id: str) -> Iterator[PersonItem]:
    """Every active person of the brand: a paginated Query on the people index (never a Scan)."""
    for item in PersonItem.gsi1.query(people_index_pk(tenant_id)):  # 1 MB pages
        if not item.deleted_at and not item.merged_into:
            yield item


PREVIEW_BUDGET_SECONDS = 10.0  # the API function times out at 15 s
# Attributes a rule can read (see crm.segments STANDARD_FIELDS); the preview projects only these.
_RULE_ATTRIBUTES = ("person_id", "name", "email", "phone", "tags", "journey_state", "customer_role", "owner_id",
                    "lead_status", "last_interaction_at", "created_at", "identities", "custom")
_JSON_ATTRIBUTES = {"tags": list, "identities": list, "custom": dict}


def _raw_people(tenant_id: str) -> Iterator[dict[str, Any]]:
    """The brand's people as segment person dicts, straight from the raw Query pages.

    Skips pynamodb's per-item model deserialisation (the preview's main cost after the rule
    itself) and projects only the attributes a rule can read.
    """
    import json

    connection = PersonItem._get_connection()
    start: dict[str, Any] | None = None
    while True:
        page = connection.query(people_index_pk(tenant_id), index_name="gsi1", exclusive_start_key=start,
                                attributes_to_get=list(_RULE_ATTRIBUTES))
        for raw in page.get("Items", []):
            person: dict[str, Any] = {}
            for name in _RULE_ATTRIBUTES:
                value = (raw.get(name) or {}).get("S")
                kind = _JSON_ATTRIBUTES.get(name)
                person[name] = (json.loads(value) if value else kind()) if kind else value
            person["id"] = person.pop("person_id")
            person["channels"] = sorted({i["kind"] for i in person.pop("identities")} - {"phone"})
            yield person
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def preview(tenant_id: str, raw_rule: dict[str, Any]) -> SegmentPreviewOut:
    """Count the people a rule matches now (nothing stored). O(people): see the module doc.

    Bounded by `PREVIEW_BUDGET_SECONDS`: past it the answer is `complete: false` with the count so
    far and how many people were read, instead of a timeout.
    """
    import time

    from skailan.crm.audiences.rules import matches
    from skailan.crm.people.service import brand_locale

    rule = _rule(tenant_id, raw_rule)
    tz = _zone(brand_locale(tenant_id)[1])
    now = utcnow()
    deadline = time.monotonic() + PREVIEW_BUDGET_SECONDS
    count = scanned = 0
    for person in _raw_people(tenant_id):
        scanned += 1
        count += matches(rule, person, now, tz)
        if scanned % 1000 == 0 and time.monotonic() > deadline:
            return SegmentPreviewOut(count=count, scanned=scanned, complete=False)
    return SegmentPreviewOut(count=count, scanned=scanned, complete=True)


def _compiled(segment: SegmentItem, fields: list[Any]) -> Any:
    """The stored rule as a `Group` (None if it no longer validates, e.g. its custom field was deleted)."""
    from skailan.crm.audiences.rules import parse_rule

    try:
        return parse_rule(segment.rule, fields)
    except Unprocessable:
        return None


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        from datetime import UTC

        return UTC


# ---------------------------------------------------------------- worker side


def _membership(tenant_id: str, segment_id: str, person: PersonItem) -> FacetItem:
    return FacetItem(person.pk, facet_sk(SEGMENT_FACET, segment_id), tenant_id=tenant_id, person_id=person.person_id,
                     facet=SEGMENT_FACET, value=segment_id,
                     gsi1pk=facet_index_pk(tenant_id, SEGMENT_FACET, segment_id),
                     gsi1sk=facet_member_sk(person.created_at, person.person_id), created_at=person.created_at)


def _join(tenant_id: str, segment: SegmentItem, person: PersonItem) -> bool:
    try:
        with transaction() as tx:
            tx.save(_membership(tenant_id, segment.segment_id, person), condition=FacetItem.pk.does_not_exist())
            tx.update(SegmentItem(segment.pk, segment.sk), actions=[SegmentItem.count.add(1)],
                      condition=SegmentItem.pk.exists())
    except TransactionFailed:
        return False  # already a member (a redelivery) or the segment is gone
    return True


def _leave(tenant_id: str, segment_id: str, person_id: str) -> bool:
    from skailan.crm.store.memberships import remove_membership

    facet = FacetItem(person_pk(tenant_id, person_id), facet_sk(SEGMENT_FACET, segment_id), facet=SEGMENT_FACET,
                      value=segment_id)
    remove_membership(tenant_id, facet)
    return True


def evaluate_person(tenant_id: str, person_id: str, now: datetime | None = None) -> dict[str, list[str]]:
    """Bring one person's segment memberships in line with the rules; returns what changed."""
    from skailan.crm.store.person_reads import find_person

    person = find_person(tenant_id, person_id, consistent=True)
    return _evaluate(tenant_id, person_id, person, _brand_rules(tenant_id), now)


def _brand_rules(tenant_id: str) -> _BrandRules:
    """The brand's segments and rules, read once per SQS batch (batch_reads.py: the worker never
    writes a segment's rule; every message.received of the batch evaluated its person against a
    Query of them)."""
    from skailan.platform.batch_reads import shared

    return shared((tenant_id, "segment_rules"), lambda: _BrandRules(tenant_id))


def evaluate_people(tenant_id: str, people: dict[str, PersonItem | None],
                    now: datetime | None = None) -> dict[str, dict[str, list[str]]]:
    """`evaluate_person` for a batch read together by the caller (an import's people): the brand's
    segments, time zone and fields are read once for the batch, not once per person."""
    rules = _BrandRules(tenant_id)
    return {person_id: _evaluate(tenant_id, person_id, person, rules, now) for person_id, person in people.items()}


def consistent_people(tenant_id: str, person_ids: list[str]) -> dict[str, PersonItem | None]:
    """The people as they are now (strongly consistent BatchGets, 100 a request); None when missing."""
    keys = [(person_pk(tenant_id, p), PERSON_SK) for p in dict.fromkeys(person_ids)]
    found = {i.person_id: i for i in PersonItem.batch_get(keys, consistent_read=True)} if keys else {}
    return {p: found.get(p) for p in dict.fromkeys(person_ids)}


class _BrandRules:
    """The brand's segments with their compiled rules and time zone, read on first need, once."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self._segments: list[SegmentItem] | None = None
        self._compiled: list[tuple[SegmentItem, Any]] | None = None
        self._tz: Any = None

    def segments(self) -> list[SegmentItem]:
        if self._segments is None:
            self._segments = list(SegmentItem.query(segments_pk(self.tenant_id), SegmentItem.sk.startswith(SEG)))
        return self._segments

    def compiled(self) -> tuple[list[tuple[SegmentItem, Any]], Any]:
        if self._compiled is None and not self.segments():
            self._compiled = []  # no segment: nothing to evaluate, no locale or fields to read
        if self._compiled is None:
            from skailan.crm.people.service import brand_locale
            from skailan.crm.vocabulary.definitions import load

            self._tz = _zone(brand_locale(self.tenant_id)[1])
            fields = load(self.tenant_id).fields
            self._compiled = [(segment, _compiled(segment, fields)) for segment in self.segments()]
        return self._compiled, self._tz


def _evaluate(tenant_id: str, person_id: str, person: PersonItem | None, rules: _BrandRules,
              now: datetime | None) -> dict[str, list[str]]:
    from skailan.crm.audiences.rules import matches
    from skailan.crm.people.service import as_segment_person

    current = {f.value for f in FacetItem.query(person_pk(tenant_id, person_id),
                                                FacetItem.sk.startswith(facet_sk(SEGMENT_FACET, "")))}
    active = person is not None and not person.deleted_at and not person.merged_into
    segments = rules.segments()
    joined: list[str] = []
    left: list[str] = []
    if active and person is not None:
        compiled, tz = rules.compiled()
        subject = as_segment_person(person)
        moment = now or utcnow()
        for segment, rule in compiled:
            if rule is None:
                continue
            inside = matches(rule, subject, moment, tz)
            if inside and segment.segment_id not in current and _join(tenant_id, segment, person):
                joined.append(segment.segment_id)
            elif not inside and segment.segment_id in current:
                _leave(tenant_id, segment.segment_id, person_id)
                left.append(segment.segment_id)
    wanted_ids = {s.segment_id for s in segments} if active else set()
    for stale in current - wanted_ids:  # segment deleted, or the person is gone
        _leave(tenant_id, stale, person_id)
        left.append(stale)
    return {"joined": joined, "left": left}


def backfill(tenant_id: str, segment_id: str, now: datetime | None = None) -> int | None:
    """Recompute a segment's whole membership; returns the count (None if the segment is gone)."""
    from skailan.crm.audiences.rules import matches
    from skailan.crm.people.service import as_segment_person, brand_locale
    from skailan.crm.vocabulary.definitions import load

    try:
        segment = SegmentItem.get(segments_pk(tenant_id), SEG + segment_id, consistent_read=True)
    except SegmentItem.DoesNotExist:
        return None
    rule = _compiled(segment, load(tenant_id).fields)
    if rule is None:
        return None
    tz = _zone(brand_locale(tenant_id)[1])
    moment = now or utcnow()
    members = {m.person_id for m in FacetItem.gsi1.query(facet_index_pk(tenant_id, SEGMENT_FACET, segment_id))}
    inside: set[str] = set()
    with FacetItem.batch_write() as batch:
        for person in _people(tenant_id):
            if matches(rule, as_segment_person(person), moment, tz):
                inside.add(person.person_id)
                if person.person_id not in members:
                    batch.save(_membership(tenant_id, segment_id, person))
        for gone in members - inside:
            batch.delete(FacetItem(person_pk(tenant_id, gone), facet_sk(SEGMENT_FACET, segment_id)))
    if not update_if(segment, [SegmentItem.count.set(len(inside)), SegmentItem.status.set("ready")],
                     SegmentItem.rule_version == segment.rule_version):
        return None  # the rule changed meanwhile: the newer event's backfill sets the count
    return len(inside)


def drop_segment(tenant_id: str, segment_id: str) -> int:
    return drop_members_of(tenant_id, SEGMENT_FACET, segment_id)


CONTACT_EVENTS = ("contact.created", "contact.updated", "contact.deleted")


def on_event(event: Any) -> dict[str, Any]:
    """The segments worker's dispatch: keep memberships and duplicate groups current."""
    from skailan.crm.audiences.lists import drop_members_of as drop_list
    from skailan.crm.store.duplicates import refresh_duplicates

    tenant_id, entity_id, data = event.tenant_id, event.entity_id, event.data or {}
    if event.type in CONTACT_EVENTS and entity_id:
        refresh_duplicates(tenant_id, entity_id)
        return evaluate_person(tenant_id, entity_id)
    if event.type == "contact.merged":
        out: dict[str, Any] = {}
        for person_id in (data.get("merged_id"), data.get("kept_id")):
            if person_id:
                refresh_duplicates(tenant_id, person_id)
                out[person_id] = evaluate_person(tenant_id, person_id)
        return out
    if event.type in ("conversation.created", "conversation.reopened") and data.get("person_id"):
        from skailan.crm.people.timeline import record_conversation

        written = record_conversation(tenant_id, str(data["person_id"]), event.id, str(data.get("conversation_id")),
                                      str(data.get("channel") or ""), event.occurred_at,
                                      reopened=event.type == "conversation.reopened")
        return {"timeline": written}
    if event.type == "message.received" and data.get("person_id"):  # from the conversations context
        from skailan.crm.people.service import record_interaction_item

        # The person as the update left it: evaluated without a second (consistent) read.
        person = record_interaction_item(tenant_id, str(data["person_id"]), event.occurred_at)
        if person is None:
            return {}
        return {person.person_id: _evaluate(tenant_id, person.person_id, person, _brand_rules(tenant_id), None)}
    if event.type == "contact.imported":  # one event per batch of imported people: read together
        from skailan.crm.store.duplicates import refresh_duplicates_of

        imported = consistent_people(tenant_id, [str(p) for p in [*data.get("created", []), *data.get("updated", [])]])
        refresh_duplicates_of(tenant_id, imported)
        return evaluate_people(tenant_id, imported)
    if (event.type in ("segment.created", "segment.refresh_requested")
            or (event.type == "segment.updated" and data.get("rule_changed"))):
        return {"count": backfill(tenant_id, entity_id)}
    if event.type == "segment.deleted":
        return {"dropped": drop_segment(tenant_id, entity_id)}
    if event.type == "field.deleted" and entity_id:
        from skailan.crm.people.service import strip_field_values

        return {"stripped": strip_field_values(tenant_id, entity_id)}
    if event.type == "list.deleted":
        return {"dropped": drop_list(tenant_id, "list", entity_id)}
    return {}
