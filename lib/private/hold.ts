// Holds without a redeploy: one SSM String parameter per model that an operator or a pipeline writes (a hold) and
// the scheduled path reads at every pass (lambda/decisions/hold.ts says what a value means). Created by the stack, so it goes
// with it; its only reader is the handlers' role (GetParameter on its ARN), its writers those grantHold() names.
import { Duration } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { HOLD } from '../contract/resource-properties';
import { parameterDescription } from './parameter-name';
import type { ScheduledPassEvent } from '../contract/scheduled-inputs';
import { schedulePeriodicPass } from './scheduled-pass';
import { ScheduledPath } from './scheduled-path';

/** How often a model with holds and no batch windows is looked at: the same period as the windows' safety net. */
export const HOLD_PASS_RATE = Duration.minutes(5);

/** The model's hold parameter, created with the value that means "no hold". */
export function createHoldParameter(model: Construct, name: string): ssm.StringParameter {
  return new ssm.StringParameter(model, 'Hold', {
    parameterName: name,
    // Always a hierarchical name (validated with the props): its ARN is parameter<name>, also when the name is a token.
    simpleName: false,
    stringValue: HOLD.none,
    description: parameterDescription(`Hold for the Rekognition Custom Labels model ${model.node.path}: "${HOLD.none}", or {"state":"RUNNING"|"STOPPED","until":"<ISO 8601>"} (see the README)`),
  });
}

/**
 * The periodic pass of a model with holds but no batch windows (one with windows has its safety net already): every
 * 5 minutes, the scheduled path reads the hold and converges the model, as for windows.
 */
export function scheduleHoldPasses(model: Construct, path: ScheduledPath, event: ScheduledPassEvent): void {
  schedulePeriodicPass(model, path, event, {
    id: 'HoldPass', rate: HOLD_PASS_RATE, maxEventAge: Duration.minutes(30), description: `Keeps ${model.node.path} as its hold says`,
  });
}
