"""Starts scheduled campaigns, two ways (docs/campaigns.md):
- invoked by a campaign's EventBridge Scheduler schedule (Input `{"kind": "campaign.schedule",
  "tenant_id", "campaign_id"}`): starts that campaign at its time;
- every minute (the backstop): starts every scheduled campaign that is due from the due-time
  index (no scan; follows the application clock locally), so a schedule lost or failed still
  starts within a minute. Both use the same conditional move: a campaign starts once."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.campaigns.schedules import target_input
from skailan.campaigns.service import start_due, start_scheduled
from skailan.platform.observability import logger


def _scheduled(event: Any) -> tuple[str, str] | None:
    if not isinstance(event, dict) or event.get("kind") != "campaign.schedule":
        return None
    tenant_id, campaign_id = event.get("tenant_id"), event.get("campaign_id")
    if not isinstance(tenant_id, str) or not isinstance(campaign_id, str) \
            or event != target_input(tenant_id, campaign_id):
        raise ValueError("a campaign schedule's Input is {kind, tenant_id, campaign_id}")
    return tenant_id, campaign_id


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    scheduled = _scheduled(event)
    if scheduled is not None:
        started = start_scheduled(*scheduled)
        logger.info("campaign schedule fired", tenant_id=scheduled[0], campaign_id=scheduled[1], started=started)
        return {"started": int(started), "by": "schedule"}
    started_due = start_due()
    logger.info("due campaigns started", started=started_due)
    return {"started": started_due, "by": "due_job"}
