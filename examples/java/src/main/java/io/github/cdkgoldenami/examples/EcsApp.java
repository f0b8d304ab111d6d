package io.github.cdkgoldenami.examples;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.cdkgoldenami.AnsibleDirectoryOptions;
import io.github.cdkgoldenami.AnsiblePlaybook;
import io.github.cdkgoldenami.EcsApplicationImage;
import io.github.cdkgoldenami.GoldenImage;
import io.github.cdkgoldenami.GoldenImageEcsCapacity;
import io.github.cdkgoldenami.HardenedBaseRecipe;
import io.github.cdkgoldenami.LogShippingAgent;
import io.github.cdkgoldenami.ParentImage;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerInsights;

/**
 * The ECS example in Java: the same app as ../ecs.ts (and ../ecs.py), through the jsii-built
 * package. CI synthesizes all of them and checks that they produce the same templates.
 * <ul>
 * <li>ImageFactory: a hardened Amazon Linux 2023 golden image (CIS Level 1, agents baked in),
 * and an ECS application image on it (Docker, ECS agent, Fluent Bit, SSM agent, an Ansible
 * playbook) rebuilt on each new golden image and copied to the workload account;</li>
 * <li>Workload (the workload account): an ECS cluster whose capacity runs the application
 * image, read from its SSM parameter at each launch.</li>
 * </ul>
 * Run from examples/java, where ../ecs-playbooks is the playbook folder.
 */
public final class EcsApp {
    private static final Environment FACTORY = Environment.builder().account("111111111111").region("eu-west-1").build();
    private static final Environment WORKLOAD = Environment.builder().account("222222222222").region("eu-west-1").build();

    private EcsApp() {
    }

    public static void main(final String[] args) {
        App app = new App(AppProps.builder()
                .outdir(System.getenv().getOrDefault("CDK_OUTDIR", "cdk.out"))
                .context(Map.of("@aws-cdk/core:validateAgainstDefaultRules", true))
                .build());

        Stack factory = new Stack(app, "ImageFactory", StackProps.builder().env(FACTORY).build());
        GoldenImage base = GoldenImage.Builder.create(factory, "Base")
                .imageName("al2023-base")
                // Amazon Linux 2023, CIS Level 1, the CloudWatch and SSM agents, the AWS CLI, Inspector-ready.
                .recipe(HardenedBaseRecipe.Builder.create(factory, "BaseRecipe").recipeName("al2023-base").build())
                .build();
        String playbooks = Path.of("..", "ecs-playbooks").toAbsolutePath().normalize().toString();
        EcsApplicationImage.Builder.create(factory, "EcsHost")
                .imageName("ecs-app")
                .parent(ParentImage.fromGoldenImage(base))
                .logShippingAgent(LogShippingAgent.fluentBit())
                .playbooks(List.of(AnsiblePlaybook.fromDirectory(playbooks,
                        AnsibleDirectoryOptions.builder().variables(Map.of("nofile_limit", "65536")).build())))
                .copyToAccounts(List.of(WORKLOAD.getAccount()))
                .build();

        Stack workload = new Stack(app, "Workload", StackProps.builder().env(WORKLOAD).build());
        // The landing zone's network, given by its IDs: nothing is looked up.
        IVpc vpc = Vpc.fromVpcAttributes(workload, "Vpc", VpcAttributes.builder()
                .vpcId("vpc-0a1b2c3d4e5f60718")
                .availabilityZones(List.of("eu-west-1a", "eu-west-1b"))
                .privateSubnetIds(List.of("subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a60718"))
                .build());
        Cluster cluster = Cluster.Builder.create(workload, "Cluster")
                .vpc(vpc)
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();
        GoldenImageEcsCapacity.Builder.create(workload, "Capacity")
                .cluster(cluster)
                .image(GoldenImage.fromParameterName(workload, "EcsHostImage", "/golden-ami/ecs-app/latest"))
                .instanceType(new InstanceType("m7i.large"))
                .maxCapacity(6)
                .build();

        app.synth();
    }
}
