"""`make bench`: run every benchmark module and print one JSON object per figure."""

from __future__ import annotations

import importlib
import json
import sys

BENCHES = ("bench.cold_start", "bench.crm_segments", "bench.crm_import", "bench.channels", "bench.inbox")


def main(selected: list[str]) -> None:
    for name in BENCHES:
        if selected and name.rsplit(".", 1)[-1] not in selected:
            continue
        module = importlib.import_module(name)
        for figure in module.run():
            print(json.dumps(figure, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
