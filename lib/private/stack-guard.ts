// The stack guard: every few minutes it stops any model whose ownership tag names this stack but which the stack no
// longer declares (lambda/stack-guard.ts), so that even a cleanup CloudFormation gave up on costs minutes, not a month.
import { CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { acknowledgeFinding } from './acknowledge';
import { GUARD_REGIONS } from '../contract/resource-properties';
import type { GuardEvent } from '../contract/scheduled-inputs';
import { handlerEntry } from '../contract/handler-entries';
import { HandlerResources } from './handler-resources';

/** The guard function's SDK retry settings. */
export const GUARD_ENVIRONMENT = { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'standard' } as const;

/** How often the stack guard looks for models the stack owns but no longer declares. */
export const GUARD_RATE = Duration.minutes(5);

/**
 * The stack guard, and the resource that remembers the regions it looks in (lambda/guard-regions.ts): the stack's and
 * every region of a model it has declared, `versionArns` being those it declares now (read at synth).
 */
export function addStackGuard(scope: Construct, resources: HandlerResources, serviceToken: string, versionArns: () => string[]): void {
  const stack = Stack.of(scope);
  const regions = new CustomResource(scope, 'GuardRegions', {
    serviceToken,
    resourceType: GUARD_REGIONS.resourceType,
    properties: { [GUARD_REGIONS.versionArns]: Lazy.string({ produce: () => stack.toJsonString(versionArns()) }) },
  });
  const guard = new lambda.Function(scope, 'StackGuard', {
    description: 'Rekognition Custom Labels models: stops models this stack owns but no longer declares',
    runtime: resources.runtime,
    code: resources.code,
    handler: handlerEntry('onGuard'),
    role: resources.role,
    logGroup: resources.logGroups.create(scope, 'StackGuardLogs'),
    timeout: Duration.minutes(5),
    // Retries as long as onEvent's: a guard call that gives up waits for the next run, 5 minutes later.
    environment: { ...GUARD_ENVIRONMENT },
    retryAttempts: 2,
    onFailure: new lambdaDestinations.SqsDestination(resources.deadLetterQueue),
  });
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
  acknowledgeFinding(resources.schedulerRole, `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(guard.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
    'EventBridge Scheduler may invoke the versions of the stack guard function; aws-cdk-lib grants <arn>:* with the function');
}
