import { Token } from 'aws-cdk-lib';
import { bashQuote } from './shell-quote';

/* The ECS cluster name in the user data of container instances; not API. */

/**
 * An ECS cluster name: "Up to 255 letters (uppercase and lowercase), numbers, hyphens, and
 * underscores are allowed" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html).
 */
const ECS_CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Checks an ECS cluster name unless it is a token. */
export function validateEcsClusterName(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !ECS_CLUSTER_NAME.test(value)) {
    throw new Error(`${prop} must be an ECS cluster name (1-255 letters, digits, hyphens and underscores), got: '${value}'`);
  }
}

/**
 * The user data line that makes the ECS agent join `clusterName`. Quoted even though names
 * are checked: a token's value is known only at deploy time.
 */
export function ecsClusterUserData(clusterName: string): string {
  return `echo ${bashQuote(`ECS_CLUSTER=${clusterName}`)} >> /etc/ecs/ecs.config`;
}
