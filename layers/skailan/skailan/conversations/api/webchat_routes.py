"""Web-chat widget routes (`/public/webchat/widgets/{widget_id}…`, on the WidgetApi): public at
the gateway; the widget's origin allowlist and the visitor's session token are checked here."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Annotated, Any, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.conversations import webchat
from skailan.conversations.webchat import (
    AcceptedOut,
    SessionIn,
    SessionOut,
    UploadIn,
    UploadOut,
    VisitorMessageIn,
    VisitorMessagesOut,
    WidgetOut,
)
from skailan.platform.api import error_response
from skailan.platform.errors import SkailanError
from skailan.tenancy.access import public

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

router = Router()
PREFIX = "/public/webchat/widgets/<widget_id>"


def _origin(app: Any) -> str | None:
    return app.current_event.headers.get("origin")


def widget_guard(app: Any, next_middleware: NextMiddleware) -> Response:
    """Find the widget, refuse a foreign origin before anything runs, and give an allowed
    origin its CORS headers — on errors too, so the widget can read them."""
    parts = app.current_event.path.split("/")  # /public/webchat/widgets/<widget_id>/...
    origin = _origin(app)
    try:
        found = webchat.widget(parts[4] if len(parts) > 4 else "")
        webchat.check_origin(found, origin)
    except SkailanError as err:
        return error_response(err.status, err.code, err.message, err.details)
    app.append_context(widget=found)
    try:
        response = next_middleware(app)
    except SkailanError as err:
        response = error_response(err.status, err.code, err.message, err.details)
        if err.status == 429 and isinstance(err.details, dict) and err.details.get("retry_after"):
            response.headers["Retry-After"] = str(int(err.details["retry_after"]))
    if origin:
        response.headers.update(webchat.cors_headers(origin))
    return response


def _public_widget(app: Any, next_middleware: NextMiddleware) -> Response:
    """Open at the gateway on purpose (`tenancy.access.public` semantics, without importing the
    membership machinery a visitor never needs): `widget_guard` and the session token decide."""
    return next_middleware(app)


_public_widget.permission = "public"  # type: ignore[attr-defined]  # read by the contract tests
_guards = [_public_widget, widget_guard]


def _source_ip() -> str | None:
    from skailan.platform.limits import source_ip

    return source_ip(router.current_event)


def _session(app: Any) -> Any:
    return webchat.session_of(router.context["widget"], app.current_event.headers.get("authorization"))


@router.get("/public/webchat/widget.js", middlewares=[public()], tags=["webchat"])
def widget_script():
    """The embeddable widget itself: a static script, loaded by a <script> tag (no CORS needed)."""
    return Response(status_code=200, content_type="application/javascript; charset=utf-8", body=_widget_js(),
                    headers={"cache-control": "public, max-age=300"})


@cache
def _widget_js() -> str:
    return files("skailan.conversations").joinpath("widget.js").read_text()


@router.get(PREFIX, middlewares=_guards, tags=["webchat"])
def get_widget(widget_id: str) -> WidgetOut:
    event = cast("APIGatewayProxyEventV2", router.current_event)
    return webchat.describe(router.context["widget"], webchat.api_base_url(
        event.request_context.domain_name, event.headers.get("x-forwarded-proto")))


@router.post(f"{PREFIX}/sessions", middlewares=_guards, status_code=201, tags=["webchat"])
def start_session(widget_id: str, body: SessionIn) -> SessionOut:
    return webchat.start_session(router.context["widget"], body, origin=_origin(router), source_ip=_source_ip())


@router.post(f"{PREFIX}/messages", middlewares=_guards, status_code=202, tags=["webchat"])
def send_message(widget_id: str, body: VisitorMessageIn) -> AcceptedOut:
    return webchat.send(router.context["widget"], _session(router), body, source_ip=_source_ip())


@router.get(f"{PREFIX}/messages", middlewares=_guards, tags=["webchat"])
def poll_messages(
    widget_id: str,
    after: Annotated[str | None, Query(max_length=64, description="The last message id the widget has.")] = None,
) -> VisitorMessagesOut:
    return webchat.poll(router.context["widget"], _session(router), after=after)


@router.post(f"{PREFIX}/attachments", middlewares=_guards, status_code=201, tags=["webchat"])
def upload_attachment(widget_id: str, body: UploadIn) -> UploadOut:
    return webchat.upload(router.context["widget"], _session(router), body)


def cors_for_refusal(event: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A body refused before any route ran (413, 415, 422) gets the widget's CORS headers too,
    so the widget can read why — only for an origin the widget allows."""
    headers = result.get("headers") or {}
    if result.get("statusCode", 200) < 400 or any(k.lower() == "access-control-allow-origin" for k in headers):
        return result
    request_headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    parts = (event.get("rawPath") or "").split("/")
    widget_id = parts[4] if len(parts) > 4 and parts[3] == "widgets" else None
    status, cors = webchat.preflight(widget_id, request_headers.get("origin"))
    if status == 204:
        result["headers"] = {**headers, **cors}
    return result


def preflight_response(event: dict[str, Any]) -> dict[str, Any]:
    """OPTIONS: the WidgetApi has no gateway CORS (it would allow every origin), so the
    function answers the preflight with the widget's own allowlist."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    parts = (event.get("rawPath") or "").split("/")
    widget_id = parts[4] if len(parts) > 4 and parts[3] == "widgets" else None
    status, cors = webchat.preflight(widget_id, headers.get("origin"))
    return {"statusCode": status, "headers": cors, "body": ""}


ROUTERS = [router]
