"""`make bench`: run every benchmark module and print one JSON object per figure.

Each module runs in a process of its own: some drive moto in-process (`mock_aws`), others start
the local runtime, and clients or connections cached by one must not leak into the next.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

BENCHES = ("bench.cold_start", "bench.crm_segments", "bench.crm_import", "bench.channels", "bench.inbox",
           "bench.realtime", "bench.limits", "bench.outbox", "bench.web", "bench.leads")


def run_one(name: str) -> None:
    # Figures only on stdout: the handlers' INFO logs would interleave with them.
    os.environ["POWERTOOLS_LOG_LEVEL"] = os.environ["LOG_LEVEL"] = "WARNING"
    module = importlib.import_module(name)
    for figure in module.run():
        print(json.dumps(figure, ensure_ascii=False), flush=True)


def main(selected: list[str]) -> int:
    failed = []
    for name in BENCHES:
        if selected and name.rsplit(".", 1)[-1] not in selected:
            continue
        done = subprocess.run([sys.executable, "-m", "bench", "--one", name], check=False)
        if done.returncode:
            failed.append(name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        run_one(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
