"""Issue 10.1: no route takes another brand's stored file — neither as a raw S3 key nor as a URL
into our buckets. acme's media named by demo's supervisor is a 4xx, never a presigned URL."""

from __future__ import annotations

import pytest

from tests.integration.inbox.conftest import CONVERSATIONS, INBOX, customer_writes
from tests.support import call

ACME_KEY = "acme/acme-whatsapp/0123456789abcdef/foto-privada.jpg"


@pytest.fixture(scope="module")
def acme_media(demo):
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    bucket = get_settings().media_bucket
    client("s3").put_object(Bucket=bucket, Key=ACME_KEY, Body=b"\xff\xd8acme", ContentType="image/jpeg")
    return {
        "key": ACME_KEY,
        "urls": [
            f"http://127.0.0.1:4566/{bucket}/{ACME_KEY}",  # path style (moto, any endpoint)
            f"https://s3.us-east-1.amazonaws.com/{bucket}/{ACME_KEY}?X-Amz-Signature=abc",
            f"https://{bucket}.s3.amazonaws.com/{ACME_KEY}",  # virtual-hosted style
            f"https://{bucket}.s3.amazonaws.com/demo/%2E%2E/{ACME_KEY}",  # escaping the prefix
        ],
    }


FOREIGN_KEYS = [ACME_KEY, f"demo/../{ACME_KEY}", f"/{ACME_KEY}", "demo", f"demo//../{ACME_KEY}",
                "exports/acme/x.csv"]


def _foreign(reply) -> bool:
    return reply.status == 422 and reply.body["error"]["code"] == "foreign_media"


def test_quick_replies_refuse_another_brands_keys_and_urls(demo, acme_media):
    supervisor = demo["supervisor@demo.local"]
    for key in FOREIGN_KEYS:
        reply = call(INBOX, "POST", "/v1/quick-replies", principal=supervisor, body={
            "shortcut": "robo", "attachments": [{"type": "image", "s3_key": key}]})
        assert _foreign(reply), (key, reply.body)
        assert reply.body["error"]["details"][0]["field"] == "attachments[0].s3_key"
    for url in acme_media["urls"]:
        assert _foreign(call(INBOX, "POST", "/v1/quick-replies", principal=supervisor, body={
            "shortcut": "robo", "attachments": [{"type": "image", "url": url}]})), url
    # Editing a reply is no way around it either, and the stored reply stays as it was
    own = call(INBOX, "POST", "/v1/quick-replies", principal=supervisor, body={
        "shortcut": "propia", "attachments": [{"type": "image", "s3_key": "demo/demo-whatsapp/abc/logo.png"}]})
    assert own.status == 201, own.body
    for key in FOREIGN_KEYS:
        assert _foreign(call(INBOX, "PATCH", f"/v1/quick-replies/{own.body['id']}", principal=supervisor,
                             body={"attachments": [{"type": "image", "s3_key": key}]})), key
    stored = call(INBOX, "GET", f"/v1/quick-replies/{own.body['id']}", principal=supervisor).body
    assert stored["attachments"][0]["s3_key"] == "demo/demo-whatsapp/abc/logo.png"


def test_a_foreign_key_stored_earlier_is_never_presigned(demo, acme_media):
    from skailan.conversations.store.inbox_items import QuickReplyItem

    supervisor = demo["supervisor@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573109900001", message_id="wamid.MEDIAREF1")
    # A reply saved before keys were checked
    QuickReplyItem("T#demo#QR", "Q#LEGACYFOREIGN", tenant_id="demo", reply_id="LEGACYFOREIGN", shortcut="vieja",
                   text="Mira", attachments=[{"type": "image", "s3_key": ACME_KEY},
                                             {"type": "image", "url": acme_media["urls"][0]},
                                             {"type": "image", "s3_key": "demo/demo-whatsapp/abc/logo.png"}]).save()
    preview = call(INBOX, "POST", "/v1/quick-replies/LEGACYFOREIGN/preview", principal=supervisor,
                   body={"conversation_id": conversation_id})
    assert preview.status == 200, preview.body
    urls = [a["url"] for a in preview.body["attachments"]]
    assert urls[0] is None and urls[1] is None
    assert urls[2] and "demo/demo-whatsapp/abc/logo.png" in urls[2]
    assert "acme" not in str(preview.body)


def test_replies_cannot_attach_another_brands_file(demo, acme_media):
    from skailan.conversations.store import messages as store

    supervisor = demo["supervisor@demo.local"]
    conversation_id = customer_writes("Hola", wa_id="573109900002", message_id="wamid.MEDIAREF2")
    for url in acme_media["urls"]:
        reply = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=supervisor,
                     body={"attachments": [{"url": url, "mime_type": "image/jpeg"}]})
        assert _foreign(reply), (url, reply.body)
    items, _ = store.list_messages("demo", conversation_id, cursor=None, limit=50, newest_first=True)
    assert not [m for m in items if m.attachments]  # nothing queued (a bot may have greeted)


def test_brand_logo_and_channel_settings_cannot_point_at_another_brands_file(demo, acme_media):
    admin = demo["admin@demo.local"]
    for url in acme_media["urls"][:3]:
        assert _foreign(call("api/admin", "PATCH", "/v1/admin/brand", principal=admin, body={"logo_url": url})), url
    assert "acme" not in str(call("api/admin", "GET", "/v1/admin/brand", principal=admin).body.get("logo_url"))
    widget = call("api/admin", "POST", "/v1/admin/channel-accounts", principal=admin, body={
        "channel": "webchat", "name": "Robo", "config": {"appearance": {"logo": acme_media["urls"][0]},
                                                         "allowed_origins": ["https://demo.example"]}})
    assert _foreign(widget), widget.body
    # Ordinary URLs elsewhere on the web are fine
    fine = call("api/admin", "PATCH", "/v1/admin/brand", principal=admin,
                body={"logo_url": "https://cdn.example.com/demo-logo.png"})
    assert fine.status == 200 and fine.body["logo_url"] == "https://cdn.example.com/demo-logo.png"


def test_owns_key_grammar():
    from skailan.platform.media_refs import owns_key

    assert owns_key("demo", "demo/demo-whatsapp/abc/foto.jpg")
    assert owns_key("demo", "imports/demo/01J/source")
    for key in ("acme/x.jpg", "demo", "demo/", "demo/../acme/x", "demo/./x", "demo//x", "/demo/x", "demo\\..\\acme",
                "demox/a", "imports/acme/x", "", "demo/a\x00b"):
        assert not owns_key("demo", key), key
