"""People imports through the real CRM API and imports worker, against moto built from template.yaml:
the contract routes, the exact summary, resuming after a crash, refused files, permissions."""

from __future__ import annotations

import io

import pytest

from tests.integration.crm_sales import importing as imp
from tests.support import call

CRM = "api/crm"
SALES = "api/sales"

HEADER = ["Nombre", "Correo", "Celular", "Ciudad"]
# demo's default country is CO. Rows (Excel numbering, header = row 1):
ROWS = [
    ["Ana Pérez", "ana@example.com", "300 123 4567", "Bogotá"],  # 2 created (CO mobile)
    ["", "", "", ""],  # 3 blank: skipped, not counted
    ["Juan Méndez", "", "+52 1 55 1234 5678", "CDMX"],  # 4 created: MX old mobile prefix → +525512345678
    ["Juan M.", "", "+52 55 1234 5678", ""],  # 5 duplicate of 4 (same phone)
    ["Lucía Gómez", "lucia@example.com", "+54 9 11 2345 6789", "Buenos Aires"],  # 6 created (AR mobile 9)
    ["Lucía G.", "", "+54 11 2345 6789", ""],  # 7 duplicate of 6 (same AR line without the 9)
    ["", "nadie@example.com", "", ""],  # 8 invalid: no name
    ["Pedro", "pedro@@mal", "123", ""],  # 9 invalid: neither phone nor e-mail is valid
    ["ANA PEREZ", "ANA@EXAMPLE.COM", "", ""],  # 10 duplicate of 2 (same e-mail)
    ["", "", "", ""],  # 11 blank
    ["Carlos Ruiz", "carlos@example.com", "310 987 6543", "Cali"],  # 12 updated (exists before)
    ["Marta Díaz", "marta@example.com", "3001112233", "Medellín"],  # 13 created
]


def _people_total(tenant: str) -> int:
    """People on the brand's people index, counted one by one; the brand's counter must agree."""
    from skailan.crm.store.items import PersonItem, people_index_pk
    from skailan.crm.store.person_reads import people_total

    counted = PersonItem.gsi1.count(people_index_pk(tenant))
    assert people_total(tenant) == counted
    return counted


def _find(principal, q: str) -> list[dict]:
    reply = call(CRM, "GET", "/v1/contacts", principal=principal, query={"q": q})
    assert reply.status == 200, reply.body
    return reply.body["items"]


def test_import_summary_is_exact_with_duplicates_invalid_rows_blank_rows_and_latam_phones(demo):
    admin = demo["admin@demo.local"]
    # Given a person who already exists
    existing = call(CRM, "POST", "/v1/contacts", principal=admin,
                    body={"name": "Carlos R", "phone": "+57 310 987 6543", "tags": ["cliente"]})
    assert existing.status == 201, existing.body
    before = _people_total("demo")

    # When the file is imported with the suggested mapping
    job = imp.run(admin, imp.csv_bytes([HEADER, *ROWS]))

    # Then the summary is exact
    assert job["status"] == "completed", job
    assert job["summary"] == {"rows": 10, "people_total": before + 4, "unique": 5, "created": 4, "updated": 1,
                              "skipped": 0, "duplicates": 3, "invalid": 2, "update_policy": "fill_empty"}
    assert job["progress"] == {"rows_processed": 10, "rows_total": 10}
    assert job["mapping"] == {"Nombre": "name", "Correo": "email", "Celular": "phone", "Ciudad": "custom:city"}

    # And the phones are canonical and findable the Latin-American way
    (juan,) = _find(admin, "+5215512345678")
    assert juan["phone"] == "+525512345678" and juan["name"] == "Juan Méndez"
    (lucia,) = _find(admin, "+54 11 2345 6789")  # the AR line without the mobile 9 finds the mobile
    assert lucia["phone"] == "+5491123456789" and lucia["custom"] == {"city": "Buenos Aires"}
    (carlos,) = _find(admin, "carlos@example.com")
    assert carlos["id"] == existing.body["id"] and carlos["name"] == "Carlos R"  # fill_empty: not renamed
    assert carlos["tags"] == ["cliente"] and carlos["custom"] == {"city": "Cali"}

    # And every problem row is in the errors CSV with its reason and original cells
    errors = imp.errors_csv(job["errors_url"])
    assert [(e["row"], e["kind"]) for e in errors] == [("5", "duplicate"), ("7", "duplicate"), ("8", "invalid"),
                                                        ("9", "invalid"), ("10", "duplicate")]
    assert errors[0]["reason_es"] == "Duplicado de la fila 4 (mismo celular)"
    assert errors[4]["Correo"] == "ANA@EXAMPLE.COM"


