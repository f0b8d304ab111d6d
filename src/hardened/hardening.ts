/**
 * DISA STIG severity levels, as the AWS-managed STIG components apply them: the `Level`
 * parameter of `stig-build-linux` / `stig-build-windows` (`Low`, `Medium`, `High`).
 */
export enum StigLevel {
  /** Low (CAT III) settings only: `Level` `Low`. */
  LOW = 'low',
  /** Medium and low (CAT II, CAT III): `Level` `Medium`. */
  MEDIUM = 'medium',
  /** High, medium and low (CAT I to III): `Level` `High`. */
  HIGH = 'high',
}

/**
 * CIS benchmark profile levels, as the library's CIS components apply them.
 */
export enum CisLevel {
  /** Level 1: settings with little impact on function. */
  LEVEL_1 = 'LEVEL_1',
  /** Level 2: Level 1 plus defence-in-depth settings that may restrict function. */
  LEVEL_2 = 'LEVEL_2',
}

/**
 * The hardening standards.
 */
export enum HardeningStandard {
  /** No hardening beyond the OS defaults. */
  NONE = 'NONE',
  /** DISA STIG through the AWS-managed STIG components. */
  STIG = 'STIG',
  /** A documented subset of CIS benchmark controls through components the library ships. */
  CIS = 'CIS',
}

/**
 * How a HardenedBaseRecipe hardens the OS.
 */
export class Hardening {
  /**
   * No hardening beyond the OS defaults (the agents and tests still apply).
   */
  public static none(): Hardening {
    return new Hardening(HardeningStandard.NONE);
  }

  /**
   * DISA STIG settings through the AWS-managed `stig-build-linux` or `stig-build-windows`
   * component, with its `Level` parameter set to the level.
   *
   * @param level the severity level
   */
  public static stig(level: StigLevel): Hardening {
    return new Hardening(HardeningStandard.STIG, level);
  }

  /**
   * The library's CIS components: a documented subset of CIS benchmark Level 1 or Level 2
   * controls for the Linux families, each applied in the build phase and checked in the
   * test phase (see docs/cis-controls.md). Not full benchmark compliance.
   *
   * @param level the profile level
   */
  public static cis(level: CisLevel): Hardening {
    return new Hardening(HardeningStandard.CIS, undefined, level);
  }

  /** The standard. */
  public readonly standard: HardeningStandard;
  /** The STIG level, for STIG hardening. */
  public readonly stigLevel?: StigLevel;
  /** The CIS level, for CIS hardening. */
  public readonly cisLevel?: CisLevel;

  private constructor(standard: HardeningStandard, stigLevel?: StigLevel, cisLevel?: CisLevel) {
    this.standard = standard;
    this.stigLevel = stigLevel;
    this.cisLevel = cisLevel;
  }

  /** A short description, for example `STIG medium` or `CIS Level 2`. */
  public toString(): string {
    switch (this.standard) {
      case HardeningStandard.STIG:
        return `STIG ${this.stigLevel}`;
      case HardeningStandard.CIS:
        return `CIS Level ${this.cisLevel === CisLevel.LEVEL_2 ? 2 : 1}`;
      default:
        return 'none';
    }
  }
}
