"""The Powertools trim (skailan/_lean_imports.py): our resolver loads without the other resolvers,
and everything the full package exports still resolves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROGRAM = """
import sys
import skailan.platform.api
from aws_lambda_powertools.event_handler import Response, content_types
lean = ("asyncio" not in sys.modules, "aws_lambda_powertools.event_handler.appsync" not in sys.modules)
from aws_lambda_powertools.event_handler import AppSyncResolver, Depends
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
import aws_lambda_powertools.event_handler as package
print(lean, content_types.APPLICATION_JSON, AppSyncResolver.__name__, Depends.__name__,
      APIGatewayHttpResolver.__name__, Response.__name__, package.__path__ is not None)
"""


def test_only_the_http_resolver_loads_and_every_export_still_resolves():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": f"{ROOT / 'layers/skailan'}", "AWS_DEFAULT_REGION": "us-east-1",
                               "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["(True,", "True)", "application/json", "AppSyncResolver", "Depends",
                                   "APIGatewayHttpResolver", "Response", "True"]
