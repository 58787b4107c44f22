// Demand-driven runs: the model runs while an SQS queue the user names holds messages and stops once the queue has
// been empty for the idle time (lambda/demand.ts decides). The scheduled path reads the queue's message counts at
// every pass, GetQueueAttributes on that queue's ARN and nothing else of SQS; a pass every minute brings the first
// message's start within a minute.
import { CfnResource, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { validationError } from './private/errors';
import { DEMAND } from './contract/resource-properties';
import { ScheduledPath } from './scheduled-path';

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

/** How often the scheduled path looks at a model with demand: EventBridge Scheduler's shortest rate. */
export const DEMAND_PASS_RATE = Duration.minutes(DEMAND.passMinutes);

/** The demand as the handlers read it: idle seconds and units, validated. */
export interface ResolvedDemand {
  readonly idleSeconds: number;
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
}

/** Refuses an idle time outside its bounds and units Rekognition would refuse; names the prop and the range. */
export function resolveDemand(scope: IConstruct, demand: DemandOptions, min: number, max: number | undefined): ResolvedDemand {
  const idle = demand.idleTime ?? Duration.seconds(DEMAND.defaultIdleSeconds);
  const idleSeconds = idle.toSeconds({ integral: false });
  if (!Token.isUnresolved(idleSeconds) && (!Number.isInteger(idleSeconds / 60) || idleSeconds < DEMAND.minIdleSeconds || idleSeconds > DEMAND.maxIdleSeconds)) {
    throw validationError('InvalidDemandIdleTime', scope, `demand.idleTime must be a whole number of minutes from 1 minute to 24 hours (the scheduled path looks every minute), got ${idle.toHumanString()}`);
  }
  const units = (prop: string, value: number | undefined) => {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
      throw validationError('InvalidDemandInferenceUnits', scope, `${prop} must be an integer >= 1, got ${value}`);
    }
  };
  units('demand.minInferenceUnits', demand.minInferenceUnits);
  units('demand.maxInferenceUnits', demand.maxInferenceUnits);
  const dMin = demand.minInferenceUnits ?? min;
  const dMax = demand.maxInferenceUnits ?? (demand.minInferenceUnits === undefined ? max : undefined);
  if (dMax !== undefined && !Token.isUnresolved(dMax) && !Token.isUnresolved(dMin) && dMax < dMin) {
    throw validationError('InvalidDemandInferenceUnits', scope, `demand.maxInferenceUnits (${dMax}) must be >= demand.minInferenceUnits (${dMin})`);
  }
  return { idleSeconds, minInferenceUnits: dMin, ...(dMax !== undefined ? { maxInferenceUnits: dMax } : {}) };
}

/**
 * The periodic pass of a model with demand: every minute, the scheduled path reads the queue (and the hold, and the
 * windows) and converges the model. It replaces the 5-minute hold pass of a model without windows; a model with
 * windows keeps its 5-minute safety net besides (two passes at once are harmless: level-triggered).
 */
export function scheduleDemandPasses(model: Construct, path: ScheduledPath, resource: CustomResource, properties: Record<string, string>): void {
  const stack = Stack.of(model);
  const input = scheduler.ScheduleTargetInput.fromObject({
    model: { properties, stackName: stack.stackName, logicalId: stack.getLogicalId(resource.node.defaultChild as CfnResource) },
  });
  new scheduler.Schedule(model, 'DemandPass', {
    schedule: scheduler.ScheduleExpression.rate(DEMAND_PASS_RATE),
    // A pass older than a few periods is stale: the next one reads the queue afresh.
    target: new targets.LambdaInvoke(path.function, { input, role: path.schedulerRole, deadLetterQueue: path.deadLetterQueue, retryAttempts: 3, maxEventAge: Duration.minutes(5) }),
    description: `Runs ${model.node.path} while its queue holds messages`,
  });
}
