// What the cost guard alarms and the dashboard widgets read of a model of this stack, besides its metrics.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ScheduledPath } from './scheduled-path';

/** What the cost guard alarms and the dashboard widgets read of a model of this stack, besides its metrics. */
export interface ModelMonitoringInputs {
  /** The most units anything in the declaration allows: the model's max or min, or any window's. */
  readonly highestDeclaredUnits: number;
  /** What the batch windows expect now (the scheduled path publishes it); undefined without batch windows. */
  readonly expectedUnits?: cloudwatch.Metric;
  /** The stack's scheduled path, and the alarm on its failures (created on first use); undefined without batch windows. */
  readonly scheduledPath?: ScheduledPath;
  readonly scheduledFailures?: () => cloudwatch.Alarm;
  /** The alarm on the stack's dead-letter queue (created on first use): every stack has a stack guard. */
  readonly deadLetters: () => cloudwatch.Alarm;
}
