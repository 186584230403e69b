"""CRM people at scale (in-process moto built from template.yaml): dynamic-segment count preview
over a brand's people, the cost of listing a segment's members per page (constant), and the
requests per search by phone, e-mail and name prefix (constant).

`SKAILAN_BENCH_PEOPLE` sets the brand seeded in moto (default 100 000, measured at 10 000 first
and again at the full size; BatchWriteItem straight into the table — the API path is what the
integration tests cover). Requests are counted at
pynamodb's connection and are exact. moto is patched as in the local runtime
(infra/local/moto_dynamodb.py: a Query reads its partition, not the whole table), but its per-item
costs still say little about DynamoDB's; the preview time over 100 000 people is therefore given
as its two parts: the requests (1 MB pages, counted at 10 000 and at 100 000 people) and the CPU to
deserialize and evaluate 100 000 people in this process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from bench.common import figure

TENANT = "bench"


class _Counter:
    def __init__(self) -> None:
        self.calls = 0

    def install(self) -> None:
        from pynamodb.connection.base import Connection

        original = Connection._make_api_call
        counter = self

        def counted(self: Any, operation_name: str, operation_kwargs: dict[str, Any]) -> Any:
            counter.calls += 1
            return original(self, operation_name, operation_kwargs)

        Connection._make_api_call = counted  # type: ignore[method-assign]

    def measure(self, fn: Any) -> tuple[Any, int, float]:
        before, start = self.calls, time.perf_counter()
        result = fn()
        return result, self.calls - before, (time.perf_counter() - start) * 1000


def _seed(people: int, *, first: int = 0, segment_id: str | None = None) -> None:
    """People `first`..`people`-1 straight into the table; with `segment_id`, those the bench rule
    matches (tag oro, state prospecto: every tenth) also get the membership the worker would write."""
    from skailan.crm.store.items import FacetItem, IdentityItem, NameKeyItem, PersonItem
    from skailan.crm.store.person_writes import derive, email_identity, new_person_item, phone_identity
    from skailan.platform.clock import iso

    tags = ("vip", "feria", "mayorista", "web")
    with PersonItem.batch_write() as batch:
        for i in range(first, people):
            person_id = f"01BENCH{i:019d}"
            item = new_person_item(TENANT, person_id, f"Persona {i} Apellido{i % 997}", iso())
            item.email = f"p{i}@bench.co"
            item.phone = f"+5730{i:08d}"
            item.tags = [tags[i % 4]] + (["oro"] if i % 10 == 0 else [])
            item.journey_state = ("prospecto", "cliente")[i % 2]
            item.identities = [phone_identity(item.phone).as_json(), email_identity(item.email).as_json()]
            batch.save(item)
            derived = derive(item)
            for ident in derived.identities.values():
                batch.save(IdentityItem(f"T#{TENANT}#ID#{ident.kind}#{ident.key}", "IDENTITY", tenant_id=TENANT,
                                        person_id=person_id, identity_kind=ident.kind, value=ident.value))
            for key in derived.names:
                batch.save(NameKeyItem(item.pk, f"N#{key}", tenant_id=TENANT, person_id=person_id,
                                       gsi1pk=f"T#{TENANT}#NAME", gsi1sk=f"{key}#{person_id}"))
            for facet, value in derived.facets:
                batch.save(FacetItem(item.pk, f"F#{facet}#{value}", tenant_id=TENANT, person_id=person_id,
                                     facet=facet, value=value, gsi1pk=f"T#{TENANT}#F#{facet}#{value}",
                                     gsi1sk=f"{item.created_at}#{person_id}", created_at=item.created_at))
            if segment_id and i % 10 == 0:
                batch.save(FacetItem(item.pk, f"F#segment#{segment_id}", tenant_id=TENANT, person_id=person_id,
                                     facet="segment", value=segment_id, gsi1pk=f"T#{TENANT}#F#segment#{segment_id}",
                                     gsi1sk=f"{item.created_at}#{person_id}", created_at=item.created_at))


def _evaluation_cpu_ms(raw_rule: dict[str, Any], people: int) -> tuple[float, float]:
    """CPU of a preview over `people` stored person items, in its two parts: botocore parsing each
    1 MB Query response (the JSON a real DynamoDB answer carries, 1 000 people per page here) and
    our deserialize + evaluate. No I/O: what a Lambda spends besides waiting for DynamoDB."""
    import json
    from datetime import UTC, datetime

    import botocore.session
    from botocore.parsers import create_parser

    from skailan.crm.audiences.rules import matches, parse_rule
    from skailan.crm.audiences.segments import _RULE_ATTRIBUTES, _raw_people
    from skailan.crm.store.items import PersonItem
    from skailan.crm.store.person_writes import new_person_item

    rule = parse_rule(raw_rule)
    sample = new_person_item(TENANT, "01BENCHSAMPLE", "Persona Muestra Apellido", "2026-01-01T00:00:00.000Z")
    sample.tags, sample.journey_state, sample.email = ["oro", "vip"], "prospecto", "m@bench.co"
    sample.identities = [{"kind": "email", "key": "m@bench.co", "value": "m@bench.co"}]
    raw = {k: v for k, v in sample.serialize().items() if k in _RULE_ATTRIBUTES}
    body = json.dumps({"Items": [raw] * 1000, "Count": 1000, "ScannedCount": 1000}).encode()
    shape = botocore.session.get_session().get_service_model("dynamodb").operation_model("Query").output_shape
    parser = create_parser("json")
    pages = max(people // 1000, 1)

    class _Connection:  # the preview's raw pages, without a table: CPU only
        parse_ms = 0.0

        def query(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            self.pages = getattr(self, "pages", 0) + 1
            start = time.perf_counter()
            page = parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)
            self.parse_ms += (time.perf_counter() - start) * 1000
            return {**page, "LastEvaluatedKey": {"more": True}} if self.pages < pages else page

    connection = _Connection()
    now = datetime.now(UTC)
    original = PersonItem._get_connection
    PersonItem._get_connection = classmethod(lambda cls: connection)  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        for person in _raw_people(TENANT):
            matches(rule, person, now)
        total = (time.perf_counter() - start) * 1000
        return connection.parse_ms, total - connection.parse_ms
    finally:
        PersonItem._get_connection = original  # type: ignore[method-assign]


def run() -> Iterator[dict[str, Any]]:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      STAGE="local", POWERTOOLS_TRACE_DISABLED="true")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    people = int(os.environ.get("SKAILAN_BENCH_PEOPLE", "100000"))
    from moto import mock_aws

    from infra.local.moto_dynamodb import install

    install()  # as the local runtime: Query by partition, O(transaction) TransactWriteItems
    with mock_aws():
        from skailan.platform.aws import reset_clients
        from skailan.platform.settings import get_settings
        from tests.provisioning import provision_for_tests

        os.environ.update(provision_for_tests())
        get_settings.cache_clear()
        reset_clients()
        from skailan.crm.audiences import segments as segment_store
        from skailan.crm.store.items import SegmentItem, segments_pk
        from skailan.tenancy.brands import create_brand

        create_brand(TENANT, "Bench", time_zone="America/Bogota", default_country="CO")
        counter = _Counter()
        counter.install()
        rule = {"all": [{"field": "tags", "op": "has_tag", "value": "oro"},
                        {"field": "journey_state", "op": "eq", "value": "prospecto"}]}
        segment = SegmentItem(segments_pk(TENANT), "SEG#bench", tenant_id=TENANT, segment_id="bench", name="Oro",
                              rule=rule, count=0, status="computing", rule_version=1)
        segment.save()
        # Two brand sizes: the preview grows with the people; the members page and searches must not.
        seeded = 0
        for size in sorted({min(10_000, people), people}):
            start = time.perf_counter()
            _seed(size, first=seeded, segment_id="bench" if seeded else None)
            yield figure("crm_segments", "seed_people", (time.perf_counter() - start), "s", people=size)
            if not seeded:  # the worker's backfill builds the memberships; later people join as it would on events
                count, _, ms = counter.measure(lambda: segment_store.backfill(TENANT, "bench"))
                yield figure("crm_segments", "backfill_ms", ms, "ms", people=size, members=count,
                             note="moto's per-item cost")
            seeded = size
            yield from _measure(counter, rule, size)
        parse_ms, evaluate_ms = _evaluation_cpu_ms(rule, 100_000)
        yield figure("crm_segments", "preview_cpu_ms_100k", parse_ms + evaluate_ms, "ms",
                     botocore_parse_ms=round(parse_ms), evaluate_ms=round(evaluate_ms),
                     what="CPU of a preview over 100 000 people besides waiting for DynamoDB")


def _measure(counter: _Counter, rule: dict[str, Any], people: int) -> Iterator[dict[str, Any]]:
    from skailan.crm.audiences import segments as segment_store
    from skailan.crm.people.service import PeopleFilter, brand_locale, list_people

    brand_locale(TENANT)  # warm: the brand's settings are cached per container
    # moto's per-page cost (its response serializer alone is ~1 s per 1 MB page) would hit the
    # request's 10 s budget long before DynamoDB would; lift it here to count every page.
    budget, segment_store.PREVIEW_BUDGET_SECONDS = segment_store.PREVIEW_BUDGET_SECONDS, float("inf")
    try:
        preview, requests, ms = counter.measure(lambda: segment_store.preview(TENANT, rule))
    finally:
        segment_store.PREVIEW_BUDGET_SECONDS = budget
    # one Query for the brand's definitions, the rest are 1 MB people pages
    yield figure("crm_segments", "preview_requests", requests, "requests", people=people, matches=preview.count,
                 complete=preview.complete)
    yield figure("crm_segments", "preview_ms_local", ms, "ms", people=people,
                 note="through in-process moto; DynamoDB serves a 1 MB page in tens of ms")

    page, first_requests, _ = counter.measure(
        lambda: list_people(TENANT, PeopleFilter(segment_id="bench"), cursor=None, limit=50))
    cursor = page.next_cursor
    for _ in range(5):
        page = list_people(TENANT, PeopleFilter(segment_id="bench"), cursor=cursor, limit=50)
        cursor = page.next_cursor
    _, later_requests, ms = counter.measure(
        lambda: list_people(TENANT, PeopleFilter(segment_id="bench"), cursor=cursor, limit=50))
    yield figure("crm_segments", "members_page_requests_first", first_requests, "requests", limit=50, people=people)
    yield figure("crm_segments", "members_page_requests_seventh", later_requests, "requests", limit=50,
                 people=people)
    yield figure("crm_segments", "members_page_ms", ms, "ms", limit=50, people=people)

    middle = people // 2
    brand_locale(TENANT)  # the brand's country (phone search) is cached per container for a minute
    for name, query in (("phone", f"+5730{middle:08d}"), ("email", f"p{middle}@bench.co"),
                        ("name_prefix", f"persona {middle}")):
        found, requests, ms = counter.measure(
            lambda q=query: list_people(TENANT, PeopleFilter(q=q), cursor=None, limit=25))
        yield figure("crm_search", f"{name}_requests", requests, "requests", people=people, found=len(found.items))
        yield figure("crm_search", f"{name}_ms", ms, "ms", people=people)
