"""References to stored files that arrive in requests: only the caller's brand's own objects.

Every object the product stores is keyed `<tenant>/…` (media, uploads), or `exports/<tenant>/…`
and `imports/<tenant>/…` in their own buckets. A
client never names another brand's object: a raw key from a request must sit under the caller's
brand prefix, and a URL that addresses one of our buckets (path-style `/<bucket>/<key>` or
virtual-hosted `<bucket>.s3…/<key>`, presigned or not) must point under it too — otherwise the
server would presign, fetch, forward or mail another brand's file. URLs elsewhere on the web are
not ours to police here (the fetcher's SSRF guard is).
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from skailan.platform.errors import Unprocessable
from skailan.platform.settings import get_settings

_AREAS = ("exports", "imports")
FOREIGN = ("El archivo no existe o no pertenece a esta marca. / "
           "The file does not exist or does not belong to this brand.")


def owns_key(tenant_id: str, key: str | None) -> bool:
    """`key` names an object of `tenant_id` (and nothing that could escape its prefix)."""
    if not key or not tenant_id:
        return False
    if any(ch in key for ch in ("\\", "\x00")) or any(ord(ch) < 32 for ch in key):
        return False
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in ("", ".", ".."):
        return False
    if parts[0] in _AREAS:
        parts = parts[1:]
    return len(parts) > 1 and parts[0] == tenant_id


def _buckets() -> set[str]:
    settings = get_settings()
    return {b for b in (settings.media_bucket, settings.exports_bucket, settings.imports_bucket,
                        settings.inbound_mail_bucket) if b}


def bucket_key(url: str) -> tuple[str, str] | None:
    """(bucket, key) when `url` addresses one of our buckets, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = unquote(parts.path or "")
    for bucket in _buckets():
        if host.startswith(bucket.lower() + "."):  # virtual-hosted style
            return bucket, path.lstrip("/")
        if path.startswith(f"/{bucket}/") or path == f"/{bucket}":  # path style (any S3 endpoint, moto)
            return bucket, path[len(bucket) + 2:]
    return None


def check_key(tenant_id: str, key: str, *, field: str) -> None:
    if not owns_key(tenant_id, key):
        raise Unprocessable(FOREIGN, code="foreign_media", details=[{"field": field, "error": "not this brand's file"}])


def check_url(tenant_id: str, url: str, *, field: str) -> None:
    """Refuse a URL into our storage outside the brand's prefix (other URLs pass)."""
    found = bucket_key(url)
    if found is not None and not owns_key(tenant_id, found[1]):
        raise Unprocessable(FOREIGN, code="foreign_media", details=[{"field": field, "error": "not this brand's file"}])


def check_urls_in(tenant_id: str, value: object, *, field: str) -> None:
    """`check_url` on every string inside a JSON-like value (free-form settings, e.g. a widget's logo)."""
    if isinstance(value, str):
        if "://" in value:
            check_url(tenant_id, value, field=field)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_urls_in(tenant_id, item, field=f"{field}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_urls_in(tenant_id, item, field=f"{field}[{index}]")
