"""Physical ids of the stack's resources: what `Ref` and `Fn::GetAtt` return locally.

Before provisioning every resource gets the identity CloudFormation would give it, derived from
its physical name (ARNs, queue URLs, table names). Provisioning then overwrites the values only
the service can know (user pool and client ids, secret ARNs, the real queue URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .template import Template, UnresolvedReference


@dataclass
class Identity:
    ref: Any
    attributes: dict[str, Any] = field(default_factory=dict)


class PhysicalIds:
    def __init__(self, template: Template, endpoint_url: str) -> None:
        self.template = template
        self.endpoint_url = endpoint_url.rstrip("/")
        self._identities: dict[str, Identity] = {}
        for logical_id in template.resources:
            self._identities[logical_id] = self._default_identity(logical_id)

    # -- lookups (the resolver's IdentityLookup protocol) ---------------------------------------

    def ref(self, logical_id: str) -> Any:
        return self._identity(logical_id).ref

    def get_att(self, logical_id: str, attribute: str) -> Any:
        attributes = self._identity(logical_id).attributes
        if attribute not in attributes:
            raise UnresolvedReference(
                f"GetAtt {logical_id}.{attribute}: attribute not known locally "
                f"(known: {', '.join(sorted(attributes)) or 'none'})"
            )
        return attributes[attribute]

    def name(self, logical_id: str) -> str:
        return self._identity(logical_id).attributes.get("Name") or self.template.physical_name(logical_id)

    def arn(self, logical_id: str) -> str:
        return self.get_att(logical_id, "Arn")

    def logical_id_for_arn(self, arn: str) -> str | None:
        for logical_id, identity in self._identities.items():
            if identity.attributes.get("Arn") == arn or identity.ref == arn:
                return logical_id
        return None

    # -- updates from provisioning --------------------------------------------------------------

    def update(self, logical_id: str, ref: Any = None, **attributes: Any) -> None:
        identity = self._identity(logical_id)
        if ref is not None:
            identity.ref = ref
        identity.attributes.update({key: value for key, value in attributes.items() if value is not None})

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {lid: {"Ref": ident.ref, **ident.attributes} for lid, ident in self._identities.items()}

    # -- defaults ---------------------------------------------------------------------------------

    def _identity(self, logical_id: str) -> Identity:
        try:
            return self._identities[logical_id]
        except KeyError:
            raise UnresolvedReference(f"{logical_id}: no such resource") from None

    def _default_identity(self, logical_id: str) -> Identity:
        template = self.template
        region, account = template.region, template.account_id
        resource_type = template.type_of(logical_id)
        name = template.physical_name(logical_id)

        if resource_type in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"):
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
            return Identity(name, {"Arn": arn, "StreamArn": f"{arn}/stream/local", "Name": name})
        if resource_type == "AWS::SQS::Queue":
            url = f"{self.endpoint_url}/{account}/{name}"
            arn = f"arn:aws:sqs:{region}:{account}:{name}"
            return Identity(url, {"Arn": arn, "QueueName": name, "QueueUrl": url, "Name": name})
        if resource_type == "AWS::Events::EventBus":
            return Identity(
                name, {"Arn": f"arn:aws:events:{region}:{account}:event-bus/{name}", "Name": name}
            )
        if resource_type == "AWS::Events::Rule":
            # Default-bus form; provisioning replaces it with what put_rule returns.
            return Identity(name, {"Arn": f"arn:aws:events:{region}:{account}:rule/{name}", "Name": name})
        if resource_type == "AWS::S3::Bucket":
            return Identity(
                name,
                {
                    "Arn": f"arn:aws:s3:::{name}",
                    "DomainName": f"{name}.s3.amazonaws.com",
                    "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
                    "WebsiteURL": f"http://{name}.s3-website-{region}.amazonaws.com",
                    "Name": name,
                },
            )
        if resource_type == "AWS::Cognito::UserPool":
            return Identity(f"{region}_pending", {"Name": name})  # the id is known after creation
        if resource_type == "AWS::Cognito::UserPoolClient":
            return Identity("pending-client-id", {"Name": name})
        if resource_type == "AWS::SecretsManager::Secret":
            arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}"
            return Identity(arn, {"Id": arn, "Name": name})
        if resource_type == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{region}:{account}:{name}"
            return Identity(arn, {"TopicArn": arn, "TopicName": name, "Name": name})
        if resource_type == "AWS::SSM::Parameter":
            return Identity(name, {"Name": name})
        if resource_type in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            return Identity(name, {"Arn": f"arn:aws:lambda:{region}:{account}:function:{name}", "Name": name})
        if resource_type in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            return Identity(f"arn:aws:lambda:{region}:{account}:layer:{name}:1", {"Name": name})
        if resource_type in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"):
            api_id = logical_id.lower()[:10]
            return Identity(
                api_id,
                {"ApiEndpoint": f"https://{api_id}.execute-api.{region}.amazonaws.com", "ApiId": api_id},
            )
        if resource_type == "AWS::IAM::Role":
            return Identity(
                name,
                {"Arn": f"arn:aws:iam::{account}:role/{name}", "RoleId": f"AROA{logical_id.upper()[:16]}"},
            )
        if resource_type == "AWS::Logs::LogGroup":
            return Identity(name, {"Arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*"})
        if resource_type == "AWS::Scheduler::Schedule":
            return Identity(name, {"Arn": f"arn:aws:scheduler:{region}:{account}:schedule/default/{name}"})
        if resource_type == "AWS::KMS::Key":
            key_id = f"local-{logical_id.lower()}"
            return Identity(key_id, {"Arn": f"arn:aws:kms:{region}:{account}:key/{key_id}", "KeyId": key_id})
        # Anything else: a name-like Ref and a plausible ARN, enough for environment variables.
        service = resource_type.split("::")[1].lower() if "::" in resource_type else "local"
        return Identity(name, {"Arn": f"arn:aws:{service}:{region}:{account}:{name}", "Name": name})
