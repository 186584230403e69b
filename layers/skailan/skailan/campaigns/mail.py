"""E-mail campaigns out through SES: the MIME of one recipient's message and its sending, paced.

Each message: From the brand's verified sending address (the e-mail channel account) with the
campaign's sender name, Reply-To, the subject and HTML with merge fields, a plain-text part,
links rewritten to the signed click route, an open pixel, a footer unsubscribe link, and the
RFC 8058 headers (`List-Unsubscribe: <https…>, <mailto:…>`, `List-Unsubscribe-Post:
List-Unsubscribe=One-Click`). SES tags name brand and campaign so the configuration set's events
(delivery, bounce, complaint, open, click) come back to the campaign; the recipient is then
found by SES's MessageId.

Pacing: SES allows the account MaxSendRate messages per second (GetSendQuota, cached per
container), shared by every worker: each send takes a slot of the current second with a
conditional ADD; a full second waits for the next one (then the record is retried by SQS).
Throttling answers from SES are retried with a short backoff, then handed back to SQS.
"""

from __future__ import annotations

import html as html_lib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import quote

from skailan.campaigns import content as text
from skailan.campaigns import store, tokens
from skailan.channels.errors import SendFailure
from skailan.platform.clock import utcnow
from skailan.platform.settings import get_settings

QUOTA_SECONDS = 300  # how long a container trusts the account's quota
THROTTLE_TRIES = 3
_sleep: Callable[[float], None] = time.sleep  # tests replace it
_quota: dict[str, float] = {}

_URL = re.compile(r"https?://[^\s<>\"')]+")
_HREF = re.compile(r"""(href\s*=\s*["'])(https?://[^"']+)(["'])""", re.IGNORECASE)
FOOTER_HTML = ('<p style="font-size:12px;color:#666;margin-top:24px">Si no quieres recibir más correos como este, '
               '<a href="{url}">date de baja aquí</a>. / To stop receiving e-mails like this one, '
               '<a href="{url}">unsubscribe here</a>.</p>')
FOOTER_TEXT = "\n\n--\nDarte de baja / Unsubscribe: {url}\n"


@dataclass(frozen=True, slots=True)
class Links:
    """The public URLs of one recipient's message (all signed for that campaign × recipient)."""

    base: str
    tenant_id: str
    campaign_id: str
    person_id: str

    def click(self, index: int) -> str:
        return f"{self.base}/public/campaigns/c/{tokens.sign('c', self.tenant_id, self.campaign_id, self.person_id, index)}"

    def open(self) -> str:
        return f"{self.base}/public/campaigns/o/{tokens.sign('o', self.tenant_id, self.campaign_id, self.person_id)}"

    def unsubscribe(self) -> str:
        return f"{self.base}/public/campaigns/u/{tokens.sign('u', self.tenant_id, self.campaign_id, self.person_id)}"


def links_base() -> str:
    settings = get_settings()
    base = (settings.public_api_url or settings.campaign_links_url).strip().rstrip("/")
    if not base:
        if not settings.is_local:
            raise RuntimeError("CAMPAIGN_LINKS_URL or PUBLIC_API_URL must be set to send e-mail campaigns")
        base = "http://127.0.0.1:8000"
    return base


def tracked(content: Mapping[str, Any], links: Links) -> tuple[str, str]:
    """The campaign's HTML and text with every stored link pointing to the click route (before
    merge fields are rendered, so link indexes match the stored list), the pixel and footer added."""
    stored = [str(u) for u in content.get("links") or []]
    index = {u: i for i, u in enumerate(stored)}

    def href(match: re.Match[str]) -> str:
        url = match.group(2)
        return match.group(1) + (links.click(index[url]) if url in index else url) + match.group(3)

    def plain(match: re.Match[str]) -> str:
        url = match.group(0)
        escaped = html_lib.escape(url, quote=False)  # the stored links come from the sanitised HTML
        found = index.get(url, index.get(escaped))
        return links.click(found) if found is not None else url

    unsubscribe = links.unsubscribe()
    body = _HREF.sub(href, str(content.get("html") or ""))
    extra = FOOTER_HTML.format(url=unsubscribe) + f'<img src="{links.open()}" width="1" height="1" alt="" ' \
                                                  'style="display:none">'
    lowered = body.lower()
    at = lowered.rfind("</body>")
    body = body[:at] + extra + body[at:] if at >= 0 else body + extra
    plain_text = _URL.sub(plain, str(content.get("text") or "")) + FOOTER_TEXT.format(url=unsubscribe)
    return body, plain_text


