/**
 * The SSM parameter hierarchy GoldenImage publishes to by default
 * (`/golden-ami/<imageName>/latest`), and that RequireGoldenImages approves by default.
 */
export const DEFAULT_CATALOG_PREFIX = '/golden-ami/';

/**
 * The catalogue's entries next to a golden image's parameter, by their last level: a golden
 * image's parameters live under `<base>`, its `ssmParameterName` without the last level (the
 * trust chain's layout). Free of aws-cdk-lib: the compliance rule's function bundles them too.
 */
export const LATEST_LEVEL = 'latest';
/** The revocation list, `<base>/revoked`: a StringList of `<ami-id>=<reason>`. */
export const REVOKED_LEVEL = 'revoked';
/** The ancestry record of a child image, `<base>/ancestry`: one JSON version per build. */
export const ANCESTRY_LEVEL = 'ancestry';

/** The tag GoldenImage puts on each of its AMIs (and copies), with the image name as value. */
export const PIPELINE_TAG = 'golden-ami:pipeline';
/** The tags the ancestry record puts on a child's AMIs: its parent AMI and the parent's pipeline. */
export const PARENT_AMI_TAG = 'golden-ami:parent-ami';
export const PARENT_PIPELINE_TAG = 'golden-ami:parent-pipeline';

/** `<base>` of a parameter name (the name without its last level), or undefined when it has a single level. */
export function catalogueBaseOf(parameterName: string): string | undefined {
  const cut = parameterName.lastIndexOf('/');
  return cut <= 0 ? undefined : parameterName.slice(0, cut);
}
