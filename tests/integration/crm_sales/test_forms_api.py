"""Lead-capture forms: definitions, the embed snippet and the public submit, through the real handlers."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest

from tests.support import call, http_event, invoke

CRM = "api/crm"
SALES = "api/sales"
PUBLIC = "api/public_forms"


def submit(form_id: str, body, *, ip: str = "190.24.10.7", form_encoded: bool = False, unrouted_ok: bool = False):
    event = http_event("POST", f"/public/forms/{form_id}")
    event["requestContext"]["http"]["sourceIp"] = ip
    event["pathParameters"] = {"form_id": form_id}
    if form_encoded:
        event["headers"]["content-type"] = "application/x-www-form-urlencoded"
        event["body"] = base64.b64encode(urlencode(body).encode()).decode()
        event["isBase64Encoded"] = True
    else:
        event["body"] = body if isinstance(body, str) else __import__("json").dumps(body)
    return invoke(PUBLIC, event, unrouted_ok=unrouted_ok)


def _find(principal, q: str) -> list[dict]:
    return call(CRM, "GET", "/v1/contacts", principal=principal, query={"q": q}).body["items"]


@pytest.fixture(scope="module")
def setup(demo):
    admin = demo["admin@demo.local"]
    field = call(CRM, "POST", "/v1/crm/fields", principal=admin,
                 body={"key": "interes", "label": "Interés", "type": "dropdown", "options": ["Compra", "Alquiler"]})
    assert field.status == 201, field.body
    the_list = call(CRM, "POST", "/v1/crm/lists", principal=admin, body={"name": "Leads web"})
    form = call(SALES, "POST", "/v1/forms", principal=admin, body={
        "name": "Contacto web",
        "fields": [{"key": "name", "label": "Tu nombre"}, {"key": "phone"}, {"key": "email"},
                   {"key": "custom:interes", "required": True}],
        "consent_text": "Acepto la política de tratamiento de datos",
        "success_message": "¡Gracias! Te llamamos pronto.",
        "tags": ["web", "formulario"],
        "list_id": the_list.body["id"],
        "owner_id": demo["agent1@demo.local"].sub,
    })
    assert form.status == 201, form.body
    return {"admin": admin, "form": form.body, "list_id": the_list.body["id"], "demo": demo}


def test_a_form_has_its_fields_and_a_public_submit_url(setup):
    form = setup["form"]
    assert [(f["key"], f["type"], f["required"]) for f in form["fields"]] == [
        ("name", "text", True), ("phone", "tel", False), ("email", "email", False),
        ("custom:interes", "select", True)]
    assert form["fields"][3]["options"] == ["Compra", "Alquiler"] and form["fields"][3]["label"] == "Interés"
    assert form["submit_url"] == f"http://127.0.0.1:3000/public/forms/{form['id']}"
    assert form["active"] is True and form["submissions"] == 0


def test_the_embed_snippet_posts_to_the_public_url_and_escapes_labels(setup):
    admin = setup["admin"]
    form_id = setup["form"]["id"]
    call(SALES, "PATCH", f"/v1/forms/{form_id}", principal=admin,
         body={"description": "<script>alert(1)</script> Escríbenos"})
    embed = call(SALES, "GET", f"/v1/forms/{form_id}/embed", principal=admin)
    assert embed.status == 200
    snippet = embed.body["snippet"]
    assert f'id="skailan-form-{form_id}"' in snippet
    assert 'name="name"' in snippet and 'name="phone"' in snippet and 'name="email"' in snippet
    assert 'name="custom:interes"' in snippet and '<option value="Alquiler">' in snippet
    assert 'name="website"' in snippet and 'tabindex="-1"' in snippet  # the honeypot
    assert 'name="consent"' in snippet and "Acepto la política" in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet and "<script>alert(1)" not in snippet
    assert embed.body["submit_url"] in embed.body["script"] and "fetch(" in embed.body["script"]
    assert snippet.count("<script>") == 1


def test_a_submission_creates_the_person_with_tags_list_owner_and_consent(setup):
    admin, form = setup["admin"], setup["form"]
    reply = submit(form["id"], {"name": "Laura Gómez", "email": "Laura@Example.com", "phone": "300 555 1234",
                                "custom:interes": "alquiler", "consent": True, "website": "",
                                "page_url": "https://tienda.example/contacto", "utm_source": "google",
                                "tenant_id": "acme"})
    assert reply.status == 201, reply.body
    assert reply.body == {"ok": True, "message": "¡Gracias! Te llamamos pronto.", "redirect_url": None}
    (laura,) = _find(admin, "laura@example.com")
    assert laura["phone"] == "+573005551234" and laura["custom"] == {"interes": "Alquiler"}
    assert laura["tags"] == ["web", "formulario"] and laura["owner_id"] == setup["demo"]["agent1@demo.local"].sub
    members = call(CRM, "GET", "/v1/contacts", principal=admin, query={"list_id": setup["list_id"]}).body["items"]
    assert laura["id"] in [m["id"] for m in members]
    submissions = call(SALES, "GET", f"/v1/forms/{form['id']}/submissions", principal=admin).body["items"]
    assert submissions[0]["person_id"] == laura["id"] and submissions[0]["created_person"] is True
    assert submissions[0]["consent"]["text"] == "Acepto la política de tratamiento de datos"
    assert submissions[0]["values"]["utm_source"] == "google"
    timeline = call(CRM, "GET", f"/v1/contacts/{laura['id']}/timeline", principal=admin).body["items"]
    assert "form_submitted" in [t["kind"] for t in timeline]
    assert call(SALES, "GET", f"/v1/forms/{form['id']}", principal=admin).body["submissions"] >= 1
    # the tenant came from the form, not the body
    assert _find(setup["demo"]["admin@acme.local"], "laura@example.com") == []


def test_a_second_submission_updates_the_same_person_without_replacing_identities(setup):
    admin, form = setup["admin"], setup["form"]
    first = submit(form["id"], {"name": "Mario Paz", "email": "mario@example.com", "custom:interes": "Compra",
                                "consent": "on"})
    assert first.status == 201, first.body
    second = submit(form["id"], {"name": "Otro Nombre", "email": "MARIO@example.com", "phone": "+57 311 222 3344",
                                 "custom:interes": "Alquiler", "consent": "true"})
    assert second.status == 201, second.body
    (mario,) = _find(admin, "mario@example.com")
    assert mario["name"] == "Mario Paz"  # a public form never renames someone
    assert mario["phone"] == "+573112223344"  # but fills what was missing
    assert mario["custom"] == {"interes": "Alquiler"}
    assert _find(admin, "+573112223344")[0]["id"] == mario["id"]


@pytest.mark.parametrize(("body", "fields"), [
    ({"email": "a@b.co", "custom:interes": "Compra", "consent": True}, ["name"]),
    ({"name": "Ana", "email": "no-es-correo", "custom:interes": "Compra", "consent": True}, ["email"]),
    ({"name": "Ana", "custom:interes": "Compra", "consent": True}, ["phone", "email"]),
    ({"name": "Ana", "phone": "12", "custom:interes": "Compra", "consent": True}, ["phone"]),
    ({"name": "Ana", "email": "a@b.co", "custom:interes": "Compra"}, ["consent"]),
    ({"name": "Ana", "email": "a@b.co", "custom:interes": "Venta", "consent": True}, ["custom:interes"]),
    ({"name": "Ana", "email": "a@b.co", "consent": True}, ["custom:interes"]),
    ({"name": ["Ana"], "email": "a@b.co", "custom:interes": "Compra", "consent": True}, ["name"]),
])
def test_invalid_submissions_name_each_field_and_write_nothing(setup, body, fields):
    admin, form = setup["admin"], setup["form"]
    before = call(SALES, "GET", f"/v1/forms/{form['id']}", principal=admin).body["submissions"]
    reply = submit(form["id"], body, ip="10.0.0.1")
    assert reply.status == 422, reply.body
    assert sorted({d["field"] for d in reply.body["error"]["details"]}) == sorted(fields)
    assert call(SALES, "GET", f"/v1/forms/{form['id']}", principal=admin).body["submissions"] == before


def test_malformed_bodies_are_4xx(setup):
    assert submit(setup["form"]["id"], "{not json", ip="10.0.0.2").status == 422
    assert submit(setup["form"]["id"], "[1, 2]", ip="10.0.0.2").status == 422


def test_the_honeypot_answers_like_success_and_writes_nothing(setup):
    admin, form = setup["admin"], setup["form"]
    before = call(SALES, "GET", f"/v1/forms/{form['id']}", principal=admin).body["submissions"]
    reply = submit(form["id"], {"name": "Bot", "email": "bot@spam.example", "custom:interes": "Compra",
                                "consent": True, "website": "http://spam.example"}, ip="10.0.0.3")
    assert reply.status == 201 and reply.body["ok"] is True
    assert _find(admin, "bot@spam.example") == []
    assert call(SALES, "GET", f"/v1/forms/{form['id']}", principal=admin).body["submissions"] == before


def test_rate_limit_per_ip_and_form(setup):
    form_id = setup["form"]["id"]
    for _ in range(10):
        assert submit(form_id, {"name": ""}, ip="10.9.9.9").status == 422
    limited = submit(form_id, {"name": ""}, ip="10.9.9.9")
    assert limited.status == 429 and limited.body["error"]["code"] == "rate_limited"
    assert limited.body["error"]["details"]["retry_after"] > 0
    assert submit(form_id, {"name": ""}, ip="10.9.9.10").status == 422  # another address is not limited


def test_an_html_form_post_without_javascript_redirects(setup):
    admin = setup["admin"]
    form = call(SALES, "POST", "/v1/forms", principal=admin, body={
        "name": "Sin JS", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}],
        "redirect_url": "https://tienda.example/gracias"}).body
    reply = submit(form["id"], {"name": "Pablo Sin JS", "email": "pablo@example.com"}, form_encoded=True,
                   ip="10.0.0.4")
    assert reply.status == 303 and reply.headers["Location"] == "https://tienda.example/gracias"
    assert _find(admin, "pablo@example.com")[0]["name"] == "Pablo Sin JS"


def test_unknown_inactive_and_deleted_forms_are_not_found(setup):
    admin = setup["admin"]
    assert submit("01JNOSUCHFORM0000000000000", {"name": "x"}).status == 404
    assert submit("../../etc/passwd", {"name": "x"}, unrouted_ok=True).status == 404
    form = call(SALES, "POST", "/v1/forms", principal=admin, body={
        "name": "Temporal", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}]}).body
    call(SALES, "PATCH", f"/v1/forms/{form['id']}", principal=admin, body={"active": False})
    assert submit(form["id"], {"name": "Ana", "email": "inactive@example.com"}, ip="10.0.0.5").status == 404
    call(SALES, "PATCH", f"/v1/forms/{form['id']}", principal=admin, body={"active": True})
    assert submit(form["id"], {"name": "Ana", "email": "active@example.com"}, ip="10.0.0.5").status == 201
    assert call(SALES, "DELETE", f"/v1/forms/{form['id']}", principal=admin).status == 204
    assert submit(form["id"], {"name": "Ana", "email": "deleted@example.com"}, ip="10.0.0.5").status == 404
    assert call(SALES, "GET", f"/v1/forms/{form['id']}", principal=admin).status == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "F", "fields": [{"key": "name"}, {"key": "email"}, {"key": "custom:interes"}]}, "fields"),
    ({"name": "F", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}, {"key": "custom:nope"}]},
     "fields[3].key"),
    ({"name": "F", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}, {"key": "phone"}]},
     "fields[3].key"),
    ({"name": "F", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "age"}]}, "fields.2.key"),
    ({"name": "F", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}],
      "redirect_url": "javascript:alert(1)"}, "redirect_url"),
    ({"name": "F", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}], "list_id": "nope"}, "list_id"),
    ({"name": "F", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}], "owner_id": "nope"},
     "owner_id"),
    ({"fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}]}, "name"),
])
def test_bad_form_definitions_name_the_field(setup, body, field):
    reply = call(SALES, "POST", "/v1/forms", principal=setup["admin"], body=body)
    assert reply.status == 422, reply.body
    assert field in [d["field"] for d in reply.body["error"]["details"]]


def test_permissions_edit_to_manage_view_to_read(setup):
    demo = setup["demo"]
    operator = demo["operator@demo.local"]
    body = {"name": "Op", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}]}
    assert call(SALES, "POST", "/v1/forms", principal=operator, body=body).status == 403
    assert call(SALES, "GET", f"/v1/forms/{setup['form']['id']}", principal=operator).status == 200
    assert call(SALES, "POST", "/v1/forms", principal=demo["agent1@demo.local"], body=body).status == 201


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("GET", "", None), ("PATCH", "", {"name": "Robado"}), ("DELETE", "", None), ("GET", "/embed", None),
    ("GET", "/submissions", None),
])
def test_another_brands_form_is_not_found(setup, method, suffix, body):
    reply = call(SALES, method, f"/v1/forms/{setup['form']['id']}{suffix}",
                 principal=setup["demo"]["admin@acme.local"], body=body)
    assert reply.status == 404 and reply.body["error"]["code"] == "form_not_found"
    assert call(SALES, "GET", f"/v1/forms/{setup['form']['id']}", principal=setup["admin"]).body["name"] != "Robado"


def test_the_sample_event_reaches_the_handler(setup):
    from tests.support import sample_event

    reply = invoke(PUBLIC, sample_event("PublicFormsFunction", "submit"))
    assert reply.status == 404 and reply.body["error"]["code"] == "form_not_found"
