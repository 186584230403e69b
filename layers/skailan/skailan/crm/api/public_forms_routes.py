"""The public form submit: `POST /public/forms/{form_id}`, no sign-in (its own function).

The tenant comes from the form id's guard item, never from the request. JSON bodies get JSON
answers (the embed snippet); a plain HTML form post (no JavaScript) gets a 303 to the form's
redirect URL, or a small thank-you page.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from skailan.crm.capture import forms
from skailan.crm.capture.form_models import FormSubmittedOut
from skailan.tenancy.access import public

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

router = Router()


@router.post(
    "/public/forms/<form_id>", middlewares=[public()], tags=["forms"],
    summary="Submit a lead-capture form (public)",
    description=("JSON (or an HTML form post) with `name`, `phone`, `email`, `custom:<key>` values, `consent` "
                 "when the form asks for it, and the honeypot `website` left empty. Rate-limited per IP and form."),
    responses={201: {"description": "Submitted", "content": {"application/json": {"model": FormSubmittedOut}}},
               422: {"description": "Invalid fields (details name each one)"},
               429: {"description": "Too many submissions from this address"}},
)
def submit_form(form_id: str) -> Response[FormSubmittedOut | str]:
    event = cast("APIGatewayProxyEventV2", router.current_event)  # an HTTP API (payload 2.0) route
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    content_type = headers.get("content-type")
    from skailan.platform import limits

    # Across every form: one address cannot flood a brand by spreading over its forms.
    limits.hit_public("form-ip", limits.ip_subject(event.request_context.http.source_ip))
    raw = forms.parse_body(event.decoded_body, content_type)
    _form, answer = forms.submit(form_id, raw, source_ip=event.request_context.http.source_ip,
                                 user_agent=event.request_context.http.user_agent)
    if (content_type or "").lower().startswith("application/x-www-form-urlencoded"):
        if answer.redirect_url:
            return Response(status_code=303, headers={"Location": answer.redirect_url}, body="")
        page = (f'<!doctype html><html lang="es"><meta charset="utf-8"><title>{html.escape(answer.message)}</title>'
                f"<p>{html.escape(answer.message)}</p></html>")
        return Response(status_code=200, content_type="text/html; charset=utf-8", body=page)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=answer.model_dump_json())


ROUTERS = (router,)
