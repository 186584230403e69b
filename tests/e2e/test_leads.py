"""The lead flow over HTTP through the local runtime (what `make run` runs): the seeded queue with
never-worked leads first, a note template that tags the person, a second operator refused with
the holder, the classifier job fired locally filling outcomes, reports by operator and hour."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def eventually(check: Callable[[], Any], *, timeout: float = 40.0, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(every)


def test_operators_work_the_queue(client: httpx.Client) -> None:
    admin, operator = login(client, "admin@demo.local"), login(client, "operator@demo.local")
    supervisor = login(client, "supervisor@demo.local")

    # the seeded queue: never worked first, the closed lead last
    queue = client.get("/v1/lead-flow/leads", headers=operator, params={"limit": 100})
    assert queue.status_code == 200, queue.text
    statuses = [i["lead_status"] for i in queue.json()["items"]]
    assert statuses and statuses[0] == "none" and "completed" not in statuses[:statuses.count("none")]
    templates = client.get("/v1/lead-flow/note-templates", headers=operator).json()["items"]
    assert {"Llamada exitosa", "No contesta"} <= {t["title"] for t in templates}

    # a new person reaches the queue through the CRM's event
    tag = f"demo-e2e-{uuid.uuid4().hex[:6]}"
    person = client.post("/v1/contacts", headers=admin,
                         json={"name": "Lead E2E", "email": f"lead.{uuid.uuid4().hex[:8]}@e2e.local"}).json()
    eventually(lambda: any(i["person"]["id"] == person["id"] for i in client.get(
        "/v1/lead-flow/leads", headers=operator, params={"status": "none", "q": "Lead E2E"}).json()["items"]))

    # a template fills the note and tags the person at once
    template = client.post("/v1/lead-flow/note-templates", headers=admin,
                           json={"title": "Demo E2E", "text": "Aceptó y agendamos la demo para el lunes",
                                 "tags": [tag]})
    assert template.status_code == 201, template.text
    note = client.post(f"/v1/lead-flow/leads/{person['id']}/notes", headers=operator,
                       json={"template_id": template.json()["id"]})
    assert note.status_code == 201, note.text
    assert note.json()["outcome"] is None and note.json()["lead_status"] == "in_progress"
    assert tag in client.get(f"/v1/contacts/{person['id']}", headers=admin).json()["tags"]

    # a second reserving operator gets the holder
    settings = client.get("/v1/lead-flow/settings", headers=admin).json()
    body = {k: settings[k] for k in ("list_ids", "display_fields")}
    assert client.put("/v1/lead-flow/settings", headers=admin,
                      json={**body, "reserve_roles": ["operator", "supervisor"],
                            "ai": {"enabled": True, "provider": "local"}}).status_code == 200
    try:
        refused = client.post(f"/v1/lead-flow/leads/{person['id']}/notes", headers=supervisor, json={"text": "Yo"})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["details"]["holder"]["name"] == "Óscar Operador"

        # the classifier job, fired as the schedule would, fills the outcome
        fired = client.post("/_local/schedules/LeadClassifierFunction")
        assert fired.status_code == 200, fired.text

        def classified() -> Any:
            notes = client.get(f"/v1/lead-flow/leads/{person['id']}/notes", headers=operator).json()["items"]
            return notes[0]["outcome"] is not None and notes[0]

        done = eventually(classified)
        assert done["outcome_source"] == "ai" and done["outcome_model"]
    finally:
        client.put("/v1/lead-flow/settings", headers=admin, json=body)

    # the reports count the note for the operator, in an hour of the brand's day
    def counted() -> Any:
        report = client.get("/v1/lead-flow/reports", headers=supervisor, params={"group_by": "operator"}).json()
        mine = [g for g in report["groups"] if g["label"] == "Óscar Operador"]
        return report["totals"]["calls"] >= 1 and mine and sum(mine[0]["by_hour"].values()) >= 1 and report

    report = eventually(counted)
    assert report["time_zone"] == "America/Bogota"
    csv = client.get("/v1/lead-flow/reports/export", headers=supervisor, params={"group_by": "hour"})
    assert csv.status_code == 200 and csv.text.startswith("hour,calls")
