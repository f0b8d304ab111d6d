/**
 * An AWS Organizations organization ID, as the Organization data type documents it
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html: Id,
 * pattern `^o-[a-z0-9]{10,32}$`). Free of aws-cdk-lib: the rule's function bundles it too.
 *
 * Internal to the package.
 */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
