"""Plain, readable log lines for the local runtime: `[gateway] POST /v1/x -> 200 12ms`.

Every component logs through a child of the `local` logger; the formatter prints the child's
name in brackets. Function code keeps its own (Powertools JSON) logging on stdout.
"""

from __future__ import annotations

import logging
import sys

ROOT = "local"


def get_logger(component: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{component}")


class _ComponentFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        component = record.name.removeprefix(f"{ROOT}.")
        line = f"[{component}] {record.getMessage()}"
        if record.levelno >= logging.WARNING:
            line = f"[{component}] {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(level: int = logging.INFO) -> None:
    """Send the runtime's lines to stderr. Called by `python -m infra.local`, not by tests."""
    root = logging.getLogger(ROOT)
    if any(getattr(h, "_skailan_local", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ComponentFormatter())
    handler._skailan_local = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def quiet_werkzeug() -> None:
    """Werkzeug prints one line per request of both moto and the gateway; we log our own."""
    werkzeug_logger = logging.getLogger("werkzeug")
    if werkzeug_logger.level == logging.NOTSET:
        werkzeug_logger.setLevel(logging.WARNING)
