"""Fake channel providers for the local runtime: WhatsApp Cloud API / Graph (Messenger,
Instagram), Telegram Bot API, Twilio Messages API, a media host and SNS — on 127.0.0.1.

In stage=local the senders' base URLs point here (the seed sets GRAPH_API_URL,
TELEGRAM_API_URL, TWILIO_API_URL), so replies go out with no internet:
- every call is answered the way the real API answers (WhatsApp `{"messaging_product":
  "whatsapp","contacts":[…],"messages":[{"id":"wamid…"}]}`, Send API `{"recipient_id",
  "message_id"}`, Telegram `{"ok":true,"result":{…}}`, Twilio's message resource) and recorded
  (`GET /_local/outbox` on the API port);
- `POST /_local/faults {"provider", "status", "count", "code"?, "retry_after"?, "to"?}` makes the
  next calls to a provider (to that recipient only, with "to") fail with that status and the provider's own error body (status 0 drops
  the connection); provider "eventbridge" makes the bus's PutEvents fail (`bus_faults.py`);
- after a successful send the fake posts the delivery states back to the real webhooks,
  signed as the provider signs them (WhatsApp sent → delivered → read; Messenger/Instagram
  delivery + read; Twilio sent → delivered), so the whole round trip runs locally;
- WhatsApp message templates (Business Management API): `POST /{waba}/message_templates` answers
  `{"id", "status": "PENDING", "category"}`, `GET` lists them (`data` + `paging.cursors.after`,
  `next` while more), `POST /{template id}` edits, `DELETE …?name=&hsm_id=` deletes; a new or
  edited template is reviewed a moment later by a signed `message_template_status_update`
  webhook (APPROVED; REJECTED / INVALID_FORMAT when its name starts with `reject`), and
  `POST /_local/whatsapp-templates {"template_id", "event"?, "reason"?, "quality"?}` posts any
  status or quality change by hand; the runtime starts it holding the demo seed's templates
  (`seed.hold_demo_templates`), so a sync in the demo finds them;
- `POST /_local/ses-events {"event": "Delivery"|"Bounce"|"Complaint"|"Reject"|"Open"|"Click",
  "message_id", "source", "to", "tags"?}` posts that SES event (signed SNS) to /webhooks/ses;
- `POST /_local/email {"from", "to", "subject", "text", "in_reply_to"?}` plays SES + SNS: the
  MIME goes to the inbound-mail bucket and a signed SNS notification to /webhooks/ses (the
  signing certificate is served here; only stage=local trusts it).
- Model providers for the lead-note classifier (docs/leads-classification.md): Amazon Bedrock's
  Converse (`POST /bedrock/model/{modelId}/converse`, answering the forced tool call with a
  `toolUse` block) and OpenAI's Chat Completions (`POST /openai/v1/chat/completions`, structured
  output as the message content); both classify with the offline classifier, so the whole path
  runs offline. Faults: providers "bedrock" and "openai" (`to`: the model id); status 200 with
  code "malformed" answers with a malformed result instead.

The payload builders are also used by the tests to post real-format, signed webhooks.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from .logs import get_logger

log = get_logger("providers")

GRAPH_VERSION = "v21.0"
PROVIDERS = ("whatsapp", "messenger", "instagram", "telegram", "twilio", "bedrock", "openai")
# A 1×1 PNG: what every fake media URL serves.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


# --------------------------------------------------------------------------- signing helpers


def meta_signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def twilio_signature(url: str, params: Mapping[str, str] | list[tuple[str, str]], auth_token: str) -> str:
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    data = url + "".join(name + value for name, value in sorted(pairs))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


# --------------------------------------------------------------------------- payload builders


def _unix(at: datetime | None = None) -> str:
    return str(int((at or datetime.now(UTC)).timestamp()))


def whatsapp_message_payload(phone_number_id: str, waba_id: str, *, wa_id: str, name: str | None, message_id: str,
                             text: str | None = None, message: dict[str, Any] | None = None,
                             at: datetime | None = None) -> dict[str, Any]:
    """A WhatsApp Cloud API `messages` webhook with one customer message (text by default)."""
    body = message or {"type": "text", "text": {"body": text or ""}}
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": name or wa_id}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": message_id, "timestamp": _unix(at), **body}],
    }
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba_id, "changes": [{"value": value, "field": "messages"}]}]}


def whatsapp_status_payload(phone_number_id: str, waba_id: str, *, wamid: str, status: str, recipient: str,
                            at: datetime | None = None, error: dict[str, Any] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": _unix(at), "recipient_id": recipient}
    if status in ("sent", "delivered"):
        entry["conversation"] = {"id": hashlib.md5(recipient.encode()).hexdigest(),  # noqa: S324 - an id
                                 "origin": {"type": "service"}}
        entry["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    if error:
        entry["errors"] = [error]
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
             "statuses": [entry]}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba_id, "changes": [{"value": value, "field": "messages"}]}]}


def whatsapp_template_payload(waba_id: str, *, template_id: str, name: str, language: str,
                              event: str | None = None, reason: str | None = None, quality: str | None = None,
                              previous_quality: str = "UNKNOWN", at: datetime | None = None) -> dict[str, Any]:
    """A WABA webhook about a template: `message_template_status_update` when `event` is given,
    else `message_template_quality_update` (Meta's webhook reference shapes)."""
    common = {"message_template_id": int(template_id) if template_id.isdigit() else template_id,
              "message_template_name": name, "message_template_language": language}
    if event:
        field, value = "message_template_status_update", {"event": event, **common, "reason": reason or "NONE"}
    else:
        field, value = "message_template_quality_update", {"previous_quality_score": previous_quality,
                                                           "new_quality_score": quality or "UNKNOWN", **common}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": waba_id, "time": int(_unix(at)), "changes": [{"value": value, "field": field}]}]}


def messenger_message_payload(page_id: str, *, psid: str, mid: str, text: str, instagram: bool = False,
                              at: datetime | None = None) -> dict[str, Any]:
    ms = int((at or datetime.now(UTC)).timestamp() * 1000)
    return {"object": "instagram" if instagram else "page",
            "entry": [{"id": page_id, "time": ms, "messaging": [
                {"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": ms,
                 "message": {"mid": mid, "text": text}}]}]}


def messenger_receipt_payload(page_id: str, *, psid: str, kind: str, mids: list[str] | None = None,
                              instagram: bool = False, at: datetime | None = None) -> dict[str, Any]:
    ms = int((at or datetime.now(UTC)).timestamp() * 1000)
    receipt: dict[str, Any] = {"watermark": ms}
    if kind == "delivery":
        receipt["mids"] = mids or []
    return {"object": "instagram" if instagram else "page",
            "entry": [{"id": page_id, "time": ms, "messaging": [
                {"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": ms, kind: receipt}]}]}


def telegram_update(*, update_id: int, chat_id: int, message_id: int, text: str, first_name: str = "Tania",
                    username: str | None = "tania", at: datetime | None = None) -> dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "es"}
    if username:
        user["username"] = username
    chat = {"id": chat_id, "first_name": first_name, "type": "private", **({"username": username} if username else {})}
    return {"update_id": update_id, "message": {"message_id": message_id, "from": user, "chat": chat,
                                                "date": int(_unix(at)), "text": text}}


