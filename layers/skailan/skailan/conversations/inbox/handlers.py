"""Who may hold conversations: members whose role grants `conversations:edit` (agents and up)."""

from __future__ import annotations

from skailan.platform.auth import grants
from skailan.platform.errors import NotFound

AGENT_PERMISSION = "conversations:edit"


def handler_member(tenant_id: str, user_id: str):  # -> MemberItem | None
    """The brand's active member `user_id` if their role lets them handle conversations."""
    from skailan.tenancy import member_reads
    from skailan.tenancy.roles import role_permissions

    member = member_reads.find_member(tenant_id, user_id)
    if member is None or member.status != "active":
        return None
    if not grants(role_permissions(tenant_id, member.role), AGENT_PERMISSION):
        return None
    return member


def require_handler(tenant_id: str, user_id: str):  # -> MemberItem
    member = handler_member(tenant_id, user_id)
    if member is None:
        raise NotFound("Agente no encontrado en esta marca. / Agent not found in this brand.",
                       code="agent_not_found", details={"user_id": user_id})
    return member
