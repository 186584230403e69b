"""Every event the automations context publishes (source `skailan.automations`) and its payload."""

from __future__ import annotations

from skailan.platform.catalogue import Catalogue, Payload, entity_types

SOURCE = "skailan.automations"

AUTOMATION_PAUSED = "automation.paused"
RUN_COMPLETED = "automation_run.completed"
RUN_FAILED = "automation_run.failed"
RUN_STOPPED = "automation_run.stopped"
WEBHOOK_RECEIVED = "automation.webhook_received"


class AutomationPaused(Payload):
    automation_id: str
    name: str
    reason: str


class RunFinished(Payload):
    automation_id: str
    run_id: str
    person_id: str | None = None
    status: str
    reason: str | None = None


CATALOGUE = Catalogue(SOURCE, {
    **entity_types("automation"),
    AUTOMATION_PAUSED: AutomationPaused,
    RUN_COMPLETED: RunFinished,
    RUN_FAILED: RunFinished,
    RUN_STOPPED: RunFinished,
    WEBHOOK_RECEIVED: Payload,
})
