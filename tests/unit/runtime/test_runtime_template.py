"""Template loading: CloudFormation tags, parameters, conditions, Globals, intrinsics, names."""

from __future__ import annotations

import pytest

from infra.local.physical import PhysicalIds
from infra.local.template import Template, UnresolvedReference, load_yaml, merge_globals

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, local, prod]}
  Zones: {Type: CommaDelimitedList, Default: "a, b"}
  Retries: {Type: Number, Default: 3}
Mappings:
  StageConfig:
    local: {LogLevel: DEBUG}
    dev: {LogLevel: INFO}
Conditions:
  IsLocal: !Equals [!Ref Stage, local]
  IsProd: !Equals [prod, !Ref Stage]
  NotProd: !Not [!Condition IsProd]
  LocalAndNotProd: !And [!Condition IsLocal, !Condition NotProd]
  Either: !Or [!Condition IsProd, !Condition IsLocal]
Globals:
  Function:
    Runtime: python3.13
    Timeout: 10
    Layers: [!Ref SharedLayer]
    Environment:
      Variables:
        TABLE: !Ref Table
        LOG_LEVEL: !FindInMap [StageConfig, !Ref Stage, LogLevel]
        SHARED: global
  HttpApi:
    CorsConfiguration: true
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-items-${Stage}"
  Queue:
    Type: AWS::SQS::Queue
  Fifo:
    Type: AWS::SQS::Queue
    Properties: {FifoQueue: true}
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Bucket:
    Type: AWS::S3::Bucket
  Pool:
    Type: AWS::Cognito::UserPool
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/shared}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: functions/fn/
      Timeout: 30
      Layers: [arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:1]
      Environment:
        Variables:
          SHARED: mine
          QUEUE_URL: !Ref Queue
          QUEUE_ARN: !GetAtt Queue.Arn
          QUEUE_NAME: !GetAtt [Queue, QueueName]
          ISSUER: !Sub "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}"
          JOINED: !Join [",", [!Ref Stage, !Select [1, !Ref Zones], !Select [0, !Split ["-", "x-y"]]]]
          LITERAL: !Sub ["${!NotAVariable}-${Named}", {Named: !Ref Stage}]
          MAYBE: !If [IsLocal, "yes", !Ref AWS::NoValue]
          ACCOUNT: !Ref AWS::AccountId
          RETRIES: !Ref Retries
      Events:
        Get:
          Type: HttpApi
          Properties: {Path: "/things/{id}", Method: get}