_PLACEHOLDER = "skailan-list-unsubscribe"


@dataclass(frozen=True, slots=True)
class Composed:
    raw: bytes
    message_id: str


def compose(*, from_address: str, from_name: str | None, to: str, reply_to: str | None, subject: str,
            html: str, plain: str, unsubscribe_url: str,
            attachments: list[tuple[str, str, bytes]] | None = None) -> Composed:
    mime = EmailMessage(policy=policy.SMTP)
    username, _, domain = from_address.rpartition("@")
    mime["From"] = Address(display_name=(from_name or "").replace("\r", " ").replace("\n", " "),
                           username=username, domain=domain)
    mime["To"] = to
    if reply_to:
        mime["Reply-To"] = reply_to
    mime["Subject"] = " ".join(subject.split())  # a merge field must not inject headers
    mime["Date"] = format_datetime(utcnow())
    message_id = make_msgid(domain=domain)
    mime["Message-ID"] = message_id
    mailto = f"mailto:{from_address}?subject={quote('unsubscribe ' + unsubscribe_url.rsplit('/', 1)[-1])}"
    # Written verbatim after serialising: the URL is one long word, which the 78-column folding
    # would turn into RFC 2047 encoded words that mail clients do not read as a URL (RFC 5322
    # allows the line up to 998 characters).
    mime["List-Unsubscribe"] = _PLACEHOLDER
    mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime["Precedence"] = "bulk"
    mime.set_content(plain)
    mime.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments or []:
        maintype, _, subtype = content_type.partition("/")
        mime.add_attachment(data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                            filename=filename)
    header = f"List-Unsubscribe: <{unsubscribe_url}>, <{mailto}>".encode("ascii")
    raw = mime.as_bytes().replace(f"List-Unsubscribe: {_PLACEHOLDER}".encode(), header, 1)
    return Composed(raw, message_id.strip("<>"))


def message_for(item: store.CampaignItem, person_id: str, person: Any, address: str, account: Any,
                brand: Mapping[str, Any]) -> Composed:

    values = text.person_fields(person) if person is not None else {}
    links = Links(links_base(), item.tenant_id, item.campaign_id, person_id)
    body, plain = tracked(item.content, links)
    content = item.content
    return compose(from_address=str(account.external.get("address") or ""),
                   from_name=text.render(str(content.get("from_name") or account.name or ""), values, brand),
                   to=address, reply_to=content.get("reply_to"),
                   subject=text.render(str(content["subject"]), values, brand),
                   html=text.render(body, text.html_escaped(values), text.html_escaped(brand)), plain=text.render(plain, values, brand),
                   unsubscribe_url=links.unsubscribe(), attachments=_files(content))


def _files(content: Mapping[str, Any]) -> list[tuple[str, str, bytes]]:
    from skailan.campaigns import attachments

    return [(str(a["filename"]), str(a["content_type"]), attachments.read(str(a["key"])))
            for a in content.get("attachments") or []]


# ---------------------------------------------------------------- SES


def _failure(code: str, *, permanent: bool, es: str, en: str, message: str | None = None,
             retry_after: float | None = None) -> SendFailure:
    return SendFailure(permanent=permanent, code=code, title=code, reason_es=es, reason_en=en,
                       retry_after=retry_after, provider_message=(message or "")[:300] or None)


