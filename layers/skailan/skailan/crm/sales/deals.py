"""Pipelines and deals: ordered stages with a win probability, deals that move through them, the
board by stage, totals per stage and currency, and conversion rates — all without a Scan.

- A pipeline keeps its stages inside the item (order = board order). Stage ids are stable slugs,
  so reordering or renaming stages never touches deals. A brand without pipelines gets a default
  one ("Ventas") on first use.
- A deal is its own partition `T#<t>#DEAL#<id>`; gsi1 `T#<t>#PIPE#<pipeline>` /
  `<stage>#<updated_at>#<id>` makes a board column one Query (`begins_with(<stage>#)`), gsi2
  lists an owner's deals by expected close, gsi3 a person's deals.
- Totals per stage and currency (count, sum of amounts) and "reached" counters per stage are
  kept by `ADD` in the same transaction as every deal write, so the board header and the
  conversion rates are one Query each, however many deals there are.
- Conversion: stages are a progression (lost stages aside); a deal *reaches* every stage up to
  the furthest it has been in, once (`max_position` on the deal). Rate from start = reached(stage)
  / reached(first stage); from previous = reached(stage) / reached(stage before).
- Moving a deal to another stage emits `deal.stage_changed` (and `deal.won` / `deal.lost` when it
  enters a stage with that outcome) and adds an entry to the person's timeline.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from skailan.crm.events import build
from skailan.crm.references import check_member, check_person, found_by_id, keep_default
from skailan.crm.sales.models import (
    BoardColumnOut,
    BoardOut,
    ConversionOut,
    DealIn,
    DealOut,
    DealUpdateIn,
    PipelineIn,
    PipelineOut,
    PipelineUpdateIn,
    StageIn,
    StageOut,
    StageTotalOut,
)
from skailan.crm.store import sales as store
from skailan.crm.store.sales import StatChange
from skailan.crm.store.sales_items import DealItem, PipelineItem, StageStatItem
from skailan.crm.store.timeline_items import timeline_item
from skailan.crm.values.types import Page
from skailan.platform.auth import Caller
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.i18n import both
from skailan.platform.ids import is_valid_id, new_id
from skailan.platform.pagination import clamp_limit
from skailan.platform.storage import changed_meanwhile

DEFAULT_PIPELINE_ID = "default"
DEFAULT_STAGES = (
    ("nuevo", "Nuevo", 10, "open"),
    ("calificado", "Calificado", 25, "open"),
    ("propuesta", "Propuesta", 50, "open"),
    ("negociacion", "Negociación", 75, "open"),
    ("ganado", "Ganado", 100, "won"),
    ("perdido", "Perdido", 0, "lost"),
)
CURRENCY_BY_COUNTRY = {
    "CO": "COP", "MX": "MXN", "AR": "ARS", "CL": "CLP", "PE": "PEN", "EC": "USD", "US": "USD", "ES": "EUR",
    "BR": "BRL", "UY": "UYU", "PY": "PYG", "BO": "BOB", "VE": "VES", "GT": "GTQ", "CR": "CRC", "PA": "USD",
    "DO": "DOP", "HN": "HNL", "NI": "NIO", "SV": "USD", "PR": "USD",
}  # fmt: skip
PIPELINE_NOT_FOUND = both("Embudo no encontrado", "Pipeline not found")
DEAL_NOT_FOUND = both("Negocio no encontrado", "Deal not found")
CENT = Decimal("0.01")


# ---------------------------------------------------------------- pipelines


def _stages_out(stages: list[dict[str, Any]]) -> list[StageOut]:
    return [StageOut(id=s["id"], name=s["name"], probability=int(s["probability"]), outcome=s["outcome"],
                     position=i) for i, s in enumerate(stages)]


def _pipeline_out(item: PipelineItem) -> PipelineOut:
    return PipelineOut(id=item.pipeline_id, name=item.name, stages=_stages_out(item.stages or []),
                       is_default=bool(item.is_default), created_at=item.created_at, updated_at=item.updated_at)


def _stages(raw: list[StageIn]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    stages: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, stage in enumerate(raw):
        stage_id = stage.id or _slug(stage.name)
        if stage_id in seen:
            errors.append({"field": f"stages[{i}].id", "error": "repeated",
                           "message": both("Dos etapas con el mismo id", "Two stages with the same id")})
        seen.add(stage_id)
        stages.append({"id": stage_id, "name": " ".join(stage.name.split()), "probability": stage.probability,
                       "outcome": stage.outcome})
    if not any(s["outcome"] == "open" for s in stages):
        errors.append({"field": "stages", "error": "no_open_stage",
                       "message": both("El embudo necesita al menos una etapa abierta",
                                       "The pipeline needs at least one open stage")})
    if errors:
        raise Unprocessable(both("Las etapas no son válidas", "The stages are not valid"), details=errors)
    return stages


def _slug(name: str) -> str:
    """A stage id from its name: "Negociación final" → "negociacion-final"."""
    import re

    from skailan.crm.values.text import fold

    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40].strip("-")
    return slug if slug and slug[0].isalnum() else f"s-{slug}".rstrip("-")


def _all_pipelines(tenant_id: str) -> list[PipelineItem]:
    items = store.all_pipelines(tenant_id)
    return sorted(items, key=lambda p: (not p.is_default, p.position or 0, p.created_at or ""))


def ensure_default_pipeline(tenant_id: str) -> list[PipelineItem]:
    """The brand's pipelines; a brand with none gets "Ventas" (idempotent under races)."""
    items = _all_pipelines(tenant_id)
    if items:
        return items
    now = iso()
    stages = [{"id": i, "name": n, "probability": p, "outcome": o} for i, n, p, o in DEFAULT_STAGES]
    item = store.pipeline_item(tenant_id, DEFAULT_PIPELINE_ID, name="Ventas", stages=stages, is_default=True,
                               position=0, created_at=now, updated_at=now)
    store.create_pipeline_once(item)  # False: a concurrent first use created it
    return _all_pipelines(tenant_id)


