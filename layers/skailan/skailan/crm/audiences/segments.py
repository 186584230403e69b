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
- `segment.deleted` → drop its memberships;
- `tag.renamed` → move the old tag's people to the new name (`vocabulary.definitions.apply_tag_rename`),
  then rewrite the rules naming the old tag (`rename_tag_in_segments`: a normal rule change).

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
from skailan.crm.events import build
from skailan.crm.references import existing
from skailan.crm.store import audiences as store
from skailan.crm.store.audiences import SEGMENT_FACET as SEGMENT_FACET  # campaigns read the facet's name here
from skailan.crm.store.items import PersonItem, SegmentItem
from skailan.crm.store.transact import outbox_table
from skailan.crm.values.types import Page
from skailan.platform import outbox
from skailan.platform.auth import Caller
from skailan.platform.clock import iso, utcnow, zone_or_utc
from skailan.platform.errors import Unprocessable
from skailan.platform.ids import new_id
from skailan.platform.observability import logger

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
    item = store.new_segment(caller.tenant_id, segment_id, name=data.name, description=data.description,
                             rule=rule.to_json(), refresh_due=_refresh_due(caller.tenant_id, rule), now=iso(),
                             events=[build(caller.tenant_id, "segment.created", caller=caller, entity_type="segment",
                                           entity_id=segment_id, data={"name": data.name, "rule_version": 1})])
    return _out(item)


def load_segment(tenant_id: str, segment_id: str) -> SegmentItem:
    return existing(store.find_segment(tenant_id, segment_id), "Segmento no encontrado", "Segment not found",
                    "segment_not_found")


def get_segment(tenant_id: str, segment_id: str) -> SegmentOut:
    return _out(load_segment(tenant_id, segment_id))