def twilio_sms_form(*, account_sid: str, message_sid: str, from_number: str, to_number: str,
                    body: str) -> dict[str, str]:
    return {"ToCountry": "US", "ToState": "CA", "SmsMessageSid": message_sid, "NumMedia": "0",
            "ToCity": "", "FromZip": "", "SmsSid": message_sid, "FromState": "", "SmsStatus": "received",
            "FromCity": "", "Body": body, "FromCountry": "CO", "To": to_number, "ToZip": "",
            "NumSegments": "1", "MessageSid": message_sid, "AccountSid": account_sid, "From": from_number,
            "ApiVersion": "2010-04-01"}


def twilio_status_form(*, account_sid: str, message_sid: str, from_number: str, to_number: str,
                       status: str) -> dict[str, str]:
    return {"SmsSid": message_sid, "SmsStatus": status, "MessageStatus": status, "To": to_number,
            "MessageSid": message_sid, "AccountSid": account_sid, "From": from_number,
            "ApiVersion": "2010-04-01"}


# --------------------------------------------------------------------------- SNS (for SES)


class SnsSigner:
    """A local SNS: an RSA key and a self-signed certificate, made at start (never committed)."""

    CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-local.pem"

    def __init__(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.us-east-1.amazonaws.com")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self._key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(self._key, hashes.SHA256())
        )
        self.certificate_pem = certificate.public_bytes(serialization.Encoding.PEM)

    def notification(self, topic_arn: str, message: str, *, subject: str | None = None) -> dict[str, str]:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        from skailan.channels.sns import canonical_string

        fields = {"Type": "Notification", "MessageId": _uuid(), "TopicArn": topic_arn, "Message": message,
                  "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                  "SignatureVersion": "2", "SigningCertURL": self.CERT_URL,
                  "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"}
        if subject:
            fields["Subject"] = subject
        signature = self._key.sign(canonical_string(fields), padding.PKCS1v15(), hashes.SHA256())
        fields["Signature"] = base64.b64encode(signature).decode()
        return fields


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def ses_event_record(event_type: str, *, message_id: str, source: str, to: str,
                     tags: dict[str, str] | None = None, bounce_type: str = "Permanent",
                     link: str | None = None) -> dict[str, Any]:
    """An SES event-publishing record (the configuration set's SNS `Message`), in AWS's documented
    shape: Delivery, Bounce, Complaint, Reject, Open, Click."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    domain = source.rpartition("@")[2]
    mail = {"timestamp": now, "source": source, "sourceArn": f"arn:aws:ses:us-east-1:123456789012:identity/{domain}",
            "sendingAccountId": "123456789012", "messageId": message_id, "destination": [to],
            "headersTruncated": False, "headers": [], "commonHeaders": {"messageId": message_id},
            "tags": {name: [value] for name, value in (tags or {}).items()}}
    agent = {"ipAddress": "192.0.2.1", "timestamp": now, "userAgent": "Mozilla/5.0"}
    details: dict[str, Any] = {
        "Delivery": {"timestamp": now, "processingTimeMillis": 900, "recipients": [to],
                     "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "a8-50.smtp-out.amazonses.com"},
        "Bounce": {"bounceType": bounce_type, "bounceSubType": "General", "timestamp": now,
                   "bouncedRecipients": [{"emailAddress": to, "action": "failed", "status": "5.1.1",
                                          "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
                   "feedbackId": f"fb-{_uuid()}", "reportingMTA": "dsn; a8-50.smtp-out.amazonses.com"},
        "Complaint": {"complainedRecipients": [{"emailAddress": to}], "timestamp": now,
                      "feedbackId": f"fb-{_uuid()}", "complaintFeedbackType": "abuse"},
        "Reject": {"reason": "Bad content"},
        "Open": agent,
        "Click": {**agent, "link": link or "https://example.com/", "linkTags": {}},
    }
    return {"eventType": event_type, "mail": mail, event_type.lower(): details[event_type]}


def campaign_delivery(message: Any) -> dict[str, Any] | None:
    """The Delivery event of a campaign e-mail moto accepted (None for any other mail). The brand
    and campaign come from the unsubscribe link's token payload, as SES would from the tags."""
    import re
    from email.parser import HeaderParser

    raw = getattr(message, "raw_data", None)
    if not raw:
        return None
    headers = HeaderParser().parsestr(raw, headersonly=True)
    if "List-Unsubscribe-Post" not in headers:
        return None
    found = re.search(r"<(https?://[^>]+/public/campaigns/u/([^>/.]+)\.[^>]+)>", str(headers["List-Unsubscribe"]))
    if found is None:
        return None
    payload = found.group(2)
    try:
        _kind, tenant_id, campaign_id, _person, _index = base64.urlsafe_b64decode(
            payload + "=" * (-len(payload) % 4)).decode().split("|")
    except ValueError:
        return None
    destinations = list(getattr(message, "destinations", []) or [])
    return ses_event_record("Delivery", message_id=str(message.id), source=str(message.source),
                            to=str(destinations[0]) if destinations else "", tags={
                                "skailan_tenant": tenant_id, "skailan_campaign": campaign_id})


def ses_received_notification(*, message_id: str, recipients: list[str], sender: str, bucket: str,
                              key: str, subject: str) -> dict[str, Any]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {
        "notificationType": "Received",
        "mail": {"timestamp": now, "source": sender, "messageId": message_id, "destination": recipients,
                 "commonHeaders": {"from": [sender], "to": recipients, "subject": subject}},
        "receipt": {"timestamp": now, "processingTimeMillis": 120, "recipients": recipients,
                    "spamVerdict": {"status": "PASS"}, "virusVerdict": {"status": "PASS"},
                    "spfVerdict": {"status": "PASS"}, "dkimVerdict": {"status": "PASS"},
                    "dmarcVerdict": {"status": "PASS"},
                    "action": {"type": "S3", "topicArn": "arn:aws:sns:us-east-1:123456789012:inbound-mail",
                               "bucketName": bucket, "objectKey": key}},
    }


