// The options of demand-driven runs (the demand prop): the model runs while an SQS queue the user names holds messages
// and stops once the queue has been empty for the idle time (lambda/decisions/demand.ts decides). Validated and scheduled in
// lib/private/demand.ts.
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * Demand-driven runs of a model: see the README, "Demand-driven runs".
 *
 * @example
 * import * as sqs from 'aws-cdk-lib/aws-sqs';
 * import { Duration } from 'aws-cdk-lib';
 *
 * declare const queue: sqs.IQueue;
 *
 * const demand: DemandOptions = { queue, idleTime: Duration.minutes(20), minInferenceUnits: 2 };
 */
export interface DemandOptions {
  /**
   * The queue whose messages are the model's work. The model runs while it holds messages: visible, in flight
   * (received and not yet deleted) or delayed. Only its message counts are read (sqs:GetQueueAttributes), never a
   * message, so a queue encrypted with a KMS key needs no key permission.
   */
  readonly queue: sqs.IQueue;

  /**
   * How long the queue must have been empty before the model stops. From 1 minute to 24 hours, in whole minutes (the
   * scheduled path looks every minute). The idle time begins at the first pass that finds the queue empty, and the
   * pass scheduled at its end stops the model; as passes read their clock a little late, a pass that finds the idle
   * time over but for 10 seconds counts it over, so the model never stops earlier than the idle time less 10 seconds
   * after the queue emptied.
   *
   * @default Duration.minutes(15)
   */
  readonly idleTime?: Duration;

  /**
   * The units the model runs with for demand (a window open runs it with the window's units instead).
   *
   * @default - the model's own `minInferenceUnits`
   */
  readonly minInferenceUnits?: number;

  /**
   * The most units Rekognition may autoscale the model to for demand; an integer >= the demand's `minInferenceUnits`.
   *
   * @default - the model's own `maxInferenceUnits` when the demand sets no `minInferenceUnits`, else no autoscaling
   */
  readonly maxInferenceUnits?: number;
}
