"""Cloud posture of template.yaml that checkov does not see (docs/decisions.md, "Cloud posture").

Checkov (`make posture`) checks each resource alone; these check what spans resources: every
function's log group, the concurrency budget of the account, event-source pollers against the
function's reservation, encryption of every queue and topic, access logs of every API.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.template import load_yaml
from infra.openapi import ROOT

TEMPLATE = load_yaml((ROOT / "template.yaml").read_text())
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]


def _of_type(*types: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource.get("Properties") or {}
        for logical_id, resource in RESOURCES.items()
        if resource["Type"] in types
    }


FUNCTIONS = _of_type("AWS::Serverless::Function")
# The account's default concurrency is 1000 and AWS keeps at least 100 unreserved; the rest is
# headroom for new functions and for versions being deployed.
ACCOUNT_LIMIT = 1000
RESERVED_BUDGET = 800


def _reserved(logical_id: str) -> int:
    return int(FUNCTIONS[logical_id]["ReservedConcurrentExecutions"])


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_its_own_concurrency_reservation(logical_id):
    value = FUNCTIONS[logical_id].get("ReservedConcurrentExecutions")
    assert isinstance(value, int) and value >= 1, f"{logical_id}: ReservedConcurrentExecutions (docs/decisions.md)"


def test_the_reservations_fit_a_default_account_with_room_to_spare():
    total = sum(_reserved(logical_id) for logical_id in FUNCTIONS)
    assert total <= RESERVED_BUDGET < ACCOUNT_LIMIT - 100, total


def test_webhooks_keep_a_reservation_no_worker_can_take():
    webhooks = [f for f, p in FUNCTIONS.items() if str(p["CodeUri"]).startswith("functions/webhooks/")]
    assert webhooks
    # Reserved concurrency is carved out of the account: a worker backlog can never use it.
    assert all(_reserved(f) >= 20 for f in webhooks), {f: _reserved(f) for f in webhooks}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_sqs_pollers_never_run_more_copies_than_the_function_may(logical_id):
    for name, event in (FUNCTIONS[logical_id].get("Events") or {}).items():
        if event["Type"] != "SQS":
            continue
        # Throttled receives count toward maxReceiveCount: good messages would reach the DLQ.
        maximum = (event["Properties"].get("ScalingConfig") or {}).get("MaximumConcurrency")
        assert isinstance(maximum, int), f"{logical_id}.{name}: ScalingConfig.MaximumConcurrency"
        assert 2 <= maximum <= _reserved(logical_id), (logical_id, name, maximum)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_has_a_log_group_with_retention(logical_id):
    groups = [
        props
        for props in _of_type("AWS::Logs::LogGroup").values()
        if props.get("LogGroupName") == {"Fn::Sub": f"/aws/lambda/${{{logical_id}}}"}
    ]
    assert len(groups) == 1, f"{logical_id}: add {logical_id}LogGroup named /aws/lambda/${{{logical_id}}}"
    assert groups[0].get("RetentionInDays"), logical_id


def test_every_log_group_has_retention():
    assert all(props.get("RetentionInDays") for props in _of_type("AWS::Logs::LogGroup").values())


@pytest.mark.parametrize("logical_id", sorted(_of_type("AWS::SQS::Queue")))
def test_every_queue_is_encrypted(logical_id):
    props = _of_type("AWS::SQS::Queue")[logical_id]
    assert props.get("SqsManagedSseEnabled") is True or props.get("KmsMasterKeyId"), logical_id


@pytest.mark.parametrize("logical_id", sorted(_of_type("AWS::SNS::Topic")))
def test_every_topic_is_encrypted_with_a_key_ses_may_use(logical_id):
    key = _of_type("AWS::SNS::Topic")[logical_id].get("KmsMasterKeyId")
    assert isinstance(key, dict) and "Ref" in key, f"{logical_id}: KmsMasterKeyId (alias/aws/sns would refuse SES)"
    statements = _of_type("AWS::KMS::Key")[key["Ref"]]["KeyPolicy"]["Statement"]
    assert any((s.get("Principal") or {}).get("Service") == "ses.amazonaws.com" for s in statements)


@pytest.mark.parametrize(
    "logical_id", sorted(_of_type("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"))
)
def test_every_table_has_point_in_time_recovery(logical_id):
    props = _of_type("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")[logical_id]
    assert (props.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled") is True


@pytest.mark.parametrize("logical_id", ["MediaBucket", "ImportsBucket", "ExportsBucket", "InboundMailBucket"])
def test_customer_data_buckets_are_versioned_logged_and_expire_old_versions(logical_id):
    props = _of_type("AWS::S3::Bucket")[logical_id]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
    rules = props["LifecycleConfiguration"]["Rules"]
    assert any(r.get("NoncurrentVersionExpiration") and r["Status"] == "Enabled" for r in rules)


@pytest.mark.parametrize(
    "logical_id", sorted(_of_type("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Stage"))
)
def test_every_api_writes_json_access_logs(logical_id):
    settings = _of_type("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Stage")[logical_id]["AccessLogSettings"]
    group = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup"
    for field in ("$context.requestId", "$context.routeKey", "$context.status", "Latency"):
        assert field in settings["Format"], (logical_id, field)


def _statements(policies: Any) -> list[dict[str, Any]]:
    return [s for p in policies or [] if isinstance(p, dict) for s in p.get("Statement", [])]


# Actions IAM only grants on Resource "*" (no resource-level permissions exist for them).
ONLY_STAR = frozenset({"ses:GetSendQuota"})


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_policies_name_their_resources(logical_id):
    wildcards = [s["Action"] for s in _statements(FUNCTIONS[logical_id].get("Policies")) if s.get("Resource") == "*"
                 and not set(s["Action"] if isinstance(s["Action"], list) else [s["Action"]]) <= ONLY_STAR]
    assert not wildcards, f"{logical_id}: Resource '*' for {wildcards}"
