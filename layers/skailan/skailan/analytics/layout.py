"""Per-user dashboard layout: which widgets the user sees, in which order
(`GET / PUT /v1/me/dashboard-layout`). Stored per brand × user (`…#U#<user>` / `layout`); a
widget the app adds later than the saved layout shows at the end, visible."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from skailan.analytics import store
from skailan.platform.clock import iso
from skailan.platform.models import RequestModel, ResponseModel

# The dashboard's widgets, in their default order (web/src/features/dashboard/routes/dashboard.tsx).
WIDGETS = ("alerts", "open", "unassigned", "longest_wait", "longest_unassigned", "agents_online", "received", "sent",
           "leads", "deals_won", "tasks_overdue", "kam", "campaigns")
WidgetId = Literal["alerts", "open", "unassigned", "longest_wait", "longest_unassigned", "agents_online",
                   "received", "sent", "leads", "deals_won", "tasks_overdue", "kam", "campaigns"]


class WidgetIn(RequestModel):
    id: WidgetId
    visible: bool


class LayoutIn(RequestModel):
    widgets: Annotated[list[WidgetIn], Field(min_length=1, max_length=len(WIDGETS))]

    @field_validator("widgets")
    @classmethod
    def _once_each(cls, value: list[WidgetIn]) -> list[WidgetIn]:
        seen = [w.id for w in value]
        if len(seen) != len(set(seen)):
            raise ValueError("cada widget una sola vez / each widget once")
        return value


class WidgetOut(ResponseModel):
    id: str
    visible: bool


class LayoutOut(ResponseModel):
    widgets: list[WidgetOut]
    updated_at: str | None = None  # None: never saved (the default layout)


def _complete(saved: list[dict[str, object]]) -> list[WidgetOut]:
    known = [WidgetOut(id=str(w["id"]), visible=bool(w["visible"])) for w in saved if w.get("id") in WIDGETS]
    listed = {w.id for w in known}
    return known + [WidgetOut(id=w, visible=True) for w in WIDGETS if w not in listed]


def get(tenant_id: str, user_id: str) -> LayoutOut:
    saved = store.get_layout(tenant_id, user_id)
    if not saved:
        return LayoutOut(widgets=_complete([]))
    return LayoutOut(widgets=_complete(saved["widgets"]), updated_at=saved["updated_at"])


def put(tenant_id: str, user_id: str, data: LayoutIn) -> LayoutOut:
    widgets = [w.model_dump() for w in data.widgets]
    now = iso()
    store.put_layout(tenant_id, user_id, widgets, now)
    return LayoutOut(widgets=_complete(widgets), updated_at=now)