def test_headers_and_suggested_mapping_show_once_uploaded(demo):
    admin = demo["admin@demo.local"]
    created = imp.create(admin, "clientes.csv")
    job = imp.get(admin, created.body["id"]).body
    assert job["status"] == "pending" and job["uploaded"] is False and job["headers"] is None

    imp.upload(created.body["upload_url"], "Nombre completo;E-mail;Teléfono móvil;Cargo\nAna;a@b.co;3001234567;CEO\n"
               .encode("cp1252"))
    job = imp.get(admin, created.body["id"]).body
    assert job["uploaded"] is True
    assert job["headers"] == ["Nombre completo", "E-mail", "Teléfono móvil", "Cargo"]
    assert job["suggested_mapping"] == {"Nombre completo": "name", "E-mail": "email", "Teléfono móvil": "phone",
                                        "Cargo": None}
    assert job["summary"]["rows"] == 0 and job["errors_url"] is None


def test_custom_columns_new_list_and_owner(demo):
    admin = demo["admin@demo.local"]
    agent = demo["agent1@demo.local"]
    content = imp.csv_bytes([["Nombre", "Correo", "Tipo de cliente", "Ignorada"],
                             ["Rosa Vélez", "rosa@example.com", "Mayorista", "x"],
                             ["Hugo Paz", "hugo@example.com", "Minorista", "y"]])
    job = imp.run(admin, content, mapping={"Nombre": "name", "Correo": "email",
                                           "Tipo de cliente": "custom:tipo_cliente", "Ignorada": None},
                  target={"kind": "new_list", "name": "Feria 2026"}, owner_id=agent.sub)
    assert job["status"] == "completed", job
    assert job["summary"]["created"] == 2

    fields = call(CRM, "GET", "/v1/crm/fields", principal=admin).body["items"]
    assert {"key": "tipo_cliente", "label": "Tipo de cliente", "type": "short_text"}.items() <= next(
        f for f in fields if f["key"] == "tipo_cliente").items()
    (rosa,) = _find(admin, "rosa@example.com")
    assert rosa["custom"] == {"tipo_cliente": "Mayorista"} and rosa["owner_id"] == agent.sub

    the_list = call(CRM, "GET", f"/v1/crm/lists/{job['list_id']}", principal=admin)
    assert the_list.status == 200 and the_list.body["name"] == "Feria 2026" and the_list.body["count"] == 2
    members = call(CRM, "GET", "/v1/contacts", principal=admin, query={"list_id": job["list_id"]}).body["items"]
    assert {m["email"] for m in members} == {"rosa@example.com", "hugo@example.com"}


def test_existing_list_gets_created_and_updated_people_once(demo):
    admin = demo["admin@demo.local"]
    the_list = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "VIP"})
    assert the_list.status == 201, the_list.body
    list_id = the_list.body["id"]
    first = imp.run(admin, imp.csv_bytes([["Nombre", "Correo"], ["Eva Sol", "eva@example.com"]]),
                    target={"kind": "existing_list", "list_id": list_id})
    assert first["summary"]["created"] == 1
    # the same person again plus a new one: the list counts each person once
    second = imp.run(admin, imp.csv_bytes([["Nombre", "Correo"], ["Eva Sol", "eva@example.com"],
                                           ["Iván Mar", "ivan@example.com"]]),
                     target={"kind": "existing_list", "list_id": list_id})
    assert (second["summary"]["created"], second["summary"]["updated"]) == (1, 1)
    assert call(CRM, "GET", f"/v1/crm/lists/{list_id}", principal=admin).body["count"] == 2


