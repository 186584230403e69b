"""`make deploy-web`: config.json from the stack outputs, and the template resources it relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.deploy_web import OutputsError, app_config, main, parse_outputs, write_config
from infra.local.template import load_yaml
from infra.openapi import ROOT

DESCRIBE = {"Stacks": [{"StackName": "skailan-dev", "Outputs": [
    {"OutputKey": "ApiUrl", "OutputValue": "https://abc123.execute-api.us-east-1.amazonaws.com"},
    {"OutputKey": "WebSocketUrl", "OutputValue": "wss://ws9876.execute-api.us-east-1.amazonaws.com/dev"},
    {"OutputKey": "WebBucketName", "OutputValue": "skailan-dev-web-123456789012"},
]}]}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html>")
    return tmp_path


def test_config_json_is_written_from_describe_stacks(dist: Path):
    target = write_config(json.dumps(DESCRIBE), dist)
    assert target == dist / "config.json"
    assert json.loads(target.read_text()) == {"apiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com",
                                              "wsUrl": "wss://ws9876.execute-api.us-east-1.amazonaws.com/dev"}


def test_the_outputs_list_and_a_flat_object_are_accepted_and_trailing_slashes_dropped():
    listed = DESCRIBE["Stacks"][0]["Outputs"]
    assert parse_outputs(listed)["WebBucketName"] == "skailan-dev-web-123456789012"
    flat = {"ApiUrl": "https://api.example.com/", "WebSocketUrl": "wss://ws.example.com/prod/"}
    assert app_config(parse_outputs(flat)) == {"apiUrl": "https://api.example.com", "wsUrl": "wss://ws.example.com/prod"}


@pytest.mark.parametrize("outputs, message", [
    ({"ApiUrl": "https://api.example.com"}, "WebSocketUrl"),
    ({"ApiUrl": "http://api.example.com", "WebSocketUrl": "wss://ws.example.com"}, "ApiUrl"),
    ({"ApiUrl": "https://api.example.com", "WebSocketUrl": "wss://ws.example.com/dev?token=x"}, "WebSocketUrl"),
    ({"ApiUrl": "https://api.example.com", "WebSocketUrl": "https://ws.example.com"}, "WebSocketUrl"),
])
def test_missing_or_wrong_outputs_are_refused(outputs: dict[str, str], message: str):
    with pytest.raises(OutputsError, match=message):
        app_config(outputs)


@pytest.mark.parametrize("document", [{"Stacks": []}, [{"OutputKey": "ApiUrl"}], ["x"], 3, {"ApiUrl": 1}])
def test_what_is_not_stack_outputs_is_refused(document: object):
    with pytest.raises(OutputsError):
        parse_outputs(document)


def test_nothing_is_written_without_a_built_app_or_with_bad_outputs(tmp_path: Path, dist: Path, capsys):
    with pytest.raises(OutputsError, match=r"index\.html"):
        write_config(json.dumps(DESCRIBE), tmp_path / "nowhere")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"ApiUrl": "https://api.example.com"}))
    assert main(["config", str(outputs), str(dist)]) == 1
    assert not (dist / "config.json").exists()
    assert "WebSocketUrl" in capsys.readouterr().err


def test_the_cli_prints_one_output(tmp_path: Path, capsys):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(DESCRIBE))
    assert main(["output", str(outputs), "WebBucketName"]) == 0
    assert capsys.readouterr().out.strip() == "skailan-dev-web-123456789012"
    assert main(["output", str(outputs), "WebDistributionId"]) == 1


def test_the_template_serves_the_app_from_a_private_bucket_through_cloudfront():
    template = load_yaml((ROOT / "template.yaml").read_text())
    resources, outputs = template["Resources"], template["Outputs"]
    bucket = resources["WebBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    config = resources["WebDistribution"]["Properties"]["DistributionConfig"]
    origin = config["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "WebSecurityHeaders"}
    # SPA fallback: deep links answer index.html
    assert {(e["ErrorCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]} == {
        (403, "/index.html"), (404, "/index.html")}
    statements = resources["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    read = next(s for s in statements if s["Effect"] == "Allow")
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"} and "AWS:SourceArn" in read["Condition"]["StringEquals"]
    assert {"WebUrl", "WebBucketName", "WebDistributionId", "ApiUrl", "WebSocketUrl"} <= set(outputs)
