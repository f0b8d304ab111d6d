"""HardenedBaseRecipe from Python: one hardened recipe built by a GoldenImage.

Runs against the wheel from `npx projen package:python`, installed into a virtualenv with
aws-cdk-lib from PyPI (see .ci/run).
"""
import json
import re

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_s3 as s3

import cdk_golden_ami as golden
from stacks import new_stack

def test_hardened_recipe_with_golden_image_from_python():
    stack = new_stack()
    installers = s3.Bucket.from_bucket_name(stack, "Installers", "security-installers")
    recipe = golden.HardenedBaseRecipe(
        stack,
        "Base",
        recipe_name="ubuntu-cis",
        operating_system=golden.OperatingSystem.UBUNTU_22_04,
        architecture=golden.ImageArchitecture.ARM64,
        hardening=golden.Hardening.cis(golden.CisLevel.LEVEL_2),
        cloud_watch_agent=golden.CloudWatchAgentOptions(
            additional_log_files=[golden.CloudWatchLogFile(file_path="/var/log/app/*.log")],
            namespace="Golden",
        ),
        security_agents=[
            golden.SecurityAgent.from_s3_installer(
                name="edr",
                bucket=installers,
                key="edr/sensor.deb",
                install_command='dpkg -i "$INSTALLER"',
                check_command="/opt/edr/bin/edrctl status",
                service_name="edr",
            )
        ],
        root_volume=golden.RootVolumeOptions(size=cdk.Size.gibibytes(20)),
        ami_tags={"hardening": "cis-l2"},
    )
    image = golden.GoldenImage(stack, "Image", recipe=recipe, image_name="ubuntu-cis")
    recipe.grant_build_access(image.infrastructure.instance_role)
    template = assertions.Template.from_stack(stack)

    template.has_resource_properties("AWS::ImageBuilder::ImageRecipe", {
        "Name": "ubuntu-cis",
        "ParentImage": "ssm:/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id",
        "BlockDeviceMappings": [assertions.Match.object_like({"DeviceName": "/dev/sda1", "Ebs": assertions.Match.object_like({"Encrypted": True, "VolumeSize": 20})})],
        "AmiTags": {"hardening": "cis-l2"},
    })
    names = sorted(c["Properties"]["Name"] for c in template.find_resources("AWS::ImageBuilder::Component").values())
    # Library components are shared by the stack's recipes: named per stack and content.
    assert any(re.fullmatch(r"Factory-GoldenAmiComponents-[0-9A-F]{8}-cis-logging-[0-9a-f]{8}", name) for name in names), names
    assert any(re.fullmatch(r"Factory-GoldenAmiComponents-[0-9A-F]{8}-agent-edr-[0-9a-f]{8}", name) for name in names), names
    config = json.loads(recipe.cloud_watch_agent_config)
    assert config["metrics"]["namespace"] == "Golden"
    assert recipe.hardening.to_string() == "CIS Level 2"
    assert recipe.platform == golden.ImagePlatform.LINUX


def test_bad_input_fails_at_synth_naming_the_prop_and_value():
    stack = new_stack()
    with pytest.raises(Exception, match=r"hardening 'CIS Level 1' is not available for operatingSystem 'WINDOWS_SERVER_2022'"):
        golden.HardenedBaseRecipe(
            stack,
            "Base",
            operating_system=golden.OperatingSystem.WINDOWS_SERVER_2022,
            hardening=golden.Hardening.cis(golden.CisLevel.LEVEL_1),
        )
