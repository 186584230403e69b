"""Attachment uploads' records (conversations table; `conversations/uploads.py` decides) and the
ingest's provider-profile name cache (`ingest/profiles.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from skailan.conversations.store import ops
from skailan.conversations.store.items import (
    PROFILE_SK,
    UPLOAD_SK,
    ProfileCacheItem,
    UploadItem,
    profile_cache_pk,
    upload_pk,
)
from skailan.platform.clock import iso


def insert_upload(tenant_id: str, upload_id: str, **values: Any) -> None:
    """Record a new upload (`ConditionFailed` if the id exists)."""
    ops.insert(UploadItem(upload_pk(tenant_id, upload_id), UPLOAD_SK, tenant_id=tenant_id, upload_id=upload_id,
                          **values))


def find_upload(tenant_id: str, upload_id: str) -> UploadItem | None:
    return ops.get(UploadItem, upload_pk(tenant_id, upload_id), UPLOAD_SK)


def cached_profile_name(tenant_id: str, account_id: str, user_id: str) -> str | None:
    item = ops.get(ProfileCacheItem, profile_cache_pk(tenant_id, account_id, user_id), PROFILE_SK)
    return item.name if item is not None else None


def cache_profile_name(tenant_id: str, account_id: str, user_id: str, name: str, *, expires: datetime) -> None:
    ProfileCacheItem(profile_cache_pk(tenant_id, account_id, user_id), PROFILE_SK, name=name, created_at=iso(),
                     ttl=expires).save()
