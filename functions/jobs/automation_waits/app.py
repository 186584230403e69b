"""Scheduled job (every minute): resume automation runs whose wait is over (and retry failing
steps whose backoff is over), found with one Query per shard of the wait index — never a Scan;
then fire the clock triggers (birthdays, date fields, cron schedules) and queued list runs that
are due, from the schedules index. Reads the application clock, so `POST /_local/clock` then
firing this job resumes runs and fires what came due."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.automations.engine import fire_schedules, resume_due
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    counts = resume_due(max_seconds=50.0)
    logger.info("automation waits processed", **counts)
    fired = fire_schedules(max_seconds=50.0)
    logger.info("automation schedules processed", **fired)
    return {**counts, **{f"schedules_{k}": v for k, v in fired.items()}}
