"""Scheduled job (hourly): segments whose rules use relative dates ("within the last 30 days") are
recomputed just after each brand's midnight — `segment.refresh_requested` per due segment, found
with one Query per shard of the refresh index; the segments worker does the backfill."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.crm.audiences.segments import request_due_refreshes
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    requested = request_due_refreshes()
    logger.info("segment refreshes requested", requested=requested)
    return {"requested": requested}
