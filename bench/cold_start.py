"""Cold import time of every function in a fresh process, against the floor
`import boto3; boto3.client("dynamodb")` measured in the same run, interleaved so machine noise
hits both alike. The issue's bound: every function ≤ 1.3× the floor.

Both run in `.venv-lambda`: only the layer's requirements plus boto3, as in the Lambda runtime.
The dev venv also holds pyOpenSSL and awscrt (from moto and SAM), which botocore imports when
present and which would inflate the floor and flatter the ratio."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, child_env, figure, lambda_python, median
from infra.local.template import load_yaml

RUNS = 7
FLOOR = 'import boto3; boto3.client("dynamodb")'


def _function_dirs() -> dict[str, str]:
    template = load_yaml((ROOT / "template.yaml").read_text())
    return {
        logical_id: res["Properties"]["CodeUri"].rstrip("/")
        for logical_id, res in template["Resources"].items()
        if res["Type"] == "AWS::Serverless::Function"
    }


def _import_statement(code_uri: str) -> str:
    path = ROOT / code_uri / "app.py"
    return (
        "import importlib.util as u; "
        f"s = u.spec_from_file_location('app', {str(path)!r}); m = u.module_from_spec(s); s.loader.exec_module(m)"
    )


def _time(statement: str) -> float:
    program = (
        "import time; t0 = time.perf_counter()\n"
        f"{statement}\n"
        "print(time.perf_counter() - t0)"
    )
    out = subprocess.run([lambda_python(), "-c", program], env=child_env(), capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run() -> Iterator[dict[str, Any]]:
    functions = _function_dirs()
    _time(FLOOR)  # warm the OS file cache once so the first sample is not an outlier
    floor: list[float] = []
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(RUNS):
        floor.append(_time(FLOOR))
        for name, code_uri in functions.items():
            samples[name].append(_time(_import_statement(code_uri)))
    floor_ms = median(floor) * 1000
    yield figure("cold_start", "floor_boto3_dynamodb_client", floor_ms, "ms")
    worst = 0.0
    for name, values in sorted(samples.items()):
        ms = median(values) * 1000
        ratio = ms / floor_ms
        worst = max(worst, ratio)
        yield figure("cold_start", f"{name}.import", ms, "ms")
        yield figure("cold_start", f"{name}.ratio_to_floor", ratio, "x")
    yield figure("cold_start", "worst_ratio_to_floor", worst, "x", bound=1.3, runs=RUNS, env=".venv-lambda")
