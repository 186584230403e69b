"""Rebuild a brand's analytics from its events: `python -m skailan.analytics.replay`.

    python -m skailan.analytics.replay --tenant demo --reset            # forget the counters
    python -m skailan.analytics.replay --tenant demo --file events.jsonl  # count these events

`--file` takes JSON lines, each an event envelope (the EventBridge `detail`) or the whole
EventBridge event. In AWS the events come from the bus's `AnalyticsArchive`: reset, then
`aws events start-replay` from the archive to the bus, with `AnalyticsRule` as the only
destination rule; the worker counts them as it counts live events (docs/analytics.md). The order
does not matter and duplicates count once, so a replay rebuilds the same counters.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable

from skailan.analytics import brands, store, worker
from skailan.platform.events import DomainEvent, from_eventbridge


def rebuild(tenant_id: str, events: Iterable[DomainEvent]) -> dict[str, int]:
    """Forget the brand's counters, then count its events (other brands' events are skipped)."""
    removed = store.delete_tenant(tenant_id)
    brands.forget_brands()
    outcomes: Counter[str] = Counter()
    for event in events:
        outcomes[worker.apply(event) if event.tenant_id == tenant_id else "other_brand"] += 1
    return {"removed": removed, **outcomes}


def _read(lines: Iterable[str]) -> Iterable[DomainEvent]:
    for line in lines:
        if line.strip():
            raw = json.loads(line)
            yield from_eventbridge(raw.get("detail", raw) if "detail-type" in raw else raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skailan.analytics.replay", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--reset", action="store_true", help="only delete the brand's analytics items")
    parser.add_argument("--file", help="JSON lines of events to count after the reset ('-': stdin)")
    args = parser.parse_args(argv)
    if args.reset and not args.file:
        print(json.dumps({"removed": store.delete_tenant(args.tenant)}))
        return 0
    if not args.file:
        parser.error("--file or --reset")
    source = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    with source:
        print(json.dumps(rebuild(args.tenant, _read(source))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