def compose_mime(*, sender: str, to: str, subject: str, text: str, message_id: str,
                 in_reply_to: str | None = None, references: list[str] | None = None,
                 cc: list[str] | None = None) -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime

    mime = EmailMessage()
    mime["From"], mime["To"], mime["Subject"] = sender, to, subject
    if cc:
        mime["Cc"] = ", ".join(cc)
    mime["Date"] = format_datetime(datetime.now(UTC))
    mime["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        mime["In-Reply-To"] = f"<{in_reply_to}>"
        mime["References"] = " ".join(f"<{r}>" for r in [*(references or []), in_reply_to])
    mime.set_content(text)
    return mime.as_bytes()


# --------------------------------------------------------------------------- the server


@dataclass
class Fault:
    status: int
    code: str | None = None
    retry_after: float | None = None
    to: str | None = None  # only calls to this recipient take it (tests sharing a runtime don't steal it)


@dataclass
class Directory:
    """What the fake needs to know about the seeded accounts to sign its callbacks."""

    meta_apps: dict[str, str] = field(default_factory=dict)  # app id → app secret
    whatsapp: dict[str, tuple[str, str]] = field(default_factory=dict)  # phone_number_id → (app id, waba)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # page/IG id → (app id, channel)
    twilio: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # account sid → (token, account id, from)


class FakeProviders:
    def __init__(self, directory: Directory, *, webhook_base: Callable[[], str], host: str = "127.0.0.1",
                 status_delay: float = 0.05) -> None:
        self.directory = directory
        self.webhook_base = webhook_base
        self.host = host
        self.status_delay = status_delay
        self.sns = SnsSigner()
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._faults: dict[str, deque[Fault]] = {p: deque() for p in PROVIDERS}
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._callbacks: deque[Callable[[], object]] = deque()  # what a callback returns is not used
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._sender: threading.Thread | None = None
        self._http: Any = None  # one keep-alive client for every callback
        self._templates: dict[str, dict[str, Any]] = {}  # Meta template id → template (with its waba)

    # ---- lifecycle

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> FakeProviders:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def do_DELETE(self) -> None:
                fake._serve(self, "DELETE")

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="skailan-fake-providers",
                                        daemon=True)
        self._thread.start()
        self._sender = threading.Thread(target=self._post_callbacks, name="skailan-fake-callbacks", daemon=True)
        self._sender.start()
        log.info("fake providers on %s", self.url)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def environment(self) -> dict[str, str]:
        """Settings that point the handlers at this fake (stage=local only)."""
        return {
            "GRAPH_API_URL": f"{self.url}/graph/{GRAPH_VERSION}",
            "TELEGRAM_API_URL": f"{self.url}/telegram",
            "TWILIO_API_URL": f"{self.url}/twilio",
            # Exactly this server: no other local port (moto, the gateway...) passes the SSRF guard.
            "LOCAL_PROVIDER_HOSTS": self.url.removeprefix("http://"),
            "LOCAL_SNS_CERTIFICATE_URL": f"{self.url}/sns/cert.pem",
            "BEDROCK_ENDPOINT_URL": f"{self.url}/bedrock",
            "OPENAI_API_URL": f"{self.url}/openai/v1",
        }

    # ---- outbox and faults

    def outbox(self, provider: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._records if provider is None or r["provider"] == provider]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            for queue in self._faults.values():
                queue.clear()
        from . import bus_faults

        bus_faults.clear()

    def add_fault(self, provider: str, status: int, count: int = 1, *, code: str | None = None,
                  retry_after: float | None = None, to: str | None = None) -> None:
        provider = "twilio" if provider == "sms" else provider
        if provider in ("eventbridge", "events"):  # the bus itself: PutEvents fails (bus_faults.py)
            from . import bus_faults

            bus_faults.add(status, count, code)
            return
        if provider not in self._faults:
            raise ValueError(f"unknown provider {provider!r}; one of {', '.join(PROVIDERS)}")
        with self._lock:
            self._faults[provider].extend(Fault(int(status), code, retry_after, to) for _ in range(max(0, int(count))))

    def _next_fault(self, provider: str, recipient: Any = None) -> Fault | None:
        """The first pending fault meant for this call: untargeted ones, or those for its recipient."""
        with self._lock:
            queue = self._faults[provider]
            for fault in queue:
                if fault.to is None or (recipient is not None and fault.to == str(recipient)):
                    queue.remove(fault)
                    return fault
            return None

    def _record(self, provider: str, method: str, path: str, query: str, body: Any, status: int,
                response: Any, fault: bool) -> None:
        with self._lock:
            self._records.append({"id": next(self._ids), "provider": provider, "method": method,
                                  "path": _redact(path), "query": query, "body": body, "status": status,
                                  "response": response, "fault": fault,
                                  "at": datetime.now(UTC).isoformat(timespec="milliseconds")})

    # ---- HTTP

    def _serve(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        content_type = request.headers.get("Content-Type") or ""
        try:
            status, headers, payload = self._route(method, parts.path, parts.query, raw, content_type,
                                                   dict(request.headers.items()))
        except _Drop:
            request.close_connection = True
            with contextlib.suppress(OSError):
                request.connection.shutdown(2)
            return
        except Exception as error:  # a bug in the fake must not look like a provider answer
            log.exception("fake provider error")
            status, headers, payload = 500, {}, {"error": {"message": str(error)}}
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _route(self, method: str, path: str, query: str, raw: bytes,
               content_type: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        segments = [s for s in path.split("/") if s]
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        if segments[:1] == ["graph"] and len(segments) == 3 and method == "GET" and "fields=" in query:
            return self._graph_object(segments[2], path, query, headers)
        if segments[:1] == ["graph"] and len(segments) == 4 and segments[3] == "subscribed_apps" and method == "POST":
            return self._graph_subscribe(segments[2], path, query, headers)
        if segments[:2] == ["twilio", "2010-04-01"] and len(segments) >= 4 and segments[-1] != "Messages.json":
            return self._twilio_account(method, segments, path, query, raw, headers)
        if path == "/sns/cert.pem":
            return 200, {"Content-Type": "application/x-pem-file"}, self.sns.certificate_pem
        if segments[:1] == ["media"] or (segments[:2] == ["twilio", "media"]):
            return 200, {"Content-Type": "image/png"}, PNG
        if segments[:1] == ["graph"] and len(segments) == 3 and method == "GET":
            media_id = segments[2]
            return 200, {}, {"messaging_product": "whatsapp", "url": f"{self.url}/media/{media_id}",
                             "mime_type": "image/png", "sha256": hashlib.sha256(PNG).hexdigest(),
                             "file_size": len(PNG), "id": media_id}
        if segments[:1] == ["graph"] and len(segments) == 4 and segments[3] == "message_templates":
            return self._graph_templates(method, segments[2], path, query, raw)
        if segments[:1] == ["graph"] and len(segments) == 3 and method == "POST" and segments[2] in self._templates:
            return self._graph_template_edit(segments[2], path, query, raw)
        if segments[:1] == ["graph"] and len(segments) == 4 and segments[3] == "messages" and method == "POST":
            return self._graph_send(segments[2], path, query, raw)
        if segments[:1] == ["telegram"]:
            return self._telegram(method, segments[1:], path, query, raw, content_type)
        if segments[:2] == ["twilio", "2010-04-01"] and segments[-1] == "Messages.json" and method == "POST":
            return self._twilio_send(segments[3], path, query, raw)
        if segments[:2] == ["bedrock", "model"] and len(segments) == 4 and segments[3] == "converse" and method == "POST":
            return self._bedrock_converse(unquote(segments[2]), path, query, raw)
        if segments[:1] == ["openai"] and segments[1:] == ["v1", "chat", "completions"] and method == "POST":
            return self._openai_chat(path, query, raw, headers)
        return 404, {}, {"error": {"message": f"no fake for {method} {path}"}}

    # ---- account setup: credential checks and webhook registration (channel_setup)

    @staticmethod
    def _graph_token_refused(headers: dict[str, str], query: str) -> dict[str, Any] | None:
        """Graph's answer to a bad token (any token starting with "invalid" is one, locally)."""
        token = headers.get("authorization", "").removeprefix("Bearer ").strip() or dict(parse_qsl(query)).get(
            "access_token", "")
        if token and not token.startswith("invalid"):
            return None
        return {"error": {"message": "Invalid OAuth access token - Cannot parse access token",
                          "type": "OAuthException", "code": 190, "fbtrace_id": "AFakeTrace"}}

    def _graph_object(self, object_id: str, path: str, query: str,
                      headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        fields = dict(parse_qsl(query)).get("fields", "")
        provider = ("whatsapp" if "display_phone_number" in fields else "instagram" if "username" in fields
                    else "messenger")
        if "first_name" in fields or ("username" in fields and "name" in fields.split(",")):
            return self._user_profile(object_id, provider, path, query, headers)
        refused = self._graph_token_refused(headers, query)
        if refused is not None:
            self._record(provider, "GET", path, query, None, 400, refused, False)
            return 400, {}, refused
        if provider == "whatsapp":  # WhatsApp Business phone number node
            response: dict[str, Any] = {"id": object_id, "display_phone_number": "+1 555-010-0000",
                                        "verified_name": "Skailan Demo", "quality_rating": "GREEN"}
        elif provider == "instagram":
            response = {"id": object_id, "username": "skailan_demo"}
        else:
            response = {"id": object_id, "name": "Skailan Demo"}
        self._record(provider, "GET", path, query, None, 200, response, False)
        return 200, {}, response

    def _user_profile(self, user_id: str, provider: str, path: str, query: str,
                      headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """Messenger `GET /{PSID}?fields=first_name,last_name`, Instagram `GET /{IGSID}?fields=name,username`."""
        refused = self._graph_token_refused(headers, query)
        if refused is not None:
            self._record(provider, "GET", path, query, None, 400, refused, False)
            return 400, {}, refused
        suffix = user_id[-4:]
        response: dict[str, Any] = ({"first_name": "Cliente", "last_name": f"Messenger {suffix}", "id": user_id}
                                    if provider == "messenger" else
                                    {"name": f"Cliente Instagram {suffix}", "username": f"cliente_{suffix}",
                                     "id": user_id})
        self._record(provider, "GET", path, query, None, 200, response, False)
        return 200, {}, response

    def _graph_subscribe(self, object_id: str, path: str, query: str,
                         headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """`POST /{waba_id}/subscribed_apps` (WhatsApp) and `POST /{page_id}/subscribed_apps` (pages)."""
        provider = "messenger" if "subscribed_fields=" in query else "whatsapp"
        if provider == "messenger" and self.directory.pages.get(object_id, ("", ""))[1] == "instagram":
            provider = "instagram"
        refused = self._graph_token_refused(headers, query)
        status, response = (400, refused) if refused is not None else (200, {"success": True})
        self._record(provider, "POST", path, query, None, status, response, False)
        return status, {}, response

    def _twilio_account(self, method: str, segments: list[str], path: str, query: str, raw: bytes,
                        headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        """`GET Accounts/{sid}.json`; the number's webhook: `GET IncomingPhoneNumbers.json?PhoneNumber=`
        then `POST IncomingPhoneNumbers/{PN sid}.json` (SmsUrl, SmsMethod)."""
        auth = headers.get("authorization", "")
        try:
            _user, _, password = base64.b64decode(auth.removeprefix("Basic ").strip()).decode().partition(":")
        except ValueError:
            password = ""
        body = dict(parse_qsl(raw.decode())) if raw else None
        if not password or password.startswith("invalid"):
            response: Any = {"code": 20003, "message": "Authenticate",
                             "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}
            self._record("twilio", method, path, query, body, 401, response, False)
            return 401, {}, response
        sid = segments[3].removesuffix(".json")
        rest = segments[4:]
        number = dict(parse_qsl(query)).get("PhoneNumber") or "+15005550006"
        pn_sid = "PN" + hashlib.sha256(f"{sid}{number}".encode()).hexdigest()[:32]
        if not rest:
            response = {"sid": sid, "friendly_name": "Skailan Demo", "status": "active", "type": "Full",
                        "uri": f"/2010-04-01/Accounts/{sid}.json"}
        elif rest == ["IncomingPhoneNumbers.json"]:
            response = {"incoming_phone_numbers": [{"sid": pn_sid, "account_sid": sid, "phone_number": number,
                                                    "sms_url": "", "sms_method": "POST"}],
                        "page": 0, "page_size": 50}
        elif len(rest) == 2 and rest[0] == "IncomingPhoneNumbers" and method == "POST":
            response = {"sid": rest[1].removesuffix(".json"), "account_sid": sid,
                        "sms_url": (body or {}).get("SmsUrl"), "sms_method": (body or {}).get("SmsMethod", "POST")}
        else:
            return 404, {}, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        self._record("twilio", method, path, query, body, 200, response, False)
        return 200, {}, response

    def _fault_response(self, provider: str, fault: Fault) -> tuple[int, dict[str, str], Any]:
        if fault.status == 0:
            raise _Drop
        headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
        status = fault.status
        if provider in ("whatsapp", "messenger", "instagram"):
            default = {429: "130429" if provider == "whatsapp" else "4"}.get(status) or (
                ("131000" if provider == "whatsapp" else "2") if status >= 500 else "100")
            code = fault.code or default
            return status, headers, {"error": {"message": f"(#{code}) fake failure", "type": "OAuthException",
                                               "code": int(code) if code.isdigit() else code,
                                               "error_data": {"details": "Injected by POST /_local/faults"},
                                               "is_transient": status >= 500, "fbtrace_id": "AFakeTrace"}}
        if provider == "telegram":
            body: dict[str, Any] = {"ok": False, "error_code": status,
                                    "description": "Too Many Requests: retry later" if status == 429 else "fake failure"}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": int(fault.retry_after)}
            return status, headers, body
        code = fault.code or ("20429" if status == 429 else "20500" if status >= 500 else "21211")
        return status, headers, {"code": int(code) if code.isdigit() else code, "message": "fake failure",
                                 "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}

    def _graph_send(self, object_id: str, path: str, query: str, raw: bytes) -> tuple[int, dict[str, str], Any]:
        body = json.loads(raw or b"{}")
        if body.get("messaging_product") == "whatsapp":
            provider = "whatsapp"
        else:
            provider = self.directory.pages.get(object_id, ("", "messenger"))[1]
        fault = self._next_fault(provider, body.get("to") or (body.get("recipient") or {}).get("id"))
        if fault is not None:
            status, headers, response = self._fault_response(provider, fault)
            self._record(provider, "POST", path, query, body, status, response, True)
            return status, headers, response
        if provider == "whatsapp":
            to = str(body.get("to", ""))
            wamid = "wamid." + base64.b64encode(f"fake-{next(self._ids)}-{time.time_ns()}".encode()).decode()
            response = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                        "messages": [{"id": wamid, **({"message_status": "accepted"} if body.get("type") == "template" else {})}]}
            self._record(provider, "POST", path, query, body, 200, response, False)
            self._whatsapp_statuses(object_id, wamid, to)
            return 200, {}, response
        recipient = str((body.get("recipient") or {}).get("id", ""))
        mid = f"m_fake{next(self._ids)}_{time.time_ns()}"
        response = {"recipient_id": recipient, "message_id": mid}
        self._record(provider, "POST", path, query, body, 200, response, False)
        self._page_receipts(object_id, provider, mid, recipient)
        return 200, {}, response

    # ---- WhatsApp message templates (Business Management API)

    def _graph_error(self, status: int, code: int, message: str, subcode: int | None = None) -> dict[str, Any]:
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AFakeTrace"}
        if subcode is not None:
            error["error_subcode"] = subcode
        return {"error": error}

    def _graph_templates(self, method: str, waba: str, path: str, query: str,
                         raw: bytes) -> tuple[int, dict[str, str], Any]:
        body = json.loads(raw or b"{}") if method == "POST" else None
        fault = self._next_fault("whatsapp", waba)  # a template call's "recipient" is its WABA
        if fault is not None:
            status, headers, response = self._fault_response("whatsapp", fault)
            self._record("whatsapp", method, path, query, body, status, response, True)
            return status, headers, response
        params = dict(parse_qsl(query))
        if method == "GET":
            with self._lock:
                mine = [t for t in self._templates.values() if t["waba"] == waba]
            limit = max(1, min(int(params.get("limit") or 25), 100))
            start = int(base64.b64decode(params["after"]).decode()) if params.get("after") else 0
            page = mine[start:start + limit]
            listing: dict[str, Any] = {"data": [{k: v for k, v in t.items() if k != "waba"} for t in page]}
            if page:
                cursors = {"before": base64.b64encode(str(start).encode()).decode(),
                           "after": base64.b64encode(str(start + len(page)).encode()).decode()}
                listing["paging"] = {"cursors": cursors}
                if start + len(page) < len(mine):
                    listing["paging"]["next"] = f"{self.url}{path}?limit={limit}&after={cursors['after']}"
            self._record("whatsapp", method, path, query, None, 200, listing, False)
            return 200, {}, listing
        if method == "DELETE":
            with self._lock:
                doomed = [i for i, t in self._templates.items() if t["waba"] == waba and t["name"] == params.get("name")
                          and (not params.get("hsm_id") or i == params["hsm_id"])]
                for template_id in doomed:
                    del self._templates[template_id]
            if not doomed:
                response = self._graph_error(404, 100, "(#100) Template not found", 2593002)
                self._record("whatsapp", method, path, query, None, 404, response, False)
                return 404, {}, response
            self._record("whatsapp", method, path, query, None, 200, {"success": True}, False)
            return 200, {}, {"success": True}
        fields = body or {}  # a POST's (read above); another method has none: invalid parameter
        name, language = str(fields.get("name") or ""), str(fields.get("language") or "")
        category, components = str(fields.get("category") or ""), fields.get("components")
        if not name or not language or category not in ("MARKETING", "UTILITY", "AUTHENTICATION") or not components:
            response = self._graph_error(400, 100, "(#100) Invalid parameter")
            self._record("whatsapp", method, path, query, body, 400, response, False)
            return 400, {}, response
        with self._lock:
            duplicate = any(t["waba"] == waba and t["name"] == name and t["language"] == language
                            for t in self._templates.values())
            template_id = str(900000000000000 + next(self._ids))
            if not duplicate:
                self._templates[template_id] = {"id": template_id, "name": name, "language": language,
                                                "status": "PENDING", "category": category, "components": components,
                                                "waba": waba}
        if duplicate:
            response = self._graph_error(400, 100, "Content in this language already exists", 2388024)
            self._record("whatsapp", method, path, query, body, 400, response, False)
            return 400, {}, response
        response = {"id": template_id, "status": "PENDING", "category": category}
        self._record("whatsapp", method, path, query, body, 200, response, False)
        self._review(template_id)
        return 200, {}, response

    def hold_templates(self, waba: str, templates: list[dict[str, Any]]) -> list[str]:
        """Templates Meta already has for a WABA (the demo's seeded ones), reviewed as given: no
        webhook. Their ids come from WABA, name and language, so they survive a restart of the
        runtime (a registry synced before keeps its Meta ids)."""
        ids = []
        with self._lock:
            for template in templates:
                key = f"{waba}/{template['name']}/{template['language']}".encode()
                template_id = str(700000000000000 + zlib.crc32(key))
                self._templates[template_id] = {"id": template_id, **template, "waba": waba}
                ids.append(template_id)
        return ids

    def _graph_template_edit(self, template_id: str, path: str, query: str,
                             raw: bytes) -> tuple[int, dict[str, str], Any]:
        body = json.loads(raw or b"{}")
        with self._lock:
            waba = (self._templates.get(template_id) or {}).get("waba")
        fault = self._next_fault("whatsapp", waba)
        if fault is not None:
            status, headers, response = self._fault_response("whatsapp", fault)
            self._record("whatsapp", "POST", path, query, body, status, response, True)
            return status, headers, response
        with self._lock:
            template = self._templates[template_id]
            template["components"] = body.get("components") or template["components"]
            template["category"] = body.get("category") or template["category"]
            template["status"] = "PENDING"
        self._record("whatsapp", "POST", path, query, body, 200, {"success": True}, False)
        self._review(template_id)
        return 200, {}, {"success": True}

    def _review(self, template_id: str) -> None:
        """Meta's review, a moment later: approved, unless the name asks to be rejected."""
        rejected = str(self._templates[template_id]["name"]).startswith("reject")
        self._enqueue(lambda: self.template_webhook(template_id, event="REJECTED" if rejected else "APPROVED",
                                                    reason="INVALID_FORMAT" if rejected else None))

    def template_webhook(self, template_id: str, *, event: str | None = None, reason: str | None = None,
                         quality: str | None = None) -> dict[str, Any]:
        """Post a `message_template_status_update` (event) or `message_template_quality_update`
        (quality) for a template, signed with its WABA's app secret."""
        with self._lock:
            template = self._templates.get(template_id)
            if template is None:
                raise KeyError(template_id)
            if event:
                template["status"] = {"REINSTATED": "APPROVED"}.get(event, event)
                if event == "REJECTED":
                    template["rejected_reason"] = reason or "INVALID_FORMAT"
            if quality:
                template["quality_score"] = {"score": quality}
            snapshot = dict(template)
        app_id = next((app for app, waba in self.directory.whatsapp.values() if waba == snapshot["waba"]), "")
        payload = whatsapp_template_payload(snapshot["waba"], template_id=template_id, name=snapshot["name"],
                                            language=snapshot["language"], event=event, reason=reason,
                                            quality=quality)
        if app_id:
            self.post_meta(app_id, payload)
        return payload

    def _telegram(self, method: str, segments: list[str], path: str, query: str, raw: bytes,
                  content_type: str) -> tuple[int, dict[str, str], Any]:
        if segments[:1] == ["file"]:
            return 200, {"Content-Type": "image/png"}, PNG
        if len(segments) != 2 or not segments[0].startswith("bot"):
            return 404, {}, {"ok": False, "error_code": 404, "description": "Not Found"}
        api_method = segments[1]
        if api_method in ("getMe", "setWebhook", "deleteWebhook", "getWebhookInfo"):
            return self._telegram_setup(segments[0], api_method, path, query, raw, content_type)
        if api_method == "getFile":
            file_id = dict(parse_qsl(query)).get("file_id") or json.loads(raw or b"{}").get("file_id", "")
            return 200, {}, {"ok": True, "result": {"file_id": file_id, "file_unique_id": file_id[:8],
                                                    "file_size": len(PNG), "file_path": f"photos/{file_id}.png"}}
        body = json.loads(raw) if raw and "json" in content_type else dict(parse_qsl(raw.decode()))
        fault = self._next_fault("telegram", body.get("chat_id"))
        if fault is not None:
            status, headers, response = self._fault_response("telegram", fault)
            self._record("telegram", method, path, query, body, status, response, True)
            return status, headers, response
        given = body.get("chat_id")
        chat_id = int(str(given)) if str(given).lstrip("-").isdigit() else given
        result: dict[str, Any] = {"message_id": next(self._ids) + 1000,
                                  "from": {"id": 123456, "is_bot": True, "first_name": "Skailan Demo",
                                           "username": "skailan_demo_bot"},
                                  "chat": {"id": chat_id, "type": "private"}, "date": int(time.time())}
        if "text" in body:
            result["text"] = body["text"]
        for media_field in ("photo", "document", "video", "audio"):
            if media_field in body:
                result[media_field] = {"file_id": f"fake-{media_field}-{result['message_id']}"}
                if body.get("caption"):
                    result["caption"] = body["caption"]
        response = {"ok": True, "result": result}
        self._record("telegram", method, path, query, body, 200, response, False)
        return 200, {}, response

    def _telegram_setup(self, bot: str, api_method: str, path: str, query: str, raw: bytes,
                        content_type: str) -> tuple[int, dict[str, str], Any]:
        body = json.loads(raw) if raw and "json" in content_type else dict(parse_qsl(raw.decode() or query))
        if ":invalid" in bot or bot.removeprefix("bot").startswith("invalid"):
            response: dict[str, Any] = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            self._record("telegram", "POST", path, query, body, 401, response, False)
            return 401, {}, response
        if api_method == "getMe":
            response = {"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "Skailan Demo",
                                               "username": "skailan_demo_bot", "can_join_groups": True}}
        elif api_method == "setWebhook":
            response = {"ok": True, "result": True, "description": "Webhook was set"}
        elif api_method == "deleteWebhook":
            response = {"ok": True, "result": True, "description": "Webhook was deleted"}
        else:
            response = {"ok": True, "result": {"url": "", "has_custom_certificate": False, "pending_update_count": 0}}
        self._record("telegram", "POST", path, query, body, 200, response, False)
        return 200, {}, response

    def _twilio_send(self, account_sid: str, path: str, query: str, raw: bytes) -> tuple[int, dict[str, str], Any]:
        pairs = parse_qsl(raw.decode(), keep_blank_values=True)
        body: dict[str, Any] = {}
        for name, value in pairs:
            if name == "MediaUrl":
                body.setdefault(name, []).append(value)
            else:
                body[name] = value
        fault = self._next_fault("twilio", body.get("To"))
        if fault is not None:
            status, headers, response = self._fault_response("twilio", fault)
            self._record("twilio", "POST", path, query, body, status, response, True)
            return status, headers, response
        sid = "SM" + hashlib.sha256(f"{next(self._ids)}-{time.time_ns()}".encode()).hexdigest()[:32]
        now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        response = {"account_sid": account_sid, "api_version": "2010-04-01", "body": body.get("Body", ""),
                    "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
                    "error_code": None, "error_message": None, "from": body.get("From"),
                    "messaging_service_sid": body.get("MessagingServiceSid"), "num_media": str(len(body.get("MediaUrl", []))),
                    "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid, "status": "queued",
                    "to": body.get("To"), "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"}
        self._record("twilio", "POST", path, query, body, 201, response, False)
        self._twilio_statuses(account_sid, sid, body)
        return 201, {}, response

    # ---- delivery states back to the webhooks

    def _enqueue(self, callback: Callable[[], object]) -> None:
        self._callbacks.append(callback)
        self._wake.set()

    def _post_callbacks(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            while self._callbacks and not self._stopping.is_set():
                callback = self._callbacks.popleft()
                time.sleep(self.status_delay)
                try:
                    callback()
                except Exception:  # the runtime may be stopping; a lost status is only a lost status
                    log.warning("status callback failed", exc_info=True)

    def _client(self) -> Any:
        if self._http is None:
            import httpx

            self._http = httpx.Client(timeout=10)
        return self._http

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> None:
        response = self._client().post(self.webhook_base().rstrip("/") + path, content=body, headers=headers)
        if response.status_code >= 300:
            log.warning("callback %s answered %d: %s", path, response.status_code, response.text[:200])

    def post_meta(self, app_id: str, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        secret = self.directory.meta_apps.get(app_id, "")
        self._post(f"/webhooks/meta/{app_id}", body,
                   {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, secret)})

    def _whatsapp_statuses(self, phone_number_id: str, wamid: str, recipient: str) -> None:
        app_id, waba = self.directory.whatsapp.get(phone_number_id, ("", ""))
        if not app_id:
            return
        for status in ("sent", "delivered", "read"):
            payload = whatsapp_status_payload(phone_number_id, waba, wamid=wamid, status=status, recipient=recipient)
            self._enqueue(partial(self.post_meta, app_id, payload))

    def _page_receipts(self, page_id: str, channel: str, mid: str, recipient: str) -> None:
        app_id = self.directory.pages.get(page_id, ("", ""))[0]
        if not app_id:
            return
        instagram = channel == "instagram"
        delivery = messenger_receipt_payload(page_id, psid=recipient, kind="delivery", mids=[mid], instagram=instagram)
        read = messenger_receipt_payload(page_id, psid=recipient, kind="read", instagram=instagram)
        self._enqueue(lambda: self.post_meta(app_id, delivery))
        self._enqueue(lambda: self.post_meta(app_id, read))

    def _twilio_statuses(self, account_sid: str, sid: str, body: dict[str, Any]) -> None:
        token, account_id, from_number = self.directory.twilio.get(account_sid, ("", "", ""))
        if not token:
            return
        url = str(body.get("StatusCallback") or f"{self.webhook_base().rstrip('/')}/webhooks/twilio/{account_id}")
        for status in ("sent", "delivered"):
            form = twilio_status_form(account_sid=account_sid, message_sid=sid, from_number=str(body.get("From") or from_number),
                                      to_number=str(body.get("To")), status=status)
            self._enqueue(partial(self._post_twilio, url, form, token))

    def _post_twilio(self, url: str, form: dict[str, str], token: str) -> None:
        response = self._client().post(url, content=urlencode(form).encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": twilio_signature(url, form, token)})
        if response.status_code >= 300:
            log.warning("twilio callback answered %d", response.status_code)

    # ---- inbound e-mail (SES + SNS)

    def receive_email(self, *, sender: str, to: str, subject: str, text: str, in_reply_to: str | None = None,
                      references: list[str] | None = None) -> dict[str, Any]:
        from skailan.platform.aws import client
        from skailan.platform.settings import get_settings

        settings = get_settings()
        message_id = f"{_uuid()}@{sender.rpartition('@')[2] or 'example.com'}"
        ses_id = hashlib.sha1(message_id.encode()).hexdigest()  # noqa: S324 - an id, not security
        key = f"inbound/{ses_id}"
        mime = compose_mime(sender=sender, to=to, subject=subject, text=text, message_id=message_id,
                            in_reply_to=in_reply_to, references=references)
        client("s3").put_object(Bucket=settings.inbound_mail_bucket, Key=key, Body=mime)
        notification = ses_received_notification(message_id=ses_id, recipients=[to], sender=sender,
                                                 bucket=settings.inbound_mail_bucket, key=key, subject=subject)
        envelope = self.sns.notification(settings.inbound_mail_topic_arn, json.dumps(notification),
                                         subject="Amazon SES Email Receipt Notification")
        import httpx

        response = httpx.post(self.webhook_base().rstrip("/") + "/webhooks/ses", json=envelope, timeout=10,
                              headers={"x-amz-sns-message-type": "Notification"})
        return {"message_id": message_id, "ses_message_id": ses_id, "webhook_status": response.status_code,
                "webhook": response.json() if response.content else None}

    def watch_campaign_mail(self, sent: Callable[[], list[Any]]) -> None:
        """Play SES's event destination for campaign e-mail: each message moto's SES accepted that
        carries the campaign headers gets its Delivery event posted (so stats move under `make run`)."""

        def loop() -> None:
            seen = 0
            while not self._stopping.wait(0.5):
                try:
                    messages = sent()
                    for message in messages[seen:]:
                        record = campaign_delivery(message)
                        if record is not None:
                            self._enqueue(partial(self.ses_event, record))
                    seen = len(messages)
                except Exception:  # the runtime may be stopping
                    log.warning("campaign mail watch failed", exc_info=True)

        threading.Thread(target=loop, name="skailan-fake-ses-events", daemon=True).start()

    def ses_event(self, record: dict[str, Any]) -> dict[str, Any]:
        """An SES event (ses_event_record) to /webhooks/ses as SNS signs it."""
        import httpx

        from skailan.platform.settings import get_settings

        envelope = self.sns.notification(get_settings().email_events_topic_arn, json.dumps(record))
        response = httpx.post(self.webhook_base().rstrip("/") + "/webhooks/ses", json=envelope, timeout=10,
                              headers={"x-amz-sns-message-type": "Notification"})
        return {"webhook_status": response.status_code, "webhook": response.json() if response.content else None}

    # ---- model providers for the lead-note classifier

    @staticmethod
    def _classify_prompt(text: str) -> dict[str, Any]:
        """The answer a well-behaved model gives: the classifier's `{"notes": [{"index", "text"}]}`
        prompt (any other text is one note), classified offline, in the tool's input schema."""
        from skailan.leads.classification.offline import classify_one

        try:
            notes = json.loads(text)["notes"]
            items = [(int(n["index"]), str(n["text"])) for n in notes]
        except (ValueError, KeyError, TypeError):
            items = [(0, text)]
        results = []
        for index, note in items:
            verdict = classify_one(note)
            results.append({"index": index, "outcome": verdict.outcome.value, "reason": verdict.reason})
        return {"results": results}

    def _bedrock_converse(self, model_id: str, path: str, query: str, raw: bytes) -> tuple[int, dict[str, str], Any]:
        body = json.loads(raw or b"{}")
        fault = self._next_fault("bedrock", model_id)
        if fault is not None and not (fault.status == 200 and fault.code == "malformed"):
            if fault.status == 0:
                raise _Drop
            # Bedrock's error shape: the type in x-amzn-ErrorType, {"message"} in the body.
            kind = fault.code or {429: "ThrottlingException", 500: "InternalServerException",
                                  503: "ServiceUnavailableException", 424: "ModelErrorException",
                                  403: "AccessDeniedException", 404: "ResourceNotFoundException"}.get(
                fault.status, "ValidationException")
            response: Any = {"message": "Too many requests, please wait before trying again." if fault.status == 429
                             else "fake failure (POST /_local/faults)"}
            headers = {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/",
                       "x-amzn-RequestId": _uuid()}
            self._record("bedrock", "POST", path, query, body, fault.status, response, True)
            return fault.status, headers, response
        messages = [m for m in body.get("messages") or [] if m.get("role") == "user"]
        text = "".join(block.get("text", "") for block in (messages[-1].get("content") or [])) if messages else ""
        answer: Any = self._classify_prompt(text)
        if fault is not None:  # a model that ignored the schema
            answer = {"results": "no sé / not sure"}
        choice = ((body.get("toolConfig") or {}).get("toolChoice") or {}).get("tool") or {}
        tools = (body.get("toolConfig") or {}).get("tools") or []
        tool_name = choice.get("name") or ((tools[0].get("toolSpec") or {}).get("name") if tools else None)
        content: list[dict[str, Any]]
        if tool_name:
            content = [{"toolUse": {"toolUseId": f"tooluse_{_uuid().replace('-', '')[:22]}", "name": tool_name,
                                    "input": answer}}]
            stop = "tool_use"
        else:
            content, stop = [{"text": json.dumps(answer, ensure_ascii=False)}], "end_turn"
        tokens_in = max(1, len(raw) // 4)
        tokens_out = max(1, len(json.dumps(answer)) // 4)
        response = {"output": {"message": {"role": "assistant", "content": content}}, "stopReason": stop,
                    "usage": {"inputTokens": tokens_in, "outputTokens": tokens_out,
                              "totalTokens": tokens_in + tokens_out},
                    "metrics": {"latencyMs": 12}}
        self._record("bedrock", "POST", path, query, body, 200, response, False)
        return 200, {"x-amzn-RequestId": _uuid()}, response

    def _openai_chat(self, path: str, query: str, raw: bytes,
                     headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        body = json.loads(raw or b"{}")
        model = str(body.get("model", ""))
        key = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not key or key.startswith("invalid"):
            response: Any = {"error": {"message": "Incorrect API key provided. You can find your API key at "
                                                  "https://platform.openai.com/account/api-keys.",
                                       "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}
            self._record("openai", "POST", path, query, body, 401, response, False)
            return 401, {}, response
        fault = self._next_fault("openai", model)
        if fault is not None and not (fault.status == 200 and fault.code == "malformed"):
            if fault.status == 0:
                raise _Drop
            code, kind, message = {
                429: ("rate_limit_exceeded", "requests", "Rate limit reached for requests. Please try again later."),
            }.get(fault.status, (None, "server_error", "The server had an error while processing your request."))
            response = {"error": {"message": message, "type": kind, "param": None, "code": fault.code or code}}
            extra = {"retry-after": str(int(fault.retry_after))} if fault.retry_after is not None else {}
            self._record("openai", "POST", path, query, body, fault.status, response, True)
            return fault.status, extra, response
        prompts = [m for m in body.get("messages") or [] if m.get("role") == "user"]
        text = str(prompts[-1].get("content") or "") if prompts else ""
        content = json.dumps(self._classify_prompt(text), ensure_ascii=False)
        if fault is not None:
            content = "{\"results\": [{\"index\": 0, \"outcome\": "  # cut short mid-answer
        tokens_in, tokens_out = max(1, len(raw) // 4), max(1, len(content) // 4)
        response = {"id": f"chatcmpl-{_uuid().replace('-', '')[:24]}", "object": "chat.completion",
                    "created": int(time.time()), "model": model or "gpt-4o-mini",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None,
                                                         "annotations": []},
                                 "logprobs": None, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                              "total_tokens": tokens_in + tokens_out},
                    "system_fingerprint": "fp_fake"}
        self._record("openai", "POST", path, query, body, 200, response, False)
        return 200, {"x-request-id": f"req_{_uuid().replace('-', '')[:24]}"}, response

    # ---- local routes (served on the API port)

    def routes(self) -> list[tuple[str, str, Callable[[Any], tuple[int, dict[str, str], Any]]]]:
        def outbox(request: Any) -> tuple[int, dict[str, str], Any]:
            return 200, {}, {"items": self.outbox(request.query.get("provider"))}

        def clear(_request: Any) -> tuple[int, dict[str, str], Any]:
            self.clear()
            return 200, {}, {"cleared": True}

        def faults(request: Any) -> tuple[int, dict[str, str], Any]:
            try:
                spec = request.json() or {}
                self.add_fault(str(spec["provider"]), int(spec["status"]), int(spec.get("count", 1)),
                               code=str(spec["code"]) if spec.get("code") is not None else None,
                               retry_after=float(spec["retry_after"]) if spec.get("retry_after") is not None else None,
                               to=str(spec["to"]) if spec.get("to") is not None else None)
            except (KeyError, TypeError, ValueError) as error:
                return 400, {}, {"message": f"expected {{provider, status, count}}: {error}"}
            from . import bus_faults

            with self._lock:
                pending = {p: len(q) for p, q in self._faults.items() if q}
            if bus_faults.pending():
                pending["eventbridge"] = bus_faults.pending()
            return 200, {}, {"pending": pending}

        def email(request: Any) -> tuple[int, dict[str, str], Any]:
            spec = request.json() or {}
            try:
                result = self.receive_email(sender=str(spec["from"]), to=str(spec["to"]),
                                            subject=str(spec.get("subject", "")), text=str(spec.get("text", "")),
                                            in_reply_to=spec.get("in_reply_to"), references=spec.get("references"))
            except KeyError as error:
                return 400, {}, {"message": f"missing {error}"}
            return 200, {}, result

        def ses_events(request: Any) -> tuple[int, dict[str, str], Any]:
            spec = request.json() or {}
            try:
                record = ses_event_record(str(spec["event"]), message_id=str(spec["message_id"]),
                                          source=str(spec["source"]), to=str(spec["to"]), tags=spec.get("tags"),
                                          bounce_type=str(spec.get("bounce_type") or "Permanent"),
                                          link=spec.get("link"))
            except KeyError as error:
                return 400, {}, {"message": f"missing or unknown {error}"}
            return 200, {}, self.ses_event(record)

        def template_status(request: Any) -> tuple[int, dict[str, str], Any]:
            spec = request.json() or {}
            try:
                payload = self.template_webhook(str(spec["template_id"]), event=spec.get("event"),
                                                reason=spec.get("reason"), quality=spec.get("quality"))
            except KeyError as error:
                return 404, {}, {"message": f"unknown template {error}"}
            return 200, {}, payload

        return [("GET", "/_local/outbox", outbox), ("DELETE", "/_local/outbox", clear),
                ("POST", "/_local/faults", faults), ("POST", "/_local/email", email),
                ("POST", "/_local/ses-events", ses_events),
                ("POST", "/_local/whatsapp-templates", template_status)]


class _Drop(Exception):
    """Close the connection without an answer (a network failure)."""


def _redact(path: str) -> str:
    """Telegram puts the bot token in the path: keep it out of the outbox."""
    return "/".join("bot<token>" if part.startswith("bot") and ":" in part else part for part in path.split("/"))