def list_pipelines(tenant_id: str) -> list[PipelineOut]:
    return [_pipeline_out(p) for p in ensure_default_pipeline(tenant_id)]


def _load_pipeline(tenant_id: str, pipeline_id: str) -> PipelineItem:
    if not is_valid_id(pipeline_id):
        raise NotFound(PIPELINE_NOT_FOUND, code="pipeline_not_found")
    if pipeline_id == DEFAULT_PIPELINE_ID:
        ensure_default_pipeline(tenant_id)
    item = store.find_pipeline(tenant_id, pipeline_id)
    if item is None:
        raise NotFound(PIPELINE_NOT_FOUND, code="pipeline_not_found")
    return item


def get_pipeline(tenant_id: str, pipeline_id: str) -> PipelineOut:
    return _pipeline_out(_load_pipeline(tenant_id, pipeline_id))


def create_pipeline(caller: Caller, data: PipelineIn) -> PipelineOut:
    tenant_id = caller.tenant_id
    stages = _stages(data.stages)
    existing = ensure_default_pipeline(tenant_id)
    pipeline_id = new_id()
    now = iso()
    item = store.pipeline_item(tenant_id, pipeline_id, name=data.name, stages=stages, is_default=data.is_default,
                               position=len(existing), created_at=now, updated_at=now)
    store.save_pipeline(item, new=True, events=[
        build(tenant_id, "pipeline.created", caller=caller, entity_type="pipeline", entity_id=pipeline_id,
              data={"name": data.name, "stages": [s["id"] for s in stages]})])
    return _pipeline_out(item)


def _stats(tenant_id: str, pipeline_id: str) -> list[StageStatItem]:
    return store.stage_stats(tenant_id, pipeline_id)