def test_a_crash_mid_way_resumes_without_duplicates_and_with_an_exact_summary(demo):
    from skailan.crm.capture.imports import worker as import_jobs

    admin = demo["admin@demo.local"]
    rows = [["Nombre", "Correo", "Celular"]]
    for i in range(40):
        rows.append([f"Persona {i}", f"p{i}@crash.example", f"+57 301 000 {i:04d}"])
        if i % 10 == 9:
            rows.append([f"Repetida {i}", f"P{i}@CRASH.EXAMPLE", ""])  # a duplicate every ten rows
    rows.append(["", "", "+57 1"])  # invalid
    before = _people_total("demo")
    created = imp.create(admin, "crash.csv")
    imp.upload(created.body["upload_url"], imp.csv_bytes(rows))
    assert imp.start(admin, created.body["id"]).status == 202
    imp.purge()  # the test drives the worker itself
    import_id = created.body["id"]

    # When the worker dies after 23 rows, past its last checkpoint (every 10 rows)
    with pytest.raises(import_jobs.SimulatedCrash):
        import_jobs.run_import("demo", import_id, checkpoint_rows=10, crash_after_rows=23)
    job = imp.get(admin, import_id).body
    assert job["status"] == "running" and job["progress"]["rows_processed"] == 20
    # its lease is still held: a second worker stays away until it expires
    assert import_jobs.run_import("demo", import_id) == "busy"
    _expire_lease("demo", import_id)

    # Then the next run resumes from the checkpoint and finishes
    assert import_jobs.run_import("demo", import_id, checkpoint_rows=10) == "completed"
    job = imp.get(admin, import_id).body
    assert job["summary"] == {"rows": 45, "people_total": before + 40, "unique": 40, "created": 40, "updated": 0,
                              "skipped": 0, "duplicates": 4, "invalid": 1, "update_policy": "fill_empty"}
    assert _people_total("demo") == before + 40
    for i in (19, 20, 21, 22):  # rows written by the crashed run and replayed
        (person,) = _find(admin, f"p{i}@crash.example")
        assert person["name"] == f"Persona {i}"
    assert [e["kind"] for e in imp.errors_csv(job["errors_url"])] == ["duplicate"] * 4 + ["invalid"]


