import { Token } from 'aws-cdk-lib';
import { CloudWatchAgentMetric, CloudWatchAgentOptions, CloudWatchLogFile } from './cloudwatch-agent-config';
import { OperatingSystem, OperatingSystemFamily } from './operating-system';
import { jsonForLiteralBlock } from '../private/toe-document';
import { StructKeys, validateStructList, validateText } from '../private/validation';

/* Renders and checks the CloudWatch agent configuration; not API. */

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

const LOG_FILE_KEYS: StructKeys<CloudWatchLogFile> = { filePath: true, logGroupName: false, timestampFormat: false };
const METRIC_KEYS: StructKeys<CloudWatchAgentMetric> = { category: true, measurement: true };

interface LogEntry {
  file_path: string;
  log_group_name: string;
  log_stream_name: string;
  timestamp_format?: string;
}

/** The log files each Linux family writes system and security events to. */
function linuxLogFiles(os: OperatingSystem, prefix: string): LogEntry[] {
  const ubuntu = os.family === OperatingSystemFamily.UBUNTU;
  const entry = (filePath: string, group: string): LogEntry => ({ file_path: filePath, log_group_name: `${prefix}/${group}`, log_stream_name: '{instance_id}' });
  return [
    entry(ubuntu ? '/var/log/syslog' : '/var/log/messages', 'system'),
    entry(ubuntu ? '/var/log/auth.log' : '/var/log/secure', 'security'),
    entry('/var/log/sudo.log', 'security'),
    entry('/var/log/audit/audit.log', 'audit'),
    entry('/var/log/cloud-init-output.log', 'cloud-init'),
  ];
}

/** Checks the options; names the prop and the value. */
export function validateCloudWatchAgentOptions(options: CloudWatchAgentOptions): void {
  if (options.logGroupPrefix !== undefined && !Token.isUnresolved(options.logGroupPrefix) && !LOG_GROUP_NAME.test(options.logGroupPrefix)) {
    throw new Error(`cloudWatchAgent.logGroupPrefix must be 1-512 characters of letters, digits and . - _ / #, got: '${options.logGroupPrefix}'`);
  }
  validateStructList('cloudWatchAgent.additionalLogFiles', options.additionalLogFiles, 'CloudWatchLogFile', LOG_FILE_KEYS);
  validateStructList('cloudWatchAgent.additionalMetrics', options.additionalMetrics, 'CloudWatchAgentMetric', METRIC_KEYS);
  (options.additionalLogFiles ?? []).forEach((file, index) => {
    const prop = `cloudWatchAgent.additionalLogFiles[${index}]`;
    // Each value lands in the agent's JSON, in a heredoc inside a YAML literal block.
    validateText(`${prop}.filePath`, file.filePath);
    if (file.timestampFormat !== undefined) validateText(`${prop}.timestampFormat`, file.timestampFormat);
    if (!Token.isUnresolved(file.filePath) && !/^(\/|[A-Za-z]:\\)/.test(file.filePath)) {
      throw new Error(`${prop}.filePath must be an absolute path, got: '${file.filePath}'`);
    }
    if (file.logGroupName !== undefined && !Token.isUnresolved(file.logGroupName) && !LOG_GROUP_NAME.test(file.logGroupName)) {
      throw new Error(`${prop}.logGroupName must be 1-512 characters of letters, digits and . - _ / #, got: '${file.logGroupName}'`);
    }
  });
  (options.additionalMetrics ?? []).forEach((metric, index) => {
    validateText(`cloudWatchAgent.additionalMetrics[${index}].category`, metric.category);
    validateText(`cloudWatchAgent.additionalMetrics[${index}].measurement`, metric.measurement);
    if (metric.category.trim().length === 0 || metric.measurement.trim().length === 0) {
      throw new Error(`cloudWatchAgent.additionalMetrics[${index}] needs a category and a measurement, got: '${metric.category}' / '${metric.measurement}'`);
    }
  });
  if (options.namespace !== undefined) validateText('cloudWatchAgent.namespace', options.namespace);
  if (options.namespace !== undefined && !Token.isUnresolved(options.namespace) && !/^[^:][^:]{0,254}$/.test(options.namespace)) {
    throw new Error(`cloudWatchAgent.namespace must be 1-255 characters without ':', got: '${options.namespace}'`);
  }
  const interval = options.metricsCollectionInterval;
  if (interval !== undefined && !interval.isUnresolved()) {
    const seconds = interval.toMilliseconds() / 1000;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86400) {
      throw new Error(`cloudWatchAgent.metricsCollectionInterval must be whole seconds from 1 to 86400, got: '${interval.toHumanString()}'`);
    }
  }
}

