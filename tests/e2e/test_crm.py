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


def _ten_thousand_rows() -> tuple[bytes, dict[str, int]]:
    """10 000 data rows shaped like a real export: CO national, MX `+52 1` and AR `+54 9` mobiles,
    200 invalid rows, 200 in-file duplicates (phone in another spelling, e-mail in another case),
    3 rows of people who already exist, blank lines. Returns the file and the exact summary."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Nombre", "Correo electrónico", "Celular", "Ciudad"])

    def phone(i: int, other_spelling: bool = False) -> str:
        if i % 3 == 0:
            return f"+52 55 {i:08d}" if other_spelling else f"+52 1 55 {i // 10_000:04d} {i % 10_000:04d}"
        if i % 3 == 1:
            return f"+54 11 {i:08d}" if other_spelling else f"+54 9 11 {i // 10_000:04d}-{i % 10_000:04d}"
        prefix = ("300", "301", "302", "304", "305", "310", "311", "312", "313", "315")[i % 10]  # CO mobiles
        return f"+57 {prefix}{i:07d}" if other_spelling else f"{prefix} {i:07d}"

    for i in range(10_000):
        kind = i % 100
        if kind == 1:
            writer.writerow(["", f"sin.nombre{i}@diezmil.co", phone(i), ""])  # invalid: no name
        elif kind == 2:
            writer.writerow([f"Malo {i}", "no-es@", "12", ""])  # invalid: no usable phone or e-mail
        elif kind == 50:
            writer.writerow([f"Repetido Tel {i}", "", phone(i - 10, other_spelling=True), ""])  # duplicate of i-10
        elif kind == 60:
            writer.writerow([f"Repetido Mail {i}", f"P{i - 20}@DIEZMIL.CO", "", ""])  # duplicate of i-20
        elif i in (10, 20, 30):
            writer.writerow([f"Previo {i}", f"previo{i}@diezmil.co", phone(i), "Cali"])  # exists: updated
        else:
            email = f"p{i}@diezmil.co" if i % 2 == 0 else ""
            writer.writerow([f"Persona{i} Diezmil", email, phone(i), ("Bogotá", "CDMX", "Rosario")[i % 3]])
        if i % 997 == 996:
            writer.writerow(["", "", "", ""])  # blank line: not a row
    summary = {"rows": 10_000, "invalid": 200, "duplicates": 200, "unique": 9_600, "created": 9_597, "updated": 3}
    return out.getvalue().encode(), summary


@pytest.mark.floods_events
def test_ten_thousand_rows_import_with_an_exact_summary(client):
    admin = login(client, "admin@demo.local")
    for i in (10, 20, 30):
        made = client.post("/v1/contacts", headers=admin, json={"name": f"Previo {i}", "email": f"previo{i}@diezmil.co"})
        assert made.status_code == 201, made.text
    before = client.get("/v1/contacts/count", headers=admin).json()["people_total"]
    content, expected = _ten_thousand_rows()
    created = client.post("/v1/imports", headers=admin, json={"filename": "diezmil.csv"}).json()
    assert httpx.put(created["upload_url"], content=content, timeout=60).status_code == 200
    assert client.post(f"/v1/imports/{created['id']}/start", headers=admin, json={}).status_code == 202
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        state = client.get(f"/v1/imports/{created['id']}", headers=admin).json()
        if state["status"] in ("completed", "failed"):
            break
        assert state["progress"]["rows_processed"] <= 10_000
        time.sleep(2)
    assert state["status"] == "completed", state
    summary = state["summary"]
    assert {k: summary[k] for k in expected} == expected
    assert summary["people_total"] == before + expected["created"]
    assert client.get("/v1/contacts/count", headers=admin).json()["people_total"] == summary["people_total"]
    # Each invalid and duplicate row is in the errors file, with its reason
    import csv
    import io

    errors = httpx.get(state["errors_url"], timeout=30)
    assert errors.status_code == 200
    kinds = [row["kind"] for row in csv.DictReader(io.StringIO(errors.content.decode("utf-8-sig")))]
    assert (kinds.count("invalid"), kinds.count("duplicate")) == (expected["invalid"], expected["duplicates"])
    # Found by phone in other spellings, by e-mail in another case, by name prefix
    assert [p["name"] for p in _find(client, admin, "+52 55 0000 9999")] == ["Persona9999 Diezmil"]
    assert [p["name"] for p in _find(client, admin, "+54 11 0000 9997")] == ["Persona9997 Diezmil"]
    assert [p["name"] for p in _find(client, admin, "+57 310 0009995")] == ["Persona9995 Diezmil"]
    assert [p["name"] for p in _find(client, admin, "P9994@DIEZMIL.CO")] == ["Persona9994 Diezmil"]
    assert [p["name"] for p in _find(client, admin, "persona9998 diez")] == ["Persona9998 Diezmil"]
    previo = _find(client, admin, "previo20@diezmil.co")
    assert len(previo) == 1 and previo[0]["phone"] == "+573000000020"  # the file gave them a phone
