import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IGoldenImage } from '../golden-image';
import { ApprovalSourceConfig } from './private/approvals';
import { validateAccountId, validateSsmParameterName, validateUnique } from '../private/validation';

/**
 * Where the compliance rule learns which AMIs are approved golden AMIs. Sources combine: an
 * AMI approved by any one of them is approved.
 */
export class ApprovalSource {
  /**
   * Every AMI ID that any SSM parameter under `parameterPath` holds or has held (within the
   * 100 versions SSM keeps per parameter): the catalog GoldenImage writes, with its default
   * parameter names, under `/golden-ami/`. Launch templates that resolve their image from a
   * parameter under the path (`resolve:ssm:...`) are compliant too.
   *
   * The parameters are read in the evaluated account and region, where GoldenImage writes them
   * for its `copyToAccounts`.
   *
   * Revocation lists (parameters named `revoked`: StringLists of AMI ID = reason entries) and
   * ancestry records (parameters named `ancestry`) under the path never approve: an AMI a list
   * names is NON_COMPLIANT, its annotation starting with `revoked:` and the reason, whatever
   * else approves it; a child whose record names a parent is compliant only while that parent
   * is approved and not revoked.
   *
   * @param parameterPath the parameter hierarchy, with a leading `/` (for example `/golden-ami/`)
   */
  public static ssmCatalog(parameterPath: string): ApprovalSource {
    validateSsmParameterName('ApprovalSource.ssmCatalog parameterPath', parameterPath);
    const path = Token.isUnresolved(parameterPath) ? parameterPath : parameterPath.replace(/\/+$/, '');
    if (!Token.isUnresolved(path) && path === '') {
      throw new Error(`ApprovalSource.ssmCatalog parameterPath must name a hierarchy below the root, got: '${parameterPath}'`);
    }
    return new ApprovalSource(`SSM catalog ${parameterPath}`, { catalogPaths: [path], parameterNames: [], ownerAccounts: [], amiTags: {} });
  }

  /**
   * Every AMI ID a golden image's SSM parameter holds or has held (within the 100 versions
   * SSM keeps), and launch templates that resolve their image from that parameter.
   *
   * The image's revocation list and ancestry record, next to the parameter (for
   * `/golden-ami/base/latest`: `/golden-ami/base/revoked` and `/golden-ami/base/ancestry`), are
   * read too, and the rule's function may read them: a revoked AMI, or a child of a revoked or
   * unapproved parent, is NON_COMPLIANT. A parameter name that is a token has no known
   * hierarchy, so none is read for it.
   */
  public static goldenImage(image: IGoldenImage): ApprovalSource {
    validateSsmParameterName('ApprovalSource.goldenImage ssmParameterName', image.ssmParameterName);
    return new ApprovalSource(`golden image ${image.node.path}`, { catalogPaths: [], parameterNames: [image.ssmParameterName], ownerAccounts: [], amiTags: {} });
  }

  /**
   * Every AMI one release channel of a golden image holds or has held (within the 100 versions
   * SSM keeps): an AMI is approved once it has been promoted into the channel (for example
   * `prod`), and launch templates that resolve their image from the channel's parameter are
   * compliant too.
   *
   * @param image a GoldenImage with `channels`, or one imported with `GoldenImage.fromParameterName` (its parameter's parent level holds the channels)
   * @param channel the channel, for example `prod`
   */
  public static goldenImageChannel(image: IGoldenImage, channel: string): ApprovalSource {
    const parameterName = image.channelParameterName(channel);
    return new ApprovalSource(`golden image ${image.node.path} channel ${channel}`, { catalogPaths: [], parameterNames: [parameterName], ownerAccounts: [], amiTags: {} });
  }

  /**
   * Every AMI owned by one of these accounts: the image factory account that shares its AMIs
   * with the organization. This is how AMIs shared from another account are approved, since
   * their tags are not visible to the accounts they are shared with.
   */
  public static ownerAccounts(accountIds: string[]): ApprovalSource {
    if (accountIds.length === 0) {
      throw new Error('ApprovalSource.ownerAccounts needs at least one account ID, got: \'[]\'');
    }
    accountIds.forEach((account, i) => validateAccountId(`ApprovalSource.ownerAccounts[${i}]`, account));
    validateUnique('ApprovalSource.ownerAccounts', accountIds);
    return new ApprovalSource(`owner accounts ${accountIds.join(', ')}`, { catalogPaths: [], parameterNames: [], ownerAccounts: [...accountIds], amiTags: {} });
  }

  /**
   * AMIs owned by the evaluated account that carry all of these tags. AMIs shared from
   * another account never match: their tags are not visible to the accounts they are shared
   * with (use `ownerAccounts` or `ssmCatalog` for those).
   */
  public static amiTags(tags: { [key: string]: string }): ApprovalSource {
    const keys = Object.keys(tags);
    if (keys.length === 0) {
      throw new Error('ApprovalSource.amiTags needs at least one tag, got: \'{}\'');
    }
    for (const key of keys) {
      if (!Token.isUnresolved(key) && (key.length === 0 || key.length > 128 || key.toLowerCase().startsWith('aws:'))) {
        throw new Error(`ApprovalSource.amiTags keys must be 1-128 characters and not start with aws:, got: '${key}'`);
      }
    }
    return new ApprovalSource(`AMI tags ${keys.join(', ')}`, { catalogPaths: [], parameterNames: [], ownerAccounts: [], amiTags: { ...tags } });
  }

  /** What the source approves, for people. */
  public readonly description: string;

  private constructor(description: string, private readonly config: ApprovalSourceConfig) {
    this.description = description;
  }

  /**
   * The source's contribution to the rule.
   *
   * @internal
   */
  public _bind(_scope: IConstruct): ApprovalSourceConfig {
    return this.config;
  }
}
