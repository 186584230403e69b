"""Telegram webhook: one URL per bot account, X-Telegram-Bot-Api-Secret-Token checked in
constant time, the Update enqueued."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.channels.http import create_webhook_resolver, header, ok, raw_body, signed_by_provider
from skailan.conversations.ingest import webhooks as ingress
from skailan.platform.observability import logger

app = create_webhook_resolver()


@app.post("/webhooks/telegram/<account_id>", middlewares=[signed_by_provider()], include_in_schema=False)
def receive(account_id: str):  # a raw provider answer, no API model
    event = app.current_event.raw_event
    accepted = ingress.receive_telegram(
        account_id, raw_body(event), header(event, "x-telegram-bot-api-secret-token")
    )
    return ok(accepted.body())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
