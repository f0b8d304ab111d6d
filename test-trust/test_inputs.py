"""The module compiles as shipped, and every handler refuses a bad input with a message naming it,
before any AWS call (no moto server needed: a call would fail for want of an endpoint)."""
import importlib.util
import py_compile
import re

import pytest

from conftest import LOCATIONS, ROOT, role_arn

GOOD = {
    "promote": {"Locations": LOCATIONS, "FromParameter": "/golden-ami/a/candidate", "ToParameter": "/golden-ami/a/prod",
                "RevocationListParameter": "/golden-ami/a/revoked", "SoakHours": 24, "BlockingSeverities": ["CRITICAL"]},
    "revoke": {"Locations": LOCATIONS, "ImageId": "ami-0123456789abcdef0", "Reason": "CVE-2024-1 critical",
               "ChannelParameters": ["/golden-ami/a/latest"], "RevocationListParameter": "/golden-ami/a/revoked",
               "TopicArn": ""},
    "record_ancestry": {"Locations": LOCATIONS,
                        "ImageBuildVersionArn": "arn:aws:imagebuilder:eu-west-1:123456789012:image/ecs/1.0.0/1",
                        "ParentParameter": "/golden-ami/a/prod",
                        "ParentPipelineArn": "arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/a",
                        "AncestryParameter": "/golden-ami/ecs/ancestry"},
}


@pytest.fixture(scope="module")
def module(script_file):
    spec = importlib.util.spec_from_file_location("trust_chain_inputs", script_file)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def test_the_shipped_module_compiles(script_file):
    py_compile.compile(str(script_file), doraise=True)


def test_the_typescript_constant_holds_the_source_verbatim(script_file):
    # String.raw keeps the Python as written only without backticks and dollar-braces inside.
    source = (ROOT / "src/trust/private/trust-chain-script.ts").read_text()
    body = source.split("= String.raw`", 1)[1].split("`;\n", 1)[0]
    assert "${" not in body and "`" not in body
    assert body == script_file.read_text()


def test_handlers_are_the_exported_names(module):
    source = (ROOT / "src/trust/private/trust-chain-script.ts").read_text()
    names = re.findall(r"(?:PROMOTE|REVOKE|RECORD_ANCESTRY): '([a-z_]+)'", source)
    assert names == ["promote", "revoke", "record_ancestry"]
    assert all(callable(getattr(module, name)) for name in names)


BAD = [
    ("promote", "Locations", [], "Locations must name at least the home location"),
    ("promote", "Locations", [{"Region": "eu-west-1", "Account": "123"}], r"Locations\[0\].Account must be a 12-digit account ID, got: '123'"),
    ("promote", "Locations", [{"Region": "EU", "Account": "123456789012"}], r"Locations\[0\].Region must be a region name, got: 'EU'"),
    ("promote", "Locations", [LOCATIONS[0], {"Region": "eu-west-1", "Account": "222222222222", "RoleArn": role_arn("333333333333")}],
     r"Locations\[1\].RoleArn must be \"\" or arn:<partition>:iam::222222222222:role/GoldenAmiTrustChainRole"),
    ("promote", "Locations", [LOCATIONS[2]], r"Locations\[0\] is the home location"),
    ("promote", "Locations", [LOCATIONS[0], LOCATIONS[0]], r"Locations\[1\] repeats eu-west-1/123456789012"),
    ("promote", "FromParameter", "golden-ami/a", "FromParameter must be a fully qualified SSM parameter name"),
    ("promote", "FromParameter", "/golden ami/a", "FromParameter must be a fully qualified SSM parameter name"),
    ("promote", "ToParameter", "/aws/a", "ToParameter must not start with aws or ssm"),
    ("promote", "ToParameter", "/golden-ami/a/candidate", "ToParameter must differ from FromParameter"),
    ("promote", "SoakHours", -1, "SoakHours must be a number from 0 to 8760, got: -1"),
    ("promote", "SoakHours", "soon", "SoakHours must be a number, got: 'soon'"),
    ("promote", "BlockingSeverities", ["SEVERE"], "BlockingSeverities must be at most 10 of INFORMATIONAL"),
    ("promote", "RevocationListParameter", None, "input RevocationListParameter is required"),
    ("revoke", "ImageId", "ami-123", "ImageId must be an AMI ID .*got: 'ami-123'"),
    ("revoke", "Reason", "", "Reason must be 1 to 200 characters"),
    ("revoke", "Reason", "x" * 201, "Reason must be 1 to 200 characters"),
    ("revoke", "Reason", "CVE-1, CVE-2", "Reason must be printable, with no comma"),
    ("revoke", "Reason", "score=9.8", "Reason must be printable, with no comma, no ="),
    ("revoke", "Reason", "line\nbreak", "no line break"),
    ("revoke", "ChannelParameters", [], "ChannelParameters must name latest and every channel"),
    ("revoke", "ChannelParameters", ["/golden-ami/a/revoked"], "RevocationListParameter must not be one of ChannelParameters"),
    ("revoke", "TopicArn", "arn:aws:sqs:eu-west-1:123456789012:q", "TopicArn must be \"\" or an SNS topic ARN"),
    ("record_ancestry", "ImageBuildVersionArn", "arn:aws:imagebuilder:eu-west-1:123456789012:image/ecs/1.x.x",
     "ImageBuildVersionArn must be an image build version ARN"),
    ("record_ancestry", "ParentPipelineArn", "arn:aws:imagebuilder:eu-west-1:123456789012:image/a",
     "ParentPipelineArn must be an image pipeline ARN"),
]


@pytest.mark.parametrize("handler,name,value,message", BAD, ids=[f"{h}-{n}-{i}" for i, (h, n, _, _) in enumerate(BAD)])
def test_bad_input_is_refused_with_its_name_and_value(module, handler, name, value, message):
    events = dict(GOOD[handler])
    if value is None:
        del events[name]
    else:
        events[name] = value
    with pytest.raises(module.TrustChainError, match=message):
        getattr(module, handler)(events, None)
