"""The four props that take lists of structs, given the way a Python user writes them.

`additional_log_files`, `additional_metrics`, `encryption_keys` and `launch_template_updates`:
the struct classes, dicts with snake_case keys, dicts with camelCase keys. jsii hands a dict in
a list to the library as written and drops the keys the struct does not have, so the README's
"Lists of structs from Python" section tells users to use the struct classes. Runs against the
wheel from `npx projen package:python` (see .ci/run).
"""
import json
import re
from pathlib import Path

import pytest
from aws_cdk import assertions

import cdk_golden_ami as golden
from stacks import new_stack

LT = "lt-0123456789abcdef0"
KEY_EU = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
KEY_DE = "arn:aws:kms:eu-central-1:111111111111:key/66666666-7777-8888-9999-000000000000"
README = Path(__file__).resolve().parent.parent / "README.md"


def agent_config(**cloud_watch_agent):
    """The CloudWatch agent configuration a HardenedBaseRecipe renders from these options."""
    recipe = golden.HardenedBaseRecipe(
        new_stack(), "Base", recipe_name="base", cloud_watch_agent=golden.CloudWatchAgentOptions(**cloud_watch_agent)
    )
    return json.loads(recipe.cloud_watch_agent_config)


def app_log_files(config):
    """The log files the user added (the library's own come first and go to its log groups)."""
    files = config["logs"]["logs_collected"]["files"]["collect_list"]
    return [f for f in files if not f["log_group_name"].startswith("/golden-ami/")]


def distributions(**props):
    """Region -> (KmsKeyId, LaunchTemplateConfigurations) of a GoldenImage built with these props."""
    stack = new_stack()
    recipe = golden.ImageRecipe(
        stack, "Recipe",
        base_image=golden.BaseImage.amazon_linux2023(golden.ImageArchitecture.ARM64),
        components=[golden.RecipeComponent.aws_managed("update-linux")],
    )
    golden.GoldenImage(
        stack, "Image", recipe=recipe, image_name="structs", regions=["eu-central-1"], copy_to_accounts=["222222222222"], **props
    )
    (config,) = assertions.Template.from_stack(stack).find_resources("AWS::ImageBuilder::DistributionConfiguration").values()
    return {
        d["Region"]: (d["AmiDistributionConfiguration"].get("KmsKeyId"), d.get("LaunchTemplateConfigurations"))
        for d in config["Properties"]["Distributions"]
    }


# The struct classes: what the README shows.

def test_struct_classes_reach_the_agent_config():
    config = agent_config(
        additional_log_files=[golden.CloudWatchLogFile(file_path="/var/log/app/*.log", log_group_name="/app/logs")],
        additional_metrics=[golden.CloudWatchAgentMetric(category="cpu", measurement="cpu_usage_iowait")],
    )
    assert app_log_files(config) == [{"file_path": "/var/log/app/*.log", "log_group_name": "/app/logs", "log_stream_name": "{instance_id}"}]
    assert config["metrics"]["metrics_collected"]["cpu"] == {"measurement": ["cpu_usage_iowait"]}


def test_struct_classes_reach_the_distribution():
    by_region = distributions(
        encryption_keys=[
            golden.RegionalEncryptionKey(region="eu-west-1", key_arn=KEY_EU),
            golden.RegionalEncryptionKey(region="eu-central-1", key_arn=KEY_DE),
        ],
        launch_template_updates=[golden.LaunchTemplateUpdate(launch_template_id=LT, account_id="222222222222", set_default_version=False)],
    )
    assert by_region == {
        "eu-west-1": (KEY_EU, [{"LaunchTemplateId": LT, "AccountId": "222222222222", "SetDefaultVersion": False}]),
        "eu-central-1": (KEY_DE, None),
    }


def test_a_struct_class_refuses_a_camel_case_keyword_in_python_itself():
    with pytest.raises(TypeError, match="unexpected keyword argument 'filePath'"):
        golden.CloudWatchLogFile(filePath="/var/log/app.log")
    with pytest.raises(TypeError, match="launch_template_id"):
        golden.LaunchTemplateUpdate(account_id="222222222222")


# Dicts with snake_case keys, as the top-level keyword arguments are written.

