"""People import through the local runtime: rows per second, DynamoDB requests per created person,
peak memory of the streaming pipeline.

`python -m bench.crm_import` (BENCH_IMPORT_ROWS, default 100 000 — the issue's figure).
The runtime (API, queues, moto server) runs in this process; each imports-worker invocation runs in
a process of its own (bench/import_worker.py) against the runtime's moto endpoint, as Lambda
would, so its peak resident memory and its DynamoDB requests are the worker's alone. Runs longer
than the worker's 300 s timeout continue in new invocations from their checkpoint, as in AWS.
moto is patched as in the local runtime (infra/local/moto_dynamodb.py): O(transaction)
TransactWriteItems and Query by partition — stock moto walks the whole table per request.

The file: Latin-American phones (CO national, MX `+52 1`, AR `+54 9`), 5 % in-file duplicates, 2 %
invalid rows, blank rows, tags and a custom column — the shape of a real Keybe export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
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

    from skailan.crm.capture.imports.mapping import suggest_mapping
    from skailan.crm.capture.imports.reader import open_import
    from skailan.crm.capture.imports.rows import ImportAccumulator, build_candidate

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


class _WorkerProcesses:
    """Runs each imports-worker invocation in its own process (bench/import_worker.py), as Lambda
    does, so its peak memory is the worker's alone (the runtime and moto live in this process) and
    its DynamoDB requests are exactly the worker's."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.peaks: list[float] = []
        self.outcomes: list[str] = []

    def install(self) -> None:
        from skailan.crm.capture.imports import worker as import_jobs

        workers = self

        def run_import(tenant_id: str, import_id: str, *, remaining_ms: Any = None, **_: Any) -> str:
            budget = remaining_ms() if remaining_ms else 300_000
            done = subprocess.run([sys.executable, "-m", "bench.import_worker", tenant_id, import_id, str(budget)],
                                  cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=False)
            lines = [line for line in done.stdout.splitlines() if line.startswith('{"outcome"')]
            if done.returncode or not lines:
                raise RuntimeError(f"import worker failed: {done.stderr[-2000:]}")
            result = json.loads(lines[-1])
            for operation, count in result["calls"].items():
                workers.calls[operation] = workers.calls.get(operation, 0) + count
            workers.peaks.append(result["peak_rss_mib"])
            workers.outcomes.append(result["outcome"])
            return str(result["outcome"])

        import_jobs.run_import = run_import  # type: ignore[assignment]


def run() -> Iterator[dict[str, Any]]:
    import httpx

    from infra.local import LocalRuntime
    from infra.local.moto_dynamodb import install

    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
    content = sample_file(rows)
    peak_mib, state_bytes = _pipeline_peak(content)
    install()
    workers = _WorkerProcesses()
    quiet = {"LOG_LEVEL": "WARNING", "POWERTOOLS_LOG_LEVEL": "WARNING"}  # figures only on stdout
    runtime = LocalRuntime(ROOT / "template.yaml", port=0, moto_port=0, schedules=False, seed=True,
                           banner=False, env_overrides=quiet).start()
    try:
        workers.install()
        from skailan.platform.observability import logger

        logger.setLevel("WARNING")
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
    requests = sum(workers.calls.values())
    yield figure("crm_import", "rows", summary["rows"], "rows", status=job["status"], summary=summary)
    yield figure("crm_import", "rows_per_second", summary["rows"] / seconds, "rows/s", seconds=round(seconds, 1))
    yield figure("crm_import", "dynamodb_requests_per_created_person", requests / max(summary["created"], 1),
                 "requests", bound=2, by_operation=workers.calls)
    yield figure("crm_import", "worker_peak_memory", max(workers.peaks or [0]), "MiB",
                 invocations=len(workers.peaks), outcomes=workers.outcomes, lambda_memory_mib=1024)
    yield figure("crm_import", "pipeline_peak_memory", peak_mib, "MiB", file_mib=round(len(content) / 1_048_576, 2),
                 what="Python heap of reading + de-duplicating the whole file (tracemalloc)")
    yield figure("crm_import", "checkpoint_state_size", state_bytes / 1024, "KiB")


if __name__ == "__main__":
    import json

    for line in run():
        print(json.dumps(line, ensure_ascii=False), flush=True)
