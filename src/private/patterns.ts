/**
 * Formats shared by the synth-time checks and the compliance rule's Lambda function. No
 * imports: the function's bundle takes this file without aws-cdk-lib.
 */

/** An AMI ID: `ami-` and 8 (older) or 17 hexadecimal digits. */
export const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;
