import { Duration, Token } from 'aws-cdk-lib';
import { validateIntegerInRange } from './private/validation';

/**
 * When a scheduled pipeline builds.
 */
export interface ScheduleOptions {
  /**
   * Build only when the base image (including a new value of its SSM parameter) or a
   * component with an `x` version has a newer version; otherwise skip the scheduled run.
   *
   * @default false - build at every scheduled time
   */
  readonly onlyWhenDependenciesUpdated?: boolean;

  /**
   * The IANA time zone of the schedule, for example `Europe/Paris`.
   *
   * @default 'Etc/UTC'
   */
  readonly timezone?: string;

  /**
   * Disable the pipeline after this many consecutive failed scheduled builds.
   *
   * @default - never disabled automatically
   */
  readonly disableAfterConsecutiveFailures?: number;
}

/**
 * The fields of a cron schedule. Unset fields are `*` (or `?` for the day fields).
 */
export interface CronScheduleOptions extends ScheduleOptions {
  /**
   * Minute, 0-59.
   *
   * @default '0'
   */
  readonly minute?: string;
  /**
   * Hour, 0-23.
   *
   * @default '0'
   */
  readonly hour?: string;
  /**
   * Day of the month, 1-31. Do not combine with `weekDay`.
   *
   * @default - every day, unless `weekDay` is set
   */
  readonly day?: string;
  /**
   * Month, 1-12 or JAN-DEC.
   *
   * @default '*'
   */
  readonly month?: string;
  /**
   * Day of the week, 1-7 or SUN-SAT. Do not combine with `day`.
   *
   * @default - any day of the week
   */
  readonly weekDay?: string;
  /**
   * Year.
   *
   * @default '*'
   */
  readonly year?: string;
}

const CRON_FIELD = /^[0-9A-Za-z*?,/#LW-]+$/;
const DAY_MINUTES = 24 * 60;

/**
 * A pipeline schedule: a cron expression in Image Builder's six-field format, or a rate
 * that the library turns into the equivalent cron expression.
 */
export class PipelineSchedule {
  /**
   * A cron schedule from its fields.
   */
  public static cron(options: CronScheduleOptions): PipelineSchedule {
    if (options.day !== undefined && options.weekDay !== undefined) {
      throw new Error(`schedule cannot set both day ('${options.day}') and weekDay ('${options.weekDay}'); Image Builder takes one of them`);
    }
    const fields = [
      options.minute ?? '0',
      options.hour ?? '0',
      options.day ?? (options.weekDay !== undefined ? '?' : '*'),
      options.month ?? '*',
      options.weekDay ?? '?',
      options.year ?? '*',
    ];
    return PipelineSchedule.expression(`cron(${fields.join(' ')})`, options);
  }

  /**
   * A cron expression as Image Builder takes it: `cron(<minute> <hour> <day> <month> <day of week> <year>)`.
   *
   * @param expression for example `cron(0 4 ? * SUN *)`
   */
  public static expression(expression: string, options: ScheduleOptions = {}): PipelineSchedule {
    if (!Token.isUnresolved(expression)) {
      const match = /^cron\((.*)\)$/.exec(expression);
      const fields = match ? match[1].split(' ') : [];
      if (!match || fields.length !== 6 || fields.some(field => !CRON_FIELD.test(field))) {
        throw new Error(`schedule expression must be cron(<minute> <hour> <day> <month> <day-of-week> <year>) with six fields, got: '${expression}'`);
      }
      if ((fields[2] === '?') === (fields[4] === '?')) {
        throw new Error(`schedule expression must have '?' in exactly one of day and day-of-week, got: '${expression}'`);
      }
    }
    return new PipelineSchedule(expression, options);
  }

  /**
   * Every `interval`, as the cron expression that fires at that rate from midnight (in the
   * schedule's `timezone`, UTC by default). Supported: whole hours dividing 24 (1, 2, 3, 4, 6,
   * 8, 12), one day (daily at midnight) and seven days (Sundays at midnight). Other day counts
   * have no cron equivalent (a day-of-month step restarts on the 1st): use `cron()`.
   *
   * @param interval for example Duration.days(7)
   */
  public static rate(interval: Duration, options: ScheduleOptions = {}): PipelineSchedule {
    const minutes = interval.toMinutes();
    if (minutes === DAY_MINUTES) return PipelineSchedule.expression('cron(0 0 * * ? *)', options);
    if (minutes === 7 * DAY_MINUTES) return PipelineSchedule.expression('cron(0 0 ? * SUN *)', options);
    if (minutes > 0 && minutes % 60 === 0 && 24 % (minutes / 60) === 0) {
      const hours = minutes / 60;
      return PipelineSchedule.expression(hours === 1 ? 'cron(0 * * * ? *)' : `cron(0 */${hours} * * ? *)`, options);
    }
    throw new Error(`schedule rate must be whole hours dividing 24, 1 day or 7 days (Image Builder schedules are cron expressions; use PipelineSchedule.cron for others), got: '${interval.toHumanString()}'`);
  }

  /**
   * The cron expression.
   */
  public readonly expressionString: string;

  /**
   * When the schedule builds.
   */
  public readonly options: ScheduleOptions;

  private constructor(expression: string, options: ScheduleOptions) {
    if (options.disableAfterConsecutiveFailures !== undefined) {
      validateIntegerInRange('schedule disableAfterConsecutiveFailures', options.disableAfterConsecutiveFailures, 1, 10);
    }
    if (options.timezone !== undefined && !Token.isUnresolved(options.timezone) && !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(options.timezone)) {
      throw new Error(`schedule timezone must be an IANA time zone such as Europe/Paris, got: '${options.timezone}'`);
    }
    this.expressionString = expression;
    this.options = options;
  }
}
