// Demand-driven runs, the construct's side: the demand options validated and resolved as the handlers read them, and
// the pass every minute that brings the first message's start within a minute (the scheduled path reads the queue's
// message counts, GetQueueAttributes on that queue's ARN and nothing else of SQS; lambda/decisions/demand.ts decides).
import { Duration, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { DEMAND } from '../contract/resource-properties';
import type { ScheduledPassEvent } from '../contract/scheduled-inputs';
import { DemandOptions } from '../demand';
import { validationError } from './errors';
import { schedulePeriodicPass } from './scheduled-pass';
import { ScheduledPath } from './scheduled-path';

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
export function scheduleDemandPasses(model: Construct, path: ScheduledPath, event: ScheduledPassEvent): void {
  schedulePeriodicPass(model, path, event, {
    id: 'DemandPass',
    rate: DEMAND_PASS_RATE,
    // A pass older than a few periods is stale: the next one reads the queue afresh.
    maxEventAge: Duration.minutes(5),
    description: `Runs ${model.node.path} while its queue holds messages`,
  });
}
