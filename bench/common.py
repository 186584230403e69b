"""Shared bits for benchmarks: figures and a clean environment for child processes."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def figure(bench: str, metric: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"bench": bench, "metric": metric, "value": round(value, 4), "unit": unit, **extra}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=f"{ROOT / 'layers/skailan'}:{ROOT}",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        POWERTOOLS_TRACE_DISABLED="true",
        PYTHONDONTWRITEBYTECODE="0",
    )
    return env


def lambda_python() -> str:
    """A virtualenv shaped like the Lambda runtime: the layer's requirements and boto3, nothing else."""
    venv = ROOT / ".venv-lambda"
    stamp = venv / ".installed"
    requirements = (ROOT / "layers/skailan/requirements.txt").read_text()
    if not stamp.exists() or stamp.read_text() != requirements:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin/python"), "-m", "pip", "install", "--quiet", "-r",
             str(ROOT / "layers/skailan/requirements.txt"), f"boto3=={_boto3_version()}"],
            check=True,
        )
        stamp.write_text(requirements)
    return str(venv / "bin/python")


def _boto3_version() -> str:
    import boto3

    return boto3.__version__


def median(values: list[float]) -> float:
    return statistics.median(values)
