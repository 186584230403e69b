"""Local mode lets the media fetcher reach the fake providers over http on loopback — only
their exact address: moto's S3 (another port) or any other local server stays refused, so a
provider token is never sent there and a bucket listing is never stored as media."""

from __future__ import annotations

import socket

import pytest

from infra.local.fake_providers import Directory, FakeProviders
from skailan.channels.fetch import FetchPolicy, UnsafeUrl, check_outbound_url


def _other_port(taken: int) -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return port if port != taken else port + 1


def test_only_the_fake_providers_own_address_is_allowed():
    fake = FakeProviders(Directory(), webhook_base=lambda: "http://127.0.0.1:1").start()
    try:
        allowed = fake.environment()["LOCAL_PROVIDER_HOSTS"]
        host, _, port = allowed.partition(":")
        assert host == "127.0.0.1" and int(port) > 0
        policy = FetchPolicy.for_provider("whatsapp", local_hosts=[allowed])
        vetted = check_outbound_url(f"{fake.url}/media/1", allowed_hosts=policy.allowed_hosts,
                                    local_hosts=policy.local_hosts)
        assert vetted.addresses == ("127.0.0.1",)
        for url in (f"http://127.0.0.1:{_other_port(int(port))}/skailan-local-media?list-type=2",
                    "http://127.0.0.1/", f"http://localhost:{port}/media/1"):
            with pytest.raises(UnsafeUrl):
                check_outbound_url(url, allowed_hosts=policy.allowed_hosts, local_hosts=policy.local_hosts)
    finally:
        fake.stop()
