"""Issue 11 through `make run`'s runtime: a `curl --data-binary` upload is stored whole (item 13),
a business-started conversation and an uploaded attachment reach the fake provider (items 2
and 3), and a channel account is verified and registered against the fakes (item 4)."""

from __future__ import annotations

import shutil
import subprocess
import time

import httpx
import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _curl_put(url: str, data: bytes, tmp_path) -> None:
    """What a user types: `curl -X PUT --data-binary @file URL` (form content type by default)."""
    source = tmp_path / "file.bin"
    source.write_bytes(data)
    if shutil.which("curl"):
        done = subprocess.run(["curl", "-sS", "-f", "-X", "PUT", "--data-binary", f"@{source}", url],
                              capture_output=True, timeout=30, check=False)
        assert done.returncode == 0, done.stderr
    else:
        reply = httpx.put(url, content=data, headers={"content-type": "application/x-www-form-urlencoded"})
        assert reply.status_code == 200, reply.text


def _outbox(client: httpx.Client, provider: str, match, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in client.get("/_local/outbox", params={"provider": provider}).json()["items"]:
            call = {**call, "body": call.get("body") or {}}  # GETs carry no body
            if match(call):
                return call
        time.sleep(0.3)
    pytest.fail(f"no {provider} call matched")


def test_a_curl_upload_imports(client, tmp_path):
    admin = login(client, "admin@demo.local")
    created = client.post("/v1/imports", headers=admin, json={"filename": "curl.csv"}).json()
    _curl_put(created["upload_url"], b"Nombre,Correo\nCurl Uno,curl.uno@ejemplo.co\nCurl Dos,curl.dos@ejemplo.co\n",
              tmp_path)
    started = client.post(f"/v1/imports/{created['id']}/start", headers=admin, json={"update_policy": "skip"})
    assert started.status_code == 202, started.text  # not "the file is empty"
    deadline = time.monotonic() + 90
    while (state := client.get(f"/v1/imports/{created['id']}", headers=admin).json())["status"] not in (
            "completed", "failed"):
        assert time.monotonic() < deadline, state
        time.sleep(0.5)
    assert state["status"] == "completed", state
    assert state["summary"]["created"] == 2 and state["summary"]["update_policy"] == "skip"


def test_a_business_started_sms_with_an_uploaded_image_reaches_twilio(client, tmp_path):
    agent = login(client, "agent1@demo.local")
    person = client.post("/v1/contacts", headers=agent, json={"name": "E2E Inicio", "phone": "+57 313 555 0142"})
    assert person.status_code == 201, person.text
    started = client.post("/v1/conversations", headers=agent, json={
        "person_id": person.json()["id"], "account_id": "demo-twilio", "text": "Hola, le escribimos de Demo."})
    assert started.status_code == 201, started.text
    conversation_id = started.json()["id"]
    _outbox(client, "twilio", lambda c: c["method"] == "POST" and (c["body"] or {}).get("Body")
            == "Hola, le escribimos de Demo." and c["body"].get("To") == "+573135550142")

    upload = client.post(f"/v1/conversations/{conversation_id}/uploads", headers=agent,
                         json={"filename": "oferta.png", "content_type": "image/png", "size": len(PNG)})
    assert upload.status_code == 201, upload.text
    _curl_put(upload.json()["upload_url"], PNG, tmp_path)
    sent = client.post(f"/v1/conversations/{conversation_id}/messages", headers=agent,
                       json={"attachments": [{"upload_id": upload.json()["id"]}], "text": "Nuestra oferta"})
    assert sent.status_code == 202, sent.text
    call = _outbox(client, "twilio", lambda c: c["method"] == "POST" and (c["body"] or {}).get("MediaUrl"))
    media_url = call["body"]["MediaUrl"][0]
    fetched = httpx.get(media_url, timeout=10)  # what Twilio does with MediaUrl
    assert fetched.content == PNG and fetched.headers["content-type"] == "image/png"


def test_a_telegram_bot_is_verified_and_registered_against_the_fake(client):
    admin = login(client, "admin@demo.local")
    created = client.post("/v1/admin/channel-accounts", headers=admin, json={
        "id": "e2e-bot", "channel": "telegram", "name": "Bot E2E",
        "credentials": {"bot_token": "999:e2e-token", "secret_token": "e2e-secret"}})
    assert created.status_code == 201, created.text
    assert created.json()["webhook"]["status"] == "registered"
    call = _outbox(client, "telegram", lambda c: c["path"].endswith("/setWebhook"))
    assert call["body"]["secret_token"] == "e2e-secret"
    assert call["body"]["url"].endswith("/webhooks/telegram/e2e-bot")
    refused = client.post("/v1/admin/channel-accounts", headers=admin, json={
        "id": "e2e-bot-2", "channel": "telegram", "name": "Bot malo",
        "credentials": {"bot_token": "999:invalid", "secret_token": "x"}})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "credentials_invalid"
