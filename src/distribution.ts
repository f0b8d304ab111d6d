import * as kms from 'aws-cdk-lib/aws-kms';
import {
  validateAccountId,
  validateOrganizationArn,
  validateOrganizationalUnitArn,
} from './private/validation';

/**
 * Who may launch instances from a golden AMI (launch permissions). Sharing grants launch
 * rights only; the AMI stays in the factory account. To give another account its own copy
 * (and its own SSM parameter), use `copyToAccounts`.
 */
export class ImageSharing {
  /**
   * One AWS account.
   *
   * @param accountId the 12-digit account ID
   */
  public static account(accountId: string): ImageSharing {
    validateAccountId('shareWith account', accountId);
    return new ImageSharing('userIds', accountId);
  }

  /**
   * Every account in an organizational unit, including nested OUs.
   *
   * @param organizationalUnitArn the OU's ARN, `arn:aws:organizations::<management account>:ou/o-xxxx/ou-xxxx-xxxxxxxx`
   */
  public static organizationalUnit(organizationalUnitArn: string): ImageSharing {
    validateOrganizationalUnitArn('shareWith organizationalUnit', organizationalUnitArn);
    return new ImageSharing('organizationalUnitArns', organizationalUnitArn);
  }

  /**
   * Every account in an organization.
   *
   * @param organizationArn the organization's ARN, `arn:aws:organizations::<management account>:organization/o-xxxx`
   */
  public static organization(organizationArn: string): ImageSharing {
    validateOrganizationArn('shareWith organization', organizationArn);
    return new ImageSharing('organizationArns', organizationArn);
  }

  /**
   * Every AWS account in the world. Only for images meant to be public: synthesis warns.
   */
  public static publicly(): ImageSharing {
    return new ImageSharing('userGroups', 'all');
  }

  private constructor(
    /** @internal */ public readonly _key: 'userIds' | 'organizationalUnitArns' | 'organizationArns' | 'userGroups',
    /** @internal */ public readonly _value: string,
  ) {}
}

/**
 * The KMS key that encrypts the AMI copy in one region.
 */
export interface RegionalEncryptionKey {
  /**
   * The region of the copy.
   */
  readonly region: string;

  /**
   * The KMS key in that region, as the other key props take it: a `kms.Key` of a stack in
   * that region, or `kms.Key.fromKeyArn()` for one created elsewhere. Target accounts must be
   * allowed to use it. Give exactly one of `key` and `keyArn`.
   *
   * @default - `keyArn`
   */
  readonly key?: kms.IKey;

  /**
   * The ARN of a KMS key or alias in that region (an alias ARN has no `IKey` form that
   * keeps its region). Give exactly one of `key` and `keyArn`.
   *
   * @default - `key`
   */
  readonly keyArn?: string;
}

/**
 * A launch template that gets a new version with each new AMI.
 */
export interface LaunchTemplateUpdate {
  /**
   * The launch template ID (lt-...).
   */
  readonly launchTemplateId: string;

  /**
   * The region of the launch template; it must be a distribution region.
   *
   * @default - the stack's region
   */
  readonly region?: string;

  /**
   * The account that owns the launch template; it must be the factory account or one of `copyToAccounts`.
   *
   * @default - the factory account
   */
  readonly accountId?: string;

  /**
   * Make the new version the template's default version.
   *
   * @default true
   */
  readonly setDefaultVersion?: boolean;
}
