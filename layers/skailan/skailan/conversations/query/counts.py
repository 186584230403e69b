"""Counts for the inbox tabs (mine / unassigned / all) — Query with Select=COUNT on the views.

`by_assignee` partitions hold one status and one holder each (`state.assignee_key`), and `gsi1`
one status of the whole brand (`inbox_pk`), so each count reads exactly the items it counts and
never a Scan. Agents see their own and unassigned conversations, so their "all" is the sum of
the two; supervisors and admins count the whole brand.
"""

from __future__ import annotations

from skailan.conversations.store import state
from skailan.platform.auth import Caller
from skailan.platform.errors import Unprocessable

DEFAULT_STATUSES = ("open", "pending")
STATUSES = ("open", "pending", "snoozed", "closed")


def parse_statuses(value: str | None) -> list[str]:
    statuses = [s.strip() for s in (value or "").split(",") if s.strip()] or list(DEFAULT_STATUSES)
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise Unprocessable("Estado no válido. / Unknown status.", code="validation_error",
                            details=[{"field": "status", "error": f"one of {', '.join(STATUSES)}", "value": b}
                                     for b in bad])
    return list(dict.fromkeys(statuses))


def tab_counts(caller: Caller, statuses: list[str]) -> dict[str, int]:
    tenant = caller.tenant_id
    mine = sum(state.count_held(tenant, s, caller.principal_id) for s in statuses)
    unassigned = sum(state.count_held(tenant, s, None) for s in statuses)
    everything = mine + unassigned
    if state.sees_all(caller) or state.is_supervisor(caller):
        everything = sum(state.count_status(tenant, s) for s in statuses)
    if not state.sees_all(caller) and state.is_supervisor(caller):
        # Another team's conversations held by someone else are not theirs to see
        # (state.visible_to): taken off, reading only those teams' partitions, never the brand's.
        from skailan.conversations.inbox import teams

        hidden = {t.team_id for t in teams.all_teams(tenant)} - state.manager_teams(caller)
        for status in statuses:
            for team_id in sorted(hidden):
                everything -= state.count_team_held_by_others(tenant, status, team_id, caller.principal_id)
    return {"mine": mine, "unassigned": unassigned, "all": everything}
