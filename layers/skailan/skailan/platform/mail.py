"""System e-mail (invitations, notices) through SES with the platform's sender."""

from __future__ import annotations

from skailan.platform.aws import client
from skailan.platform.settings import get_settings


def send_system_email(to: str, subject: str, text: str, html: str | None = None) -> str:
    body: dict[str, dict[str, str]] = {"Text": {"Data": text, "Charset": "UTF-8"}}
    if html:
        body["Html"] = {"Data": html, "Charset": "UTF-8"}
    response = client("ses").send_email(
        Source=get_settings().mail_from,
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": body},
    )
    return response["MessageId"]
