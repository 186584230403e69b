"""One EventBridge Scheduler schedule per scheduled campaign (docs/campaigns.md).

`at(<local time>)` in the brand's zone, fired once and then deleted by Scheduler itself
(ActionAfterCompletion DELETE). The target is the due job's function with an Input naming the
tenant and campaign; it starts the campaign with the same conditional move as the due-time index,
which stays the backstop: a schedule lost or failed still starts within a minute, and a campaign
started twice is refused by the move's condition.

The schedule is written after the campaign's state: a failed Scheduler call is logged, not
raised, because the due-time index already holds the truth.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from skailan.platform.aws import client
from skailan.platform.observability import logger
from skailan.platform.settings import get_settings

_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")
FLEXIBLE_OFF = {"Mode": "OFF"}
# Scheduler's own retries to reach the target; the due job covers anything later.
RETRY = {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}


def enabled() -> bool:
    settings = get_settings()
    return bool(settings.campaign_schedule_group and settings.campaign_schedule_target_arn
                and settings.campaign_schedule_role_arn)


def schedule_name(tenant_id: str, campaign_id: str) -> str:
    """Readable when it fits Scheduler's name rules (64 of [0-9A-Za-z_.-]); a digest otherwise."""
    name = f"campaign.{tenant_id}.{campaign_id}"
    if _NAME.match(name):
        return name
    return "campaign." + hashlib.sha256(f"{tenant_id}#{campaign_id}".encode()).hexdigest()[:48]


def target_input(tenant_id: str, campaign_id: str) -> dict[str, str]:
    """What the target receives (and what functions/jobs/campaign_schedules recognises)."""
    return {"kind": "campaign.schedule", "tenant_id": tenant_id, "campaign_id": campaign_id}


def expression(moment: datetime, time_zone: str) -> str:
    """`at(YYYY-MM-DDThh:mm:ss)` of the moment as a wall-clock time in the brand's zone."""
    return f"at({moment.astimezone(ZoneInfo(time_zone)).strftime('%Y-%m-%dT%H:%M:%S')})"


def _request(tenant_id: str, campaign_id: str, moment: datetime, time_zone: str) -> dict[str, object]:
    settings = get_settings()
    target: dict[str, object] = {
        "Arn": settings.campaign_schedule_target_arn,
        "RoleArn": settings.campaign_schedule_role_arn,
        "Input": json.dumps(target_input(tenant_id, campaign_id)),
        "RetryPolicy": RETRY,
    }
    if settings.campaign_schedule_dlq_arn:
        target["DeadLetterConfig"] = {"Arn": settings.campaign_schedule_dlq_arn}
    return {
        "Name": schedule_name(tenant_id, campaign_id),
        "GroupName": settings.campaign_schedule_group,
        "ScheduleExpression": expression(moment, time_zone),
        "ScheduleExpressionTimezone": time_zone,
        "FlexibleTimeWindow": FLEXIBLE_OFF,
        "ActionAfterCompletion": "DELETE",
        "State": "ENABLED",
        "Description": f"Campaign {campaign_id} of {tenant_id}"[:512],
        "Target": target,
    }


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str((response.get("Error") or {}).get("Code") or "")


def upsert(tenant_id: str, campaign_id: str, moment: datetime, time_zone: str) -> bool:
    """Create the campaign's schedule, or update it when it exists (a reschedule). False: not written."""
    if not enabled():
        return False
    request = _request(tenant_id, campaign_id, moment, time_zone)
    scheduler = client("scheduler")
    try:
        try:
            scheduler.create_schedule(**request)
        except Exception as error:
            if _code(error) != "ConflictException":
                raise
            scheduler.update_schedule(**request)  # UpdateSchedule replaces every field
    except Exception:
        logger.exception("campaign schedule not written; the due job starts it", tenant_id=tenant_id,
                         campaign_id=campaign_id)
        return False
    return True


def remove(tenant_id: str, campaign_id: str) -> None:
    """Delete the campaign's schedule; one already gone (fired, never written) is fine."""
    if not enabled():
        return
    try:
        client("scheduler").delete_schedule(Name=schedule_name(tenant_id, campaign_id),
                                            GroupName=get_settings().campaign_schedule_group)
    except Exception as error:
        if _code(error) == "ResourceNotFoundException":
            return
        # A leftover schedule fires into a campaign no longer scheduled: the move refuses it.
        logger.exception("campaign schedule not deleted", tenant_id=tenant_id, campaign_id=campaign_id)
