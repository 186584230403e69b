"""rate / cron / at expressions and their next fire times; the scheduled-event payload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infra.local.schedules import ScheduledJob, Scheduler, parse_schedule, scheduled_event


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(7 days)", timedelta(days=7)),
    ],
)
def test_rate_fires_every_period_from_its_start(expression, period):
    start = utc(2025, 1, 1, 12, 0, 0)
    schedule = parse_schedule(expression, now=start)

    assert schedule.next_after(start) == start + period
    assert schedule.next_after(start + period) == start + 2 * period
    assert schedule.next_after(start + period * 2.5) == start + 3 * period


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # every 15 minutes
        ("cron(0/15 * * * ? *)", utc(2025, 3, 10, 10, 7), utc(2025, 3, 10, 10, 15)),
        ("cron(0/15 * * * ? *)", utc(2025, 3, 10, 10, 45), utc(2025, 3, 10, 11, 0)),
        # 10:00 on weekdays (Saturday 2025-03-08 -> Monday 2025-03-10)
        ("cron(0 10 ? * MON-FRI *)", utc(2025, 3, 8, 9, 0), utc(2025, 3, 10, 10, 0)),
        ("cron(0 10 ? * 2-6 *)", utc(2025, 3, 10, 10, 0), utc(2025, 3, 11, 10, 0)),
        # 03:00 every day, from just after 03:00
        ("cron(0 3 * * ? *)", utc(2025, 3, 10, 3, 0, 30), utc(2025, 3, 11, 3, 0)),
        # last day of the month, incl. February
        ("cron(0 0 L * ? *)", utc(2025, 2, 3), utc(2025, 2, 28)),
        # weekday nearest the 15th (2025-03-15 is a Saturday -> Friday 14th)
        ("cron(0 9 15W * ? *)", utc(2025, 3, 1), utc(2025, 3, 14, 9, 0)),
        # last weekday of the month (2025-08-31 is a Sunday -> Friday 29th)
        ("cron(0 9 LW * ? *)", utc(2025, 8, 1), utc(2025, 8, 29, 9, 0)),
        # third Friday (SUN=1 ... FRI=6)
        ("cron(0 12 ? * 6#3 *)", utc(2025, 3, 1), utc(2025, 3, 21, 12, 0)),
        # last Friday of the month
        ("cron(0 12 ? * 6L *)", utc(2025, 3, 1), utc(2025, 3, 28, 12, 0)),
        # names, lists and a year
        ("cron(30 8 1 JAN,JUL ? 2026)", utc(2025, 3, 1), utc(2026, 1, 1, 8, 30)),
        ("cron(0 0 1 1 ? 2020)", utc(2025, 1, 1), None),
    ],
)
def test_cron_next_fire_time(expression, after, expected):
    assert parse_schedule(expression).next_after(after) == expected


def test_cron_in_a_time_zone():
    # 08:00 in São Paulo (UTC-3) on Mondays; 2025-03-10 is a Monday
    schedule = parse_schedule("cron(0 8 ? * MON *)", "America/Sao_Paulo")
    assert schedule.next_after(utc(2025, 3, 10, 10, 0)) == utc(2025, 3, 10, 11, 0)


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 10 * * * *)",
        "cron(0 10 ? * ? *)",
        "cron(0 10 * *)",
        "cron(61 * * * ? *)",
        "rate(0 minutes)",
        "rate(1 week)",
        "every day",
    ],
)
def test_invalid_expressions(expression):
    with pytest.raises(ValueError):
        parse_schedule(expression)


def test_at_fires_once():
    schedule = parse_schedule("at(2030-01-02T03:04:05)")
    assert schedule.next_after(utc(2025, 1, 1)) == utc(2030, 1, 2, 3, 4, 5)
    assert schedule.next_after(utc(2031, 1, 1)) is None


def test_scheduled_event_payload():
    event = scheduled_event(
        "arn:aws:events:us-east-1:123456789012:rule/nightly",
        region="us-east-1",
        account_id="123456789012",
        when=utc(2025, 3, 10, 3, 0, 0, 123000),
    )
    assert {k: v for k, v in event.items() if k != "id"} == {
        "version": "0",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2025-03-10T03:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/nightly"],
        "detail": {},
    }
    assert len(event["id"]) == 36


def test_fire_now_runs_the_owners_jobs_and_reports_errors():
    fired = []

    def ok():
        fired.append("ok")
        return "Fn"

    def broken():
        raise RuntimeError("nope")

    scheduler = Scheduler(
        [
            ScheduledJob("Fn", "Fn.Hourly", parse_schedule("rate(1 hour)"), ok, enabled=False),
            ScheduledJob("Fn", "Fn.Nightly", parse_schedule("cron(0 3 * * ? *)"), broken),
            ScheduledJob("Other", "Other.Job", parse_schedule("rate(1 day)"), ok),
        ],
        automatic=False,
    )

    assert scheduler.fire_now("Fn", "Hourly") == [{"schedule": "Fn.Hourly", "ok": True, "target": "Fn"}]
    assert scheduler.fire_now("Fn")[1] == {
        "schedule": "Fn.Nightly",
        "ok": False,
        "error": "RuntimeError: nope",
    }
    assert fired == ["ok", "ok"]
    with pytest.raises(KeyError):
        scheduler.fire_now("Missing")


# --------------------------------------------------------------------------------------------
# One-time schedules the application creates in moto (infra/local/app_schedules.py)
# --------------------------------------------------------------------------------------------


def _app_schedules(now: list[datetime], invoked: list[tuple[str, object]]):
    import boto3

    from infra.local.app_schedules import AppSchedules

    clients = {name: boto3.client(name, region_name="us-east-1") for name in ("scheduler", "sqs")}
    fn_arn = "arn:aws:lambda:us-east-1:123456789012:function:Starter"

    def invoke(function_id: str, payload: object) -> object:
        invoked.append((function_id, payload))
        return {"ok": True}

    firer = AppSchedules(clients.__getitem__, invoke, lambda arn: "Starter" if arn == fn_arn else None,
                         lambda: now[0])
    return firer, clients, fn_arn


def _create(scheduler, name: str, arn: str, expression: str, zone: str, **target: object) -> None:
    scheduler.create_schedule(Name=name, GroupName="g", ScheduleExpression=expression,
                              ScheduleExpressionTimezone=zone, FlexibleTimeWindow={"Mode": "OFF"},
                              ActionAfterCompletion="DELETE",
                              Target={"Arn": arn, "RoleArn": "arn:aws:iam::123456789012:role/r",
                                      "Input": '{"campaign_id": "c1"}', **target})


def test_app_schedules_fire_on_the_application_clock_in_their_zone_once_then_are_deleted(monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        now, invoked = [utc(2030, 1, 15, 14, 29, 59)], []
        firer, clients, fn_arn = _app_schedules(now, invoked)
        clients["scheduler"].create_schedule_group(Name="g")
        _create(clients["scheduler"], "bogota", fn_arn, "at(2030-01-15T09:30:00)", "America/Bogota")
        assert firer.tick() == [] and invoked == []  # 09:29:59 in Bogotá
        assert firer.pending()[0]["due"] == "2030-01-15T14:30:00+00:00"
        now[0] = utc(2030, 1, 15, 14, 30, 0)
        fired = firer.tick()
        assert invoked == [("Starter", {"campaign_id": "c1"})]
        assert fired[0]["ok"] and fired[0]["result"] == {"ok": True}
        assert clients["scheduler"].list_schedules(GroupName="g")["Schedules"] == []  # ActionAfterCompletion DELETE
        assert firer.tick() == [] and len(invoked) == 1


def test_an_unreachable_target_goes_to_the_dead_letter_queue(monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        now, invoked = [utc(2030, 1, 1)], []
        firer, clients, _ = _app_schedules(now, invoked)
        clients["scheduler"].create_schedule_group(Name="g")
        dlq = clients["sqs"].create_queue(QueueName="dlq")["QueueUrl"]
        _create(clients["scheduler"], "lost", "arn:aws:lambda:us-east-1:123456789012:function:Gone",
                "at(2029-12-31T23:00:00)", "UTC",
                DeadLetterConfig={"Arn": "arn:aws:sqs:us-east-1:123456789012:dlq"})
        fired = firer.tick()
        assert not fired[0]["ok"] and invoked == []
        messages = clients["sqs"].receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in messages] == ['{"campaign_id": "c1"}']
