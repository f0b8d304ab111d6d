/**
 * The resource types the compliance rule can evaluate.
 */
export enum EvaluatedResourceType {
  /** EC2 instances, by the AMI they were launched from. */
  INSTANCE = 'AWS::EC2::Instance',
  /** Launch templates, by the image of their default version (an AMI or `resolve:ssm:`). */
  LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate',
  /** Auto Scaling groups, by their launch template, launch configuration or mixed instances policy. */
  AUTO_SCALING_GROUP = 'AWS::AutoScaling::AutoScalingGroup',
}
