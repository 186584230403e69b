"""Looking a member up: by brand and user, or every brand of a user. Below `members.py`, so the
modules `members.py` calls (api keys, sign-in) and the rest of the code can read members without
importing it back.
"""

from __future__ import annotations

from skailan.tenancy.store.items import MemberItem, member_sk, tenant_pk, user_index_pk


def find_member(tenant_id: str, user_id: str) -> MemberItem | None:
    try:
        return MemberItem.get(tenant_pk(tenant_id), member_sk(user_id))
    except MemberItem.DoesNotExist:
        return None


def memberships_of(user_id: str) -> list[MemberItem]:
    """Every brand a person belongs to (gsi1 USER#<sub>); small, one Query."""
    return list(MemberItem.gsi1.query(user_index_pk(user_id)))
