"""Looking a member up: by brand and user, or every brand of a user. Below `members.py`, so the
modules `members.py` calls (api keys, sign-in) and the rest of the code can read members without
importing it back.
"""

from __future__ import annotations

from skailan.tenancy.items import MemberItem, tenant_pk

MEMBER = "MEMBER#"


def find_member(tenant_id: str, user_id: str) -> MemberItem | None:
    try:
        return MemberItem.get(tenant_pk(tenant_id), MEMBER + user_id)
    except MemberItem.DoesNotExist:
        return None


def memberships_of(user_id: str) -> list[MemberItem]:
    """Every brand a person belongs to (gsi1 USER#<sub>); small, one Query."""
    return list(MemberItem.gsi1.query(f"USER#{user_id}"))
