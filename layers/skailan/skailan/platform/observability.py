"""Powertools logger and metrics: created once, imported by every handler.

No X-Ray SDK here on purpose: importing it costs ~100 ms of every cold start (see
docs/decisions.md). Lambda's Active tracing (template Globals) still records each invocation
and its init time.
"""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger

logger = Logger()
# httpx logs every request URL at INFO; Telegram puts the bot token in the path.
logging.getLogger("httpx").setLevel(logging.WARNING)