"""


@pytest.fixture
def template() -> Template:
    return Template.from_document(
        load_yaml(TEMPLATE), "/repo/template.yaml", {"Stage": "local"}, stack_name="demo"
    )


def test_short_form_tags_become_long_form():
    document = load_yaml("a: !GetAtt Queue.Arn\nb: !Sub x\nc: !Ref P\nd: !If [C, 1, 2]\ne: 2012-10-17\n")
    assert document == {
        "a": {"Fn::GetAtt": ["Queue", "Arn"]},
        "b": {"Fn::Sub": "x"},
        "c": {"Ref": "P"},
        "d": {"Fn::If": ["C", 1, 2]},
        "e": "2012-10-17",  # dates stay strings, as CloudFormation reads them
    }


def test_parameters_take_overrides_then_defaults(template):
    assert template.parameters == {"Stage": "local", "Zones": ["a", "b"], "Retries": "3"}


def test_parameter_outside_allowed_values_is_rejected():
    with pytest.raises(ValueError, match="not one of"):
        Template.from_document(load_yaml(TEMPLATE), "t.yaml", {"Stage": "qa"})


def test_conditions_and_resource_conditions(template):
    assert template.condition("IsLocal") is True
    assert template.condition("NotProd") is True
    assert template.condition("LocalAndNotProd") is True
    assert template.condition("Either") is True
    assert "ProdOnly" not in template.resources


def test_globals_merge_with_sam_rules(template):
    properties = template.properties("Fn")
    assert properties["Runtime"] == "python3.13"  # from Globals
    assert properties["Timeout"] == 30  # the function overrides a scalar
    assert properties["Layers"] == [  # lists add up, globals first
        {"Ref": "SharedLayer"},
        "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:1",
    ]
    variables = properties["Environment"]["Variables"]
    assert variables["SHARED"] == "mine"  # maps merge, the function wins
    assert variables["TABLE"] == {"Ref": "Table"}


def test_merge_globals_treats_intrinsics_as_values():
    assert merge_globals({"Fn::If": ["C", 1, 2]}, {"a": 1}) == {"a": 1}
    assert merge_globals({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}}


def test_implicit_http_api_gets_the_http_api_globals(template):
    assert template.resources["ServerlessHttpApi"] == {
        "Type": "AWS::Serverless::HttpApi",
        "Properties": {"CorsConfiguration": True},
    }


def test_physical_names(template):
    assert template.physical_name("Table") == "demo-items-local"
    assert template.physical_name("Queue") == "demo-Queue"
    assert template.physical_name("Fifo") == "demo-Fifo.fifo"
    assert template.physical_name("Bucket") == "demo-bucket"


def test_intrinsics_resolve_against_physical_ids(template):
    ids = PhysicalIds(template, "http://127.0.0.1:4566")
    ids.update("Pool", ref="us-east-1_abc")
    resolver = template.resolver(ids)
    variables = resolver.resolve(template.properties("Fn")["Environment"]["Variables"])

    assert variables == {
        "TABLE": "demo-items-local",
        "LOG_LEVEL": "DEBUG",
        "SHARED": "mine",
        "QUEUE_URL": "http://127.0.0.1:4566/123456789012/demo-Queue",
        "QUEUE_ARN": "arn:aws:sqs:us-east-1:123456789012:demo-Queue",
        "QUEUE_NAME": "demo-Queue",
        "ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
        "JOINED": "local,b,x",
        "LITERAL": "${NotAVariable}-local",
        "MAYBE": "yes",
        "ACCOUNT": "123456789012",
        "RETRIES": "3",
    }


def test_no_value_removes_the_key():
    template = Template.from_document(load_yaml(TEMPLATE), "t.yaml", {"Stage": "dev"})
    resolved = template.resolver(PhysicalIds(template, "http://x")).resolve(
        template.properties("Fn")["Environment"]["Variables"]
    )
    assert "MAYBE" not in resolved
    assert resolved["LOG_LEVEL"] == "INFO"


def test_unknown_references_raise(template):
    resolver = template.resolver(PhysicalIds(template, "http://x"))
    with pytest.raises(UnresolvedReference):
        resolver.resolve({"Ref": "Missing"})
    with pytest.raises(UnresolvedReference):
        resolver.resolve({"Fn::GetAtt": ["Queue", "NoSuchAttribute"]})
    with pytest.raises(UnresolvedReference):
        resolver.resolve({"Fn::ImportValue": "other-stack-export"})


def test_physical_ids_of_the_main_types(template):
    ids = PhysicalIds(template, "http://127.0.0.1:4566")
    assert ids.get_att("Table", "Arn") == "arn:aws:dynamodb:us-east-1:123456789012:table/demo-items-local"
    assert ids.ref("Fn") == "demo-Fn"
    assert ids.get_att("Fn", "Arn") == "arn:aws:lambda:us-east-1:123456789012:function:demo-Fn"
    assert ids.logical_id_for_arn("arn:aws:lambda:us-east-1:123456789012:function:demo-Fn") == "Fn"
    assert ids.get_att("Bucket", "Arn") == "arn:aws:s3:::demo-bucket"


def test_a_log_group_named_after_a_function_resolves_before_provisioning(caplog):
    document = load_yaml(
        """
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, CodeUri: functions/fn/}
  FnLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/aws/lambda/${Fn}"
      RetentionInDays: 30
  Queue:
    Type: AWS::SQS::Queue
  QueueLogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/queues/${Queue}"
"""
    )
    template = Template.from_document(document, "t.yaml", {}, stack_name="demo")
    ids = PhysicalIds(template, "http://127.0.0.1:4566")

    # The name CloudFormation would give: the group of the function's own name.
    assert template.physical_name("FnLogGroup") == "/aws/lambda/demo-Fn" == f"/aws/lambda/{ids.ref('Fn')}"
    assert "FnLogGroup" not in caplog.text
    # Other resources' ids (a queue URL) still wait for provisioning: the fallback name, with a warning.
    assert template.physical_name("QueueLogGroup") == "demo-QueueLogGroup"
    assert "QueueLogGroup: name LogGroupName cannot be resolved" in caplog.text
