"""People import through the local runtime: rows per second, DynamoDB requests per created person,
peak memory of the streaming pipeline.

`python -m bench.crm_import` (BENCH_IMPORT_ROWS, default 10 000; the issue's figure is 100 000).
The runtime runs in this process (moto server included), so the DynamoDB requests the imports
worker makes are counted at the botocore client, and only on the worker's own thread while it
runs an import (not the status polls). moto's TransactWriteItems is swapped for the equivalent
O(transaction) one (tests/integration/crm_sales/moto_transactions.py): stock moto 5.2 deep-copies
the whole table for every item of every transaction, which makes any import quadratic locally.

The file: Latin-American phones (CO national, MX `+52 1`, AR `+54 9`), 5 % in-file duplicates, 2 %
invalid rows, blank rows, tags and a custom column — the shape of a real Keybe export.
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, figure


def sample_file(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Nombre", "Correo", "Celular", "Ciudad", "Etiquetas"])
    for i in range(rows):
        if i % 50 == 7:
            writer.writerow(["", f"sin-nombre{i}@bench.example", "", "", ""])  # invalid
            continue
        if i % 20 == 3 and i > 20:
            writer.writerow([f"Repetido {i}", f"persona{i - 10}@bench.example", "", "", ""])  # duplicate
            continue
        phone = (f"+52 1 55 {i % 10_000:04d} {i // 10_000:04d}" if i % 3 == 0 else
                 f"+54 9 11 {i % 10_000:04d} {i // 10_000:04d}" if i % 3 == 1 else f"3{(i % 100):02d} {i:07d}")
        writer.writerow([f"Persona {i} Apellido", f"persona{i}@bench.example", phone,
                         ("Bogotá", "Medellín", "CDMX", "Buenos Aires")[i % 4], "bench, feria"])
        if i % 1000 == 999:
            writer.writerow(["", "", "", "", ""])
    return out.getvalue().encode()


def _pipeline_peak(content: bytes) -> tuple[float, int]:
    """Peak Python memory (MiB) of reading + accumulating the file, and the checkpoint state size."""
    import json

    from skailan.crm.imports.mapping import suggest_mapping
    from skailan.crm.imports.reader import open_import
    from skailan.crm.imports.rows import ImportAccumulator, build_candidate

    stream = io.BytesIO(content)
    tracemalloc.start()
    reader = open_import(stream, "bench.csv")
    mapping = suggest_mapping(reader.headers, [])
    mapping = {h: ("custom:city" if t == "city" else t) for h, t in mapping.items()}
    acc = ImportAccumulator()
    for number, row in reader.rows():
        if acc.add(build_candidate(number, row, mapping, "CO")) is None:
            acc.record_created()
    state = json.dumps(acc.state())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1_048_576, len(state)


class _Counter:
    def __init__(self) -> None:
        self.local = threading.local()
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def install(self) -> None:
        import botocore.client

        from skailan.crm import import_jobs

        real_call = botocore.client.BaseClient._make_api_call
        counter = self

        def counting(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if getattr(counter.local, "active", False) and client.meta.service_model.service_name == "dynamodb":
                with counter.lock:
                    counter.calls[operation] = counter.calls.get(operation, 0) + 1
            return real_call(client, operation, params)

        botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
        real_run = import_jobs.run_import

        def run_import(*args: Any, **kwargs: Any) -> str:
            counter.local.active = True
            try:
                return real_run(*args, **kwargs)
            finally:
                counter.local.active = False

        import_jobs.run_import = run_import  # type: ignore[assignment]


def run() -> Iterator[dict[str, Any]]:
    import httpx

    from infra.local import LocalRuntime
    from infra.local.moto_dynamodb import install

    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
    content = sample_file(rows)
    peak_mib, state_bytes = _pipeline_peak(content)
    install()
    counter = _Counter()
    runtime = LocalRuntime(ROOT / "template.yaml", port=0, moto_port=0, schedules=False, seed=True,
                           banner=False).start()
    try:
        counter.install()
        with httpx.Client(base_url=runtime.url, timeout=60) as http:
            token = http.post("/v1/auth/login", json={"email": "admin@demo.local", "password": "Demo-pass-2026"})
            headers = {"authorization": f"Bearer {token.json()['id_token']}", "x-tenant-id": "demo"}
            created = http.post("/v1/imports", headers=headers, json={"filename": "bench.csv"}).json()
            assert httpx.put(created["upload_url"], content=content, timeout=120).status_code == 200
            started = time.perf_counter()
            http.post(f"/v1/imports/{created['id']}/start", headers=headers, json={}).raise_for_status()
            while True:
                job = http.get(f"/v1/imports/{created['id']}", headers=headers).json()
                if job["status"] in ("completed", "failed"):
                    break
                time.sleep(1)
            seconds = time.perf_counter() - started
    finally:
        runtime.stop()
    summary = job["summary"]
    requests = sum(counter.calls.values())
    yield figure("crm_import", "rows", summary["rows"], "rows", status=job["status"], summary=summary)
    yield figure("crm_import", "rows_per_second", summary["rows"] / seconds, "rows/s", seconds=round(seconds, 1))
    yield figure("crm_import", "dynamodb_requests_per_created_person", requests / max(summary["created"], 1),
                 "requests", bound=2, by_operation=counter.calls)
    yield figure("crm_import", "pipeline_peak_memory", peak_mib, "MiB", file_mib=round(len(content) / 1_048_576, 2))
    yield figure("crm_import", "checkpoint_state_size", state_bytes / 1024, "KiB")


if __name__ == "__main__":
    import json

    for line in run():
        print(json.dumps(line, ensure_ascii=False), flush=True)
