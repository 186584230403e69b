"""The built web app (`web/dist`) served beside the API, as CloudFront + S3 do in AWS.

Only asked after local and template routes found nothing, so the API keeps its paths and a local
route such as `/config.json` always wins. Files are served with their content type; Vite's hashed
`/assets/*` are cached for a year, everything else (index.html first) is revalidated. An unknown
path outside the API's prefixes that looks like a page (no file extension, or the browser asks
for HTML) gets index.html: the app's router resolves deep links such as `/inbox/<id>`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from .apigw import HttpResponse

# Paths that belong to the API (or the runtime) even when no route matches: a JSON 404, never HTML.
API_PREFIXES = ("/v1", "/webhooks", "/public", "/_local", "/docs", "/ext")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".map": "application/json",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
}
SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
)


def is_api_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES)


class WebApp:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @property
    def available(self) -> bool:
        return (self.root / "index.html").is_file()

    def respond(self, method: str, raw_path: str, accept: str | None) -> HttpResponse | None:
        """The file (or index.html) for a GET/HEAD outside the API; None lets the caller 404."""
        if method not in ("GET", "HEAD") or is_api_path(raw_path) or not self.available:
            return None
        relative = unquote(raw_path).lstrip("/")
        candidate = (self.root / relative).resolve() if relative else self.root / "index.html"
        if candidate.is_relative_to(self.root) and candidate.is_file():
            return self._file(candidate)
        last = relative.rsplit("/", 1)[-1]
        if "." not in last or "text/html" in (accept or ""):
            return self._file(self.root / "index.html")
        return None

    def _file(self, path: Path) -> HttpResponse:
        suffix = path.suffix.lower()
        content_type = _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        hashed = path.parent.name == "assets" and path.parent.parent == self.root
        headers = [
            ("content-type", content_type),
            ("cache-control", IMMUTABLE if hashed else REVALIDATE),
            *SECURITY_HEADERS,
        ]
        return HttpResponse(200, headers, path.read_bytes())
