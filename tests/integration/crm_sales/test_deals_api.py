"""Pipelines and deals: stages, money as exact decimals, moves as events, the board by stage with
totals and conversion rates, through the real CRM handler."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support import call

CRM = "api/crm"
SALES = "api/sales"


@pytest.fixture
def events(monkeypatch):
    """The CRM's events as handed to the contacts table's outbox (in a write's transaction or
    alone), in order."""
    from skailan.platform import outbox
    from skailan.platform.settings import get_settings

    published = []
    real = outbox.items

    def capture(batch, table_name):
        batch = list(batch)
        if table_name == get_settings().contacts_table:
            published.extend(batch)
        return real(batch, table_name)

    monkeypatch.setattr(outbox, "items", capture)
    return published


@pytest.fixture(scope="module")
def pipeline(demo):
    admin = demo["admin@demo.local"]
    reply = call(SALES, "POST", "/v1/pipelines", principal=admin, body={
        "name": "Mayoristas",
        "stages": [{"name": "Contacto", "probability": 10}, {"id": "demo", "name": "Demostración", "probability": 40},
                   {"name": "Cierre", "probability": 80}, {"name": "Ganado", "probability": 100, "outcome": "won"},
                   {"name": "Perdido", "outcome": "lost"}]})
    assert reply.status == 201, reply.body
    return reply.body


def test_a_brand_starts_with_a_default_pipeline(demo):
    reply = call(SALES, "GET", "/v1/pipelines", principal=demo["admin@demo.local"])
    assert reply.status == 200
    default = reply.body["items"][0]
    assert default["is_default"] is True and default["name"] == "Ventas"
    assert [s["id"] for s in default["stages"]] == ["nuevo", "calificado", "propuesta", "negociacion", "ganado",
                                                    "perdido"]


def test_the_default_pipeline_its_board_and_its_deals_are_usable(demo):
    """Issue 11 item 1: the id "default" (it has an "l") passes the one id grammar everywhere."""
    admin = demo["admin@demo.local"]
    pipeline = call(SALES, "GET", "/v1/pipelines/default", principal=admin)
    assert pipeline.status == 200, pipeline.body
    assert pipeline.body["id"] == "default" and pipeline.body["name"] == "Ventas"
    deal = call(SALES, "POST", "/v1/deals", principal=admin, body={"title": "Por defecto", "amount": "10"}).body
    assert deal["pipeline_id"] == "default" and deal["stage_id"] == "nuevo"
    board = call(SALES, "GET", "/v1/pipelines/default/board", principal=admin)
    assert board.status == 200, board.body
    nuevo = next(c for c in board.body["columns"] if c["stage"]["id"] == "nuevo")
    assert deal["id"] in [d["id"] for d in nuevo["deals"]]
    moved = call(SALES, "PATCH", f"/v1/deals/{deal['id']}", principal=admin,
                 body={"stage_id": "calificado", "pipeline_id": "default"})
    assert moved.status == 200, moved.body
    assert moved.body["stage_id"] == "calificado"
    renamed = call(SALES, "PATCH", "/v1/pipelines/default", principal=admin, body={"name": "Ventas 2027"})
    assert renamed.status == 200 and renamed.body["name"] == "Ventas 2027"
    call(SALES, "PATCH", "/v1/pipelines/default", principal=admin, body={"name": "Ventas"})
    # another brand's default pipeline is its own; its deals are not visible here
    other = call(SALES, "GET", "/v1/pipelines/default/board", principal=demo["admin@acme.local"]).body
    assert deal["id"] not in [d["id"] for c in other["columns"] for d in c["deals"]]
    assert call(SALES, "PATCH", f"/v1/deals/{deal['id']}", principal=demo["admin@acme.local"],
                body={"stage_id": "calificado"}).status == 404


def test_stage_ids_are_slugs_in_board_order(pipeline):
    assert [(s["id"], s["position"], s["outcome"]) for s in pipeline["stages"]] == [
        ("contacto", 0, "open"), ("demo", 1, "open"), ("cierre", 2, "open"), ("ganado", 3, "won"),
        ("perdido", 4, "lost")]


def test_a_deal_keeps_money_exact_and_defaults_stage_owner_and_currency(demo, pipeline, events):
    admin = demo["admin@demo.local"]
    reply = call(SALES, "POST", "/v1/deals", principal=admin, body={
        "title": "Pedido 300 cajas", "amount": "1500000.50", "pipeline_id": pipeline["id"],
        "expected_close": "2026-12-15"})
    assert reply.status == 201, reply.body
    deal = reply.body
    assert Decimal(deal["amount"]) == Decimal("1500000.50") and deal["currency"] == "COP"
    assert deal["stage_id"] == "contacto" and deal["probability"] == 10 and deal["status"] == "open"
    assert Decimal(deal["weighted_amount"]) == Decimal("150000.05")
    assert deal["owner_id"] == admin.sub
    assert [e.type for e in events] == ["deal.created"]
    assert call(SALES, "GET", f"/v1/deals/{deal['id']}", principal=admin).body == deal


def test_moving_a_stage_emits_the_event_and_updates_the_board(demo, pipeline, events):
    admin = demo["admin@demo.local"]
    person = call(CRM, "POST", "/v1/contacts", principal=admin, body={"name": "Tienda El Sol", "phone": "3014445566"})
    deal = call(SALES, "POST", "/v1/deals", principal=admin, body={
        "title": "Vitrinas", "amount": 0.1, "currency": "USD", "pipeline_id": pipeline["id"],
        "person_id": person.body["id"]}).body
    events.clear()
    moved = call(SALES, "PATCH", f"/v1/deals/{deal['id']}", principal=admin, body={"stage_id": "cierre", "amount": "0.2"})
    assert moved.status == 200, moved.body
    assert moved.body["stage_id"] == "cierre" and moved.body["stage_name"] == "Cierre"
    assert [e.type for e in events] == ["deal.updated", "deal.stage_changed"]
    assert events[1].data["from_stage_id"] == "contacto" and events[1].data["to_stage_id"] == "cierre"

    won = call(SALES, "PATCH", f"/v1/deals/{deal['id']}", principal=admin, body={"stage_id": "ganado"})
    assert won.body["status"] == "won" and won.body["closed_at"]
    assert "deal.won" in [e.type for e in events]

    board = call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}/board", principal=admin).body
    won_column = next(c for c in board["columns"] if c["stage"]["id"] == "ganado")
    assert [d["id"] for d in won_column["deals"]] == [deal["id"]]
    assert won_column["totals"] == [{"currency": "USD", "count": 1, "amount": "0.2"}]
    timeline = call(CRM, "GET", f"/v1/contacts/{person.body['id']}/timeline", principal=admin).body["items"]
    assert {"deal_created", "deal_stage_changed"} <= {t["kind"] for t in timeline}
    by_person = call(SALES, "GET", "/v1/deals", principal=admin, query={"person_id": person.body["id"]}).body
    assert [d["id"] for d in by_person["items"]] == [deal["id"]]


def test_board_totals_and_conversion_rates(demo):
    admin = demo["admin@demo.local"]
    pipeline = call(SALES, "POST", "/v1/pipelines", principal=admin, body={
        "name": "Embudo conversión",
        "stages": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"},
                   {"id": "won", "name": "Ganado", "outcome": "won", "probability": 100},
                   {"id": "lost", "name": "Perdido", "outcome": "lost"}]}).body
    ids = [call(SALES, "POST", "/v1/deals", principal=admin,
                body={"title": f"D{i}", "amount": "100", "currency": "COP", "pipeline_id": pipeline["id"]}).body["id"]
           for i in range(4)]
    call(SALES, "PATCH", f"/v1/deals/{ids[0]}", principal=admin, body={"stage_id": "c"})
    call(SALES, "PATCH", f"/v1/deals/{ids[1]}", principal=admin, body={"stage_id": "b"})
    call(SALES, "PATCH", f"/v1/deals/{ids[0]}", principal=admin, body={"stage_id": "won"})
    call(SALES, "PATCH", f"/v1/deals/{ids[2]}", principal=admin, body={"stage_id": "lost"})
    call(SALES, "PATCH", f"/v1/deals/{ids[1]}", principal=admin, body={"stage_id": "a"})  # back: reached stays
    call(SALES, "POST", "/v1/deals", principal=admin,
         body={"title": "USD", "amount": "10.25", "currency": "USD", "pipeline_id": pipeline["id"]})

    board = call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}/board", principal=admin).body
    columns = {c["stage"]["id"]: c for c in board["columns"]}
    assert columns["a"]["count"] == 3 and columns["won"]["count"] == 1 and columns["lost"]["count"] == 1
    assert columns["a"]["totals"] == [{"currency": "COP", "count": 2, "amount": "200"},
                                      {"currency": "USD", "count": 1, "amount": "10.25"}]
    assert columns["b"]["count"] == 0 and columns["b"]["deals"] == []
    assert board["conversion"] == [
        {"stage_id": "a", "reached": 5, "rate_from_previous": None, "rate_from_start": 1.0},
        {"stage_id": "b", "reached": 2, "rate_from_previous": 0.4, "rate_from_start": 0.4},
        {"stage_id": "c", "reached": 1, "rate_from_previous": 0.5, "rate_from_start": 0.2},
        {"stage_id": "won", "reached": 1, "rate_from_previous": 1.0, "rate_from_start": 0.2},
    ]
    one_column = call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}/board", principal=admin,
                      query={"stage_id": "a", "limit": 2}).body
    assert len(one_column["columns"]) == 1 and len(one_column["columns"][0]["deals"]) == 2
    cursor = one_column["columns"][0]["next_cursor"]
    rest = call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}/board", principal=admin,
                query={"stage_id": "a", "limit": 2, "cursor": cursor}).body
    assert len(rest["columns"][0]["deals"]) == 1

    # stages with deals cannot go; an empty pipeline can
    busy = call(SALES, "PATCH", f"/v1/pipelines/{pipeline['id']}", principal=admin,
                body={"stages": [{"id": "b", "name": "B"}, {"id": "won", "name": "G", "outcome": "won"}]})
    assert busy.status == 409 and busy.body["error"]["details"]["stages"] == ["a", "lost"]
    assert call(SALES, "DELETE", f"/v1/pipelines/{pipeline['id']}", principal=admin).status == 409
    renamed = call(SALES, "PATCH", f"/v1/pipelines/{pipeline['id']}", principal=admin,
                   body={"stages": [{"id": "a", "name": "Primer contacto"}, {"id": "b", "name": "B"},
                                    {"id": "c", "name": "C"}, {"id": "won", "name": "Ganado", "outcome": "won"},
                                    {"id": "lost", "name": "Perdido", "outcome": "lost"}]})
    assert renamed.status == 200 and renamed.body["stages"][0]["name"] == "Primer contacto"


def test_an_empty_pipeline_can_be_deleted(demo):
    admin = demo["admin@demo.local"]
    pipeline = call(SALES, "POST", "/v1/pipelines", principal=admin,
                    body={"name": "Vacío", "stages": [{"name": "Único"}]}).body
    assert call(SALES, "DELETE", f"/v1/pipelines/{pipeline['id']}", principal=admin).status == 204
    assert call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}", principal=admin).status == 404


def test_deals_by_owner(demo, pipeline):
    agent = demo["agent1@demo.local"]
    mine = call(SALES, "POST", "/v1/deals", principal=agent,
                body={"title": "Mío", "pipeline_id": pipeline["id"], "expected_close": "2027-01-31"}).body
    listed = call(SALES, "GET", "/v1/deals", principal=agent, query={"owner_id": "me"}).body["items"]
    assert mine["id"] in [d["id"] for d in listed] and all(d["owner_id"] == agent.sub for d in listed)


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "x", "amount": -1}, "amount"),
    ({"title": "x", "amount": "mucho"}, "amount"),
    ({"title": "x", "amount": "1.123456"}, "amount"),
    ({"title": "x", "amount": "NaN"}, "amount"),
    ({"title": "x", "currency": "pesos"}, "currency"),
    ({"title": "x", "expected_close": "2026-02-30"}, "expected_close"),
    ({"title": ""}, "title"),
    ({"title": "x", "pipeline_id": "nope"}, "pipeline_id"),
    ({"title": "x", "stage_id": "no-such-stage"}, "stage_id"),
    ({"title": "x", "person_id": "nope"}, "person_id"),
    ({"title": "x", "business_id": "nope"}, "business_id"),
    ({"title": "x", "owner_id": "nope"}, "owner_id"),
    ({"title": "x", "tenant_id": "acme"}, "tenant_id"),
])
def test_bad_deals_name_the_field_and_write_nothing(demo, body, field):
    admin = demo["admin@demo.local"]
    before = call(SALES, "GET", "/v1/pipelines/default/board", principal=admin).body
    reply = call(SALES, "POST", "/v1/deals", principal=admin, body=body)
    assert reply.status == 422, reply.body
    assert field in [d["field"] for d in reply.body["error"]["details"]]
    assert call(SALES, "GET", "/v1/pipelines/default/board", principal=admin).body == before


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "P", "stages": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}, "stages[1].id"),
    ({"name": "P", "stages": [{"name": "G", "outcome": "won"}]}, "stages"),
    ({"name": "P", "stages": [{"name": "A", "probability": 120}]}, "stages.0.probability"),
    ({"name": "P", "stages": []}, "stages"),
    ({"name": "P", "stages": [{"id": "A B", "name": "A"}]}, "stages.0.id"),
])
def test_bad_pipelines_name_the_field(demo, body, field):
    reply = call(SALES, "POST", "/v1/pipelines", principal=demo["admin@demo.local"], body=body)
    assert reply.status == 422, reply.body
    assert field in [d["field"] for d in reply.body["error"]["details"]]


def test_a_bad_move_changes_nothing(demo, pipeline):
    admin = demo["admin@demo.local"]
    deal = call(SALES, "POST", "/v1/deals", principal=admin, body={"title": "Fijo", "pipeline_id": pipeline["id"]}).body
    reply = call(SALES, "PATCH", f"/v1/deals/{deal['id']}", principal=admin, body={"stage_id": "nowhere", "title": "Y"})
    assert reply.status == 422 and reply.body["error"]["details"][0]["field"] == "stage_id"
    assert call(SALES, "GET", f"/v1/deals/{deal['id']}", principal=admin).body == deal


def test_permissions_edit_to_manage_view_to_read(demo, pipeline):
    operator = demo["operator@demo.local"]
    assert call(SALES, "POST", "/v1/deals", principal=operator, body={"title": "x"}).status == 403
    assert call(SALES, "POST", "/v1/pipelines", principal=operator,
                body={"name": "P", "stages": [{"name": "A"}]}).status == 403
    assert call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}/board", principal=operator).status == 200
    assert call(SALES, "GET", "/v1/deals", principal=operator).status == 200


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/v1/deals/{deal}", None),
    ("PATCH", "/v1/deals/{deal}", {"title": "robado"}),
    ("DELETE", "/v1/deals/{deal}", None),
    ("GET", "/v1/pipelines/{pipeline}", None),
    ("PATCH", "/v1/pipelines/{pipeline}", {"name": "robado"}),
    ("DELETE", "/v1/pipelines/{pipeline}", None),
    ("GET", "/v1/pipelines/{pipeline}/board", None),
])
def test_another_brands_deals_and_pipelines_are_not_found(demo, pipeline, method, path, body):
    admin = demo["admin@demo.local"]
    deal = call(SALES, "POST", "/v1/deals", principal=admin, body={"title": "Ajeno", "pipeline_id": pipeline["id"]}).body
    url = path.format(deal=deal["id"], pipeline=pipeline["id"])
    reply = call(SALES, method, url, principal=demo["admin@acme.local"], body=body)
    assert reply.status == 404, reply.body
    assert call(SALES, "GET", f"/v1/deals/{deal['id']}", principal=admin).body["title"] == "Ajeno"
    assert call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}", principal=admin).body["name"] == "Mayoristas"


def test_a_deleted_deal_leaves_the_board_totals(demo):
    admin = demo["admin@demo.local"]
    pipeline = call(SALES, "POST", "/v1/pipelines", principal=admin,
                    body={"name": "Borrar", "stages": [{"id": "x", "name": "X"}]}).body
    deal = call(SALES, "POST", "/v1/deals", principal=admin,
                body={"title": "Temporal", "amount": "5", "currency": "COP", "pipeline_id": pipeline["id"]}).body
    assert call(SALES, "DELETE", f"/v1/deals/{deal['id']}", principal=admin).status == 204
    assert call(SALES, "GET", f"/v1/deals/{deal['id']}", principal=admin).status == 404
    column = call(SALES, "GET", f"/v1/pipelines/{pipeline['id']}/board", principal=admin).body["columns"][0]
    assert column["count"] == 0 and column["deals"] == [] and column["totals"] == []


# ---------------------------------------------------------------- each write and its events: one transaction



def _made(admin, path, body):
    reply = call(SALES, "POST", path, principal=admin, body=body)
    assert reply.status == 201, reply.body
    return reply.body["id"]


def _deal(admin):
    return _made(admin, "/v1/deals", {"title": "Pedido", "amount": "10"})


def _task(admin):
    return _made(admin, "/v1/tasks", {"title": "Llamar", "type_id": "call"})


# name → (setup(admin) → (method, path, body), status, event types the write takes)
STEPS = {
    "deal create": (lambda a: ("POST", "/v1/deals", {"title": "Pedido", "amount": "10"}), 201, ["deal.created"]),
    "deal move": (lambda a: ("PATCH", f"/v1/deals/{_deal(a)}", {"stage_id": "calificado"}), 200,
                  ["deal.stage_changed", "deal.updated"]),
    "deal delete": (lambda a: ("DELETE", f"/v1/deals/{_deal(a)}", None), 204, ["deal.deleted"]),
    "pipeline edit": (lambda a: ("PATCH", "/v1/pipelines/" + _made(a, "/v1/pipelines", {
        "name": "Eventos", "stages": [{"name": "Uno"}, {"name": "Dos", "outcome": "won"}]}), {"name": "Eventos 2"}),
        200, ["pipeline.updated"]),
    "task create": (lambda a: ("POST", "/v1/tasks", {"title": "Llamar", "type_id": "call"}), 201, ["task.created"]),
    "task done": (lambda a: ("PATCH", f"/v1/tasks/{_task(a)}", {"status": "done"}), 200,
                  ["task.completed", "task.updated"]),
    "task delete": (lambda a: ("DELETE", f"/v1/tasks/{_task(a)}", None), 204, ["task.deleted"]),
    "task type create": (lambda a: ("POST", "/v1/tasks/types", {"name": "Demostración"}), 201, ["task_type.created"]),
    "form delete": (lambda a: ("DELETE", "/v1/forms/" + _made(a, "/v1/forms", {
        "name": "Contacto", "fields": [{"key": "name"}, {"key": "phone"}, {"key": "email"}]}), None),
        204, ["form.deleted"]),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_sales_write_and_its_events_are_one_transaction(demo, step):
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch, dynamodb_writes

    admin = demo["admin@demo.local"]
    call(SALES, "GET", "/v1/pipelines", principal=admin)  # the brand's default pipeline exists from here on
    setup, status, types = STEPS[step]
    method, path, body = setup(admin)
    watch = OutboxWatch(get_settings().contacts_table)
    with dynamodb_writes() as sent:
        reply = call(SALES, method, path, principal=admin, body=body)
    assert reply.status == status, reply.body
    assert sent == ["TransactWriteItems"]
    assert watch.types() == sorted(types)


def test_an_edit_of_a_deal_changed_meanwhile_is_409_and_leaves_no_event(demo, monkeypatch):
    from skailan.crm.store import sales as store
    from skailan.platform.settings import get_settings
    from tests.support import OutboxWatch

    admin = demo["admin@demo.local"]
    deal_id = _deal(admin)
    stale = store.find_deal("demo", deal_id)
    assert call(SALES, "PATCH", f"/v1/deals/{deal_id}", principal=admin, body={"title": "Primero"}).status == 200
    monkeypatch.setattr(store, "find_deal", lambda tenant_id, wanted: stale)  # read before the first edit
    watch = OutboxWatch(get_settings().contacts_table)
    reply = call(SALES, "PATCH", f"/v1/deals/{deal_id}", principal=admin, body={"title": "Segundo"})
    assert reply.status == 409 and reply.body["error"]["code"] == "concurrent_update", reply.body
    assert watch.types() == []
    monkeypatch.undo()
    assert call(SALES, "GET", f"/v1/deals/{deal_id}", principal=admin).body["title"] == "Primero"
