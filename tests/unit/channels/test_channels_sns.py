from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from skailan.channels import sns
from skailan.channels.errors import PayloadError
from skailan.platform.errors import Forbidden, Unauthorized

CERT_URL = (
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
)
TOPIC = "arn:aws:sns:us-east-1:123456789012:skailan-inbound-mail"
NOW = datetime(2025, 1, 1, 12, 0, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(key: rsa.RSAPrivateKey, *, not_after: datetime = datetime(2030, 1, 1, tzinfo=UTC)) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def pem(signing_key) -> bytes:
    return certificate(signing_key)


@pytest.fixture
def fetched() -> list[str]:
    return []


@pytest.fixture
def certificates(pem, fetched) -> sns.CertificateCache:
    def fetch(url: str) -> bytes:
        fetched.append(url)
        return pem

    return sns.CertificateCache(fetch)


def signed(key: rsa.RSAPrivateKey, message: dict, *, version: str = "1") -> dict:
    body = {**message, "SignatureVersion": version, "SigningCertURL": CERT_URL}
    digest = hashes.SHA1() if version == "1" else hashes.SHA256()
    body["Signature"] = base64.b64encode(
        key.sign(sns.canonical_string(body), padding.PKCS1v15(), digest)
    ).decode()
    return body


def notification(**overrides) -> dict:
    ses = {
        "notificationType": "Received",
        "mail": {"messageId": "d6iitobk75ur44p8kdnnp7g2n800"},
        "receipt": {
            "action": {
                "type": "S3",
                "bucketName": "skailan-mail",
                "objectKey": "inbound/d6iitobk75ur44p8kdnnp7g2n800",
            }
        },
    }
    return {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC,
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(ses),
        "Timestamp": "2025-01-01T12:00:00.000Z",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
    } | overrides


def confirmation() -> dict:
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic " + TOPIC,
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
        + TOPIC
        + "&Token=2336412f37",
        "Timestamp": "2025-01-01T12:00:00.000Z",
    }


@pytest.mark.parametrize("version", ["1", "2"])
def test_notifications_signed_with_either_version_verify(signing_key, certificates, version):
    body = json.dumps(signed(signing_key, notification(), version=version)).encode()
    message = sns.verify_sns_message(body, certificates=certificates, allowed_topic_arns={TOPIC}, now=NOW)
    assert (message.type, message.topic_arn, message.subject) == (
        "Notification",
        TOPIC,
        "Amazon SES Email Receipt Notification",
    )
    assert json.loads(message.message)["receipt"]["action"]["bucketName"] == "skailan-mail"
    assert message.timestamp == datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def test_notification_without_subject_verifies(signing_key, certificates):
    body = notification()
    del body["Subject"]
    assert (
        sns.verify_sns_message(signed(signing_key, body), certificates=certificates, now=NOW).subject is None
    )


def test_subscription_confirmation_verifies_and_exposes_the_subscribe_url(signing_key, certificates):
    message = sns.verify_sns_message(signed(signing_key, confirmation()), certificates=certificates, now=NOW)
    assert message.type == "SubscriptionConfirmation"
    assert message.subscribe_url.startswith("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")
    assert message.token.startswith("2336412f")


def test_certificates_are_fetched_once(signing_key, certificates, fetched):
    for _ in range(3):
        sns.verify_sns_message(signed(signing_key, notification()), certificates=certificates, now=NOW)
    assert fetched == [CERT_URL]


@pytest.mark.parametrize("field", ["Message", "MessageId", "Subject", "Timestamp", "TopicArn"])
def test_any_tampered_field_is_refused(signing_key, certificates, field):
    body = signed(signing_key, notification())
    body[field] = body[field] + "x"
    with pytest.raises(Forbidden):
        sns.verify_sns_message(body, certificates=certificates, now=NOW)


def test_a_signature_from_another_key_is_refused(certificates):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Forbidden, match="does not match"):
        sns.verify_sns_message(signed(other, notification()), certificates=certificates, now=NOW)


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
        "https://s3.amazonaws.com/cert.pem",
        "https://user@sns.us-east-1.amazonaws.com/cert.pem",
        "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
    ],
)
def test_certificates_only_come_from_sns_over_https(signing_key, certificates, fetched, url):
    body = signed(signing_key, notification()) | {"SigningCertURL": url}
    with pytest.raises(Forbidden, match="SigningCertURL"):
        sns.verify_sns_message(body, certificates=certificates, now=NOW)
    assert fetched == []  # refused before any fetch


def test_china_regions_are_sns_hosts_too():
    sns.check_sns_url("https://sns.cn-north-1.amazonaws.com.cn/cert.pem")


def test_a_forged_subscribe_url_is_refused(signing_key, certificates):
    body = confirmation() | {"SubscribeURL": "https://169.254.169.254/latest/meta-data/"}
    with pytest.raises(Forbidden, match="SubscribeURL"):
        sns.verify_sns_message(signed(signing_key, body), certificates=certificates, now=NOW)


def test_unexpected_topics_and_stale_messages_are_refused(signing_key, certificates):
    body = signed(signing_key, notification())
    with pytest.raises(Forbidden, match="topic"):
        sns.verify_sns_message(
            body, certificates=certificates, allowed_topic_arns={"arn:aws:sns:us-east-1:1:other"}, now=NOW
        )
    with pytest.raises(Forbidden, match="too old"):
        sns.verify_sns_message(
            body, certificates=certificates, max_age=timedelta(minutes=5), now=NOW + timedelta(hours=1)
        )


def test_an_expired_certificate_is_refused(signing_key):
    cache = sns.CertificateCache(
        lambda url: certificate(signing_key, not_after=datetime(2024, 6, 1, tzinfo=UTC))
    )
    with pytest.raises(Forbidden, match="not valid now"):
        sns.verify_sns_message(signed(signing_key, notification()), certificates=cache, now=NOW)


def test_unsigned_and_malformed_messages(signing_key, certificates):
    with pytest.raises(Unauthorized):
        sns.verify_sns_message(notification(), certificates=certificates, now=NOW)
    with pytest.raises(Forbidden, match="SignatureVersion"):
        sns.verify_sns_message(
            signed(signing_key, notification()) | {"SignatureVersion": "3"},
            certificates=certificates,
            now=NOW,
        )
    with pytest.raises(Forbidden):
        sns.verify_sns_message(
            signed(signing_key, notification()) | {"Signature": "***"}, certificates=certificates, now=NOW
        )
    with pytest.raises(PayloadError):
        sns.verify_sns_message(b"{not json", certificates=certificates, now=NOW)
    with pytest.raises(PayloadError):
        sns.verify_sns_message(
            signed(signing_key, notification()) | {"Type": "Weird"}, certificates=certificates, now=NOW
        )
