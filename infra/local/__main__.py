"""`python -m infra.local`: bring the whole suite up locally until Ctrl-C / SIGTERM.

Run from the repository root. Options override the environment (SKAILAN_PORT,
SKAILAN_MOTO_PORT, SKAILAN_LOCAL_VISIBILITY_SECONDS).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="template.yaml", help="SAM template (default: template.yaml)")
    parser.add_argument("--port", type=int, default=None, help="API port (SKAILAN_PORT, default 3000)")
    parser.add_argument(
        "--moto-port", type=int, default=None, help="moto port (SKAILAN_MOTO_PORT, default 4566)"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter override (default: Stage=local)",
    )
    parser.add_argument(
        "--ws-port", type=int, default=None, help="WebSocket API port (SKAILAN_WS_PORT, default 3001)"
    )
    parser.add_argument("--no-schedules", action="store_true", help="do not fire schedules on time")
    parser.add_argument("--no-seed", action="store_true", help="do not run infra.local.seed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # The handlers import `skailan` from the layer and tests/helpers from the repository root.
    for path in (REPO_ROOT / "layers" / "skailan", REPO_ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))

    from infra.local import logs
    from infra.local.runtime import LocalRuntime

    args = _parse_args(argv)
    logs.configure()
    overrides = {"Stage": "local"}
    for item in args.param:
        key, separator, value = item.partition("=")
        if not separator:
            raise SystemExit(f"--param expects KEY=VALUE, got {item!r}")
        overrides[key] = value

    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())

    runtime = LocalRuntime(
        args.template,
        port=args.port,
        moto_port=args.moto_port,
        ws_port=args.ws_port,
        parameter_overrides=overrides,
        schedules=not args.no_schedules,
        seed=not args.no_seed,
    )
    try:
        runtime.start()
    except OSError as error:
        print(f"infra.local: {error}", file=sys.stderr)
        return 1
    try:
        while not stopping.wait(1):
            pass
    finally:
        logs.get_logger("runtime").info("stopping")
        runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
