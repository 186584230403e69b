"""Lambda authorizer (HTTP API, payload 2.0, simple responses) for `X-Api-Key` callers."""

from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.observability import logger
from skailan.tenancy.api_keys import authenticate


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    caller = authenticate(headers.get("x-api-key", ""))
    if caller is None:
        logger.info("api key refused")
        return {"isAuthorized": False}
    return {
        "isAuthorized": True,
        "context": {
            "tenant_id": caller.tenant_id,
            "key_id": caller.principal_id,
            "name": caller.name or "",
            "permissions": ",".join(sorted(caller.permissions)),
        },
    }
