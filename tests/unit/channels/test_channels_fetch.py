from __future__ import annotations

import httpx
import pytest
import respx

from skailan.channels.fetch import (
    FetchFailed,
    FetchPolicy,
    MediaTooLarge,
    UnsafeUrl,
    check_outbound_url,
    fetch_media,
    is_public_address,
)
from skailan.platform.errors import Retryable

LOOKASIDE_IP = "157.240.22.35"
CDN_IP = "31.13.71.7"
MEDIA_URL = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1378209223164438&ext=1735689600&hash=ATsXyZ"


class FakeDns:
    """An injected resolver: names to addresses, and a record of what was asked."""

    def __init__(self, records: dict[str, list[str]]) -> None:
        self.records = records
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.records.get(host, [])


@pytest.fixture
def dns() -> FakeDns:
    return FakeDns(
        {
            "lookaside.fbsbx.com": [LOOKASIDE_IP],
            "scontent.xx.fbcdn.net": [CDN_IP],
            "internal.fbcdn.net": ["10.0.0.7"],
            "metadata.fbcdn.net": ["169.254.169.254"],
            "mixed.fbcdn.net": [CDN_IP, "127.0.0.1"],
            "hooks.partner.example": ["93.184.215.14"],
            "2130706433": ["127.0.0.1"],
            "localhost": ["127.0.0.1"],
        }
    )


WHATSAPP = FetchPolicy.for_provider("whatsapp", extra_hosts=("*.fbcdn.net",))


@respx.mock
def test_fetches_from_the_vetted_address_keeping_the_name(client, dns):
    route = respx.get(host=LOOKASIDE_IP, path="/whatsapp_business/attachments/").mock(
        return_value=httpx.Response(200, content=b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
    )
    media = fetch_media(
        client, MEDIA_URL, policy=WHATSAPP, headers={"Authorization": "Bearer EAAG"}, resolve=dns
    )
    assert (media.content, media.content_type, media.size, media.url) == (
        b"%PDF-1.4",
        "application/pdf",
        8,
        MEDIA_URL,
    )
    request = route.calls.last.request
    assert request.url.params["mid"] == "1378209223164438"
    assert request.headers["Host"] == "lookaside.fbsbx.com"
    assert request.extensions["sni_hostname"] == "lookaside.fbsbx.com"
    assert request.headers["Authorization"] == "Bearer EAAG"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://lookaside.fbsbx.com/x", "scheme"),
        ("ftp://lookaside.fbsbx.com/x", "scheme"),
        ("https://evil.example/x", "not an allowed host"),
        ("https://lookaside.fbsbx.com.evil.example/x", "not an allowed host"),
        ("https://fbcdn.net/x", "not an allowed host"),  # "*.fbcdn.net" is subdomains only
        ("https://internal.fbcdn.net/x", "non-public"),
        ("https://metadata.fbcdn.net/latest/meta-data/", "non-public"),
        ("https://mixed.fbcdn.net/x", "non-public"),
        ("https://user:pass@lookaside.fbsbx.com/x", "credentials"),
        ("https://unknown.fbcdn.net/x", "no addresses"),
        ("not a url at all", "scheme"),
    ],
)
@pytest.mark.respx(assert_all_called=False)
def test_refusals_happen_before_any_request(client, dns, respx_mock, url, reason):
    route = respx_mock.route()
    with pytest.raises(UnsafeUrl, match=reason):
        fetch_media(client, url, policy=WHATSAPP, resolve=dns)
    assert not route.called


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "0.0.0.0",
        "169.254.169.254",
        "100.64.0.1",
        "100.100.100.200",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
        "2001:0::1",
        "not-an-ip",
    ],
)
def test_non_public_addresses(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["157.240.22.35", "8.8.8.8", "2a03:2880:f12f:83:face:b00c:0:25de", "64:ff9b::808:808"]
)
def test_public_addresses(address):
    assert is_public_address(address)


@respx.mock
def test_redirect_to_a_private_host_is_refused(client, dns):
    respx.get(host=LOOKASIDE_IP).mock(
        return_value=httpx.Response(302, headers={"Location": "https://internal.fbcdn.net/secret"})
    )
    with pytest.raises(UnsafeUrl, match="non-public"):
        fetch_media(client, MEDIA_URL, policy=WHATSAPP, resolve=dns)


@respx.mock
def test_redirect_to_a_disallowed_host_is_refused(client, dns):
    respx.get(host=LOOKASIDE_IP).mock(
        return_value=httpx.Response(301, headers={"Location": "https://evil.example/x"})
    )
    with pytest.raises(UnsafeUrl, match="not an allowed host"):
        fetch_media(client, MEDIA_URL, policy=WHATSAPP, resolve=dns)


