"""Scheduled job (every minute): due task reminders (`task.reminder`) and overdue escalation to the
brand's supervisors (`task.overdue`), found with one Query per shard of the alarm index."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.sales.tasks import run_alarms
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    counts = run_alarms()
    logger.info("task alarms processed", **counts)
    return counts