def test_snake_case_log_file_dict_fails_naming_the_prop_the_struct_and_the_camel_case_key():
    with pytest.raises(RuntimeError) as error:
        agent_config(additional_log_files=[{"file_path": "/var/log/app.log"}])
    message = str(error.value)
    assert message.startswith("Passed to parameter props of new cdk-golden-ami.HardenedBaseRecipe: Unable to deserialize value as cdk-golden-ami.HardenedBaseRecipeProps")
    assert "Key 'additionalLogFiles'" in message
    assert message.rstrip().endswith("Missing required properties for cdk-golden-ami.CloudWatchLogFile: 'filePath'"), message


def test_snake_case_launch_template_dict_fails_naming_the_struct_and_the_camel_case_key():
    with pytest.raises(RuntimeError) as error:
        distributions(launch_template_updates=[{"launch_template_id": LT, "account_id": "222222222222"}])
    message = str(error.value)
    assert "Key 'launchTemplateUpdates'" in message
    assert message.rstrip().endswith("Missing required properties for cdk-golden-ami.LaunchTemplateUpdate: 'launchTemplateId'"), message


def test_snake_case_encryption_key_dict_fails_saying_a_dict_needs_key_arn():
    # `region` is the only required key, so jsii lets the dict through without its `key_arn`.
    with pytest.raises(RuntimeError, match=re.escape(
        "encryptionKeys[0] must give exactly one of key and keyArn, got neither for region 'eu-west-1' (a dict needs the camelCase key 'keyArn'"
    )):
        distributions(encryption_keys=[{"region": "eu-west-1", "key_arn": KEY_EU}, {"region": "eu-central-1", "key_arn": KEY_DE}])


def test_metric_dict_works_its_keys_are_the_same_in_both_cases():
    config = agent_config(additional_metrics=[{"category": "cpu", "measurement": "cpu_usage_iowait"}])
    assert config["metrics"]["metrics_collected"]["cpu"] == {"measurement": ["cpu_usage_iowait"]}


# Dicts with camelCase keys: they work, as the props' docs say.

def test_camel_case_dicts_build_what_the_struct_classes_build():
    config = agent_config(additional_log_files=[{"filePath": "/var/log/app/*.log", "logGroupName": "/app/logs"}])
    assert app_log_files(config) == [{"file_path": "/var/log/app/*.log", "log_group_name": "/app/logs", "log_stream_name": "{instance_id}"}]
    by_region = distributions(
        encryption_keys=[{"region": "eu-west-1", "keyArn": KEY_EU}, {"region": "eu-central-1", "keyArn": KEY_DE}],
        launch_template_updates=[{"launchTemplateId": LT, "accountId": "222222222222", "setDefaultVersion": False}],
    )
    assert by_region == {
        "eu-west-1": (KEY_EU, [{"LaunchTemplateId": LT, "AccountId": "222222222222", "SetDefaultVersion": False}]),
        "eu-central-1": (KEY_DE, None),
    }


def test_a_snake_case_optional_key_in_a_camel_case_dict_is_lost_as_the_readme_warns():
    # jsii's kernel drops the keys a struct does not have before the library sees the dict, so
    # the library's check of unknown keys (which refuses this from JavaScript) cannot see
    # `account_id`. Should jsii start passing them, that check refuses the dict and this test
    # fails: then the README's warning can go.
    by_region = distributions(launch_template_updates=[{"launchTemplateId": LT, "account_id": "222222222222", "set_default_version": False}])
    assert by_region["eu-west-1"][1] == [{"LaunchTemplateId": LT, "SetDefaultVersion": True}]


# The README's Python code runs as written.

def python_blocks():
    return re.findall(r"^```python\n(.*?)^```", README.read_text(), re.M | re.S)


def test_readme_has_the_struct_list_example():
    assert any("golden.LaunchTemplateUpdate(" in block and "golden.CloudWatchLogFile(" in block for block in python_blocks())


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_python_block_synthesizes(index):
    namespace = {}
    exec(compile(python_blocks()[index], f"README.md python block {index}", "exec"), namespace)
    assembly = namespace["app"].synth()
    assert assembly.stacks, "the block's app has no stack"
