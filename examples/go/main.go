// The ECS example in Go: the same app as ../ecs.ts (and ../ecs.py), through the jsii-built
// module. CI synthesizes all of them and checks that they produce the same templates.
//   - ImageFactory: a hardened Amazon Linux 2023 golden image (CIS Level 1, agents baked in),
//     and an ECS application image on it (Docker, ECS agent, Fluent Bit, SSM agent, an Ansible
//     playbook) rebuilt on each new golden image and copied to the workload account;
//   - Workload (the workload account): an ECS cluster whose capacity runs the application
//     image, read from its SSM parameter at each launch.
//
// Run from examples/go, where ../ecs-playbooks is the playbook folder: `go run .`
package main

import (
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"
	golden "github.com/cdk-golden-ami/cdk-golden-ami-go/cdkgoldenami"
)

var (
	factoryEnv  = &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}
	workloadEnv = &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")}
)

func main() {
	defer jsii.Close()

	outdir, ok := os.LookupEnv("CDK_OUTDIR")
	if !ok {
		outdir = "cdk.out"
	}
	playbooks, err := filepath.Abs(filepath.Join("..", "ecs-playbooks"))
	if err != nil {
		panic(err)
	}

	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(outdir),
		Context: &map[string]interface{}{"@aws-cdk/core:validateAgainstDefaultRules": true},
	})

	factory := awscdk.NewStack(app, jsii.String("ImageFactory"), &awscdk.StackProps{Env: factoryEnv})
	base := golden.NewGoldenImage(factory, jsii.String("Base"), &golden.GoldenImageProps{
		ImageName: jsii.String("al2023-base"),
		// Amazon Linux 2023, CIS Level 1, the CloudWatch and SSM agents, the AWS CLI, Inspector-ready.
		Recipe: golden.NewHardenedBaseRecipe(factory, jsii.String("BaseRecipe"), &golden.HardenedBaseRecipeProps{
			RecipeName: jsii.String("al2023-base"),
		}),
	})
	golden.NewEcsApplicationImage(factory, jsii.String("EcsHost"), &golden.EcsApplicationImageProps{
		ImageName:        jsii.String("ecs-app"),
		Parent:           golden.ParentImage_FromGoldenImage(base),
		LogShippingAgent: golden.LogShippingAgent_FluentBit(),
		Playbooks: &[]golden.AnsiblePlaybook{
			golden.AnsiblePlaybook_FromDirectory(jsii.String(playbooks), &golden.AnsibleDirectoryOptions{
				Variables: &map[string]*string{"nofile_limit": jsii.String("65536")},
			}),
		},
		CopyToAccounts: jsii.Strings(*workloadEnv.Account),
	})

	workload := awscdk.NewStack(app, jsii.String("Workload"), &awscdk.StackProps{Env: workloadEnv})
	// The landing zone's network, given by its IDs: nothing is looked up.
	vpc := awsec2.Vpc_FromVpcAttributes(workload, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId:             jsii.String("vpc-0a1b2c3d4e5f60718"),
		AvailabilityZones: jsii.Strings("eu-west-1a", "eu-west-1b"),
		PrivateSubnetIds:  jsii.Strings("subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a60718"),
	})
	cluster := awsecs.NewCluster(workload, jsii.String("Cluster"), &awsecs.ClusterProps{
		Vpc:                 vpc,
		ContainerInsightsV2: awsecs.ContainerInsights_ENABLED,
	})
	golden.NewGoldenImageEcsCapacity(workload, jsii.String("Capacity"), &golden.GoldenImageEcsCapacityProps{
		Cluster:      cluster,
		Image:        golden.GoldenImage_FromParameterName(workload, jsii.String("EcsHostImage"), jsii.String("/golden-ami/ecs-app/latest")),
		InstanceType: awsec2.NewInstanceType(jsii.String("m7i.large")),
		MaxCapacity:  jsii.Number(6),
	})

	app.Synth(nil)
}
