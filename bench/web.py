"""The web app: JavaScript the first screen loads (gzip) and the whole bundle; the time from a
WhatsApp webhook to the message shown in an open conversation (median, p95; `web/e2e/bench-live.mjs`);
the time from navigation to the inbox list shown for the brand as seeded and with 10 000 more
conversations, and their ratio (`web/e2e/bench-inbox.mjs`; the conversations come from the local
seeding helper `POST /_local/seed/conversations`, a few seconds; BENCH_WEB_INBOX=0 skips it).

Reads `web/dist` (`make bench` builds it first): the first screen is index.html's module script
plus its modulepreloads; lazy routes (the inbox, CRM, settings) are counted in the total only.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
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
    yield from _live_latency()
    if os.environ.get("BENCH_WEB_INBOX") != "0":  # ~1-2 min: one runtime, 10 000 seeded conversations
        yield from _node_figures("e2e/bench-inbox.mjs", "inbox_list_shown_failed")


def _live_latency() -> Iterator[dict[str, Any]]:
    """Webhook POST → message on screen, through the whole local suite and headless chromium."""
    env = dict(os.environ, SKAILAN_PYTHON=str(ROOT / ".venv" / "bin" / "python"))
    out = subprocess.run(["node", "e2e/bench-live.mjs"], cwd=ROOT / "web", env=env, capture_output=True, text=True,
                         timeout=900, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith('{"bench"')]
    if out.returncode != 0 or not lines:
        yield figure(BENCH, "webhook_to_message_shown_failed", 1, "error", stderr=out.stderr[-2000:])
        return
    for line in lines:
        yield json.loads(line)


def _node_figures(script: str, failed_metric: str) -> Iterator[dict[str, Any]]:
    """JSON figure lines printed by a browser bench script under web/."""
    env = dict(os.environ, SKAILAN_PYTHON=str(ROOT / ".venv" / "bin" / "python"))
    out = subprocess.run(["node", script], cwd=ROOT / "web", env=env, capture_output=True, text=True,
                         timeout=900, check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith('{"bench"')]
    if out.returncode != 0 or not lines:
        yield figure(BENCH, failed_metric, 1, "error", stderr=out.stderr[-2000:])
        return
    for line in lines:
        yield json.loads(line)
