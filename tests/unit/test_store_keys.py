"""Stored key layouts are a contract with data already in the tables: the store builders must
produce exactly these strings (a change here strands existing items)."""

from __future__ import annotations

from skailan.conversations.store import inbox_items, items
from skailan.tenancy.store import items as tenancy


def test_tenancy_member_invitation_and_audit_keys() -> None:
    assert tenancy.member_sk("u1") == "MEMBER#u1"
    assert "MEMBER#u1".startswith(tenancy.member_sk_prefix())
    assert not "INVITATION#u1".startswith(tenancy.member_sk_prefix())
    assert tenancy.user_index_pk("u1") == "USER#u1"
    assert tenancy.invitation_sk("i1") == "INVITATION#i1"
    assert tenancy.INVITATIONS_INDEX_PK == "INVITATIONS"
    assert tenancy.invitation_index_sk("2026-01-01T00:00:00Z", "acme", "i1") == "2026-01-01T00:00:00Z#acme#i1"
    assert tenancy.audit_sk("2026-01-01T00:00:00Z", "e1") == "2026-01-01T00:00:00Z#e1"
    assert tenancy.audit_actor_pk("acme", "u1") == "T#acme#U#u1"
    assert tenancy.audit_entity_pk("acme", "role") == "T#acme#E#role"
    assert (tenancy.tenant_pk("acme"), tenancy.BRAND_SK) == ("T#acme", "BRAND")
    assert tenancy.role_sk("sales") == "ROLE#sales"
    assert tenancy.api_key_sk("k1") == "APIKEY#k1"
    assert tenancy.channel_account_sk("a1") == "CHANNEL#a1"
    assert tenancy.close_reason_sk("c1") == "CLOSEREASON#c1"
    assert (tenancy.route_guard_pk("email", "Ventas@Acme.MX"), tenancy.ROUTE_SK) == (
        "ROUTE#email#ventas@acme.mx", "ROUTE")
    assert tenancy.route_guard_pk("whatsapp", "PhoneID") == "ROUTE#whatsapp#PhoneID"


def test_conversations_inbox_keys() -> None:
    assert inbox_items.message_notice_pk("acme", "u1") == "T#acme#U#u1#MN"
    assert (inbox_items.agent_sk("u1"), inbox_items.team_sk("t1")) == ("A#u1", "M#t1")
    assert "A#u1".startswith(inbox_items.AGENT_PREFIX) and "M#t1".startswith(inbox_items.TEAM_PREFIX)
    assert inbox_items.account_templates_sk_prefix("acc1") == "W#acc1#"
    assert inbox_items.template_sk("acc1", "hola", "es").startswith(inbox_items.account_templates_sk_prefix("acc1"))
    assert (inbox_items.template_route_pk("123"), inbox_items.TEMPLATE_ROUTE_SK) == ("WATR#123", "ROUTE")
    assert inbox_items.quick_replies_pk("acme") == "T#acme#QR"
    assert inbox_items.quick_reply_sk("r1") == "Q#r1"
    assert "Q#r1".startswith(inbox_items.QUICK_REPLY_PREFIX)
    assert (items.upload_pk("acme", "up1"), items.UPLOAD_SK) == ("T#acme#UP#up1", "U")
    assert (items.profile_cache_pk("acme", "acc1", "psid1"), items.PROFILE_SK) == (
        "T#acme#PROFILE#acc1#psid1", "PROFILE")


def test_platform_keys_start_with_the_tenant_partition() -> None:
    import zlib

    from skailan.platform import limit_counters, limits, outbox, storage

    assert storage.tenant_pk("acme") == "T#acme"
    assert outbox.outbox_pk("acme", "e1") == f"T#acme#outbox#{zlib.crc32(b'e1') % outbox.SHARDS}"
    assert limits.tenant_subject("acme", "1.2.3.4") == "T#acme#" + limits.digest("1.2.3.4")
    assert limit_counters.counter_key("webchat-session-ip", "T#acme#x", 7) == "webchat-session-ip#T#acme#x#7"
    assert limit_counters.known_device_key("e", "a") == "known#e#a"
