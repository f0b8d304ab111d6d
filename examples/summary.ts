import { CloudAssembly } from 'aws-cdk-lib/cx-api';

type Resource = { Type: string; Properties?: Record<string, any> };

/**
 * Prints, from the synthesized templates (not from the app's props), each image pipeline,
 * the regions and accounts its AMI reaches, and the SSM parameters consumers read.
 */
export function printDeploymentSummary(assembly: CloudAssembly): void {
  for (const stack of assembly.stacks) {
    const resources: Record<string, Resource> = stack.template.Resources ?? {};
    const pipelines = Object.values(resources).filter(resource => resource.Type === 'AWS::ImageBuilder::ImagePipeline');
    console.log(`Stack ${stack.stackName} (${stack.environment.account}/${stack.environment.region}): ${Object.keys(resources).length} resources`);
    for (const pipeline of pipelines) {
      const props = pipeline.Properties ?? {};
      const distributionId = props.DistributionConfigurationArn?.['Fn::GetAtt']?.[0];
      const distributions: any[] = resources[distributionId]?.Properties?.Distributions ?? [];
      const schedule = props.Schedule ? `${props.Schedule.ScheduleExpression} (${props.Schedule.PipelineExecutionStartCondition})` : 'on demand';
      console.log(`  Image pipeline ${props.Name}: schedule ${schedule}, scanning ${props.ImageScanningConfiguration?.ImageScanningEnabled ? 'on' : 'off'}`);
      for (const distribution of distributions) {
        const ami = distribution.AmiDistributionConfiguration ?? {};
        const accounts = (ami.TargetAccountIds ?? [stack.environment.account]).join(', ');
        const permissions = ami.LaunchPermissionConfiguration ?? {};
        const sharedWith = Object.values(permissions).flat().join(', ') || 'nobody';
        const parameters = (distribution.SsmParameterConfigurations ?? [])
          .map((parameter: any) => `${parameter.AmiAccountId ?? stack.environment.account}:${parameter.ParameterName}`)
          .join(', ');
        console.log(`    ${distribution.Region}: AMI copies in ${accounts}; launch shared with ${sharedWith}`);
        console.log(`      SSM parameters: ${parameters || 'none'}`);
      }
    }
    const ssmInputs = Object.entries(stack.template.Parameters ?? {})
      .filter(([, parameter]: [string, any]) => String(parameter.Type).startsWith('AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>'))
      .map(([, parameter]: [string, any]) => parameter.Default);
    if (ssmInputs.length > 0) {
      console.log(`  Launches from golden AMIs read at deploy time from: ${ssmInputs.join(', ')}`);
    }
  }
  console.log(`Templates written to ${assembly.directory}`);
}
