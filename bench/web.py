"""The web app's weight: JavaScript the first screen loads (gzip) and the whole bundle.

Reads `web/dist` (`make bench` builds it first): the first screen is index.html's module script
plus its modulepreloads; lazy routes (the inbox, CRM, settings) are counted in the total only.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, figure

BENCH = "web"
DIST = ROOT / "web" / "dist"


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def run() -> Iterator[dict[str, Any]]:
    index = DIST / "index.html"
    if not index.is_file():
        yield figure(BENCH, "dist_missing", 1, "error", hint="make web-build")
        return
    html = index.read_text()
    first = set(re.findall(r'<script[^>]+type="module"[^>]+src="/([^"]+\.js)"', html))
    first |= set(re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="/([^"]+\.js)"', html))
    scripts = sorted((DIST / "assets").glob("*.js"))
    first_gzip = sum(_gzip_size((DIST / name).read_bytes()) for name in first)
    total_gzip = sum(_gzip_size(path.read_bytes()) for path in scripts)
    total_raw = sum(path.stat().st_size for path in scripts)
    yield figure(BENCH, "first_screen_js_gzip", first_gzip / 1024, "KiB", files=len(first), aim_max=250)
    yield figure(BENCH, "total_js_gzip", total_gzip / 1024, "KiB", files=len(scripts))
    yield figure(BENCH, "total_js_raw", total_raw / 1024, "KiB")
