"""Powertools logger and metrics: created once, imported by every handler.

No X-Ray SDK here on purpose: importing it costs ~100 ms of every cold start (see
docs/decisions.md). Lambda's Active tracing (template Globals) still records each invocation
and its init time.
"""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools import Logger


class _Logger(Logger):
    """Every handler's `inject_lambda_context` clears the keys the previous invocation appended
    (tenant, principal, import id...): a warm container must not stamp them on the next one."""

    def inject_lambda_context(self, lambda_handler: Any = None, log_event: bool | None = None,
                              correlation_id_path: str | None = None, clear_state: bool | None = True,
                              flush_buffer_on_uncaught_error: bool = False) -> Any:
        return super().inject_lambda_context(lambda_handler, log_event=log_event,
                                             correlation_id_path=correlation_id_path, clear_state=clear_state,
                                             flush_buffer_on_uncaught_error=flush_buffer_on_uncaught_error)


logger = _Logger()
# httpx logs every request URL at INFO; Telegram puts the bot token in the path.
logging.getLogger("httpx").setLevel(logging.WARNING)