def _deal_counts(tenant_id: str, pipeline_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for stat in _stats(tenant_id, pipeline_id):
        counts[stat.stage_id or ""] = counts.get(stat.stage_id or "", 0) + int(stat.count or 0)
    return counts


def update_pipeline(caller: Caller, pipeline_id: str, data: PipelineUpdateIn) -> PipelineOut:
    tenant_id = caller.tenant_id
    item = _load_pipeline(tenant_id, pipeline_id)
    sent = data.model_fields_set
    if "stages" in sent and data.stages is not None:
        stages = _stages(data.stages)
        removed = {s["id"] for s in item.stages or []} - {s["id"] for s in stages}
        counts = _deal_counts(tenant_id, pipeline_id)
        busy = sorted(s for s in removed if counts.get(s, 0) > 0)
        if busy:
            raise Conflict(both("Hay negocios en las etapas que quitas; muévelos primero",
                                "Deals are in the stages you remove; move them first"),
                           code="stage_in_use", details={"stages": busy})
        item.stages = stages
    if data.name is not None:
        item.name = data.name
    keep_default(item, data.is_default, both("Marca otro embudo como predeterminado", "Make another pipeline the default"),
                 "pipeline_default_required")
    item.updated_at = iso()
    with changed_meanwhile("El embudo cambió mientras lo editabas",
                           "The pipeline changed while you edited it"):
        store.save_pipeline(item, new=False, events=[
            build(tenant_id, "pipeline.updated", caller=caller, entity_type="pipeline", entity_id=pipeline_id,
                  data={"changed": sorted(sent)})])
    return _pipeline_out(item)


def delete_pipeline(caller: Caller, pipeline_id: str) -> None:
    tenant_id = caller.tenant_id
    item = _load_pipeline(tenant_id, pipeline_id)
    if sum(_deal_counts(tenant_id, pipeline_id).values()) > 0:
        raise Conflict(both("El embudo tiene negocios; muévelos o elimínalos primero",
                            "The pipeline has deals; move or delete them first"), code="pipeline_in_use")
    if item.is_default and len(_all_pipelines(tenant_id)) > 1:
        raise Conflict(both("Marca otro embudo como predeterminado antes", "Make another pipeline the default first"),
                       code="pipeline_default_required")
    store.delete_pipeline(item, events=[build(tenant_id, "pipeline.deleted", caller=caller, entity_type="pipeline",
                                              entity_id=pipeline_id, data={"name": item.name})])


# ---------------------------------------------------------------- deals: helpers


def _stage(pipeline: PipelineItem, stage_id: str | None) -> dict[str, Any] | None:
    stages = pipeline.stages or []
    if stage_id is None:
        return next((s for s in stages if s["outcome"] == "open"), stages[0] if stages else None)
    return next((s for s in stages if s["id"] == stage_id), None)


def _progression(pipeline: PipelineItem) -> list[str]:
    """Stage ids a deal advances through, in order (lost stages are a way out, not a step)."""
    return [s["id"] for s in pipeline.stages or [] if s["outcome"] != "lost"]


def _out(deal: DealItem, pipeline: PipelineItem | None) -> DealOut:
    stage = _stage(pipeline, deal.stage_id) if pipeline else None
    probability = int(stage["probability"]) if stage else 0
    amount = Decimal(deal.amount)
    return DealOut(
        id=deal.deal_id, title=deal.title, amount=amount, currency=deal.currency,
        weighted_amount=(amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP),
        pipeline_id=deal.pipeline_id, stage_id=deal.stage_id, stage_name=stage["name"] if stage else None,
        probability=probability, status=deal.status, owner_id=deal.owner_id, person_id=deal.person_id,
        business_id=deal.business_id, kind=deal.deal_kind, expected_close=deal.expected_close, description=deal.description,
        stage_changed_at=deal.stage_changed_at, closed_at=deal.closed_at, created_at=deal.created_at,
        updated_at=deal.updated_at,
    )


def _check_refs(tenant_id: str, values: dict[str, Any], errors: list[dict[str, Any]]) -> None:
    check_member(errors, tenant_id, values.get("owner_id"))
    check_person(errors, tenant_id, values.get("person_id"))
    if values.get("business_id"):
        from skailan.crm.store.businesses import find_business

        business = find_business(tenant_id, values["business_id"]) if is_valid_id(values["business_id"]) else None
        if business is None or business.deleted_at:
            errors.append({"field": "business_id", "error": "unknown", "message": both("Negocio/empresa no encontrado",
                                                                                       "Business not found")})


def _default_currency(tenant_id: str) -> str:
    from skailan.crm.people.service import default_country

    return CURRENCY_BY_COUNTRY.get((default_country(tenant_id) or "").upper(), "USD")


def _timeline(deal: DealItem, kind: str, summary: str, ref: dict[str, Any], now: str) -> Any:
    return timeline_item(deal.tenant_id, deal.person_id or "", kind, summary,
                         ref={"type": "deal", "id": deal.deal_id, **ref}, occurred_at=now)


def _load_deal(tenant_id: str, deal_id: str) -> DealItem:
    return found_by_id(deal_id, lambda i: store.find_deal(tenant_id, i), DEAL_NOT_FOUND, "deal_not_found")


def _pick_pipeline(tenant_id: str, pipeline_id: str | None, errors: list[dict[str, Any]]) -> PipelineItem | None:
    if pipeline_id:
        try:
            return _load_pipeline(tenant_id, pipeline_id)
        except NotFound:
            errors.append({"field": "pipeline_id", "error": "unknown", "message": PIPELINE_NOT_FOUND})
            return None
    return ensure_default_pipeline(tenant_id)[0]


def _raise(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise Unprocessable(both("El negocio no es válido", "The deal is not valid"), details=errors)


def _stage_events(tenant_id: str, caller: Caller | None, deal: DealItem, old_stage: str | None,
                  old_pipeline: str | None, stage: dict[str, Any]) -> list[Any]:
    data = {"pipeline_id": deal.pipeline_id, "from_pipeline_id": old_pipeline, "from_stage_id": old_stage,
            "to_stage_id": deal.stage_id, "status": deal.status, "amount": str(deal.amount),
            "currency": deal.currency, "person_id": deal.person_id, "owner_id": deal.owner_id,
            "business_id": deal.business_id, "kind": deal.deal_kind}
    events = [build(tenant_id, "deal.stage_changed", caller=caller, entity_type="deal", entity_id=deal.deal_id,
                    data=data)]
    if stage["outcome"] in ("won", "lost"):
        events.append(build(tenant_id, f"deal.{stage['outcome']}", caller=caller, entity_type="deal",
                            entity_id=deal.deal_id, data=data))
    return events


# ---------------------------------------------------------------- deals: writes


def create_deal(caller: Caller, data: DealIn) -> DealOut:
    tenant_id = caller.tenant_id
    errors: list[dict[str, Any]] = []
    pipeline = _pick_pipeline(tenant_id, data.pipeline_id, errors)
    stage = _stage(pipeline, data.stage_id) if pipeline else None
    if pipeline and stage is None:
        errors.append({"field": "stage_id", "error": "unknown",
                       "message": both("Etapa no encontrada en el embudo", "Stage not in the pipeline")})
    owner_id = data.owner_id or (caller.principal_id if caller.kind == "user" else None)
    _check_refs(tenant_id, {"owner_id": data.owner_id, "person_id": data.person_id,
                            "business_id": data.business_id}, errors)
    _raise(errors)
    assert pipeline is not None and stage is not None
    now = iso()
    deal_id = new_id()
    progression = _progression(pipeline)
    position = progression.index(stage["id"]) if stage["id"] in progression else -1
    deal = store.deal_item(tenant_id, deal_id, title=data.title,
                    amount=data.amount, currency=data.currency or _default_currency(tenant_id),
                    pipeline_id=pipeline.pipeline_id, stage_id=stage["id"], status=stage["outcome"],
                    max_position=position, owner_id=owner_id, person_id=data.person_id,
                    business_id=data.business_id, deal_kind=data.kind, expected_close=data.expected_close, description=data.description,
                    stage_changed_at=now, closed_at=now if stage["outcome"] != "open" else None,
                    created_by=caller.principal_id, created_at=now, updated_at=now)
    events = [build(tenant_id, "deal.created", caller=caller, entity_type="deal", entity_id=deal_id,
                    data={"title": deal.title, "amount": str(deal.amount), "currency": deal.currency,
                          "pipeline_id": deal.pipeline_id, "stage_id": deal.stage_id, "person_id": deal.person_id,
                          "owner_id": deal.owner_id})]
    if stage["outcome"] != "open":
        events.append(build(tenant_id, f"deal.{stage['outcome']}", caller=caller, entity_type="deal",
                            entity_id=deal_id, data={"pipeline_id": deal.pipeline_id, "stage_id": deal.stage_id,
                                                     "status": deal.status, "amount": str(deal.amount),
                                                     "currency": deal.currency, "person_id": deal.person_id,
                                                     "owner_id": deal.owner_id, "business_id": deal.business_id,
                                                     "kind": deal.deal_kind}))
    store.write_deal(deal, new=True, stats=[StatChange(pipeline.pipeline_id, stage["id"], deal.currency, 1, deal.amount)],
                     reached=progression[: position + 1],
                     timeline=_timeline(deal, "deal_created", f"Negocio: {deal.title} ({stage['name']})",
                                        {"stage_id": stage["id"]}, now) if deal.person_id else None,
                     events=events)
    return _out(deal, pipeline)


def get_deal(tenant_id: str, deal_id: str) -> DealOut:
    deal = _load_deal(tenant_id, deal_id)
    try:
        pipeline = _load_pipeline(tenant_id, deal.pipeline_id)
    except NotFound:
        pipeline = None
    return _out(deal, pipeline)


def update_deal(caller: Caller, deal_id: str, data: DealUpdateIn) -> DealOut:
    tenant_id = caller.tenant_id
    deal = _load_deal(tenant_id, deal_id)
    sent = data.model_fields_set
    if not sent:
        return get_deal(tenant_id, deal_id)
    errors: list[dict[str, Any]] = []
    for key in ("title", "amount", "currency", "pipeline_id", "stage_id"):
        if key in sent and getattr(data, key) is None:
            errors.append({"field": key, "error": "required", "message": both("No puede quedar vacío",
                                                                              "Cannot be empty")})
    old_pipeline = _load_pipeline(tenant_id, deal.pipeline_id)
    pipeline = old_pipeline
    if data.pipeline_id and data.pipeline_id != deal.pipeline_id:
        pipeline = _pick_pipeline(tenant_id, data.pipeline_id, errors) or old_pipeline
    moving_pipeline = pipeline.pipeline_id != deal.pipeline_id
    stage_id = data.stage_id if data.stage_id else (None if moving_pipeline else deal.stage_id)
    stage = _stage(pipeline, stage_id)
    if stage is None:
        errors.append({"field": "stage_id", "error": "unknown",
                       "message": both("Etapa no encontrada en el embudo", "Stage not in the pipeline")})
    _check_refs(tenant_id, {k: getattr(data, k) for k in ("owner_id", "person_id", "business_id") if k in sent},
                errors)
    _raise(errors)
    assert stage is not None
    now = iso()
    old = (deal.pipeline_id, deal.stage_id, deal.currency, Decimal(deal.amount))
    old_person = deal.person_id
    for key in ("title", "amount", "currency", "owner_id", "person_id", "business_id", "expected_close",
                "description"):
        if key in sent:
            setattr(deal, key, getattr(data, key))
    if "kind" in sent:
        deal.deal_kind = data.kind
    stage_changed = moving_pipeline or stage["id"] != deal.stage_id
    deal.pipeline_id, deal.stage_id = pipeline.pipeline_id, stage["id"]
    reached: list[str] = []
    if stage_changed:
        progression = _progression(pipeline)
        position = progression.index(stage["id"]) if stage["id"] in progression else -1
        start = 0 if moving_pipeline else int(deal.max_position if deal.max_position is not None else -1) + 1
        if position >= start:
            reached = progression[start: position + 1]
            deal.max_position = position
        elif moving_pipeline:
            deal.max_position = -1
        deal.stage_changed_at = now
        deal.status = stage["outcome"]
        deal.closed_at = now if stage["outcome"] != "open" else None
    deal.updated_at = now
    new = (deal.pipeline_id, deal.stage_id, deal.currency, Decimal(deal.amount))
    if new[:3] == old[:3]:
        stats = [StatChange(*new[:3], 0, new[3] - old[3])] if new[3] != old[3] else []
    else:
        stats = [StatChange(*old[:3], -1, -old[3]), StatChange(*new[:3], 1, new[3])]
    timeline = None
    if stage_changed and deal.person_id:
        old_stage = _stage(old_pipeline, old[1])
        timeline = _timeline(deal, "deal_stage_changed",
                             f"{deal.title}: {old_stage['name'] if old_stage else old[1]} → {stage['name']}",
                             {"from": old[1], "to": stage["id"]}, now)
    events = [build(tenant_id, "deal.updated", caller=caller, entity_type="deal", entity_id=deal_id,
                    data={"changed": sorted(sent), "person_changed": old_person != deal.person_id})]
    if stage_changed:
        events += _stage_events(tenant_id, caller, deal, old[1], old[0] if moving_pipeline else None, stage)
    with changed_meanwhile("El negocio cambió mientras lo editabas; vuelve a intentarlo",
                           "The deal changed while you edited it; try again"):
        store.write_deal(deal, new=False, stats=stats, reached=reached, timeline=timeline, events=events)
    return _out(deal, pipeline)


def delete_deal(caller: Caller, deal_id: str) -> None:
    tenant_id = caller.tenant_id
    deal = _load_deal(tenant_id, deal_id)
    with changed_meanwhile("El negocio cambió; vuelve a intentarlo",
                           "The deal changed; try again"):
        store.delete_deal(deal, events=[
            build(tenant_id, "deal.deleted", caller=caller, entity_type="deal", entity_id=deal_id,
                  data={"title": deal.title, "pipeline_id": deal.pipeline_id, "stage_id": deal.stage_id})])


# ---------------------------------------------------------------- deals: reads


def list_deals(tenant_id: str, *, pipeline_id: str | None, stage_id: str | None, owner_id: str | None,
               person_id: str | None, cursor: str | None, limit: int | None) -> Page[DealOut]:
    """One Query on the key the filters name: person (gsi3), owner (gsi2) or pipeline/stage (gsi1)."""
    limit = clamp_limit(limit)
    if person_id:
        found = store.person_deals_page(tenant_id, person_id, cursor=cursor, limit=limit)
    elif owner_id:
        found = store.owner_deals_page(tenant_id, owner_id, cursor=cursor, limit=limit)
    else:
        pipeline = _load_pipeline(tenant_id, pipeline_id) if pipeline_id else ensure_default_pipeline(tenant_id)[0]
        found = store.board_page(tenant_id, pipeline.pipeline_id, stage_id, cursor=cursor, limit=limit)
    deals = found.items
    pipelines = {p.pipeline_id: p for p in _all_pipelines(tenant_id)} if deals else {}
    return Page[DealOut](items=[_out(d, pipelines.get(d.pipeline_id)) for d in deals], next_cursor=found.next_cursor)


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def board(tenant_id: str, pipeline_id: str, *, stage_id: str | None = None, cursor: str | None = None,
          limit: int | None = None) -> BoardOut:
    """Columns by stage: one Query per column (or one column with `stage_id`), one for the totals,
    one for the conversion counters."""
    pipeline = _load_pipeline(tenant_id, pipeline_id)
    stages = _stages_out(pipeline.stages or [])
    if stage_id is not None and not any(s.id == stage_id for s in stages):
        raise NotFound(both("Etapa no encontrada", "Stage not found"), code="stage_not_found")
    limit = clamp_limit(limit)
    totals: dict[str, list[StageTotalOut]] = {}
    counts: dict[str, int] = {}
    for stat in _stats(tenant_id, pipeline.pipeline_id):
        if int(stat.count or 0) <= 0 and Decimal(stat.amount or 0) == 0:
            continue
        totals.setdefault(stat.stage_id or "", []).append(
            StageTotalOut(currency=stat.currency or "", count=int(stat.count or 0), amount=Decimal(stat.amount or 0)))
        counts[stat.stage_id or ""] = counts.get(stat.stage_id or "", 0) + int(stat.count or 0)
    columns = []
    for stage in stages:
        if stage_id is not None and stage.id != stage_id:
            continue
        found = store.board_page(tenant_id, pipeline.pipeline_id, stage.id, cursor=cursor if stage_id else None,
                                 limit=limit, newest_first=True)
        columns.append(BoardColumnOut(stage=stage, count=counts.get(stage.id, 0),
                                      totals=sorted(totals.get(stage.id, []), key=lambda t: t.currency),
                                      deals=[_out(d, pipeline) for d in found.items], next_cursor=found.next_cursor))
    flows = {f.stage_id: int(f.reached or 0) for f in store.stage_flows(tenant_id, pipeline.pipeline_id)}
    progression = _progression(pipeline)
    start = flows.get(progression[0], 0) if progression else 0
    conversion = []
    for i, sid in enumerate(progression):
        reached = flows.get(sid, 0)
        previous = flows.get(progression[i - 1], 0) if i else None
        conversion.append(ConversionOut(stage_id=sid, reached=reached,
                                        rate_from_previous=_rate(reached, previous) if previous is not None else None,
                                        rate_from_start=_rate(reached, start)))
    return BoardOut(pipeline=_pipeline_out(pipeline), columns=columns, conversion=conversion)
