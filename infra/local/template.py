"""Read a SAM template the way CloudFormation + the SAM transform would, without AWS.

- YAML with CloudFormation short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...) becomes the long form
  (`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`), so everything below deals with one shape.
- Parameters take their defaults, then the caller's overrides (e.g. `Stage=local`).
- Conditions are evaluated once; resources whose `Condition` is false are dropped.
- `Globals` are merged into every `AWS::Serverless::Function` / `HttpApi` / `SimpleTable` with
  SAM's rules: maps merge (resource wins), lists are additive (globals first), scalars override.
- Functions with `HttpApi` events and no `ApiId` get SAM's implicit `ServerlessHttpApi`.

Intrinsic functions are resolved by `Resolver`, given the physical ids of provisioned resources
(`infra.local.physical.PhysicalIds`).
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from .logs import get_logger

log = get_logger("template")

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
IMPLICIT_HTTP_API = "ServerlessHttpApi"

# --------------------------------------------------------------------------------------------
# YAML with CloudFormation tags
# --------------------------------------------------------------------------------------------

_SHORT_FORMS = [
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Length",
    "ToJsonString",
    "Contains",
    "EachMemberEquals",
    "EachMemberIn",
    "ValueOf",
    "ValueOfAll",
    "RefAll",
]


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that knows CloudFormation tags. Dates stay strings, as CloudFormation sees them."""


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _fn(name: str):
    def constructor(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return {f"Fn::{name}": _construct(loader, node)}

    return constructor


def _ref(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Ref": _construct(loader, node)}


def _condition(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    return {"Condition": _construct(loader, node)}


def _get_att(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _construct(loader, node)
    if isinstance(value, str):
        logical_id, _, attribute = value.partition(".")
        value = [logical_id, attribute]
    return {"Fn::GetAtt": value}


for _name in _SHORT_FORMS:
    _CfnLoader.add_constructor(f"!{_name}", _fn(_name))
_CfnLoader.add_constructor("!Ref", _ref)
_CfnLoader.add_constructor("!Condition", _condition)
_CfnLoader.add_constructor("!GetAtt", _get_att)
# Keep timestamps (e.g. an unquoted `Version: 2012-10-17`) as the strings CloudFormation sees.
_CfnLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass


# --------------------------------------------------------------------------------------------
# Intrinsic functions
# --------------------------------------------------------------------------------------------


class UnresolvedReference(LookupError):
    """A Ref/GetAtt that cannot be answered locally (unknown resource, attribute or import)."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


class IdentityLookup(Protocol):
    """What the resolver needs to answer Ref/GetAtt of a resource (see physical.PhysicalIds)."""

    def ref(self, logical_id: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: str) -> Any: ...


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def cfn_string(value: Any) -> str:
    """How CloudFormation turns a scalar into a string (booleans are lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise TypeError(f"expected a scalar, got {type(value).__name__}: {value!r}")


class Resolver:
    """Resolves intrinsic functions against parameters, conditions, mappings and physical ids.

    Without `ids`, only parameters, pseudo parameters, mappings and conditions resolve: that is
    what is needed to evaluate conditions and explicit resource names before provisioning.
    """

    def __init__(self, template: Template, ids: IdentityLookup | None = None) -> None:
        self.template = template
        self.ids = ids

    # -- public -----------------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, argument),) = node.items()
                if key == "Ref":
                    return self._ref(argument)
                if key == "Condition" and isinstance(argument, str):
                    return self.template.condition(argument)
                if key.startswith("Fn::"):
                    return self._function(key, argument)
            resolved = {key: self.resolve(value) for key, value in node.items()}
            return {key: value for key, value in resolved.items() if value is not NO_VALUE}
        if isinstance(node, list):
            return [item for item in (self.resolve(value) for value in node) if item is not NO_VALUE]
        return node

    def resolve_string(self, node: Any) -> str:
        return cfn_string(self.resolve(node))

    # -- Ref / GetAtt -------------------------------------------------------------------------

    def _ref(self, name: Any) -> Any:
        name = self.resolve(name)
        pseudo = self.template.pseudo_parameters()
        if name in pseudo:
            return pseudo[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.template.parameters:
            return self.template.parameters[name]
        if name in self.template.resources:
            if self.ids is None:
                # A function's Ref is its name, known before provisioning: log groups are named
                # `/aws/lambda/${SomeFunction}` (physical.py gives functions the same name).
                if self.template.type_of(name) in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
                    return self.template.physical_name(name)
                raise UnresolvedReference(f"Ref {name}: resource ids are not known yet")
            return self.ids.ref(name)
        raise UnresolvedReference(f"Ref {name}: no such parameter or resource")

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            logical_id, _, attribute = argument.partition(".")
        else:
            logical_id, attribute = self.resolve(argument[0]), self.resolve(argument[1])
        if logical_id not in self.template.resources:
            raise UnresolvedReference(f"GetAtt {logical_id}.{attribute}: no such resource")
        if self.ids is None:
            raise UnresolvedReference(f"GetAtt {logical_id}.{attribute}: ids are not known yet")
        return self.ids.get_att(logical_id, attribute)

    # -- Fn:: ---------------------------------------------------------------------------------

    def _function(self, key: str, argument: Any) -> Any:
        name = key.removeprefix("Fn::")
        if name == "GetAtt":
            return self._get_att(argument)
        if name == "Sub":
            return self._sub(argument)
        if name == "If":
            condition_name, when_true, when_false = argument
            chosen = when_true if self.template.condition(condition_name) else when_false
            return self.resolve(chosen)
        if name == "Equals":
            left, right = (self.resolve(value) for value in argument)
            return _comparable(left) == _comparable(right)
        if name == "Not":
            return not self._truth(argument[0])
        if name == "And":
            return all(self._truth(value) for value in argument)
        if name == "Or":
            return any(self._truth(value) for value in argument)
        if name == "Join":
            delimiter, values = argument
            values = self.resolve(values)
            return self.resolve(delimiter).join(cfn_string(value) for value in values)
        if name == "Select":
            index, values = argument
            return self.resolve(values)[int(self.resolve(index))]
        if name == "Split":
            delimiter, source = argument
            return self.resolve_string(source).split(self.resolve(delimiter))
        if name == "FindInMap":
            return self._find_in_map(argument)
        if name == "Base64":
            return base64.b64encode(self.resolve_string(argument).encode()).decode()
        if name == "GetAZs":
            region = self.resolve(argument) or self.template.region
            return [f"{region}{zone}" for zone in "abcdef"]
        if name == "Length":
            return len(self.resolve(argument))
        if name == "ToJsonString":
            return json.dumps(self.resolve(argument), separators=(",", ":"))
        raise UnresolvedReference(f"{key} is not supported locally")

    def _truth(self, node: Any) -> bool:
        value = self.resolve(node)
        if not isinstance(value, bool):
            raise ValueError(f"condition expression did not give a boolean: {node!r}")
        return value

    def _find_in_map(self, argument: list[Any]) -> Any:
        map_name, top_key, second_key = (cfn_string(self.resolve(value)) for value in argument[:3])
        try:
            return self.template.mappings[map_name][top_key][second_key]
        except KeyError:
            options = argument[3] if len(argument) > 3 and isinstance(argument[3], dict) else {}
            if "DefaultValue" in options:
                return self.resolve(options["DefaultValue"])
            raise UnresolvedReference(f"FindInMap {map_name}/{top_key}/{second_key}") from None

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], argument[1] if len(argument) > 1 else {}
        else:
            text, variables = argument, {}
        resolved_variables = {name: self.resolve(value) for name, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            expression = expression.strip()
            if expression in resolved_variables:
                return cfn_string(resolved_variables[expression])
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, _, attribute = expression.partition(".")
                return cfn_string(self._get_att([logical_id, attribute]))
            return cfn_string(self._ref(expression))

        return _SUB_VARIABLE.sub(replace, self.resolve(text))


def _comparable(value: Any) -> Any:
    return cfn_string(value) if isinstance(value, (bool, int, float)) else value


# --------------------------------------------------------------------------------------------
# Globals
# --------------------------------------------------------------------------------------------

_GLOBAL_SECTIONS = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::LayerVersion": "LayerVersion",
}


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def merge_globals(global_value: Any, local_value: Any) -> Any:
    """SAM's Globals rule: maps merge (resource wins), lists add up (globals first), else override."""
    if _is_intrinsic(global_value) or _is_intrinsic(local_value):
        return copy.deepcopy(local_value)
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = copy.deepcopy(global_value)
        for key, value in local_value.items():
            merged[key] = merge_globals(merged[key], value) if key in merged else copy.deepcopy(value)
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return copy.deepcopy(global_value) + copy.deepcopy(local_value)
    return copy.deepcopy(local_value)


# --------------------------------------------------------------------------------------------
# Physical names
# --------------------------------------------------------------------------------------------

# The property that names each resource type, when the template chooses the name itself.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::Cognito::UserPoolClient": "ClientName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SSM::Parameter": "Name",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::LayerVersion": "LayerName",
    "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::Scheduler::Schedule": "Name",
    "AWS::Scheduler::ScheduleGroup": "Name",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Serverless::HttpApi": "Name",
}

_NAME_LIMITS = {
    "AWS::SQS::Queue": 80,
    "AWS::Events::Rule": 64,
    "AWS::S3::Bucket": 63,
    "AWS::Serverless::Function": 64,
}


# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------


@dataclass
class Template:
    path: Path
    document: dict[str, Any]
    stack_name: str = "skailan-local"
    region: str = REGION
    account_id: str = ACCOUNT_ID
    parameters: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    _conditions: dict[str, bool] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)

    @classmethod
    def load(
        cls,
        path: str | Path,
        parameter_overrides: Mapping[str, Any] | None = None,
        *,
        stack_name: str = "skailan-local",
        region: str = REGION,
        account_id: str = ACCOUNT_ID,
    ) -> Template:
        path = Path(path).resolve()
        document = load_yaml(path.read_text()) or {}
        return cls.from_document(
            document, path, parameter_overrides, stack_name=stack_name, region=region, account_id=account_id
        )

    @classmethod
    def from_document(
        cls,
        document: dict[str, Any],
        path: str | Path = "template.yaml",
        parameter_overrides: Mapping[str, Any] | None = None,
        *,
        stack_name: str = "skailan-local",
        region: str = REGION,
        account_id: str = ACCOUNT_ID,
    ) -> Template:
        template = cls(Path(path), document, stack_name, region, account_id)
        template.mappings = document.get("Mappings") or {}
        template.parameters = template._parameter_values(parameter_overrides or {})
        template.resources = template._enabled_resources()
        template._apply_globals()
        template._add_implicit_http_api()
        return template

    # -- basics ---------------------------------------------------------------------------------

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def pseudo_parameters(self) -> dict[str, Any]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }

    def resolver(self, ids: IdentityLookup | None = None) -> Resolver:
        return Resolver(self, ids)

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {lid: res for lid, res in self.resources.items() if res.get("Type") in types}

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties") or {}

    def type_of(self, logical_id: str) -> str:
        return self.resources[logical_id]["Type"]

    # -- parameters and conditions --------------------------------------------------------------

    def _parameter_values(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        declared = self.document.get("Parameters") or {}
        unknown = set(overrides) - set(declared)
        if unknown:
            log.warning("parameter overrides not declared in the template: %s", ", ".join(sorted(unknown)))
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            spec = spec or {}
            if name in overrides:
                value = overrides[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise ValueError(f"parameter {name} has no Default and no override")
            allowed = spec.get("AllowedValues")
            if allowed and cfn_string(value) not in [cfn_string(v) for v in allowed]:
                raise ValueError(f"parameter {name}={value!r} is not one of {allowed}")
            param_type = str(spec.get("Type", "String"))
            if param_type == "CommaDelimitedList" or param_type.startswith("List<"):
                value = (
                    value if isinstance(value, list) else [v.strip() for v in cfn_string(value).split(",")]
                )
            else:
                value = cfn_string(value)
            values[name] = value
        return values

    def condition(self, name: str) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        declared = self.document.get("Conditions") or {}
        if name not in declared:
            raise UnresolvedReference(f"Condition {name} is not declared")
        if name in self._evaluating:
            raise ValueError(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            value = Resolver(self).resolve(declared[name])
        finally:
            self._evaluating.discard(name)
        if not isinstance(value, bool):
            raise ValueError(f"condition {name} did not evaluate to a boolean")
        self._conditions[name] = value
        return value

    # -- resources --------------------------------------------------------------------------------

    def _enabled_resources(self) -> dict[str, dict[str, Any]]:
        enabled = {}
        for logical_id, resource in (self.document.get("Resources") or {}).items():
            condition = resource.get("Condition")
            if condition and not self.condition(condition):
                continue
            enabled[logical_id] = copy.deepcopy(resource)
        return enabled

    def _apply_globals(self) -> None:
        globals_section = self.document.get("Globals") or {}
        for resource in self.resources.values():
            section = _GLOBAL_SECTIONS.get(resource.get("Type", ""))
            if section and globals_section.get(section):
                resource["Properties"] = merge_globals(
                    globals_section[section], resource.get("Properties") or {}
                )

    def _add_implicit_http_api(self) -> None:
        """SAM creates `ServerlessHttpApi` for HttpApi events that name no ApiId."""
        if IMPLICIT_HTTP_API in self.resources:
            return
        for resource in self.of_type("AWS::Serverless::Function").values():
            for event in (resource.get("Properties") or {}).get("Events", {}).values():
                if event.get("Type") == "HttpApi" and not (event.get("Properties") or {}).get("ApiId"):
                    globals_api = (self.document.get("Globals") or {}).get("HttpApi") or {}
                    self.resources[IMPLICIT_HTTP_API] = {
                        "Type": "AWS::Serverless::HttpApi",
                        "Properties": copy.deepcopy(globals_api),
                    }
                    return

    def physical_name(self, logical_id: str) -> str:
        """The template's explicit name for a resource, else `<stack>-<LogicalId>` (as SAM-ish)."""
        resource_type = self.type_of(logical_id)
        name_property = NAME_PROPERTIES.get(resource_type)
        explicit = self.properties(logical_id).get(name_property) if name_property else None
        if explicit is not None:
            try:
                return Resolver(self).resolve_string(explicit)
            except UnresolvedReference as error:
                log.warning(
                    "%s: name %s cannot be resolved before provisioning (%s)",
                    logical_id,
                    name_property,
                    error,
                )
        name = f"{self.stack_name}-{logical_id}"
        fifo = resource_type == "AWS::SQS::Queue" and _truthy(self.properties(logical_id).get("FifoQueue"))
        limit = _NAME_LIMITS.get(resource_type, 128) - (5 if fifo else 0)
        name = name[:limit]
        if resource_type == "AWS::S3::Bucket":
            name = name.lower()
        return name + (".fifo" if fifo else "")


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
