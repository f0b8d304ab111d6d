import { Duration } from 'aws-cdk-lib';

/**
 * A log file the CloudWatch agent ships.
 */
export interface CloudWatchLogFile {
  /**
   * The absolute path of the file; the agent accepts `*` wildcards. One line, no control
   * characters but tab.
   */
  readonly filePath: string;

  /**
   * The log group.
   *
   * @default - `'<logGroupPrefix>/application'`, under the agent's log group prefix
   */
  readonly logGroupName?: string;

  /**
   * The timestamp format of the lines, in the agent's notation (for example `%Y-%m-%d %H:%M:%S`).
   * One line, no control characters but tab.
   *
   * @default - the time the agent reads the line
   */
  readonly timestampFormat?: string;
}

/**
 * A metric the CloudWatch agent collects.
 */
export interface CloudWatchAgentMetric {
  /**
   * The section of `metrics_collected`: on Linux, for example `cpu`, `disk`, `diskio`, `mem`,
   * `net`, `netstat`, `processes`, `swap`; on Windows, a performance counter object such as
   * `Processor` or `TCPv4`. One line, no control characters but tab.
   */
  readonly category: string;

  /**
   * The measurement, for example `cpu_usage_iowait` or `% Processor Time`. One line, no
   * control characters but tab.
   */
  readonly measurement: string;
}

/**
 * The CloudWatch agent baked into the image, with a configuration the library generates:
 * system and security logs, audit logs, memory, disk and swap metrics, and your additions.
 */
export interface CloudWatchAgentOptions {
  /**
   * Install and configure the agent.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The prefix of the log groups (`<prefix>/system`, `<prefix>/security`, `<prefix>/audit`).
   *
   * @default - `'/golden-ami/<recipe name>'`
   */
  readonly logGroupPrefix?: string;

  /**
   * More log files to ship.
   *
   * In Python, pass `CloudWatchLogFile(file_path="/var/log/app/*.log")` objects. A dict must
   * use the camelCase keys (`{"filePath": ..., "logGroupName": ...}`): jsii drops any other key
   * of a dict without an error.
   *
   * @default - none
   */
  readonly additionalLogFiles?: CloudWatchLogFile[];

  /**
   * More metrics to collect.
   *
   * In Python, pass `CloudWatchAgentMetric(category="cpu", measurement="cpu_usage_iowait")`
   * objects (a dict with the keys `category` and `measurement` works too).
   *
   * @default - none
   */
  readonly additionalMetrics?: CloudWatchAgentMetric[];

  /**
   * The metric namespace: 1-255 characters, no ':', one line, no control characters but tab.
   *
   * @default 'CWAgent'
   */
  readonly namespace?: string;

  /**
   * How often metrics are collected (1 second to 1 day, whole seconds).
   *
   * @default Duration.seconds(60)
   */
  readonly metricsCollectionInterval?: Duration;
}
