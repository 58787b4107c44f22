// The stack guard: every few minutes it stops any model whose ownership tag names this stack but which the stack no
// longer declares (lambda/handlers/stack-guard.ts), so that even a cleanup CloudFormation gave up on costs minutes, not a month.
import { CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { GUARD_REGIONS } from '../contract/resource-properties';
import type { GuardEvent } from '../contract/scheduled-inputs';
import { handlerFunction, HandlerResources } from './handler-functions';
import { acknowledgeStackGuard } from './nag-acknowledgements';

/** How often the stack guard looks for models the stack owns but no longer declares. */
export const GUARD_RATE = Duration.minutes(5);

/**
 * The stack guard, and the resource that remembers the regions it looks in (lambda/handlers/guard-regions.ts): the stack's and
 * every region of a model it has declared, `versionArns` being those it declares now (read at synth).
 */
export function addStackGuard(scope: Construct, resources: HandlerResources, serviceToken: string, versionArns: () => string[]): void {
  const stack = Stack.of(scope);
  const regions = new CustomResource(scope, 'GuardRegions', {
    serviceToken,
    resourceType: GUARD_REGIONS.resourceType,
    properties: { [GUARD_REGIONS.versionArns]: Lazy.string({ produce: () => stack.toJsonString(versionArns()) }) },
  });
  const guard = handlerFunction(scope, 'StackGuard', resources, resources.deadLetterQueue);
  const guardEvent: GuardEvent = { stack: stack.stackId, regions: regions.getAttString(GUARD_REGIONS.regionsAttr) };
  new scheduler.Schedule(scope, 'StackGuardSchedule', {
    schedule: scheduler.ScheduleExpression.rate(GUARD_RATE),
    target: new targets.LambdaInvoke(guard, {
      input: scheduler.ScheduleTargetInput.fromObject(guardEvent),
      role: resources.schedulerRole,
      deadLetterQueue: resources.deadLetterQueue,
      retryAttempts: 3,
      maxEventAge: Duration.minutes(10),
    }),
    description: `Stops Rekognition Custom Labels models that ${Stack.of(scope).stackName} owns but no longer declares`,
  });
  acknowledgeStackGuard(resources.schedulerRole, guard);
}
