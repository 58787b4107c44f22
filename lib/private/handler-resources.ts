// The resources every handler function of a stack shares (the onEvent and isComplete functions, the stack guard, the
// scheduled path), created once by the provider, and the one way a function is made of them.
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

/** What tells one handler function from another. */
export interface HandlerFunctionOptions {
  readonly description: string;
  /** The bundle's export the function runs. */
  readonly handler: HandlerName;
  /** The id of its log group, beside the function. */
  readonly logGroupId: string;
  readonly timeout: Duration;
  /** The SDK's retry settings. */
  readonly environment: Record<string, string>;
  /**
   * For a function called asynchronously (by a schedule): Lambda retries a failure twice, then the event lands here.
   * @default - called synchronously: no on-failure destination
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** One of the library's handler functions, on the stack's shared role, code, runtime and log groups. */
export function handlerFunction(scope: Construct, id: string, resources: HandlerCode, options: HandlerFunctionOptions): lambda.Function {
  return new lambda.Function(scope, id, {
    description: options.description,
    runtime: resources.runtime,
    code: resources.code,
    handler: handlerEntry(options.handler),
    role: resources.role,
    logGroup: resources.logGroups.create(scope, options.logGroupId),
    timeout: options.timeout,
    environment: options.environment,
    ...(options.deadLetterQueue ? { retryAttempts: 2, onFailure: new lambdaDestinations.SqsDestination(options.deadLetterQueue) } : {}),
  });
}
