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

const DAY_MINUTES = 24 * 60;

/**
 * One field of Image Builder's cron format, which is EventBridge's
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html).
 */
interface CronField {
  /** The CronScheduleOptions prop that sets it. */
  readonly prop: string;
  readonly min: number;
  readonly max: number;
  /** Names that stand for min, min + 1, ... */
  readonly names?: string[];
  /** The wildcards the field takes besides numbers and names. */
  readonly wildcards: string;
}

const CRON_FIELDS: CronField[] = [
  { prop: 'minute', min: 0, max: 59, wildcards: ', - * /' },
  { prop: 'hour', min: 0, max: 23, wildcards: ', - * /' },
  { prop: 'day', min: 1, max: 31, wildcards: ', - * ? / L W' },
  { prop: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], wildcards: ', - * /' },
  { prop: 'weekDay', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], wildcards: ', - * ? L #' },
  { prop: 'year', min: 1970, max: 2199, wildcards: ', - * /' },
];

/** Whether `text` is a value of the field: a number in its range or one of its names. */
function isCronValue(field: CronField, text: string): boolean {
  if (/^\d+$/.test(text)) return Number(text) >= field.min && Number(text) <= field.max;
  return field.names?.includes(text.toUpperCase()) ?? false;
}

/** Whether one comma-separated item of a field is valid. */
function isCronItem(field: CronField, item: string, items: number): boolean {
  const wildcards = field.wildcards.split(' ');
  const [base, step, ...extra] = item.split('/');
  if (extra.length > 0) return false;
  if (step !== undefined && (!wildcards.includes('/') || !/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max)) return false;
  if (base === '*') return true;
  if (step === undefined && field.prop === 'day' && /^(L|LW|\d{1,2}W)$/.test(base)) {
    return base.startsWith('L') || isCronValue(field, base.slice(0, -1));
  }
  if (step === undefined && field.prop === 'weekDay') {
    if (base === 'L') return true;
    const last = /^(.+)L$/.exec(base);
    if (last) return isCronValue(field, last[1]);
    // '#' takes a single expression: 3#1,6#3 is two (the EventBridge reference above).
    const nth = /^(.+)#([1-5])$/.exec(base);
    if (nth) return items === 1 && isCronValue(field, nth[1]);
  }
  const range = base.split('-');
  return range.length <= 2 && range.every(value => isCronValue(field, value));
}

/** Checks one field; `prop` names it in the error. */
function validateCronField(field: CronField, value: string, prop: string): void {
  if (Token.isUnresolved(value)) return;
  const items = value.split(',');
  const dayField = field.prop === 'day' || field.prop === 'weekDay';
  const valid = value === '?' ? dayField : items.every(item => isCronItem(field, item, items.length));
  if (!valid) {
    const names = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : '';
    throw new Error(`${prop} must be ${field.min}-${field.max}${names} with the wildcards ${field.wildcards} (Image Builder's cron format), got: '${value}'`);
  }
}

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
    CRON_FIELDS.forEach(field => {
      const value = (options as Record<string, unknown>)[field.prop];
      if (value === undefined) return;
      if (typeof value !== 'string') {
        throw new Error(`${field.prop} must be a string such as '5', got a ${typeof value}: '${String(value)}'`);
      }
      validateCronField(field, value, field.prop);
    });
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

  // The example sits in the remarks, not in @param: jsii ends a summary at the first '?' (or
  // '.', '!', ';') followed by a space, and Java shows only a parameter's summary.
  /**
   * A cron expression as Image Builder takes it: `cron(<minute> <hour> <day> <month> <day of week> <year>)`.
   *
   * For example `cron(0 4 ? * SUN *)`: Sundays at 04:00 in the schedule's `timezone` (UTC by
   * default).
   *
   * @param expression the six fields of the cron expression in `cron()`: minute, hour, day of month, month, day of week, year
   */
  public static expression(expression: string, options: ScheduleOptions = {}): PipelineSchedule {
    if (!Token.isUnresolved(expression)) {
      const match = /^cron\((.*)\)$/.exec(expression);
      const fields = match ? match[1].split(' ') : [];
      if (!match || fields.length !== 6) {
        throw new Error(`schedule expression must be cron(<minute> <hour> <day> <month> <day-of-week> <year>) with six fields, got: '${expression}'`);
      }
      fields.forEach((value, i) => validateCronField(CRON_FIELDS[i], value, `schedule expression ${CRON_FIELDS[i].prop} field of '${expression}'`));
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
    // Schedule.Timezone: 3-100 characters matching ^[a-zA-Z0-9]{2,}(?:\/[a-zA-Z0-9\-_+]+)*$
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-imagepipeline-schedule.html).
    if (options.timezone !== undefined && !Token.isUnresolved(options.timezone)
      && (typeof options.timezone !== 'string' || options.timezone.length > 100 || !/^[A-Za-z0-9]{2,}(\/[A-Za-z0-9_+-]+){0,2}$/.test(options.timezone))) {
      throw new Error(`schedule timezone must be an IANA time zone such as Europe/Paris, got: '${options.timezone}'`);
    }
    this.expressionString = expression;
    this.options = options;
  }
}
