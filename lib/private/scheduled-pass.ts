// How a model's schedules start the stack's scheduled path (lib/private/scheduled-path.ts): the event every one of them
// carries (the contract's ScheduledPassEvent), their target settings, and the periodic pass that invokes the function.
import { CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { ScheduledPassEvent } from '../contract/scheduled-inputs';
import { ScheduledPath } from './scheduled-path';

/** The event of every schedule of one model: the custom resource's properties, and the stack and logical id it has. */
export function scheduledPassEvent(resource: CfnResource, properties: Record<string, string>): ScheduledPassEvent {
  const stack = Stack.of(resource);
  return { model: { properties, stackName: stack.stackName, logicalId: stack.getLogicalId(resource) } };
}

/**
 * A schedule target's settings for the scheduled path: the model's event, Scheduler's role, the dead-letter queue,
 * three retries, and how old an event may be before it is stale (the next pass decides afresh).
 */
export function scheduledPassTarget(path: ScheduledPath, event: ScheduledPassEvent, maxEventAge: Duration): targets.ScheduleTargetBaseProps {
  return { input: scheduler.ScheduleTargetInput.fromObject(event), role: path.schedulerRole, deadLetterQueue: path.deadLetterQueue, retryAttempts: 3, maxEventAge };
}

/** What a periodic pass of one model is: its schedule's id, rate, event age bound and description. */
export interface PeriodicPass {
  readonly id: string;
  readonly rate: Duration;
  readonly maxEventAge: Duration;
  readonly description: string;
}

/** A schedule that invokes the scheduled-path function for one model at a rate: it converges the model each time. */
export function schedulePeriodicPass(model: Construct, path: ScheduledPath, event: ScheduledPassEvent, pass: PeriodicPass): scheduler.Schedule {
  return new scheduler.Schedule(model, pass.id, {
    schedule: scheduler.ScheduleExpression.rate(pass.rate),
    target: new targets.LambdaInvoke(path.function, scheduledPassTarget(path, event, pass.maxEventAge)),
    description: pass.description,
  });
}
