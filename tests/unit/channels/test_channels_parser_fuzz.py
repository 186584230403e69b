"""Every parser, fed anything: it returns events or raises one PayloadError, nothing else.

Random JSON rarely gets past the first check, so besides pure noise each parser is also fed
its own documented fixtures with parts replaced by noise or removed, which reaches deep into
the payload. Events that come out must also serialise (they go on a queue as JSON).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from skailan.channels import email as mail
from skailan.channels import instagram, messenger, meta, sns, telegram, twilio, whatsapp
from skailan.channels.errors import PayloadError
from skailan.channels.models import InboundEvent
from skailan.platform.errors import SkailanError

FIXTURES = Path(__file__).parent / "fixtures"
EVENTS = TypeAdapter(list[InboundEvent])
FUZZ = settings(
    max_examples=int(os.environ.get("CHANNELS_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", "0", "-1", "1749416383", "\ud800", "text", "image"])
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def fixtures(provider: str) -> list[Any]:
    return [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted((FIXTURES / provider).glob("*.json"))
    ]


def _slots(value: Any, slots: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) position in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            slots.append((value, key))
            _slots(item, slots)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            slots.append((value, index))
            _slots(item, slots)
    return slots


def mutated(data: st.DataObject, documents: list[Any]) -> Any:
    document = copy.deepcopy(data.draw(st.sampled_from(documents)))
    for _ in range(data.draw(st.integers(1, 3))):
        slots = _slots(document, [])
        if not slots:
            break
        container, key = data.draw(st.sampled_from(slots))
        if data.draw(st.booleans()):
            container[key] = data.draw(json_values)
        elif isinstance(container, dict):
            del container[key]
        else:
            container.pop(key)
    return document


def events_or_payload_error(parse, payload: Any) -> None:
    try:
        events = parse(payload)
    except PayloadError:
        return
    assert isinstance(events, list)
    EVENTS.dump_json(events)  # serialisable for the queue


JSON_PARSERS = {
    "whatsapp": (whatsapp.parse, fixtures("whatsapp")),
    "messenger": (messenger.parse, fixtures("messenger")),
    "instagram": (instagram.parse, fixtures("instagram")),
    "meta": (meta.parse, fixtures("whatsapp") + fixtures("messenger") + fixtures("instagram")),
    "telegram": (telegram.parse, fixtures("telegram")),
}


@pytest.mark.parametrize("name", JSON_PARSERS)
@FUZZ
@given(payload=json_values)
def test_json_parsers_accept_any_json(name, payload):
    events_or_payload_error(JSON_PARSERS[name][0], payload)


@pytest.mark.parametrize("name", JSON_PARSERS)
@FUZZ
@given(body=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_json_parsers_accept_any_bytes(name, body):
    events_or_payload_error(JSON_PARSERS[name][0], body)


@pytest.mark.parametrize("name", JSON_PARSERS)
@FUZZ
@given(data=st.data())
def test_json_parsers_accept_damaged_real_payloads(name, data):
    parse, documents = JSON_PARSERS[name]
    document = mutated(data, documents)
    events_or_payload_error(parse, document)
    events_or_payload_error(parse, json.dumps(document).encode())


# --------------------------------------------------------------------------- Twilio forms

TWILIO_FIELDS = [
    "MessageSid",
    "SmsSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "MediaUrl0",
    "MediaContentType0",
    "MediaUrl1",
    "MessageStatus",
    "ErrorCode",
    "ErrorMessage",
    "RawDlrDoneDate",
    "Latitude",
    "Longitude",
    "ButtonPayload",
    "ProfileName",
]
form_values = st.text(max_size=20) | st.sampled_from(
    ["0", "1", "2", "-1", "99999999999999999999", "nan", "inf", "delivered", "received"]
)


@FUZZ
@given(form=st.dictionaries(st.sampled_from(TWILIO_FIELDS) | st.text(max_size=8), form_values, max_size=10))
def test_twilio_accepts_any_form(form):
    events_or_payload_error(twilio.parse, form)
    events_or_payload_error(twilio.parse, urlencode(form).encode())


@FUZZ
@given(data=st.data())
def test_twilio_accepts_damaged_real_forms(data):
    form = dict(data.draw(st.sampled_from(fixtures("twilio"))))
    for _ in range(data.draw(st.integers(1, 3))):
        key = data.draw(st.sampled_from([*form, *TWILIO_FIELDS]))
        if data.draw(st.booleans()):
            form[key] = data.draw(form_values)
        else:
            form.pop(key, None)
    events_or_payload_error(twilio.parse, form)


@FUZZ
@given(body=st.binary(max_size=300))
def test_twilio_accepts_any_bytes(body):
    events_or_payload_error(twilio.parse, body)


# --------------------------------------------------------------------------- e-mail

EML = [path.read_bytes() for path in sorted((FIXTURES / "email").glob("*.eml"))]
MIME_TOKENS = [
    b"\r\n",
    b"\n\n",
    b"--",
    b"--outer\r\n",
    b"=?utf-8?q?=C3=",
    b"=?ISO-8859-1?B?",
    b"=?x-unknown?q?a?=",
    b'Content-Type: multipart/mixed; boundary="b"\n',
    b'Content-Type: text/plain; charset="x-nope"\n',
    b"Content-Transfer-Encoding: base64\n",
    b"Content-Transfer-Encoding: quoted-printable\n",
    b"\x00",
    b"\xff\xfe",
    b"From: <>\n",
    b'From: "a" <@>\n',
    b"Date: Mon, 99 Foo 2025 99:99:99 +9999\n",
    b"Message-ID: <<>>\n",
    b"Content-Type: message/rfc822\n",
    b"Content-Disposition: attachment; filename*=utf-8''%ff\n",
]


@FUZZ
@given(body=st.binary(max_size=400))
def test_email_accepts_any_bytes(body):
    events_or_payload_error(mail.parse, body)


@FUZZ
@given(data=st.data())
def test_email_accepts_damaged_real_mail(data):
    raw = bytearray(data.draw(st.sampled_from(EML)))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["insert", "truncate", "delete"]))
        if action == "insert":
            raw[position:position] = data.draw(st.sampled_from(MIME_TOKENS) | st.binary(max_size=12))
        elif action == "truncate":
            del raw[position:]
        else:
            del raw[position : position + data.draw(st.integers(1, 40))]
    events_or_payload_error(mail.parse, bytes(raw))


@FUZZ
@given(notification=json_values | st.binary(max_size=100))
def test_ses_notifications(notification):
    try:
        located = mail.received_mail(notification)
    except PayloadError:
        return
    assert isinstance(located, mail.ReceivedMail)


# --------------------------------------------------------------------------- SNS


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(
            [
                "Type",
                "MessageId",
                "TopicArn",
                "Message",
                "Timestamp",
                "Signature",
                "SignatureVersion",
                "SigningCertURL",
                "SubscribeURL",
                "Token",
                "Subject",
            ]
        ),
        json_leaves,
        max_size=11,
    )
    | json_values
)
def test_sns_verification_only_raises_domain_errors(body):
    certificates = sns.CertificateCache(
        lambda url: b"-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n"
    )
    with pytest.raises(SkailanError):
        sns.verify_sns_message(body, certificates=certificates)
