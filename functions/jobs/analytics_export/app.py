"""Scheduled job (daily): yesterday's per-conversation and per-message fact rows of every brand
to the lake bucket as gzip CSV, partitioned brand=/date= (skailan.analytics.exports). A manual
run may name the date: `{"date": "2026-12-05"}` (re-exporting a date replaces its objects)."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.analytics.exports import export_day
from skailan.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    day = event.get("date") if isinstance(event, dict) and isinstance(event.get("date"), str) else None
    return export_day(day)
