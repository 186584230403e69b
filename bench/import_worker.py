"""One imports-worker invocation in its own process, as Lambda runs it: `python -m bench.import_worker
<tenant> <import id> <remaining ms>`, with the local runtime's environment (AWS_ENDPOINT_URL → its
moto server). Prints one JSON line: the outcome, the DynamoDB requests it made by operation, and
the process's peak resident memory — what Lambda reports as "Max Memory Used".
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any


def main(tenant_id: str, import_id: str, budget_ms: int) -> None:
    import botocore.client

    calls: dict[str, int] = {}
    real_call = botocore.client.BaseClient._make_api_call

    def counting(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            calls[operation] = calls.get(operation, 0) + 1
        return real_call(client, operation, params)

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    from skailan.crm.capture.imports.worker import run_import

    deadline = time.monotonic() + budget_ms / 1000
    outcome = run_import(tenant_id, import_id, remaining_ms=lambda: int((deadline - time.monotonic()) * 1000))
    print(json.dumps({"outcome": outcome, "calls": calls, "peak_rss_mib": round(_peak_rss_kib() / 1024, 1)}),
          flush=True)


def _peak_rss_kib() -> int:
    """This process's own high-water RSS (VmHWM). Not ru_maxrss: Linux carries that across fork
    and exec, so it would report the parent's (runtime + moto) size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
