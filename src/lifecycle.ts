import { Duration } from 'aws-cdk-lib';
import { CfnLifecyclePolicy } from 'aws-cdk-lib/aws-imagebuilder';
import { validateIntegerInRange } from './private/validation';

/**
 * Age-based clean-up of old golden images.
 */
export interface AgeLifecycleOptions {
  /**
   * Deprecate images older than this: they stay launchable but are hidden from new searches.
   *
   * @default - not deprecated by age
   */
  readonly deprecateAfter?: Duration;

  /**
   * Disable images older than this: no new instance can launch from them.
   *
   * @default - not disabled by age
   */
  readonly disableAfter?: Duration;

  /**
   * Delete images (AMI and snapshots) older than this.
   *
   * @default - not deleted by age
   */
  readonly deleteAfter?: Duration;

  /**
   * The newest images each rule always keeps, whatever their age (1-10).
   *
   * @default 1
   */
  readonly retainAtLeast?: number;

  /**
   * Never act on an image an instance was launched from within this period.
   *
   * @default Duration.days(90)
   */
  readonly keepIfLaunchedWithin?: Duration;
}

/**
 * Count-based clean-up: keep the newest images, delete the rest.
 */
export interface CountLifecycleOptions {
  /**
   * How many of the newest images to keep (1-1000); older ones are deleted.
   */
  readonly keepLatest: number;

  /**
   * Never delete an image an instance was launched from within this period.
   *
   * @default Duration.days(90)
   */
  readonly keepIfLaunchedWithin?: Duration;
}

/**
 * What happens to old images of a golden image pipeline (an Image Builder lifecycle policy).
 * At least one image is always kept, and images still launched from are never touched.
 */
export class ImageLifecycle {
  /**
   * Deprecate, disable and delete by age; at least one image is always kept.
   */
  public static byAge(options: AgeLifecycleOptions): ImageLifecycle {
    const retainAtLeast = options.retainAtLeast ?? 1;
    validateIntegerInRange('lifecycle retainAtLeast', retainAtLeast, 1, 10);
    const steps: Array<[string, string, Duration | undefined]> = [
      ['DEPRECATE', 'deprecateAfter', options.deprecateAfter],
      ['DISABLE', 'disableAfter', options.disableAfter],
      ['DELETE', 'deleteAfter', options.deleteAfter],
    ];
    const chosen = steps.filter(([, , age]) => age !== undefined) as Array<[string, string, Duration]>;
    if (chosen.length === 0) {
      throw new Error('lifecycle byAge needs at least one of deprecateAfter, disableAfter and deleteAfter');
    }
    for (let i = 1; i < chosen.length; i++) {
      const [, previousProp, previousAge] = chosen[i - 1];
      const [, prop, age] = chosen[i];
      if (age.toDays({ integral: false }) <= previousAge.toDays({ integral: false })) {
        throw new Error(`lifecycle ${prop} must be longer than ${previousProp} (${previousAge.toHumanString()}), got: '${age.toHumanString()}'`);
      }
    }
    const exclusion = lastLaunchedExclusion(options.keepIfLaunchedWithin);
    // The rules are ordered by age, so the first that ends launches is the earliest.
    const ending = chosen.find(([type]) => type !== 'DEPRECATE');
    return new ImageLifecycle(chosen.map(([type, prop, age]) => ({
      action: { type, includeResources: type === 'DELETE' ? { amis: true, snapshots: true } : { amis: true } },
      filter: { type: 'AGE', ...ageValue(`lifecycle ${prop}`, age), retainAtLeast },
      exclusionRules: exclusion,
    })), ending && ending[2].toDays());
  }

  /**
   * Keep the newest `keepLatest` images and delete the others.
   */
  public static byCount(options: CountLifecycleOptions): ImageLifecycle {
    validateIntegerInRange('lifecycle keepLatest', options.keepLatest, 1, 1000);
    return new ImageLifecycle([{
      action: { type: 'DELETE', includeResources: { amis: true, snapshots: true } },
      filter: { type: 'COUNT', value: options.keepLatest },
      exclusionRules: lastLaunchedExclusion(options.keepIfLaunchedWithin),
    }]);
  }

  /** @internal */
  public readonly _policyDetails: CfnLifecyclePolicy.PolicyDetailProperty[];

  /**
   * Days after which an image can no longer launch: the disable age, else the delete age.
   * Undefined when no rule ends launches by age (deprecated images still launch).
   * @internal
   */
  public readonly _launchableDays?: number;

  private constructor(policyDetails: CfnLifecyclePolicy.PolicyDetailProperty[], launchableDays?: number) {
    this._policyDetails = policyDetails;
    this._launchableDays = launchableDays;
  }
}

function lastLaunchedExclusion(within: Duration = Duration.days(90)): CfnLifecyclePolicy.ExclusionRulesProperty {
  return { amis: { lastLaunched: ageValue('lifecycle keepIfLaunchedWithin', within) } };
}

/** Lifecycle ages are whole days, weeks or years (1-365 of the unit). */
function ageValue(prop: string, age: Duration): { unit: string; value: number } {
  const days = age.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`${prop} must be a whole number of days, at least 1, got: '${age.toHumanString()}'`);
  }
  if (days <= 365) return { unit: 'DAYS', value: days };
  if (days % 7 === 0 && days / 7 <= 365) return { unit: 'WEEKS', value: days / 7 };
  if (days % 365 === 0 && days / 365 <= 365) return { unit: 'YEARS', value: days / 365 };
  throw new Error(`${prop} beyond 365 days must be whole weeks or years, got: '${age.toHumanString()}'`);
}
