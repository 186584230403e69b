"""One-time EventBridge Scheduler schedules the application creates at run time (a campaign's
`at(...)`), fired like AWS when the APPLICATION clock (skailan.platform.clock, `POST /_local/clock`)
passes their time in their time zone.

The schedules live in moto (its own process): they are read over the Scheduler API — ListSchedules,
then GetSchedule once per version (LastModificationDate) — never from moto's memory. Firing
delivers the target's Input to a template function (in process, like Scheduler's invoke) or an
SQS queue, then deletes the schedule when its ActionAfterCompletion is DELETE. A target the
runtime cannot reach goes to the schedule's dead-letter queue, like Scheduler after its retries.
Template-defined AWS::Scheduler::Schedule resources are not in moto: schedules.py fires those.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .logs import get_logger
from .schedules import parse_schedule

log = get_logger("schedule")

POLL_SECONDS = 1.0
FIRED_KEPT = 200  # the most recent firings shown by GET /_local/app-schedules


@dataclass
class _Known:
    version: Any  # LastModificationDate: a changed schedule is read again
    detail: dict[str, Any]
    due: datetime | None  # None: not a one-time schedule (recurring ones are not fired here)


class AppSchedules:
    def __init__(
        self,
        client: Callable[[str], Any],
        invoke: Callable[[str, Any], Any],
        function_for_arn: Callable[[str], str | None],
        now: Callable[[], datetime],
    ) -> None:
        self._client = client
        self._invoke = invoke
        self._function_for_arn = function_for_arn
        self._now = now
        self._known: dict[str, _Known] = {}
        self._done: dict[str, Any] = {}  # fired one-time schedules kept (no DELETE): never again
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.fired: list[dict[str, Any]] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="skailan-local-app-schedules", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.tick()
            except Exception as error:  # moto stopping, a transient error: the next tick retries
                log.debug("app schedules: %s: %s", type(error).__name__, error)

    # -- reading -------------------------------------------------------------------------------

    def _summaries(self) -> list[dict[str, Any]]:
        scheduler = self._client("scheduler")
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = scheduler.list_schedules(**({"NextToken": token} if token else {}))
            items += page.get("Schedules") or []
            token = page.get("NextToken")
            if not token:
                return items

    def _detail(self, summary: dict[str, Any]) -> _Known | None:
        key = f"{summary['GroupName']}/{summary['Name']}"
        version = summary.get("LastModificationDate")
        known = self._known.get(key)
        if known is not None and known.version == version:
            return known
        detail = self._client("scheduler").get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
        due: datetime | None = None
        expression = str(detail.get("ScheduleExpression") or "")
        if expression.lower().startswith("at("):
            try:
                due = parse_schedule(expression, detail.get("ScheduleExpressionTimezone") or None).next_after(
                    datetime.min.replace(tzinfo=UTC)
                )
            except ValueError as error:
                log.warning("schedule %s: %r not understood (%s); never fired", key, expression, error)
        known = _Known(version, detail, due)
        self._known[key] = known
        return known

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"name": k.detail["Name"], "group": k.detail.get("GroupName"),
                 "expression": k.detail.get("ScheduleExpression"),
                 "timezone": k.detail.get("ScheduleExpressionTimezone"),
                 "due": k.due.isoformat() if k.due else None, "target": (k.detail.get("Target") or {}).get("Arn")}
                for k in self._known.values()
            ]

    # -- firing --------------------------------------------------------------------------------

    def tick(self) -> list[dict[str, Any]]:
        """Fire every ENABLED one-time schedule whose time the application clock has passed."""
        fired: list[dict[str, Any]] = []
        with self._lock:
            summaries = self._summaries()
            present = {f"{s['GroupName']}/{s['Name']}" for s in summaries}
            for key in set(self._known) - present:
                del self._known[key]
            for key in set(self._done) - present:
                del self._done[key]
            now = self._now()
            for summary in summaries:
                key = f"{summary['GroupName']}/{summary['Name']}"
                if summary.get("State") == "DISABLED" or self._done.get(key, ()) == summary.get("LastModificationDate"):
                    continue
                known = self._detail(summary)
                if known is None or known.due is None or known.due > now:
                    continue
                fired.append(self._fire(known.detail, now))
                self._known.pop(key, None)
                self._done[key] = summary.get("LastModificationDate")
            self.fired = (self.fired + fired)[-FIRED_KEPT:]
        return fired

    def _fire(self, detail: dict[str, Any], now: datetime) -> dict[str, Any]:
        target = detail.get("Target") or {}
        arn = str(target.get("Arn") or "")
        raw = target.get("Input")
        record: dict[str, Any] = {"name": detail["Name"], "group": detail.get("GroupName"),
                                  "expression": detail.get("ScheduleExpression"),
                                  "timezone": detail.get("ScheduleExpressionTimezone"), "target": arn,
                                  "fired_at": now.isoformat(), "ok": True}
        try:
            payload = json.loads(raw) if isinstance(raw, str) else (raw or {})
            function_id = self._function_for_arn(arn)
            if function_id is not None:
                try:
                    record["result"] = self._invoke(function_id, payload)
                except Exception as error:
                    # Scheduler invokes Lambda asynchronously: the function's own failure is its
                    # business (its log), not a failed delivery.
                    record.update(ok=False, error=f"{type(error).__name__}: {error}")
            elif ":sqs:" in arn:
                sqs = self._client("sqs")
                url = sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]
                sqs.send_message(QueueUrl=url, MessageBody=raw if isinstance(raw, str) else json.dumps(payload))
            else:
                raise LookupError(f"target {arn} is not reachable locally")
        except Exception as error:  # not delivered: the dead-letter queue, like Scheduler after its retries
            record.update(ok=False, error=f"{type(error).__name__}: {error}")
            log.error("schedule %s -> %s not delivered: %s", detail["Name"], arn, record["error"])
            self._dead_letter(target, raw, record)
        else:
            log.info("schedule %s (%s %s) -> %s", detail["Name"], detail.get("ScheduleExpression"),
                     detail.get("ScheduleExpressionTimezone"), arn)
        if detail.get("ActionAfterCompletion") == "DELETE":
            try:
                self._client("scheduler").delete_schedule(Name=detail["Name"], GroupName=detail.get("GroupName"))
            except Exception as error:  # deleted meanwhile by the application: fine
                log.debug("schedule %s not deleted: %s", detail["Name"], error)
        return record

    def _dead_letter(self, target: dict[str, Any], raw: Any, record: dict[str, Any]) -> None:
        dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
        if not dlq:
            return
        try:
            sqs = self._client("sqs")
            url = sqs.get_queue_url(QueueName=str(dlq).rsplit(":", 1)[-1])["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=raw if isinstance(raw, str) else json.dumps(raw),
                             MessageAttributes={"ERROR_MESSAGE": {"DataType": "String",
                                                                  "StringValue": str(record.get("error"))[:256]}})
        except Exception as error:
            log.error("schedule %s: dead-letter queue %s: %s", record["name"], dlq, error)
