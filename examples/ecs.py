"""The ECS example in Python: the same app as ecs.ts, through the jsii-built package.

CI synthesizes both and checks that they produce the same templates.
"""
import os

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

import cdk_golden_ami as golden

HERE = os.path.dirname(os.path.abspath(__file__))
FACTORY = cdk.Environment(account="111111111111", region="eu-west-1")
WORKLOAD = cdk.Environment(account="222222222222", region="eu-west-1")

app = cdk.App(
    outdir=os.environ.get("CDK_OUTDIR", os.path.join(HERE, "cdk.out", "ecs")),
    context={"@aws-cdk/core:validateAgainstDefaultRules": True},
)

factory = cdk.Stack(app, "ImageFactory", env=FACTORY)
base = golden.GoldenImage(
    factory,
    "Base",
    image_name="al2023-base",
    # Amazon Linux 2023, CIS Level 1, the CloudWatch and SSM agents, the AWS CLI, Inspector-ready.
    recipe=golden.HardenedBaseRecipe(factory, "BaseRecipe", recipe_name="al2023-base"),
)
golden.EcsApplicationImage(
    factory,
    "EcsHost",
    image_name="ecs-app",
    parent=golden.ParentImage.from_golden_image(base),
    log_shipping_agent=golden.LogShippingAgent.fluent_bit(),
    playbooks=[
        golden.AnsiblePlaybook.from_directory(
            os.path.join(HERE, "ecs-playbooks"), variables={"nofile_limit": "65536"}
        )
    ],
    copy_to_accounts=[WORKLOAD.account],
)

workload = cdk.Stack(app, "Workload", env=WORKLOAD)
# The landing zone's network, given by its IDs: nothing is looked up.
vpc = ec2.Vpc.from_vpc_attributes(
    workload,
    "Vpc",
    vpc_id="vpc-0a1b2c3d4e5f60718",
    availability_zones=["eu-west-1a", "eu-west-1b"],
    private_subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a60718"],
)
cluster = ecs.Cluster(workload, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED)
golden.GoldenImageEcsCapacity(
    workload,
    "Capacity",
    cluster=cluster,
    image=golden.GoldenImage.from_parameter_name(workload, "EcsHostImage", "/golden-ami/ecs-app/latest"),
    instance_type=ec2.InstanceType("m7i.large"),
    max_capacity=6,
)

app.synth()
