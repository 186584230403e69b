"""Scheduled job (every minute): the inbox timers that are due — snooze ends, inactivity
auto-close, unassigned alerts, queue retries, offline grace periods, reminders."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.conversations.inbox.workers import run_timers
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    outcomes = run_timers()
    logger.info("inbox timers run", outcomes=outcomes)
    return {"outcomes": outcomes}