def list_segments(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[SegmentOut]:
    found = store.segments_page(tenant_id, cursor=cursor, limit=limit)
    return Page[SegmentOut](items=[_out(i) for i in found.items], next_cursor=found.next_cursor)


def update_segment(caller: Caller, segment_id: str, data: SegmentUpdateIn) -> SegmentOut:
    item = load_segment(caller.tenant_id, segment_id)
    sent = data.model_fields_set
    changes: dict[str, Any] = {"updated_at": iso()}
    if data.name is not None:
        changes["name"] = data.name
    if "description" in sent:
        changes["description"] = data.description or None
    rule_changed = data.rule is not None
    if rule_changed:
        rule = _rule(caller.tenant_id, data.rule or {})
        store.change_segment(item, changes, rule=rule.to_json(), refresh_due=_refresh_due(caller.tenant_id, rule))
    else:
        store.change_segment(item, changes)
    # After the UpdateItem, not in it: the payload's rule_version is the one the update returned.
    outbox.write([build(caller.tenant_id, "segment.updated", caller=caller, entity_type="segment",
                        entity_id=segment_id, data={"changed": sorted(sent), "rule_changed": rule_changed,
                                                    "rule_version": int(item.rule_version)})], outbox_table())
    return _out(item)


def delete_segment(caller: Caller, segment_id: str) -> None:
    item = load_segment(caller.tenant_id, segment_id)
    store.delete_segment(item, events=[build(caller.tenant_id, "segment.deleted", caller=caller,
                                             entity_type="segment", entity_id=segment_id, data={"name": item.name})])


def renamed_tag_rule(rule: dict[str, Any], old_name: str, new_name: str) -> dict[str, Any] | None:
    """The rule with every `tags` value naming the old tag (folded) spelled as the new name;
    None when it names no such value (already rewritten: a redelivery changes nothing)."""
    from skailan.crm.values.text import TagRespelling

    respelling = TagRespelling(old_name, new_name)

    def walk(node: Any) -> Any:
        if isinstance(node, dict) and node.get("field") == "tags" and "value" in node:
            return {**node, "value": respelling.respell(node["value"])}
        if isinstance(node, dict):
            return {k: [walk(c) for c in v] if k in ("all", "any") and isinstance(v, list) else v
                    for k, v in node.items()}
        return node

    out = walk(rule)
    return out if respelling.changed else None


RULE_REWRITE_TRIES = 3


def rename_tag_in_segments(tenant_id: str, old_name: str, new_name: str) -> int:
    """The brand's segments whose rule names the old tag get the new name: each a normal rule
    change (rule_version + 1, computing, `segment.updated` with rule_changed in the same
    transaction → re-evaluated by the backfill). Conditional on the rule_version read; a segment
    saved meanwhile is read again. Returns how many were rewritten."""
    rewritten = 0
    for item in store.brand_segments(tenant_id):
        for _try in range(RULE_REWRITE_TRIES):
            new_rule = renamed_tag_rule(item.rule or {}, old_name, new_name)
            if new_rule is None:
                break
            try:
                parsed = _rule(tenant_id, new_rule)
            except Unprocessable:  # invalid already (e.g. a deleted field): not ours to fix here, nor to block the rest
                logger.warning("segment rule not rewritten for a tag rename", tenant_id=tenant_id,
                               segment_id=item.segment_id)
                break
            version = int(item.rule_version or 1) + 1
            event = build(tenant_id, "segment.updated", caller=None, entity_type="segment", entity_id=item.segment_id,
                          data={"changed": ["rule"], "rule_changed": True, "rule_version": version,
                                "tag_renamed": {"from": old_name, "to": new_name}})
            if store.rewrite_segment_rule(item, parsed.to_json(), _refresh_due(tenant_id, parsed), iso(),
                                          events=[event]):
                rewritten += 1
                break
            found = store.find_segment(tenant_id, item.segment_id, consistent=True)
            if found is None:
                break
            item = found
        else:
            raise RuntimeError(f"segment {item.segment_id}: rule kept changing during a tag rename")
    return rewritten


# ---------------------------------------------------------------- daily refresh of relative-date rules




def _next_refresh(tenant_id: str, after: datetime) -> str:
    """Just after the brand's next local midnight, when "within the last N days" moves by a day."""
    from skailan.crm.people.service import brand_locale

    tz = _zone(brand_locale(tenant_id)[1])
    local = after.astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return iso(midnight + REFRESH_AFTER_MIDNIGHT)


def _refresh_due(tenant_id: str, rule: Any) -> str | None:
    """When a rule with relative dates is next refreshed (it goes on the refresh index); None for other rules."""
    from skailan.crm.audiences.rules import depends_on_today

    return _next_refresh(tenant_id, utcnow()) if depends_on_today(rule) else None


def request_due_refreshes(now: datetime | None = None) -> int:
    """The hourly job: every segment whose refresh is due gets `segment.refresh_requested` (the
    segments worker backfills it) and its next refresh, in one transaction; a segment whose rule
    was saved meanwhile has its own next refresh and gets neither. One Query per shard, never a Scan."""
    moment = now or utcnow()
    stamp = iso(moment)
    requested = 0
    for item, due in store.refreshes_due(stamp):
        event = build(item.tenant_id, "segment.refresh_requested", entity_type="segment", entity_id=item.segment_id,
                      data={"rule_version": int(item.rule_version or 1), "due": due})
        if store.reschedule_refresh(item, _next_refresh(item.tenant_id, moment), events=[event]):
            requested += 1
    return requested


def _people(tenant_id: str) -> Iterator[PersonItem]:
    """Every active person of the brand: a paginated Query on the people index (never a Scan)."""
    from skailan.crm.store.person_reads import brand_people

    for item in brand_people(tenant_id):  # 1 MB pages
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

    for items in store.raw_people_pages(tenant_id, list(_RULE_ATTRIBUTES)):
        for raw in items:
            person: dict[str, Any] = {}
            for name in _RULE_ATTRIBUTES:
                value = (raw.get(name) or {}).get("S")
                kind = _JSON_ATTRIBUTES.get(name)
                person[name] = (json.loads(value) if value else kind()) if kind else value
            person["id"] = person.pop("person_id")
            person["channels"] = sorted({i["kind"] for i in person.pop("identities")} - {"phone"})
            yield person


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
    return zone_or_utc(name)


# ---------------------------------------------------------------- worker side


def _join(tenant_id: str, segment: SegmentItem, person: PersonItem) -> bool:
    return store.join_segment(tenant_id, segment, person)  # False: already a member (a redelivery) or gone


def _leave(tenant_id: str, segment_id: str, person_id: str) -> bool:
    store.leave_segment(tenant_id, segment_id, person_id)
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
    from skailan.crm.store.person_reads import batch_people

    found = batch_people(tenant_id, person_ids, consistent=True)
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
            self._segments = store.brand_segments(self.tenant_id)
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

    current = store.person_segment_ids(tenant_id, person_id)
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

    segment = store.find_segment(tenant_id, segment_id, consistent=True)
    if segment is None:
        return None
    rule = _compiled(segment, load(tenant_id).fields)
    if rule is None:
        return None
    tz = _zone(brand_locale(tenant_id)[1])
    moment = now or utcnow()
    members = store.segment_member_ids(tenant_id, segment_id)
    matching = (person for person in _people(tenant_id) if matches(rule, as_segment_person(person), moment, tz))
    inside = store.replace_segment_members(tenant_id, segment_id, matching, members)
    if not store.set_segment_count(segment, len(inside)):
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
    if event.type == "tag.renamed" and data.get("from") and data.get("to"):
        from skailan.crm.vocabulary.definitions import apply_tag_rename

        retagged = apply_tag_rename(tenant_id, str(data["from"]), str(data["to"]))
        # After the people moved, so the re-evaluation of the rewritten rules finds them under the new name.
        return {"retagged": retagged, "segments": rename_tag_in_segments(tenant_id, str(data["from"]), str(data["to"]))}
    if event.type == "list.deleted":
        return {"dropped": drop_list(tenant_id, "list", entity_id)}
    return {}
