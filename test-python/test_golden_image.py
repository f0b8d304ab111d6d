"""The jsii-built Python package, exercised the way a Python team uses it.

Runs against the wheel from `npx projen package:python`, installed into a virtualenv with
aws-cdk-lib from PyPI (see .ci/run).
"""
import aws_cdk as cdk
import pytest
from aws_cdk import assertions

import cdk_golden_ami as golden
from stacks import new_stack

def new_recipe(stack: cdk.Stack) -> golden.ImageRecipe:
    return golden.ImageRecipe(
        stack,
        "Recipe",
        base_image=golden.BaseImage.amazon_linux2023(golden.ImageArchitecture.ARM64),
        components=[
            golden.RecipeComponent.aws_managed("update-linux"),
            golden.RecipeComponent.from_script(name="motd", script="echo golden > /etc/motd"),
        ],
    )


def test_golden_image_distributes_and_publishes_from_python():
    stack = new_stack()
    image = golden.GoldenImage(
        stack,
        "Image",
        recipe=new_recipe(stack),
        image_name="py-golden",
        regions=["eu-central-1"],
        copy_to_accounts=["222222222222"],
        share_with=[golden.ImageSharing.account("333333333333")],
        schedule=golden.PipelineSchedule.rate(cdk.Duration.days(7), only_when_dependencies_updated=True),
        lifecycle=golden.ImageLifecycle.by_count(keep_latest=3),
    )
    template = assertions.Template.from_stack(stack)

    template.has_resource_properties("AWS::ImageBuilder::ImagePipeline", {
        "Name": "py-golden",
        "Schedule": {
            "ScheduleExpression": "cron(0 0 ? * SUN *)",
            "PipelineExecutionStartCondition": "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE",
        },
        "ImageScanningConfiguration": {"ImageScanningEnabled": True},
    })
    template.has_resource_properties("AWS::ImageBuilder::ImageRecipe", {
        "ParentImage": "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
    })
    distributions = template.find_resources("AWS::ImageBuilder::DistributionConfiguration")
    (distribution,) = distributions.values()
    regions = [d["Region"] for d in distribution["Properties"]["Distributions"]]
    assert regions == ["eu-west-1", "eu-central-1"]
    for region in distribution["Properties"]["Distributions"]:
        ami = region["AmiDistributionConfiguration"]
        assert ami["TargetAccountIds"] == ["111111111111", "222222222222"]
        assert ami["LaunchPermissionConfiguration"] == {"UserIds": ["333333333333"]}
        assert region["SsmParameterConfigurations"] == [
            {"ParameterName": "/golden-ami/py-golden/latest", "DataType": "aws:ec2:image"},
            {"AmiAccountId": "222222222222", "ParameterName": "/golden-ami/py-golden/latest", "DataType": "aws:ec2:image"},
        ]
    template.resource_count_is("AWS::ImageBuilder::LifecyclePolicy", 1)
    assert image.ssm_parameter_name == "/golden-ami/py-golden/latest"


def test_consumer_launches_from_the_parameter():
    stack = new_stack()
    consumer = golden.GoldenImage.from_parameter_name(stack, "Golden", "/golden-ami/py-golden/latest")
    from aws_cdk import aws_ec2 as ec2

    ec2.LaunchTemplate(stack, "Template", machine_image=consumer.machine_image(), require_imdsv2=True)
    parameters = assertions.Template.from_stack(stack).to_json()["Parameters"]
    image_parameters = [p for p in parameters.values() if p["Type"].startswith("AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>")]
    assert [p["Default"] for p in image_parameters] == ["/golden-ami/py-golden/latest"]


def test_bad_input_fails_at_synth_naming_the_prop_and_value():
    stack = new_stack()
    with pytest.raises(Exception, match=r"copyToAccounts\[0\].*'12345'"):
        golden.GoldenImage(stack, "Image", recipe=new_recipe(stack), copy_to_accounts=["12345"])


def test_consumer_reads_the_parameter_at_launch_and_the_app_requires_golden_images():
    stack = new_stack()
    from aws_cdk import aws_ec2 as ec2

    consumer = golden.GoldenImage.from_parameter_name(stack, "Golden", "/golden-ami/py-golden/latest")
    cdk.Aspects.of(stack.node.root).add(golden.RequireGoldenImages(severity=golden.UnapprovedImageSeverity.ERROR))
    ec2.LaunchTemplate(stack, "AtLaunch", machine_image=consumer.machine_image(resolution=golden.ImageResolution.AT_LAUNCH))
    ec2.LaunchTemplate(stack, "AtDeploy", machine_image=consumer.machine_image(resolution=golden.ImageResolution.AT_DEPLOY))
    ec2.LaunchTemplate(stack, "Stray", machine_image=ec2.MachineImage.generic_linux({"eu-west-1": "ami-0123456789abcdef0"}))

    template = assertions.Template.from_stack(stack)
    image_ids = [lt["Properties"]["LaunchTemplateData"]["ImageId"] for lt in template.find_resources("AWS::EC2::LaunchTemplate").values()]
    assert image_ids[0] == "resolve:ssm:/golden-ami/py-golden/latest"
    assert list(image_ids[1]) == ["Ref"]
    errors = assertions.Annotations.from_stack(stack).find_error("*", assertions.Match.string_like_regexp("must launch from a golden image"))
    assert [e.id for e in errors] == ["/" + stack.stack_name + "/Stray/Resource"]
