"""Create the template's resources in moto — from the template only, no hand-kept list.

Handled: DynamoDB tables (and SAM SimpleTables) with GSIs, LSIs, streams and TTL; SQS queues
with their attributes and redrive policies (all queues first, then the policies, so a DLQ may be
declared after its source); SNS topics and SQS subscriptions; EventBridge buses and rules
(pattern rules are matched and delivered by moto; schedule rules are fired by our scheduler);
S3 buckets; Cognito user pools, clients and groups; Secrets Manager secrets; SSM parameters.
Anything else is logged once per type and skipped.

Rule targets that are functions of the template cannot be invoked by moto, so they get a hidden
SQS queue as the target and an `AsyncTarget` the runtime polls (see pollers.AsyncInvokePoller).
Function events of type EventBridgeRule / CloudWatchEvent / SNS are wired the same way.

moto drops `account` when it renders the default EventBridge event for a target, and ignores
`Input`/`InputPath`; each target therefore gets an explicit InputTransformer that renders the
full event (or the Input / InputPath the template asked for).
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .aws import AwsClients
from .functions import FunctionSpec
from .logs import get_logger
from .physical import PhysicalIds
from .template import Template, cfn_string

log = get_logger("provision")

# The event as EventBridge delivers it; `detail` last so its text is not scanned for placeholders.
FULL_EVENT_TRANSFORMER = {
    "InputPathsMap": {
        "id": "$.id",
        "detail-type": "$.detail-type",
        "source": "$.source",
        "account": "$.account",
        "time": "$.time",
        "region": "$.region",
        "resources": "$.resources",
        "detail": "$.detail",
    },
    "InputTemplate": (
        '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
        '"account": "<account>", "time": "<time>", "region": "<region>", "resources": <resources>, '
        '"detail": <detail>}'
    ),
}

# Types that need nothing locally (permissions, alarms, the API itself, layers, functions...).
_NOTHING_TO_DO = {
    "AWS::Serverless::Function",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::LayerVersion",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::IAM::Role",
    "AWS::Pipes::Pipe",  # run by the runtime's stream pollers (infra/local/streams.py)
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::Events::EventBusPolicy",
    "AWS::Events::Archive",  # replays are an AWS operation (docs/analytics.md)
    # Analysts query the fact exports with Athena in AWS; locally DuckDB reads the bucket (docs/analytics.md).
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::Logs::LogGroup",
    "AWS::Logs::SubscriptionFilter",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
    "AWS::Cognito::UserPoolDomain",
    "AWS::S3::BucketPolicy",
    "AWS::ApiGatewayV2::Stage",
    # The WebSocket API is served by infra/local/websocket.py straight from the template.
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::RouteResponse",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::ApiMapping",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::CertificateManager::Certificate",
    "AWS::Route53::RecordSet",
    "AWS::SES::ReceiptRuleSet",
    "AWS::SES::ReceiptRule",
    "AWS::SES::ConfigurationSet",
    "AWS::SES::EmailIdentity",
    "AWS::XRay::Group",
    "AWS::XRay::SamplingRule",
    "AWS::CloudFormation::WaitConditionHandle",
    # The app is served by the local gateway (infra/local/web.py), not by a CDN.
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
}

_USER_POOL_PARAMETERS = {
    "Policies",
    "DeletionProtection",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "Schema",
    "UserPoolAddOns",
    "UsernameConfiguration",
    "AccountRecoverySetting",
    "UserPoolTier",
}
_USER_POOL_CLIENT_PARAMETERS = {
    "GenerateSecret",
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
}
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "SqsManagedSseEnabled",
)


@dataclass
class AsyncTarget:
    """A function invoked asynchronously through a hidden queue (EventBridge or SNS)."""

    function_logical_id: str
    source_name: str
    queue_url: str
    queue_arn: str
    kind: str = "eventbridge"  # or "sns"
    max_retries: int = 2
    dead_letter_queue_url: str | None = None
    subscription_arn: str | None = None


@dataclass
class ScheduleRule:
    """A rule with a ScheduleExpression, or an AWS::Scheduler::Schedule: our scheduler fires it."""

    logical_id: str
    name: str
    arn: str
    expression: str
    enabled: bool
    targets: list[dict[str, Any]] = field(default_factory=list)
    timezone: str | None = None
    source: str = "aws.events"


class ProvisioningError(RuntimeError):
    pass


class Provisioner:
    def __init__(self, template: Template, ids: PhysicalIds, clients: AwsClients) -> None:
        self.template = template
        self.ids = ids
        self.clients = clients
        self.resolver = template.resolver(ids)
        self.async_targets: list[AsyncTarget] = []
        self.schedule_rules: list[ScheduleRule] = []
        self.failures: list[str] = []
        self._warned_types: set[str] = set()

    # -- entry points ---------------------------------------------------------------------------

    def provision(self) -> None:
        steps = [
            ("AWS::SSM::Parameter", self._parameter),
            ("AWS::DynamoDB::Table", self._table),
            ("AWS::Serverless::SimpleTable", self._simple_table),
            ("AWS::S3::Bucket", self._bucket),
            ("AWS::SQS::Queue", None),  # all at once: see _queues
            ("AWS::SNS::Topic", self._topic),
            ("AWS::SNS::Subscription", self._subscription),
            ("AWS::Events::EventBus", self._bus),
            ("AWS::Cognito::UserPool", self._user_pool),
            ("AWS::Cognito::UserPoolClient", self._user_pool_client),
            ("AWS::Cognito::UserPoolGroup", self._user_pool_group),
            ("AWS::SecretsManager::Secret", self._secret),
            ("AWS::Events::Rule", self._rule),
            ("AWS::Scheduler::ScheduleGroup", self._schedule_group),
            ("AWS::Scheduler::Schedule", self._schedule),
        ]
        handled = {resource_type for resource_type, _ in steps}
        for resource_type, step in steps:
            if step is None:
                self._queues()
                continue
            for logical_id in self.template.of_type(resource_type):
                self._attempt(logical_id, partial(step, logical_id))
        for logical_id, resource in self.template.resources.items():
            resource_type = resource.get("Type", "")
            if resource_type not in handled and resource_type not in _NOTHING_TO_DO:
                self._warn_type(resource_type, logical_id)

    def provision_function_events(self, functions: dict[str, FunctionSpec]) -> None:
        """EventBridge rules and SNS subscriptions that SAM derives from function events."""
        for spec in functions.values():
            for event_name, event in spec.events.items():
                kind, properties = event["Type"], event["Properties"]
                where = f"{spec.logical_id}.{event_name}"
                if kind in ("EventBridgeRule", "CloudWatchEvent"):
                    self._attempt(where, partial(self._function_rule, spec, event_name, properties))
                elif kind == "SNS":
                    self._attempt(where, partial(self._function_topic, spec, event_name, properties))
                elif kind not in ("HttpApi", "SQS", "Schedule", "ScheduleV2"):
                    self._warn_type(f"{kind} event", f"{spec.logical_id}.{event_name}")

    # -- helpers --------------------------------------------------------------------------------

    def _attempt(self, what: str, action: Callable[[], Any]) -> None:
        """Run one creation; a failure is logged and collected, and provisioning goes on."""
        try:
            action()
        except Exception as error:
            self.failures.append(f"{what}: {error}")
            log.error("cannot create %s: %s: %s", what, type(error).__name__, error)

    def _warn_type(self, resource_type: str, example: str) -> None:
        if resource_type not in self._warned_types:
            self._warned_types.add(resource_type)
            log.warning("%s is not emulated locally (e.g. %s); skipped", resource_type, example)

    def _properties(self, logical_id: str) -> dict[str, Any]:
        return self.resolver.resolve(self.template.properties(logical_id))

    def _function_for_arn(self, arn: str) -> str | None:
        logical_id = self.ids.logical_id_for_arn(arn)
        if logical_id and self.template.type_of(logical_id) in (
            "AWS::Serverless::Function",
            "AWS::Lambda::Function",
        ):
            return logical_id
        return None

    def _queue_url_for_arn(self, arn: str) -> str:
        return self.clients("sqs").get_queue_url(QueueName=arn.rsplit(":", 1)[-1])["QueueUrl"]

    def hidden_queue(self, name: str) -> tuple[str, str]:
        """A queue that only the local runtime uses (a rule's Lambda target, say)."""
        url = self.clients("sqs").create_queue(QueueName=name[:80])["QueueUrl"]
        arn = f"arn:aws:sqs:{self.template.region}:{self.template.account_id}:{name[:80]}"
        return url, arn

    # -- resources ------------------------------------------------------------------------------

    def _parameter(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        params = {
            "Name": name,
            "Value": cfn_string(properties["Value"]),
            "Type": properties.get("Type", "String"),
        }
        if properties.get("Description"):
            params["Description"] = properties["Description"]
        self.clients("ssm").put_parameter(**params, Overwrite=True)
        self.ids.update(logical_id, ref=name, Type=params["Type"], Value=params["Value"])
        log.info("ssm parameter %s", name)

    def _table(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        billing = properties.get("BillingMode") or (
            "PROVISIONED" if properties.get("ProvisionedThroughput") else "PAY_PER_REQUEST"
        )
        params: dict[str, Any] = {
            "TableName": name,
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "BillingMode": billing,
        }
        if billing == "PROVISIONED":
            params["ProvisionedThroughput"] = _throughput(properties.get("ProvisionedThroughput"))
        if properties.get("GlobalSecondaryIndexes"):
            params["GlobalSecondaryIndexes"] = [
                _index(i, billing) for i in properties["GlobalSecondaryIndexes"]
            ]
        if properties.get("LocalSecondaryIndexes"):
            params["LocalSecondaryIndexes"] = [_index(i, None) for i in properties["LocalSecondaryIndexes"]]
        stream = properties.get("StreamSpecification")
        if stream and stream.get("StreamViewType"):
            params["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        if properties.get("Tags"):
            params["Tags"] = properties["Tags"]
        dynamodb = self.clients("dynamodb")
        description = dynamodb.create_table(**params)["TableDescription"]
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and _truthy(ttl.get("Enabled")):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        self.ids.update(
            logical_id, ref=name, Arn=description["TableArn"], StreamArn=description.get("LatestStreamArn")
        )
        indexes = len(params.get("GlobalSecondaryIndexes", [])) + len(params.get("LocalSecondaryIndexes", []))
        log.info("table %s%s", name, f" ({indexes} indexes)" if indexes else "")

    def _simple_table(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        key = properties.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        key_type = {"String": "S", "Number": "N", "Binary": "B"}[key.get("Type", "String")]
        params: dict[str, Any] = {
            "TableName": name,
            "KeySchema": [{"AttributeName": key["Name"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": key["Name"], "AttributeType": key_type}],
        }
        if properties.get("ProvisionedThroughput"):
            params["ProvisionedThroughput"] = _throughput(properties["ProvisionedThroughput"])
        else:
            params["BillingMode"] = "PAY_PER_REQUEST"
        description = self.clients("dynamodb").create_table(**params)["TableDescription"]
        self.ids.update(logical_id, ref=name, Arn=description["TableArn"])
        log.info("table %s", name)

    def _bucket(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        s3 = self.clients("s3")
        s3.create_bucket(Bucket=name)
        versioning = (properties.get("VersioningConfiguration") or {}).get("Status")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        cors_rules = (properties.get("CorsConfiguration") or {}).get("CorsRules")
        if cors_rules:
            s3.put_bucket_cors(
                Bucket=name, CORSConfiguration={"CORSRules": [_s3_cors_rule(r) for r in cors_rules]}
            )
        if properties.get("NotificationConfiguration"):
            log.warning("%s: bucket notifications are not emulated locally", logical_id)
        log.info("bucket %s", name)

    def _queues(self) -> None:
        queues = self.template.of_type("AWS::SQS::Queue")
        resolved: dict[str, dict[str, Any]] = {}
        for logical_id in queues:
            self._attempt(logical_id, partial(self._create_queue, logical_id, resolved))
        # Redrive policies last: the dead-letter queue has to exist first.
        for logical_id, properties in resolved.items():
            policy = properties.get("RedrivePolicy")
            if policy:
                self._attempt(logical_id, partial(self._set_redrive_policy, logical_id, policy))

    def _create_queue(self, logical_id: str, resolved: dict[str, dict[str, Any]]) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        attributes = {key: cfn_string(properties[key]) for key in _QUEUE_ATTRIBUTES if key in properties}
        if properties.get("RedriveAllowPolicy"):
            attributes["RedriveAllowPolicy"] = _json_text(properties["RedriveAllowPolicy"])
        params: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        if properties.get("Tags"):
            params["tags"] = {tag["Key"]: tag["Value"] for tag in properties["Tags"]}
        url = self.clients("sqs").create_queue(**params)["QueueUrl"]
        self.ids.update(logical_id, ref=url, QueueUrl=url)
        log.info("queue %s", name)
        resolved[logical_id] = properties

    def _set_redrive_policy(self, logical_id: str, policy: Any) -> None:
        policy = json.loads(policy) if isinstance(policy, str) else dict(policy)
        policy["maxReceiveCount"] = int(policy["maxReceiveCount"])
        self.clients("sqs").set_queue_attributes(
            QueueUrl=self.ids.ref(logical_id), Attributes={"RedrivePolicy": json.dumps(policy)}
        )
        dlq = policy["deadLetterTargetArn"].rsplit(":", 1)[-1]
        log.info(
            "queue %s -> dlq %s after %d receives", self.ids.name(logical_id), dlq, policy["maxReceiveCount"]
        )

    def _topic(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        attributes = {
            key: cfn_string(properties[key])
            for key in ("FifoTopic", "ContentBasedDeduplication", "DisplayName")
            if key in properties
        }
        arn = self.clients("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
        self.ids.update(logical_id, ref=arn, TopicArn=arn, TopicName=name)
        for subscription in properties.get("Subscription") or []:
            self._subscribe(arn, subscription.get("Protocol"), subscription.get("Endpoint"), {}, logical_id)
        log.info("topic %s", name)

    def _subscription(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        attributes = {}
        if properties.get("RawMessageDelivery") is not None:
            attributes["RawMessageDelivery"] = cfn_string(properties["RawMessageDelivery"])
        if properties.get("FilterPolicy"):
            attributes["FilterPolicy"] = _json_text(properties["FilterPolicy"])
        self._subscribe(
            properties["TopicArn"],
            properties.get("Protocol"),
            properties.get("Endpoint"),
            attributes,
            logical_id,
        )

    def _subscribe(
        self,
        topic_arn: str,
        protocol: str | None,
        endpoint: str | None,
        attributes: dict[str, str],
        where: str,
    ) -> None:
        function_id = self._function_for_arn(endpoint or "") if protocol == "lambda" else None
        if function_id:
            self._function_topic_target(function_id, where, topic_arn, attributes.get("FilterPolicy"))
        elif protocol == "sqs":
            self.clients("sns").subscribe(
                TopicArn=topic_arn, Protocol="sqs", Endpoint=endpoint, Attributes=attributes
            )
        else:
            log.warning("%s: SNS %s subscriptions are not delivered locally", where, protocol)

    def _bus(self, logical_id: str) -> None:
        name = self.ids.name(logical_id)
        if name != "default":
            self.clients("events").create_event_bus(Name=name)
        log.info("event bus %s", name)

    def _user_pool(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        params = {key: value for key, value in properties.items() if key in _USER_POOL_PARAMETERS}
        if properties.get("LambdaConfig"):
            log.warning("%s: Cognito Lambda triggers are not invoked locally", logical_id)
        pool = self.clients("cognito-idp").create_user_pool(PoolName=name, **params)["UserPool"]
        pool_id, region = pool["Id"], self.template.region
        self.ids.update(
            logical_id,
            ref=pool_id,
            Arn=pool["Arn"],
            UserPoolId=pool_id,
            ProviderName=f"cognito-idp.{region}.amazonaws.com/{pool_id}",
            ProviderURL=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        )
        log.info("user pool %s (%s)", name, pool_id)

    def _user_pool_client(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        params = {key: value for key, value in properties.items() if key in _USER_POOL_CLIENT_PARAMETERS}
        client = self.clients("cognito-idp").create_user_pool_client(
            UserPoolId=properties["UserPoolId"], ClientName=name, **params
        )["UserPoolClient"]
        self.ids.update(
            logical_id, ref=client["ClientId"], ClientSecret=client.get("ClientSecret"), Name=name
        )
        log.info("user pool client %s (%s)", name, client["ClientId"])

    def _user_pool_group(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = properties.get("GroupName") or f"{self.template.stack_name}-{logical_id}"
        params = {
            key: properties[key] for key in ("Description", "Precedence", "RoleArn") if key in properties
        }
        if "Precedence" in params:
            params["Precedence"] = int(params["Precedence"])
        self.clients("cognito-idp").create_group(
            UserPoolId=properties["UserPoolId"], GroupName=name, **params
        )
        self.ids.update(logical_id, ref=name)
        log.info("user pool group %s", name)

    def _secret(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        params: dict[str, Any] = {"Name": name}
        if properties.get("Description"):
            params["Description"] = properties["Description"]
        if "SecretString" in properties:
            params["SecretString"] = cfn_string(properties["SecretString"])
        elif properties.get("GenerateSecretString") is not None:
            params["SecretString"] = _generated_secret(properties["GenerateSecretString"])
        arn = self.clients("secretsmanager").create_secret(**params)["ARN"]
        self.ids.update(logical_id, ref=arn, Id=arn)
        log.info("secret %s", name)

    def _rule(self, logical_id: str) -> None:
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        bus = properties.get("EventBusName")
        params: dict[str, Any] = {"Name": name, "State": properties.get("State", "ENABLED")}
        if bus:
            params["EventBusName"] = bus
        pattern = properties.get("EventPattern")
        if pattern:
            params["EventPattern"] = _json_text(pattern)
        schedule = properties.get("ScheduleExpression")
        if schedule:
            params["ScheduleExpression"] = schedule
        events = self.clients("events")
        rule_arn = events.put_rule(**params)["RuleArn"]
        bus_name = str(bus).rsplit("/", 1)[-1] if bus else "default"
        # CloudFormation's Ref of a rule on a custom bus is "bus|rule".
        self.ids.update(logical_id, ref=name if bus_name == "default" else f"{bus_name}|{name}", Arn=rule_arn)
        targets = properties.get("Targets") or []
        if schedule:
            self.schedule_rules.append(
                ScheduleRule(logical_id, name, rule_arn, schedule, params["State"] == "ENABLED", targets)
            )
            log.info("rule %s (%s) -> %d targets, fired locally", name, schedule, len(targets))
            return
        moto_targets = [t for t in (self._rule_target(logical_id, target) for target in targets) if t]
        if moto_targets:
            events.put_targets(Rule=name, EventBusName=bus or "default", Targets=moto_targets)
        log.info("rule %s on %s -> %d targets", name, bus or "default", len(moto_targets))

    def _schedule_group(self, logical_id: str) -> None:
        """Groups exist in moto: the application creates its one-time schedules there over the
        Scheduler API, and the runtime fires them (infra/local/app_schedules.py)."""
        name = self.ids.name(logical_id)
        if name != "default":
            self.clients("scheduler").create_schedule_group(Name=name)
        log.info("schedule group %s", name)

    def _schedule(self, logical_id: str) -> None:
        """EventBridge Scheduler schedules are not created in moto: the local scheduler fires them."""
        properties = self._properties(logical_id)
        name = self.ids.name(logical_id)
        group = properties.get("GroupName", "default")
        arn = f"arn:aws:scheduler:{self.template.region}:{self.template.account_id}:schedule/{group}/{name}"
        self.ids.update(logical_id, Arn=arn)
        target = {"Id": name, **(properties.get("Target") or {})}
        enabled = properties.get("State") != "DISABLED"
        timezone = properties.get("ScheduleExpressionTimezone")
        expression = properties["ScheduleExpression"]
        self.schedule_rules.append(
            ScheduleRule(
                logical_id, name, arn, expression, enabled, [target], timezone, source="aws.scheduler"
            )
        )
        log.info("schedule %s (%s), fired locally", name, expression)

    def _rule_target(self, rule_id: str, target: dict[str, Any]) -> dict[str, Any] | None:
        arn = str(target["Arn"])
        function_id = self._function_for_arn(arn)
        if function_id:
            url, queue_arn = self.hidden_queue(f"{self.template.stack_name}-{rule_id}-{target['Id']}-target")
            dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
            self.async_targets.append(
                AsyncTarget(
                    function_id,
                    f"{rule_id}.{target['Id']}",
                    url,
                    queue_arn,
                    dead_letter_queue_url=self._queue_url_for_arn(dlq) if dlq else None,
                )
            )
            return {"Id": target["Id"], "Arn": queue_arn, "InputTransformer": input_transformer(target)}
        if ":sqs:" in arn:
            moto_target = {"Id": target["Id"], "Arn": arn, "InputTransformer": input_transformer(target)}
            if target.get("SqsParameters"):
                moto_target["SqsParameters"] = target["SqsParameters"]
            return moto_target
        if ":event-bus/" in arn:
            return {"Id": target["Id"], "Arn": arn}
        log.warning(
            "%s: target %s is not delivered locally (only SQS, event buses and template functions)",
            rule_id,
            arn,
        )
        return None

    # -- function events --------------------------------------------------------------------------

    def _function_rule(self, spec: FunctionSpec, event_name: str, properties: dict[str, Any]) -> None:
        stack = self.template.stack_name
        rule_name = properties.get("RuleName") or f"{stack}-{spec.logical_id}-{event_name}"[:64]
        bus = properties.get("EventBusName") or "default"
        state = properties.get("State") or ("DISABLED" if properties.get("Enabled") is False else "ENABLED")
        events = self.clients("events")
        events.put_rule(
            Name=rule_name, EventBusName=bus, EventPattern=_json_text(properties["Pattern"]), State=state
        )
        url, queue_arn = self.hidden_queue(f"{stack}-{spec.logical_id}-{event_name}-target")
        target_id = (properties.get("Target") or {}).get("Id") or f"{spec.logical_id}Target"
        events.put_targets(
            Rule=rule_name,
            EventBusName=bus,
            Targets=[{"Id": target_id, "Arn": queue_arn, "InputTransformer": input_transformer(properties)}],
        )
        dlq = (properties.get("DeadLetterConfig") or {}).get("Arn")
        self.async_targets.append(
            AsyncTarget(
                spec.logical_id,
                event_name,
                url,
                queue_arn,
                dead_letter_queue_url=self._queue_url_for_arn(dlq) if dlq else None,
            )
        )
        log.info("rule %s on %s -> %s", rule_name, bus, spec.logical_id)

    def _function_topic(self, spec: FunctionSpec, event_name: str, properties: dict[str, Any]) -> None:
        filter_policy = properties.get("FilterPolicy")
        self._function_topic_target(
            spec.logical_id,
            event_name,
            properties["Topic"],
            _json_text(filter_policy) if filter_policy else None,
        )

    def _function_topic_target(
        self, function_id: str, source_name: str, topic_arn: str, filter_policy: str | None
    ) -> None:
        url, queue_arn = self.hidden_queue(
            f"{self.template.stack_name}-{function_id}-{source_name}-sns".replace(".", "-")
        )
        attributes = {"FilterPolicy": filter_policy} if filter_policy else {}
        subscription_arn = self.clients("sns").subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        self.async_targets.append(
            AsyncTarget(
                function_id, source_name, url, queue_arn, kind="sns", subscription_arn=subscription_arn
            )
        )
        log.info("topic %s -> %s", topic_arn.rsplit(":", 1)[-1], function_id)


# --------------------------------------------------------------------------------------------
# Small conversions from CloudFormation shapes to API shapes
# --------------------------------------------------------------------------------------------


def input_transformer(target: dict[str, Any]) -> dict[str, Any]:
    """The InputTransformer that makes moto deliver what EventBridge would for this target."""
    if target.get("InputTransformer"):
        transformer = dict(target["InputTransformer"])
        transformer.setdefault("InputPathsMap", {})
        return transformer
    if target.get("Input") is not None:
        return {"InputTemplate": _json_text(target["Input"])}
    if target.get("InputPath"):
        return {"InputPathsMap": {"value": target["InputPath"]}, "InputTemplate": "<value>"}
    return FULL_EVENT_TRANSFORMER


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _throughput(value: dict[str, Any] | None) -> dict[str, int]:
    value = value or {}
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }


def _index(index: dict[str, Any], billing: str | None) -> dict[str, Any]:
    result = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": index.get("Projection") or {"ProjectionType": "ALL"},
    }
    if billing == "PROVISIONED":
        result["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
    return result


def _s3_cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {
        "AllowedMethods": rule["AllowedMethods"],
        "AllowedOrigins": rule["AllowedOrigins"],
    }
    if rule.get("AllowedHeaders"):
        converted["AllowedHeaders"] = rule["AllowedHeaders"]
    if rule.get("ExposedHeaders"):
        converted["ExposeHeaders"] = rule["ExposedHeaders"]
    if rule.get("MaxAge") is not None:
        converted["MaxAgeSeconds"] = int(rule["MaxAge"])
    return converted


def _generated_secret(spec: dict[str, Any]) -> str:
    alphabet = string.ascii_letters + string.digits
    if not _truthy(spec.get("ExcludePunctuation", False)):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    excluded = set(str(spec.get("ExcludeCharacters", "")))
    alphabet = "".join(c for c in alphabet if c not in excluded)
    password = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if template and key:
        document = json.loads(template)
        document[key] = password
        return json.dumps(document)
    return password
