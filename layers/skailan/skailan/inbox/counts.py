"""Counts for the inbox tabs (mine / unassigned / all) — Query with Select=COUNT on the views.

`by_assignee` partitions hold one status and one holder each (`state.assignee_key`), and `gsi1`
one status of the whole brand (`inbox_pk`), so each count reads exactly the items it counts and
never a Scan. Agents see their own and unassigned conversations, so their "all" is the sum of
the two; supervisors and admins count the whole brand.
"""

from __future__ import annotations

from skailan.conversations.items import ConversationItem, inbox_pk
from skailan.inbox import state
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
    mine = sum(ConversationItem.by_assignee.count(state.assignee_key(tenant, s, caller.principal_id))
               for s in statuses)
    unassigned = sum(ConversationItem.by_assignee.count(state.assignee_key(tenant, s, None)) for s in statuses)
    if state.sees_all(caller) or (state.is_supervisor(caller) and _in_every_team(caller)):
        everything = sum(ConversationItem.gsi1.count(inbox_pk(tenant, s)) for s in statuses)
    elif state.is_supervisor(caller):
        # Another team's conversations are not theirs to see (state.visible_to): counted with the
        # same rule as the list, a filtered count over the statuses' index partitions.
        from skailan.inbox.views import _visibility

        everything = sum(ConversationItem.gsi1.count(inbox_pk(tenant, s), filter_condition=_visibility(caller, s))
                         for s in statuses)
    else:
        everything = mine + unassigned
    return {"mine": mine, "unassigned": unassigned, "all": everything}


def _in_every_team(caller: Caller) -> bool:
    from skailan.inbox import teams

    return {t.team_id for t in teams.all_teams(caller.tenant_id)} <= state.manager_teams(caller)