def max_rate() -> float:
    """Messages per second: the setting's cap, else the account's SES MaxSendRate (cached)."""
    configured = get_settings().campaign_email_max_rate
    if configured > 0:
        return configured
    now = time.monotonic()
    if _quota.get("until", 0.0) < now:
        from skailan.platform.aws import client

        quota = client("ses").get_send_quota()
        _quota.update(rate=float(quota.get("MaxSendRate") or 1.0), until=now + QUOTA_SECONDS)
    return max(1.0, _quota["rate"])


def take_slot() -> None:
    """One slot of this second's sending rate (shared by every worker), waiting for the next
    second when it is full; still full → the record goes back to the queue."""
    rate = int(max_rate())
    for _ in range(3):
        second = int(utcnow().timestamp())
        if store.take_rate_slot("ses", second, rate):
            return
        _sleep(max(0.05, second + 1 - utcnow().timestamp()))
    raise _failure("ses_rate", permanent=False, es="Límite de envío de SES alcanzado; se reintenta",
                   en="SES sending rate reached; retried", retry_after=1)


# SES API v2 error codes (and their v1 names): the rate or the daily quota, SES's own failures.
_RETRY = frozenset({"TooManyRequestsException", "LimitExceededException", "Throttling", "ThrottlingException",
                    "ServiceUnavailable", "InternalFailure", "RequestTimeout"})
_PAUSE = frozenset({"SendingPausedException", "AccountSuspendedException", "AccountSendingPausedException",
                    "ConfigurationSetSendingPausedException"})


def send(composed: Composed, *, source: str, to: str, tenant_id: str, campaign_id: str) -> str:
    """SES API v2 SendEmail with the raw MIME (40 MB per message; v1's SendRawEmail stops at 10 MB,
    too small for the 24 MB of attachments a campaign may carry); returns SES's MessageId.
    Throttling/5xx → retried here with backoff, then a retryable failure; rejections are permanent;
    a paused account pauses the campaign."""
    from botocore.exceptions import BotoCoreError, ClientError

    from skailan.platform.aws import client

    params: dict[str, Any] = {
        "FromEmailAddress": source, "Destination": {"ToAddresses": [to]}, "Content": {"Raw": {"Data": composed.raw}},
        "EmailTags": [{"Name": "skailan_tenant", "Value": tenant_id},
                      {"Name": "skailan_campaign", "Value": campaign_id}]}
    configuration_set = get_settings().campaign_ses_configuration_set
    if configuration_set:
        params["ConfigurationSetName"] = configuration_set
    for attempt in range(THROTTLE_TRIES):
        try:
            return str(client("sesv2").send_email(**params)["MessageId"])
        except ClientError as err:
            reply: dict[str, Any] = dict(err.response)
            error = reply.get("Error") or {}
            code, message = str(error.get("Code") or ""), str(error.get("Message") or "")
            status = int((reply.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
            if code in _RETRY or status >= 500:
                if attempt + 1 < THROTTLE_TRIES:
                    _sleep(0.25 * 2 ** attempt)
                    continue
                daily = "daily" in message.lower() or code == "LimitExceededException"
                throttled = code.startswith(("Throttl", "TooMany", "LimitExceeded"))
                raise _failure("ses_throttled" if throttled else "ses_unavailable", permanent=False,
                               es="SES pidió esperar; se reintenta", en="SES asked to wait; retried",
                               message=message, retry_after=900 if daily else 30) from err
            if code in _PAUSE:
                raise _failure("ses_sending_paused", permanent=True, es="El envío de SES está pausado en la cuenta",
                               en="SES sending is paused for the account", message=message) from err
            raise _failure(f"ses_{code or 'error'}"[:60], permanent=True, es="SES rechazó el mensaje",
                           en="SES rejected the message", message=message) from err
        except BotoCoreError as err:  # connection errors, timeouts
            if attempt + 1 < THROTTLE_TRIES:
                _sleep(0.25 * 2 ** attempt)
                continue
            raise _failure("ses_unreachable", permanent=False, es="No se pudo contactar a SES; se reintenta",
                           en="SES could not be reached; retried", message=str(err)) from err
    raise AssertionError("unreachable")
