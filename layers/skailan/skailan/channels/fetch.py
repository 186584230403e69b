"""The one way Skailan fetches a URL that came from outside: provider media and automation
webhooks. It guards against server-side request forgery.

* https only; http only for the exact `host:port` addresses the caller lists in `local_hosts`
  (local mode's fake providers): any other port of the same host is an ordinary, refused,
  private address.
* The host must match the allowlist (exact names or "*.suffix"), when there is one.
* The host is resolved and every address must be public: no private, loopback, link-local,
  metadata, multicast, reserved or unique-local address, and no IPv4 hidden in IPv6
  (mapped, 6to4, NAT64, Teredo). Then the request goes to the vetted address itself (Host
  header and TLS SNI keep the name), so a second DNS answer cannot swap in another address.
* Redirects are followed by hand, each hop checked again, at most `max_redirects`; the
  Authorization header never follows a redirect to another host.
* The body is streamed and cut off past `max_bytes`; the whole fetch has a deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin

import httpx

from skailan.platform.errors import BadRequest, Forbidden, Retryable

Resolver = Callable[[str, int], list[str]]
Channel = Literal["whatsapp", "messenger", "instagram", "telegram", "sms"]

DEFAULT_MAX_BYTES = 25 * 1024 * 1024

# Where each provider serves media (and the API endpoints that hand out media URLs).
PROVIDER_HOSTS: dict[Channel, tuple[str, ...]] = {
    "whatsapp": ("graph.facebook.com", "lookaside.fbsbx.com"),
    "messenger": ("graph.facebook.com", "lookaside.fbsbx.com", "*.fbsbx.com", "*.fbcdn.net"),
    "instagram": (
        "graph.facebook.com",
        "lookaside.fbsbx.com",
        "*.fbsbx.com",
        "*.fbcdn.net",
        "*.cdninstagram.com",
    ),
    "telegram": ("api.telegram.org",),
    "sms": ("api.twilio.com", "*.twiliocdn.com"),
}

# Named explicitly even though the public-address rule already covers them: cloud metadata.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REDIRECTS = {301, 302, 303, 307, 308}


class UnsafeUrl(Forbidden):
    """A URL the fetcher refuses to touch."""

    code = "unsafe_url"


class MediaTooLarge(BadRequest):
    code = "media_too_large"


class FetchFailed(BadRequest):
    """The remote answered with a client error (expired media link, not found…): do not retry."""

    code = "fetch_failed"


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    # None: any public host (outbound webhooks). Otherwise exact names or "*.suffix".
    allowed_hosts: tuple[str, ...] | None
    # Exact hosts allowed over http and on private addresses: local mode's fake providers.
    local_hosts: frozenset[str] = field(default_factory=frozenset)
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 20.0  # seconds for the whole fetch, redirects included
    max_redirects: int = 3

    @classmethod
    def for_provider(
        cls,
        channel: Channel,
        *,
        extra_hosts: Iterable[str] = (),
        local_hosts: Iterable[str] = (),
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = 20.0,
        max_redirects: int = 3,
    ) -> FetchPolicy:
        """The provider's media hosts (plus `extra_hosts`), with the default limits."""
        return cls(
            allowed_hosts=(*PROVIDER_HOSTS[channel], *extra_hosts),
            local_hosts=frozenset(host.lower() for host in local_hosts),
            max_bytes=max_bytes,
            timeout=timeout,
            max_redirects=max_redirects,
        )


@dataclass(frozen=True, slots=True)
class VettedUrl:
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]

    def pinned(self) -> tuple[str, str]:
        """(URL aimed at the first vetted address, Host header value)."""
        default = self.port == (443 if self.scheme == "https" else 80)
        host_header = self.host if default else f"{self.host}:{self.port}"
        return str(httpx.URL(self.url).copy_with(host=self.addresses[0])), host_header


@dataclass(frozen=True, slots=True)
class FetchedMedia:
    content: bytes = field(repr=False)
    content_type: str | None
    url: str  # the final URL, after redirects
    size: int


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to (the default resolver; tests inject their own)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise Retryable(f"cannot resolve {host}: {err}") from err
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address, looking through IPv6 wrappers."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.teredo:
            return False
        # An IPv4 address wrapped in IPv6 reaches that IPv4 address: judge it instead.
        embedded = (
            ip.ipv4_mapped
            or ip.sixtofour
            or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        )
        if embedded is not None:
            candidates = [embedded]
    return all(
        candidate.is_global
        and not (
            candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_loopback
            or candidate.is_link_local
            or candidate.is_private
            or candidate.is_unspecified
        )
        and candidate not in _METADATA
        for candidate in candidates
    )


