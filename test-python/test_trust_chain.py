"""The trust chain from Python, through the jsii-generated wheel: channels, promotion and
revocation on a GoldenImage, and a consumer on a channel."""

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

import cdk_golden_ami as golden
from stacks import new_stack
from test_golden_image import new_recipe


def documents(template: assertions.Template) -> list:
    return list(template.find_resources("AWS::SSM::Document").values())


def test_channels_promotion_and_revocation():
    stack = new_stack()
    image = golden.GoldenImage(
        stack,
        "Base",
        recipe=new_recipe(stack),
        image_name="al2023-base",
        channels=["candidate", "staging", "prod"],
        promotion=golden.Promotion.after_soak(
            soak=cdk.Duration.days(3),
            blocking_severities=[golden.FindingSeverity.CRITICAL],
        ),
    )
    assert stack.resolve(image.channel_parameter_name("prod")) == "/golden-ami/al2023-base/prod"
    assert image.revocation_list_parameter_name == "/golden-ami/al2023-base/revoked"
    assert image.revoke_document_name is not None
    template = assertions.Template.from_stack(stack)
    contents = [d["Properties"]["Content"] for d in documents(template)]
    # Two promotions and the revocation, and the engines that hold the script once per stack.
    engines = [c for c in contents if c["mainSteps"][0]["action"] == "aws:executeScript"]
    assert sorted(c["mainSteps"][0]["inputs"]["Handler"] for c in engines) == ["promote", "revoke"]
    promotions = [c for c in contents if "FromParameter" in c["parameters"] and "default" in c["parameters"]["FromParameter"]]
    assert sorted(c["parameters"]["ToParameter"]["default"] for c in promotions) == [
        "/golden-ami/al2023-base/prod",
        "/golden-ami/al2023-base/staging",
    ]
    assert all(c["parameters"]["BlockingSeverities"]["default"] == ["CRITICAL"] for c in promotions)
    assert all(c["parameters"]["SoakHours"]["default"] == 72 for c in promotions)
    template.resource_count_is("AWS::Events::Rule", 2)
    # The first channel is written by the distribution, next to latest.
    (distribution,) = template.find_resources("AWS::ImageBuilder::DistributionConfiguration").values()
    names = [c["ParameterName"] for d in distribution["Properties"]["Distributions"] for c in d["SsmParameterConfigurations"]]
    assert sorted(set(names)) == ["/golden-ami/al2023-base/candidate", "/golden-ami/al2023-base/latest"]


def test_a_consumer_follows_a_channel_at_launch():
    stack = new_stack("Workload")
    prod = golden.GoldenImage.from_channel(stack, "Prod", "/golden-ami/al2023-base/latest", "prod")
    assert prod.ssm_parameter_name == "/golden-ami/al2023-base/prod"
    machine_image = prod.machine_image(resolution=golden.ImageResolution.AT_LAUNCH)
    config = machine_image.get_image(stack)
    assert config.image_id == "resolve:ssm:/golden-ami/al2023-base/prod"


def test_bad_channels_and_promotions_fail_at_synth_naming_the_prop_and_value():
    stack = new_stack()
    with pytest.raises(RuntimeError, match="channels\\[1\\] must not be latest, revoked, ancestry"):
        golden.GoldenImage(stack, "Image", recipe=new_recipe(stack), channels=["candidate", "revoked"])
    with pytest.raises(RuntimeError, match="Promotion.manual approvers\\[0\\] must be an IAM user or role ARN"):
        golden.Promotion.manual(approvers=["alice"])
