"""What every Python test stack shares: a fixed environment, and an app whose synthesis runs
aws-cdk-lib's CloudFormation validation with findings as errors."""
import aws_cdk as cdk

ENV = cdk.Environment(account="111111111111", region="eu-west-1")


def new_stack(name: str = "Factory") -> cdk.Stack:
    app = cdk.App(context={"@aws-cdk/core:validateAgainstDefaultRules": True})
    return cdk.Stack(app, name, env=ENV)