def test_an_exception_releases_the_lease_and_the_retry_resumes(demo, monkeypatch):
    from skailan.crm.capture.imports import worker as import_jobs

    admin = demo["admin@demo.local"]
    rows = [["Nombre", "Correo"]] + [[f"Flaky {i}", f"flaky{i}@example.com"] for i in range(30)]
    created = imp.create(admin, "flaky.csv")
    imp.upload(created.body["upload_url"], imp.csv_bytes(rows))
    imp.start(admin, created.body["id"])
    calls = {"n": 0}
    real_flush = import_jobs._flush

    def failing_flush(run, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("DynamoDB is having a bad day")
        return real_flush(run, batch)

    monkeypatch.setattr(import_jobs, "_flush", failing_flush)
    monkeypatch.setattr(import_jobs, "FLUSH_SIZE", 5)
    results = imp.drain(max_rounds=1)  # the first delivery fails: SQS will redeliver
    assert results[0]["batchItemFailures"]
    monkeypatch.setattr(import_jobs, "_flush", real_flush)
    imp.drain()
    job = imp.get(admin, created.body["id"]).body
    assert job["status"] == "completed" and job["summary"]["created"] == 30


def test_a_run_near_the_time_limit_queues_its_continuation(demo):
    from skailan.crm.capture.imports import worker as import_jobs

    admin = demo["admin@demo.local"]
    rows = [["Nombre", "Correo"]] + [[f"Largo {i}", f"largo{i}@example.com"] for i in range(25)]
    created = imp.create(admin, "largo.csv")
    imp.upload(created.body["upload_url"], imp.csv_bytes(rows))
    imp.start(admin, created.body["id"])
    imp.purge()
    outcome = import_jobs.run_import("demo", created.body["id"], checkpoint_rows=10, remaining_ms=lambda: 1_000)
    assert outcome == "continued"
    assert imp.get(admin, created.body["id"]).body["progress"]["rows_processed"] == 10
    imp.drain()  # the continuation message
    job = imp.get(admin, created.body["id"]).body
    assert job["status"] == "completed" and job["summary"]["created"] == 25


def _expire_lease(tenant: str, import_id: str) -> None:
    from skailan.crm.store.sales_items import IMPORT, ImportJobItem, imports_pk

    job = ImportJobItem.get(imports_pk(tenant), IMPORT + import_id)
    job.update(actions=[ImportJobItem.lease_until.set(1)])


# ---------------------------------------------------------------- files that cannot be imported


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refused(admin, filename: str, content: bytes, reason: str) -> dict:
    before = _people_total("demo")
    created = imp.create(admin, filename)
    imp.upload(created.body["upload_url"], content)
    started = imp.start(admin, created.body["id"])
    assert started.status == 422, started.body
    assert started.body["error"]["details"]["reason"] == reason
    job = imp.get(admin, created.body["id"]).body
    assert job["status"] == "failed" and job["error"]["code"] == reason
    assert " / " in job["error"]["message"]  # Spanish / English
    assert _people_total("demo") == before
    assert imp.start(admin, created.body["id"]).status == 409
    return job


def _failed_in_worker(admin, filename: str, content: bytes, reason: str) -> dict:
    before = _people_total("demo")
    created = imp.create(admin, filename)
    imp.upload(created.body["upload_url"], content)
    assert imp.start(admin, created.body["id"]).status == 202
    imp.drain()
    job = imp.get(admin, created.body["id"]).body
    assert job["status"] == "failed" and job["error"]["code"] == reason, job
    assert _people_total("demo") == before
    return job


def test_two_sheets_are_refused_at_start(demo):
    content = _xlsx({"Hoja1": [["Nombre", "Correo"], ["Ana", "a@x.co"]], "Hoja2": [["x"]]})
    job = _refused(demo["admin@demo.local"], "dos.xlsx", content, "not_one_sheet")
    assert "una sola hoja" in job["error"]["message_es"]


def test_an_empty_file_is_refused_at_start(demo):
    _refused(demo["admin@demo.local"], "vacio.csv", b"", "empty_file")


def test_a_file_over_50_mb_is_refused_at_start(demo):
    content = b"Nombre,Correo\n" + b"x" * (50 * 1024 * 1024)
    job = _refused(demo["admin@demo.local"], "enorme.csv", content, "file_too_large")
    assert "50 MB" in job["error"]["message"]


def test_broken_encoding_early_is_refused_at_start(demo):
    content = "Nombre,Correo\nJosé,jose@x.co\n".encode() + "Ñoño,n@x.co\n".encode("cp1252")
    _refused(demo["admin@demo.local"], "roto.csv", content, "mixed_encoding")


def test_broken_encoding_late_fails_in_the_worker_before_anyone_is_created(demo):
    good = "".join(f"Persona {i},p{i}@late.example\n" for i in range(20_000)).encode()
    content = b"Nombre,Correo\n" + good + "Ñoño,n@x.co\n".encode("cp1252") + "José,j@x.co\n".encode()
    job = _failed_in_worker(demo["admin@demo.local"], "tarde.csv", content, "mixed_encoding")
    assert "UTF-8" in job["error"]["message"]


def test_a_formula_fails_in_the_worker_naming_the_cell(demo):
    content = _xlsx({"Personas": [["Nombre", "Correo"], ["Ana", "ana@formula.example"], ["=A2", "b@formula.example"]]})
    job = _failed_in_worker(demo["admin@demo.local"], "formulas.xlsx", content, "formula")
    assert "A3" in job["error"]["message"]


def test_xlsx_imports(demo):
    admin = demo["admin@demo.local"]
    content = _xlsx({"Personas": [["Nombre", "Celular", "Correo"], ["Tomás Ríos", 3005556677, "tomas@xlsx.example"],
                                  [None, None, None], ["Sara Luz", "+52 1 81 1234 5678", None]]})
    job = imp.run(admin, content, filename="base.xlsx")
    assert job["status"] == "completed", job
    assert job["summary"]["created"] == 2 and job["summary"]["rows"] == 2
    (tomas,) = _find(admin, "tomas@xlsx.example")
    assert tomas["phone"] == "+573005556677"


# ---------------------------------------------------------------- validation, permissions, tenants


@pytest.mark.parametrize(("body", "field"), [
    ({"filename": "a.csv", "target": {"kind": "existing_list"}}, "target.list_id"),
    ({"filename": "a.csv", "target": {"kind": "existing_list", "list_id": "nope"}}, "target.list_id"),
    ({"filename": "a.csv", "target": {"kind": "new_list"}}, "target.name"),
    ({"filename": "a.csv", "owner_id": "not-a-member"}, "owner_id"),
    ({"filename": "a.xls"}, "filename"),
    ({"filename": "a.pdf"}, "filename"),
    ({"filename": "a.csv", "target": {"kind": "sideways"}}, "target.kind"),
    ({"filename": "a.csv", "tenant_id": "acme"}, "tenant_id"),
])
def test_bad_import_requests_name_the_field(demo, body, field):
    reply = call(SALES, "POST", "/v1/imports", principal=demo["admin@demo.local"], body=body)
    assert reply.status == 422, reply.body
    assert field in [d["field"] for d in reply.body["error"]["details"]]


def test_bad_mappings_name_the_column_and_write_nothing(demo):
    admin = demo["admin@demo.local"]
    created = imp.create(admin)
    imp.upload(created.body["upload_url"], imp.csv_bytes([["Nombre", "Correo", "Extra"], ["Ana", "a@x.co", "1"]]))
    import_id = created.body["id"]
    cases = [
        ({"Nombre": "name", "Correo": "salary"}, "unknown_target"),
        ({"Nombre": "name", "Correo": "email", "Extra": "custom:Not A Key"}, "invalid_custom_key"),
        ({"Nombre": "name", "Extra": "custom:extra_field"}, "missing_contact"),
        ({"Nombre": "name", "Correo": "email", "Nope": "phone"}, "unknown_header"),
        ({"Nombre": "email", "Correo": "email"}, "duplicate_target"),
    ]
    for mapping, code in cases:
        reply = imp.start(admin, import_id, mapping)
        assert reply.status == 422, (mapping, reply.body)
        assert code in [d["error"] for d in reply.body["error"]["details"]], reply.body
        assert all(d["field"] == "mapping" for d in reply.body["error"]["details"])
    fields = call(CRM, "GET", "/v1/crm/fields", principal=admin).body["items"]
    assert "extra_field" not in {f["key"] for f in fields}
    assert imp.get(admin, import_id).body["status"] == "pending"


def test_start_needs_the_file_and_happens_once(demo):
    admin = demo["admin@demo.local"]
    created = imp.create(admin)
    early = imp.start(admin, created.body["id"])
    assert early.status == 409 and early.body["error"]["code"] == "file_not_uploaded"
    imp.upload(created.body["upload_url"], imp.csv_bytes([["Nombre", "Correo"], ["Ana Once", "once@example.com"]]))
    assert imp.start(admin, created.body["id"]).status == 202
    again = imp.start(admin, created.body["id"])
    assert again.status == 409 and again.body["error"]["code"] == "import_already_started"
    imp.drain()


def test_permissions_edit_to_import_view_to_read(demo):
    operator, agent = demo["operator@demo.local"], demo["agent1@demo.local"]
    denied = imp.create(operator)
    assert denied.status == 403 and denied.body["error"]["details"] == {"required": "contacts:edit"}
    allowed = imp.create(agent)
    assert allowed.status == 201
    assert imp.get(operator, allowed.body["id"]).status == 200
    assert imp.start(operator, allowed.body["id"]).status == 403
    listed = call(SALES, "GET", "/v1/imports", principal=operator)
    assert listed.status == 200 and allowed.body["id"] in [i["id"] for i in listed.body["items"]]


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/start")])
def test_another_brands_import_is_not_found(demo, method, suffix):
    created = imp.create(demo["admin@demo.local"])
    reply = call(SALES, method, f"/v1/imports/{created.body['id']}{suffix}", principal=demo["admin@acme.local"],
                 body={} if method == "POST" else None)
    assert reply.status == 404 and reply.body["error"]["code"] == "import_not_found"
    assert created.body["id"] not in [i["id"] for i in call(SALES, "GET", "/v1/imports",
                                                            principal=demo["admin@acme.local"]).body["items"]]


def test_requests_per_created_person_stay_under_two(demo, monkeypatch):
    """DynamoDB requests of a whole import run (matching, writing, checkpoints, job updates)."""
    import botocore.client

    admin = demo["admin@demo.local"]
    rows = [["Nombre", "Correo", "Celular", "Etiquetas"]]
    rows += [[f"Cliente {i} Apellido", f"c{i}@count.example", f"+57 320 {i:07d}", "feria, 2026"] for i in range(500)]
    created = imp.create(admin, "conteo.csv")
    imp.upload(created.body["upload_url"], imp.csv_bytes(rows))
    imp.start(admin, created.body["id"])
    counts = {"dynamodb": 0}
    real = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            counts["dynamodb"] += 1
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    imp.drain()
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", real)
    job = imp.get(admin, created.body["id"]).body
    assert job["summary"]["created"] == 500
    per_person = counts["dynamodb"] / 500
    print(f"dynamodb requests per created person: {per_person:.3f}")
    assert per_person <= 2


def test_rows_matching_two_people_update_the_e_mail_owner_and_warn(demo):
    admin = demo["admin@demo.local"]
    by_mail = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": "Por Correo", "email": "dos@match.example"})
    by_phone = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": "Por Celular", "phone": "3157778899"})
    job = imp.run(admin, imp.csv_bytes([
        ["Nombre", "Correo", "Celular", "Etiquetas"],
        ["Correo Nuevo", "dos@match.example", "315 777 8899", "a"],  # e-mail of one, phone of the other
        ["Celular Nuevo", "otro@match.example", "+57 315 777 8899", "b"],  # in-file duplicate (same phone)
        ["Tercero", "tres@match.example", "3001239999", "c"],
    ]), update_policy="overwrite")
    assert job["summary"] | {"people_total": 0} == {"rows": 3, "people_total": 0, "unique": 2, "created": 1,
                                                     "updated": 1, "skipped": 0, "duplicates": 1, "invalid": 0,
                                                     "update_policy": "overwrite"}
    person = call(CRM, "GET", f"/v1/contacts/{by_mail.body['id']}", principal=admin).body
    assert person["name"] == "Correo Nuevo" and person["phone"] is None and person["tags"] == ["a"]
    assert call(CRM, "GET", f"/v1/contacts/{by_phone.body['id']}", principal=admin).body["name"] == "Por Celular"
    rows = imp.errors_csv(job["errors_url"])
    assert [(r["row"], r["kind"]) for r in rows] == [("2", "warning"), ("3", "duplicate")]
    assert "otra persona" in rows[0]["reason_es"]


def test_update_policy_fill_empty_by_default_overwrite_and_skip(demo):
    """Issue 11 item 11: an import never renames people by surprise."""
    admin = demo["admin@demo.local"]
    ana = call(CRM, "POST", "/v1/contacts", principal=admin,
               body={"name": "Ana Original", "email": "ana.policy@example.com"}).body
    beto = call(CRM, "POST", "/v1/contacts", principal=admin,
                body={"name": "Beto Original", "email": "beto.policy@example.com", "phone": "3051112299"}).body
    header = ["Nombre", "Correo", "Celular", "Ciudad"]

    def person(pid: str) -> dict:
        return call(CRM, "GET", f"/v1/contacts/{pid}", principal=admin).body

    # default: only empty fields are filled
    job = imp.run(admin, imp.csv_bytes([header, ["Ana Cambiada", "ana.policy@example.com", "3059998877", "Cali"],
                                        ["Beto Nuevo", "beto.otro@example.com", "305 111 2299", "Pasto"]]))
    assert job["status"] == "completed", job
    assert job["update_policy"] == "fill_empty" and job["summary"]["update_policy"] == "fill_empty"
    assert (job["summary"]["updated"], job["summary"]["created"], job["summary"]["skipped"]) == (2, 0, 0)
    after = person(ana["id"])
    assert after["name"] == "Ana Original"  # not renamed
    assert after["phone"] == "+573059998877" and after["custom"]["city"] == "Cali"  # empty fields filled
    after = person(beto["id"])
    assert after["name"] == "Beto Original" and after["email"] == "beto.policy@example.com"  # kept
    assert after["custom"]["city"] == "Pasto"

    # overwrite: the file's values win
    job = imp.run(admin, imp.csv_bytes([header, ["Ana Cambiada", "ana.policy@example.com", "", "Medellín"]]),
                  update_policy="overwrite")
    assert job["summary"]["update_policy"] == "overwrite" and job["summary"]["updated"] == 1
    after = person(ana["id"])
    assert after["name"] == "Ana Cambiada" and after["custom"]["city"] == "Medellín"
    assert after["phone"] == "+573059998877"  # a blank cell never erases

    # skip: matched people stay exactly as they are; new ones are created
    before = person(ana["id"])
    job = imp.run(admin, imp.csv_bytes([header, ["Ana Tercera", "ana.policy@example.com", "", "Quito"],
                                        ["Nueva Persona", "nueva.policy@example.com", "", ""]]),
                  update_policy="skip")
    assert job["summary"]["update_policy"] == "skip"
    assert (job["summary"]["skipped"], job["summary"]["updated"], job["summary"]["created"]) == (1, 0, 1)
    assert person(ana["id"]) == before


def test_a_bad_update_policy_is_refused_and_the_import_can_still_start(demo):
    admin = demo["admin@demo.local"]
    created = imp.create(admin)
    imp.upload(created.body["upload_url"], imp.csv_bytes([["Nombre", "Correo"], ["Pol Icy", "pol@example.com"]]))
    for policy in ("replace", None, 3):
        refused = call(SALES, "POST", f"/v1/imports/{created.body['id']}/start", principal=admin,
                       body={"update_policy": policy})
        assert refused.status == 422, refused.body
        assert "update_policy" in [d["field"] for d in refused.body["error"]["details"]]
    assert imp.get(admin, created.body["id"]).body["status"] == "pending"
    assert imp.start(admin, created.body["id"], update_policy="overwrite").status == 202
    assert imp.get(admin, created.body["id"]).body["update_policy"] == "overwrite"
