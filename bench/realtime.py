"""Live-path figure (`make bench` / `python -m bench realtime`): time from the signed WhatsApp
webhook POST to the `message.received` frame on agent1's WebSocket, through the local runtime
(HTTP gateway, FIFO poller, ingest worker, EventBridge in moto, the realtime queue's poller, the
push worker, the local management API, the WebSocket server) — median and p95 over 50 messages,
after one warm-up message (first imports).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from bench.common import ROOT, figure

BENCH = "realtime"
MESSAGES = 50


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def run() -> Iterator[dict[str, Any]]:
    import httpx
    from websockets.sync.client import connect

    from infra.local.fake_providers import meta_signature, whatsapp_message_payload
    from infra.local.runtime import LocalRuntime

    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    runtime = LocalRuntime(ROOT / "template.yaml", port=0, moto_port=0, ws_port=0, schedules=False, seed=True,
                           banner=False, env_overrides={"POWERTOOLS_LOG_LEVEL": "ERROR", "LOG_LEVEL": "ERROR"})
    runtime.start()
    try:
        with httpx.Client(base_url=runtime.url, timeout=30) as http:
            def login(email: str) -> dict[str, str]:
                reply = http.post("/v1/auth/login", json={"email": email, "password": "Demo-pass-2026"})
                return {"authorization": f"Bearer {reply.json()['id_token']}", "x-tenant-id": "demo"}

            agent1, agent2 = login("agent1@demo.local"), login("agent2@demo.local")
            http.put("/v1/agents/me/presence", json={"status": "offline"}, headers=agent2)
            http.put("/v1/agents/me/presence", json={"status": "online"}, headers=agent1)
            token = agent1["authorization"].removeprefix("Bearer ")
            url = f"{http.get('/config.json').json()['wsUrl']}/?{urlencode({'token': token, 'brand': 'demo'})}"
            wa_id = "57300" + str(uuid.uuid4().int)[:7]
            with connect(url) as socket:
                def one(text: str) -> float:
                    raw = json.dumps(whatsapp_message_payload(
                        "100000000000001", "200000000000001", wa_id=wa_id, name="Bench Live",
                        message_id=f"wamid.{uuid.uuid4().hex}", text=text)).encode()
                    started = time.perf_counter()
                    reply = http.post("/webhooks/meta/demo-meta-app", content=raw, headers={
                        "content-type": "application/json", "x-hub-signature-256": meta_signature(raw, "demo-meta-secret")})
                    assert reply.status_code == 200, reply.text
                    while True:
                        frame = json.loads(socket.recv(timeout=30))
                        if frame.get("type") == "message.received" and frame["data"].get("text") == text:
                            return (time.perf_counter() - started) * 1000

                one("calentamiento")
                times = [one(f"mensaje {i} {uuid.uuid4().hex[:6]}") for i in range(MESSAGES)]
    finally:
        runtime.stop()
    yield figure(BENCH, "webhook_to_frame_p50", statistics.median(times), "ms", messages=MESSAGES)
    yield figure(BENCH, "webhook_to_frame_p95", _percentile(times, 95), "ms", messages=MESSAGES)
