import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ImageSharing } from '../distribution';

/** The PascalCase shape of the L1's untyped `AmiDistributionConfiguration.LaunchPermissionConfiguration`. */
export function renderLaunchPermissions(scope: IConstruct, sharing: ImageSharing[]): Record<string, string[]> | undefined {
  if (sharing.length === 0) return undefined;
  const keys: Record<ImageSharing['_key'], string> = {
    userIds: 'UserIds',
    organizationalUnitArns: 'OrganizationalUnitArns',
    organizationArns: 'OrganizationArns',
    userGroups: 'UserGroups',
  };
  const rendered: Record<string, string[]> = {};
  for (const share of sharing) {
    const key = keys[share._key];
    const values = rendered[key] ?? (rendered[key] = []);
    if (Token.isUnresolved(share._value) || !values.includes(share._value)) {
      values.push(share._value);
    }
  }
  if (rendered.UserGroups) {
    Annotations.of(scope).addWarning('shareWith includes ImageSharing.publicly(): the golden AMI will be public, launchable by every AWS account');
  }
  return rendered;
}
