"""The WhatsApp template registry's data access (inbox table): templates per brand and account,
and the routes from Meta's template ids back to the brand (`conversations/inbox/templates.py`,
`conversations/inbox/template_sync.py` decide; this module only reads and writes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.conversations.inbox_events import table
from skailan.conversations.store.inbox_items import (
    TEMPLATE_PREFIX,
    TEMPLATE_ROUTE_SK,
    WhatsAppTemplateItem,
    WhatsAppTemplateRouteItem,
    account_templates_sk_prefix,
    template_id,
    template_route_pk,
    template_sk,
    templates_pk,
)
from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import Action, Condition, ConditionFailed, conditional, find_item, transaction


def list_templates(tenant_id: str, *, account_id: str | None = None,
                   status: str | None = None) -> list[WhatsAppTemplateItem]:
    """The brand's templates (of one account), optionally of one status (one Query)."""
    prefix = account_templates_sk_prefix(account_id) if account_id else TEMPLATE_PREFIX
    filter_condition = WhatsAppTemplateItem.status == status if status else None
    return list(WhatsAppTemplateItem.query(templates_pk(tenant_id), WhatsAppTemplateItem.sk.startswith(prefix),
                                           filter_condition=filter_condition))


def find_template(tenant_id: str, account_id: str, name: str, language: str) -> WhatsAppTemplateItem | None:
    return find_item(WhatsAppTemplateItem, templates_pk(tenant_id), template_sk(account_id, name, language))


def new_template(tenant_id: str, account_id: str, name: str, language: str, **values: Any) -> WhatsAppTemplateItem:
    """An unsaved template item with its keys and id."""
    return WhatsAppTemplateItem(templates_pk(tenant_id), template_sk(account_id, name, language), tenant_id=tenant_id,
                                template_id=template_id(account_id, name, language), account_id=account_id,
                                name=name, language=language, **values)


def insert_template(item: WhatsAppTemplateItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """Write a new template and its events; `ConditionFailed` when that account, name and language exist."""
    with conditional():
        outbox.put_with(item, events, table(), condition=WhatsAppTemplateItem.pk.does_not_exist())


def save_template(item: WhatsAppTemplateItem, *, events: Sequence[DomainEvent] = ()) -> None:
    outbox.put_with(item, events, table())


def delete_template(item: WhatsAppTemplateItem, *, events: Sequence[DomainEvent] = ()) -> None:
    """The template, its Meta id's route (when it has one) and its events: one transaction."""
    if not events and not item.meta_template_id:
        item.delete()
        return
    with transaction() as tx:
        tx.delete(item)
        if item.meta_template_id:
            tx.delete(_route_key(item.meta_template_id))
        outbox.add(tx, events, table())


def apply_status(route: WhatsAppTemplateRouteItem, meta_template_id: str, *, status: str, at: int,
                 reason: str | None, detail: str | None, events: Sequence[DomainEvent] = ()) -> bool:
    """A status webhook on the routed template; False when not applied (a replay, an older
    change, or the template deleted or re-submitted meanwhile)."""
    T = WhatsAppTemplateItem
    actions: list[Action] = [T.status.set(status), T.status_at.set(at),
                             T.rejected_reason.set(reason) if status == "rejected" and reason else T.rejected_reason.remove(),
                             T.status_detail.set(detail) if detail else T.status_detail.remove()]
    newer = T.status_at.does_not_exist() | (T.status_at < at) | ((T.status_at == at) & (T.status != status))
    return _apply(route, meta_template_id, actions, newer, events)


def apply_quality(route: WhatsAppTemplateRouteItem, meta_template_id: str, *, quality: str, at: int,
                  events: Sequence[DomainEvent] = ()) -> bool:
    """A quality webhook on the routed template; False when not applied (as `apply_status`)."""
    T = WhatsAppTemplateItem
    newer = T.quality_at.does_not_exist() | (T.quality_at < at) | ((T.quality_at == at) & (T.quality != quality))
    return _apply(route, meta_template_id, [T.quality.set(quality), T.quality_at.set(at)], newer, events)


def _apply(route: WhatsAppTemplateRouteItem, meta_template_id: str, actions: list[Action], newer: Condition,
           events: Sequence[DomainEvent]) -> bool:
    """The change and its events in one transaction; not applied (False): neither is written."""
    T = WhatsAppTemplateItem
    item = T(templates_pk(route.tenant_id), template_sk(route.account_id, route.name, route.language))
    try:
        with conditional():
            outbox.update_with(item, [*actions, T.updated_at.set(iso())], events, table(),
                               condition=T.pk.exists() & (T.meta_template_id == meta_template_id) & newer)
    except ConditionFailed:
        return False
    return True


# ---------------------------------------------------------------- Meta id → brand routes


def write_route(tenant_id: str, account_id: str, waba_id: str, meta_template_id: str, name: str, language: str) -> None:
    WhatsAppTemplateRouteItem(template_route_pk(meta_template_id), TEMPLATE_ROUTE_SK, tenant_id=tenant_id,
                              account_id=account_id, waba_id=waba_id, name=name, language=language, created_at=iso()).save()


def _route_key(meta_template_id: str) -> WhatsAppTemplateRouteItem:
    return WhatsAppTemplateRouteItem(template_route_pk(meta_template_id), TEMPLATE_ROUTE_SK, tenant_id="",
                                     account_id="", waba_id="", name="", language="")


def find_route(meta_template_id: str) -> WhatsAppTemplateRouteItem | None:
    return find_item(WhatsAppTemplateRouteItem, template_route_pk(meta_template_id), TEMPLATE_ROUTE_SK)
