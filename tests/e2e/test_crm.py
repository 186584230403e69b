"""The CRM's promise over HTTP through the local runtime: a CSV with duplicates, invalid rows and
Latin-American phones imports with an exact summary; people are found by phone, e-mail and name
prefix; merging moves identities."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

CSV = (
    "nombre,correo,celular\n"
    "Ana Pérez E2E,ana.e2e@ejemplo.co,+57 300 555 0101\n"     # valid (CO)
    "Luis Méx E2E,,+52 1 55 5555 0102\n"                    # valid: Mexico's old mobile prefix
    "Luis Otra Vez,,+52 55 5555 0102\n"                      # duplicate of the row above (same mobile)
    "Ariel Porteño E2E,,+54 9 11 5555-0103\n"               # valid: Argentina's mobile 9
    ",sin.nombre@ejemplo.co,\n"                              # invalid: no name
    "Sin Contacto,,\n"                                       # invalid: neither phone nor e-mail
    "Ana Repetida,ANA.E2E@ejemplo.co,\n"                     # duplicate (same e-mail, other case)
    ",,\n"                                                   # empty row: not a row at all
    "Pedro Paz E2E,pedro.e2e@ejemplo.co,no-es-un-teléfono\n"  # valid: the e-mail carries it
).encode()


def _import(client: httpx.Client, headers: dict[str, str]) -> dict:
    created = client.post("/v1/imports", headers=headers,
                          json={"filename": "feria.csv", "target": {"kind": "new_list", "name": "Feria E2E"}})
    assert created.status_code == 201, created.text
    job = created.json()
    assert httpx.put(job["upload_url"], content=CSV, timeout=30).status_code == 200
    started = client.post(f"/v1/imports/{job['id']}/start", headers=headers, json={})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        state = client.get(f"/v1/imports/{job['id']}", headers=headers).json()
        if state["status"] in ("completed", "failed"):
            return state
        time.sleep(0.5)
    pytest.fail("the import never finished")


def _find(client: httpx.Client, headers: dict[str, str], query: str) -> list[dict]:
    reply = client.get("/v1/contacts", headers=headers, params={"q": query})
    assert reply.status_code == 200, reply.text
    return reply.json()["items"]


def test_import_search_and_merge(client):
    admin = login(client, "admin@demo.local")
    state = _import(client, admin)
    assert state["status"] == "completed", state
    summary = state["summary"]
    assert {k: summary[k] for k in ("rows", "invalid", "duplicates", "unique", "created", "updated")} == {
        "rows": 8, "invalid": 2, "duplicates": 2, "unique": 4, "created": 4, "updated": 0,
    }
    assert summary["people_total"] >= 4
    assert state["progress"]["rows_processed"] == state["progress"]["rows_total"]

    # Found by phone in any spelling, by e-mail in any case, by a name prefix without accents
    luis = _find(client, admin, "+525555550102")
    assert [p["name"] for p in luis] == ["Luis Méx E2E"]
    assert [p["id"] for p in _find(client, admin, "+52 1 55 5555 0102")] == [luis[0]["id"]]
    assert [p["name"] for p in _find(client, admin, "+5491155550103")] == ["Ariel Porteño E2E"]
    assert [p["name"] for p in _find(client, admin, "ANA.E2E@ejemplo.co")] == ["Ana Pérez E2E"]
    assert "Ana Pérez E2E" in {p["name"] for p in _find(client, admin, "ana pe")}

    # acme sees none of it
    acme = login(client, "admin@acme.local")
    assert _find(client, acme, "ana.e2e@ejemplo.co") == []
    assert client.get(f"/v1/contacts/{luis[0]['id']}", headers=acme).status_code == 404

    # Merge: the other person's identities now lead to the kept one
    ana = _find(client, admin, "ana.e2e@ejemplo.co")[0]
    other = client.post("/v1/contacts", headers=admin, json={"name": "Ana P. Otra", "email": "ana.otra.e2e@ejemplo.co"})
    assert other.status_code == 201, other.text
    merged = client.post(f"/v1/contacts/{ana['id']}/merge", headers=admin, json={"other_id": other.json()["id"]})
    assert merged.status_code == 200, merged.text
    assert [p["id"] for p in _find(client, admin, "ana.otra.e2e@ejemplo.co")] == [ana["id"]]
    assert client.get(f"/v1/contacts/{other.json()['id']}", headers=admin).json().get("merged_into") == ana["id"]