/**
 * The agent configuration (JSON) for an OS: system, security and audit logs, memory, disk
 * and swap (or paging file) metrics with instance, image and Auto Scaling group dimensions,
 * and the user's additions.
 */
export function renderCloudWatchAgentConfig(os: OperatingSystem, options: CloudWatchAgentOptions, defaultPrefix: string): string {
  const prefix = options.logGroupPrefix ?? defaultPrefix;
  // The default comes from the recipe name, which may hold spaces a log group name may not.
  if (options.logGroupPrefix === undefined && !Token.isUnresolved(prefix) && !LOG_GROUP_NAME.test(prefix)) {
    throw new Error(`cloudWatchAgent.logGroupPrefix defaults to '${prefix}' (from the recipe name), which is not a log group name (letters, digits and . - _ / #): set cloudWatchAgent.logGroupPrefix`);
  }
  const windows = os.family === OperatingSystemFamily.WINDOWS;
  const interval = options.metricsCollectionInterval ? options.metricsCollectionInterval.toSeconds() : 60;

  const files: LogEntry[] = windows ? [] : linuxLogFiles(os, prefix);
  for (const file of options.additionalLogFiles ?? []) {
    files.push({
      file_path: file.filePath,
      log_group_name: file.logGroupName ?? `${prefix}/application`,
      log_stream_name: '{instance_id}',
      ...(file.timestampFormat !== undefined ? { timestamp_format: file.timestampFormat } : {}),
    });
  }

  const logsCollected: Record<string, unknown> = {};
  if (files.length > 0) {
    logsCollected.files = { collect_list: files };
  }
  if (windows) {
    const levels = ['INFORMATION', 'WARNING', 'ERROR', 'CRITICAL'];
    logsCollected.windows_events = {
      collect_list: [
        { event_name: 'System', event_levels: levels, log_group_name: `${prefix}/system`, log_stream_name: '{instance_id}' },
        { event_name: 'Security', event_levels: levels, log_group_name: `${prefix}/security`, log_stream_name: '{instance_id}' },
        { event_name: 'Application', event_levels: levels, log_group_name: `${prefix}/application`, log_stream_name: '{instance_id}' },
      ],
    };
  }

  const metrics: Record<string, { measurement: string[]; resources?: string[] }> = windows
    ? {
      'Memory': { measurement: ['% Committed Bytes In Use'] },
      'LogicalDisk': { measurement: ['% Free Space'], resources: ['*'] },
      'Paging File': { measurement: ['% Usage'], resources: ['*'] },
    }
    : {
      mem: { measurement: ['mem_used_percent'] },
      disk: { measurement: ['used_percent', 'inodes_free'], resources: ['/'] },
      swap: { measurement: ['swap_used_percent'] },
    };
  for (const metric of options.additionalMetrics ?? []) {
    const section = metrics[metric.category] ?? (metrics[metric.category] = { measurement: [] });
    if (!section.measurement.includes(metric.measurement)) {
      section.measurement.push(metric.measurement);
    }
  }

  const config = {
    agent: windows
      ? { metrics_collection_interval: interval }
      : { metrics_collection_interval: interval, run_as_user: 'root' },
    logs: { logs_collected: logsCollected },
    metrics: {
      namespace: options.namespace ?? 'CWAgent',
      append_dimensions: {
        InstanceId: '${aws:InstanceId}',
        ImageId: '${aws:ImageId}',
        AutoScalingGroupName: '${aws:AutoScalingGroupName}',
      },
      metrics_collected: metrics,
    },
  };
  // The JSON sits in a heredoc (here-string) inside a YAML literal block.
  return jsonForLiteralBlock(config, 2);
}
