"""`GET /v1/changes`: the frames a member missed, from a cursor (catch-up after a reconnect).

Cursors are ULIDs of when the push worker recorded the change. The feed answers only changes
at least `SETTLE` old: two workers may commit slightly out of cursor order, and a change that
lands behind a cursor already handed out would be skipped; the socket carries the newest
frames meanwhile. Changes live 24 hours; an older cursor is 410 `cursor_expired` (reload).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from skailan.platform.auth import Caller
from skailan.platform.clock import utcnow
from skailan.platform.errors import BadRequest, SkailanError
from skailan.platform.ids import ulid
from skailan.realtime import store
from skailan.realtime.frames import Audience, view

SETTLE = timedelta(seconds=1)
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_READS = 5  # Query pages per request: a member who may see little of a busy brand gets a short page
_CURSOR = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class Gone(SkailanError):
    status, code = 410, "gone"


def _ceiling(moment: datetime) -> str:
    return ulid(int(moment.timestamp() * 1000), b"\xff" * 10)


def cursor_millis(cursor: str) -> int:
    value = 0
    for char in cursor[:10]:
        value = value * 32 + _CROCKFORD.index(char)
    return value


def parse_cursor(value: str) -> str:
    cursor = value.strip().upper()
    if not _CURSOR.match(cursor):
        raise BadRequest("El cursor no es válido. / The cursor is not valid.", code="invalid_cursor",
                         details=[{"field": "since", "error": "a cursor from a frame or a previous answer"}])
    return cursor


def changes_since(caller: Caller, since: str | None, limit: int | None, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    until = _ceiling(now - SETTLE)
    if since is None:
        return {"items": [], "cursor": until, "has_more": False}
    after = parse_cursor(since)
    if cursor_millis(after) < (now - store.CHANGE_RETENTION).timestamp() * 1000:
        raise Gone("Los cambios desde ese punto ya no están disponibles: recarga. / "
                   "Changes since that point are no longer available: reload.", code="cursor_expired",
                   details={"retention_hours": int(store.CHANGE_RETENTION.total_seconds() // 3600)})
    if after >= until:  # a cursor from the last second (or the future): nothing settled after it yet
        return {"items": [], "cursor": after, "has_more": False}
    size = min(max(limit or DEFAULT_LIMIT, 1), MAX_LIMIT)
    items: list[dict[str, Any]] = []
    cursor, start_key = after, None
    for _ in range(MAX_READS):
        rows, start_key = store.query_changes(caller.tenant_id, after=after, until=until, limit=size,
                                              start_key=start_key)
        for row_cursor, frame, audience in rows:
            cursor = row_cursor
            shown = view(caller, frame, Audience.from_item(audience))
            if shown is not None:
                items.append(shown)
                if len(items) == size:
                    break
        if len(items) == size or start_key is None:
            break
    more = start_key is not None or (len(items) == size and cursor < until)
    if not more:
        cursor = until  # everything up to `until` has been read
    return {"items": items, "cursor": cursor, "has_more": more}