def host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    for pattern in allowed_hosts:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def local_address(host: str, port: int) -> str:
    """How `local_hosts` names an address: `host:port` (`[v6]:port` for IPv6)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def check_outbound_url(
    url: str,
    *,
    allowed_hosts: Iterable[str] | None = None,
    local_hosts: Iterable[str] = (),
    resolve: Resolver = resolve_host,
) -> VettedUrl:
    """Vet a URL before any request: scheme, credentials, host allowlist, resolved addresses.

    Raises UnsafeUrl with the reason; returns the addresses to connect to.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as err:
        raise UnsafeUrl(f"not a valid URL: {err}") from err
    host = parsed.host.lower().rstrip(".")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    locals_ = {item.lower() for item in local_hosts}
    is_local = local_address(host, port) in locals_
    if parsed.scheme not in ({"https", "http"} if is_local else {"https"}):
        raise UnsafeUrl(f"scheme {parsed.scheme!r} not allowed: https only")
    if not host:
        raise UnsafeUrl("URL has no host")
    if parsed.userinfo:
        raise UnsafeUrl("URLs with credentials are not allowed")
    allowed = list(allowed_hosts) if allowed_hosts is not None else None
    if allowed is not None and not is_local and not host_allowed(host, allowed):
        raise UnsafeUrl(f"host {host} is not an allowed host for this fetch")
    addresses = tuple(resolve(host, port))
    if not addresses:
        raise UnsafeUrl(f"host {host} has no addresses")
    if not is_local:
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            raise UnsafeUrl(f"host {host} resolves to a non-public address ({refused[0]})")
    return VettedUrl(url=str(parsed), scheme=parsed.scheme, host=host, port=port, addresses=addresses)


def fetch_media(
    client: httpx.Client,
    url: str,
    *,
    policy: FetchPolicy,
    headers: Mapping[str, str] | None = None,
    resolve: Resolver = resolve_host,
    clock: Callable[[], float] = time.monotonic,
) -> FetchedMedia:
    """GET `url` under `policy`.

    Raises UnsafeUrl (refused), MediaTooLarge, FetchFailed (4xx) or Retryable (timeouts,
    network errors, 429 and 5xx).
    """
    deadline = clock() + policy.timeout
    request_headers = dict(headers or {})
    current = url
    first_host: str | None = None
    for _hop in range(policy.max_redirects + 1):
        vetted = check_outbound_url(
            current, allowed_hosts=policy.allowed_hosts, local_hosts=policy.local_hosts, resolve=resolve
        )
        first_host = first_host or vetted.host
        if vetted.host != first_host:
            # Credentials for one host must not travel to another.
            request_headers = {
                k: v for k, v in request_headers.items() if k.lower() not in {"authorization", "cookie"}
            }
        response = _open(client, vetted, request_headers, remaining=deadline - clock())
        try:
            if response.status_code in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchFailed(f"redirect without Location from {vetted.host}")
                current = urljoin(current, location)
                continue
            _raise_for_status(response, vetted.host)
            content = _read_capped(response, policy.max_bytes, deadline, clock)
            return FetchedMedia(
                content=content,
                content_type=response.headers.get("Content-Type"),
                url=current,
                size=len(content),
            )
        finally:
            response.close()
    raise UnsafeUrl(f"more than {policy.max_redirects} redirects")


def _open(
    client: httpx.Client, vetted: VettedUrl, headers: dict[str, str], *, remaining: float
) -> httpx.Response:
    if remaining <= 0:
        raise Retryable("media fetch timed out")
    target, host_header = vetted.pinned()
    request = client.build_request(
        "GET",
        target,
        headers={**headers, "Host": host_header},
        timeout=httpx.Timeout(remaining),
        extensions={"sni_hostname": vetted.host},
    )
    try:
        return client.send(request, stream=True, follow_redirects=False)
    except httpx.TimeoutException as err:
        raise Retryable(f"timed out fetching from {vetted.host}") from err
    except httpx.TransportError as err:
        raise Retryable(f"network error fetching from {vetted.host}: {type(err).__name__}") from err


def _raise_for_status(response: httpx.Response, host: str) -> None:
    status = response.status_code
    if status == 429 or status >= 500:
        raise Retryable(f"{host} answered {status}")
    if not 200 <= status < 300:
        raise FetchFailed(f"{host} answered {status}", details={"status": status})


def _read_capped(
    response: httpx.Response, max_bytes: int, deadline: float, clock: Callable[[], float]
) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise MediaTooLarge(f"media is {declared} bytes, the limit is {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise MediaTooLarge(f"media exceeds the limit of {max_bytes} bytes")
            if clock() > deadline:
                raise Retryable("media fetch timed out")
            chunks.append(chunk)
    except httpx.TimeoutException as err:
        raise Retryable("timed out reading media") from err
    except httpx.TransportError as err:
        raise Retryable(f"network error reading media: {type(err).__name__}") from err
    return b"".join(chunks)
