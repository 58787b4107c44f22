// The library's Lambda functions in a stack (onEvent and isComplete behind the Provider framework, the scheduled path,
// the stack guard): what each one is, the resources they share, and the one way a function is made of them.
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HandlerName, handlerEntry } from '../contract/handler-entries';
import { HandlerLogGroups } from './handler-log-groups';

/** What every handler function of a stack runs on: the handler role, the bundle's code and runtime, the library's log groups. */
export interface HandlerCode {
  readonly role: iam.IRole;
  readonly code: lambda.Code;
  readonly runtime: lambda.Runtime;
  readonly logGroups: HandlerLogGroups;
}

/**
 * What the stack guard and the scheduled path run on besides: the dead-letter queue (failed scheduled calls,
 * undeliverable schedule events) and the role EventBridge Scheduler assumes.
 */
export interface HandlerResources extends HandlerCode {
  readonly deadLetterQueue: sqs.Queue;
  readonly schedulerRole: iam.Role;
}

/** The SDK's retry settings of a function: the standard mode, with so many attempts a call. */
function sdkRetries(maxAttempts: number): { readonly AWS_MAX_ATTEMPTS: string; readonly AWS_RETRY_MODE: 'standard' } {
  return { AWS_MAX_ATTEMPTS: String(maxAttempts), AWS_RETRY_MODE: 'standard' };
}

/** The stack guard's SDK retry settings (test/support runs the guard handler with them). */
export const GUARD_ENVIRONMENT = sdkRetries(10);

/** One function: the bundle's export it runs, its description, timeout and SDK retry settings. */
interface HandlerFunctionSpec {
  readonly handler: HandlerName;
  readonly description: string;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
}

/** The library's functions, by construct id; each function's log group is `<id>Logs`. */
const HANDLER_FUNCTIONS = {
  // onEvent answers once, so its calls retry longer than isComplete's, which is polled again anyway.
  OnEvent: { handler: 'onEvent', timeout: Duration.minutes(5), environment: sdkRetries(10), description: 'Rekognition Custom Labels models: claims a model for a CloudFormation request' },
  IsComplete: { handler: 'isComplete', timeout: Duration.minutes(2), environment: sdkRetries(3), description: 'Rekognition Custom Labels models: starts, stops and waits, one step per poll' },
  OnSchedule: { handler: 'onSchedule', timeout: Duration.minutes(2), environment: sdkRetries(3), description: 'Rekognition Custom Labels models: follows the batch windows, one step per call' },
  // Retries as long as onEvent's: a guard call that gives up waits for the next run, 5 minutes later.
  StackGuard: { handler: 'onGuard', timeout: Duration.minutes(5), environment: GUARD_ENVIRONMENT, description: 'Rekognition Custom Labels models: stops models this stack owns but no longer declares' },
} satisfies Record<string, HandlerFunctionSpec>;

/**
 * One of the library's functions, on the stack's shared role, code, runtime and log groups, its role allowed to write
 * to its log group only (lib/private/handler-log-groups.ts). A function the schedules
 * call asynchronously gives `deadLetterQueue`: Lambda retries a failure twice, then the event lands there.
 */
export function handlerFunction(scope: Construct, id: keyof typeof HANDLER_FUNCTIONS, code: HandlerCode, deadLetterQueue?: sqs.IQueue): lambda.Function {
  const spec: HandlerFunctionSpec = HANDLER_FUNCTIONS[id];
  const logGroup = code.logGroups.create(scope, `${id}Logs`);
  code.logGroups.allowWrites(code.role, logGroup);
  return new lambda.Function(scope, id, {
    description: spec.description,
    runtime: code.runtime,
    code: code.code,
    handler: handlerEntry(spec.handler),
    role: code.role,
    logGroup,
    timeout: spec.timeout,
    environment: { ...spec.environment },
    ...(deadLetterQueue ? { retryAttempts: 2, onFailure: new lambdaDestinations.SqsDestination(deadLetterQueue) } : {}),
  });
}