@respx.mock
def test_redirect_to_an_allowed_host_is_followed_without_credentials(client, dns):
    respx.get(host=LOOKASIDE_IP).mock(
        return_value=httpx.Response(302, headers={"Location": "https://scontent.xx.fbcdn.net/v/a.jpg?oh=1"})
    )
    cdn = respx.get(host=CDN_IP, path="/v/a.jpg").mock(
        return_value=httpx.Response(200, content=b"\xff\xd8jpeg")
    )
    media = fetch_media(
        client, MEDIA_URL, policy=WHATSAPP, headers={"Authorization": "Bearer EAAG"}, resolve=dns
    )
    assert media.url == "https://scontent.xx.fbcdn.net/v/a.jpg?oh=1" and media.content == b"\xff\xd8jpeg"
    assert "Authorization" not in cdn.calls.last.request.headers
    assert cdn.calls.last.request.headers["Host"] == "scontent.xx.fbcdn.net"


@respx.mock
def test_at_most_three_redirects(client, dns):
    respx.get(host=LOOKASIDE_IP).mock(return_value=httpx.Response(302, headers={"Location": "/again"}))
    with pytest.raises(UnsafeUrl, match="redirects"):
        fetch_media(client, MEDIA_URL, policy=WHATSAPP, resolve=dns)
    assert len(respx.calls) == 4


@respx.mock
def test_declared_oversize_is_refused_before_reading(client, dns):
    respx.get(host=LOOKASIDE_IP).mock(
        return_value=httpx.Response(200, headers={"Content-Length": str(26 * 1024 * 1024)}, content=b"")
    )
    with pytest.raises(MediaTooLarge):
        fetch_media(client, MEDIA_URL, policy=WHATSAPP, resolve=dns)


@respx.mock
def test_undeclared_oversize_is_cut_while_streaming(client, dns):
    chunks = (b"x" * 1024 for _ in range(64))  # no Content-Length: streamed
    respx.get(host=LOOKASIDE_IP).mock(return_value=httpx.Response(200, content=chunks))
    policy = FetchPolicy.for_provider("whatsapp", max_bytes=10 * 1024)
    with pytest.raises(MediaTooLarge):
        fetch_media(client, MEDIA_URL, policy=policy, resolve=dns)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(404), FetchFailed),
        (httpx.Response(403), FetchFailed),
        (httpx.Response(503), Retryable),
        (httpx.Response(429), Retryable),
    ],
)
@respx.mock
def test_error_statuses(client, dns, response, error):
    respx.get(host=LOOKASIDE_IP).mock(return_value=response)
    with pytest.raises(error):
        fetch_media(client, MEDIA_URL, policy=WHATSAPP, resolve=dns)


@respx.mock
def test_timeouts_are_retryable(client, dns):
    respx.get(host=LOOKASIDE_IP).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(Retryable):
        fetch_media(client, MEDIA_URL, policy=WHATSAPP, resolve=dns)


@respx.mock
def test_the_whole_fetch_has_a_deadline(client, dns):
    ticks = iter([0.0, 100.0, 100.0, 100.0])
    respx.get(host=LOOKASIDE_IP).mock(return_value=httpx.Response(200, content=b"x"))
    with pytest.raises(Retryable, match="timed out"):
        fetch_media(client, MEDIA_URL, policy=WHATSAPP, resolve=dns, clock=lambda: next(ticks))


@respx.mock
def test_local_hosts_allow_http_and_loopback_for_local_mode(client, dns):
    route = respx.get("http://127.0.0.1:4010/media/1").mock(return_value=httpx.Response(200, content=b"ok"))
    policy = FetchPolicy.for_provider("telegram", local_hosts=["localhost:4010"])
    assert fetch_media(client, "http://localhost:4010/media/1", policy=policy, resolve=dns).content == b"ok"
    assert route.calls.last.request.headers["Host"] == "localhost:4010"


@respx.mock
@pytest.mark.parametrize("url", ["http://localhost:5000/bucket?list-type=2", "http://localhost/media/1",
                                 "http://localhost:4011/media/1", "http://127.0.0.1:4010/media/1"])
def test_only_the_exact_local_host_and_port_bypass_the_guard(client, dns, url):
    # Local mode lists the fake providers' own address; moto (another port), the default port,
    # or the same port under another name stay private addresses, and nothing is sent there.
    anything = respx.route().mock(return_value=httpx.Response(200, content=b"secret"))
    policy = FetchPolicy.for_provider("whatsapp", local_hosts=["localhost:4010"])
    with pytest.raises(UnsafeUrl):
        fetch_media(client, url, policy=policy, headers={"Authorization": "Bearer token"}, resolve=dns)
    assert not anything.called


def test_outbound_webhooks_may_target_any_public_host(dns):
    vetted = check_outbound_url("https://hooks.partner.example/skailan?x=1", resolve=dns)
    assert (vetted.host, vetted.port, vetted.addresses) == ("hooks.partner.example", 443, ("93.184.215.14",))


@pytest.mark.parametrize(
    "url",
    [
        "https://2130706433/",
        "http://hooks.partner.example/",
        "https://localhost/",
        "https://[::1]/",
        "https://169.254.169.254/latest/meta-data/",
    ],
)
def test_outbound_webhooks_refuse_internal_targets(dns, url):
    resolve = FakeDns(dns.records | {"::1": ["::1"], "169.254.169.254": ["169.254.169.254"]})
    with pytest.raises(UnsafeUrl):
        check_outbound_url(url, resolve=resolve)
