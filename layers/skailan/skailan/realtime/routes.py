"""`GET /v1/changes` (RealtimeApiFunction): catch up on live updates from a cursor."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict

from skailan.platform.auth import current_caller
from skailan.tenancy.access import authenticated

router = Router()


class FrameOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    cursor: str
    type: str
    entity_type: str | None = None
    entity_id: str | None = None
    conversation_id: str | None = None
    data: dict[str, Any]


class ChangesOut(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[FrameOut]
    cursor: str
    has_more: bool


@router.get("/v1/changes", middlewares=[authenticated()], tags=["realtime"])
def list_changes(
    since: Annotated[str | None, Query(min_length=1, max_length=40,
                                       description="The cursor of the last frame seen, or of the previous answer.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> ChangesOut:
    """What changed in your brand since `since`, oldest first, as the frames the WebSocket
    pushes (filtered by what you may see). Without `since`: no items and the cursor of now —
    take it when the app loads. Pass the answer's `cursor` next time; `has_more` says to ask
    again right away. 410 `cursor_expired` when `since` is older than 24 hours: reload."""
    from skailan.realtime.changes import changes_since

    return ChangesOut.model_validate(changes_since(current_caller(), since, limit))
