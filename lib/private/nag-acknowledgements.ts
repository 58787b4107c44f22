// The cdk-nag AwsSolutions findings the library acknowledges on its own constructs, all of them, each with the reason
// it is by design. The finding ids and reasons are written into the template's metadata: a change here changes it.
import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';
import { TAG_PREFIX } from '../contract/tags';

const ANY_RESOURCE = 'AwsSolutions-IAM5[Resource::*]';

/**
 * Acknowledges one cdk-nag AwsSolutions finding on a construct of this library, with the reason it is by design.
 * @param finding the rule, with the finding id where the rule reports one (`AwsSolutions-IAM5[Resource::*]`)
 */
function acknowledgeFinding(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${finding}`, reason });
}

/** The finding on a statement that names a function's versions (`<function arn>:*`). */
function functionVersions(fn: lambda.IFunction): string {
  return `AwsSolutions-IAM5[Resource::<${Stack.of(fn).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`;
}

/** The handlers' role: the Rekognition reads and stops scoped by tag, not by ARN. */
export function acknowledgeHandlerRole(role: iam.Role): void {
  const stack = Stack.of(role);
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  acknowledgeFinding(role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rekognition:${region}:${account}:project/*]`,
    "Reads (DescribeProjectVersions, ListTagsForResource) cover every project and model of the stack's account and region, to learn whose a model is; " +
    'granted on project/*, StopProjectVersion and TagResource require the ownership tag to name this stack, UntagResource is refused where it names another stack, ' +
    `and tag writes and removals may touch only ${TAG_PREFIX}* keys: so a version the template no longer declares (a cleanup, a removal, a rollback) ` +
    "can still be stopped, and no other stack's model can (the tag names a stack by its name, and these statements reach only its own stack's region, " +
    'where stack names are unique)');
  acknowledgeFinding(role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rekognition:*:${account}:project/*]`,
    "Models of the stack's account in other regions than its own (the handlers call the region in a model's ARN): reads cover every project and model, " +
    "to learn whose a model is; StopProjectVersion, TagResource and UntagResource require the ownership tag to be this stack's other-region form, " +
    `<stack name>@<stack region>/*, which no other stack may write, and tag writes may touch only ${TAG_PREFIX}* keys and the models' tag keys. ` +
    'Every region, not those the template names now, so that a model of a region the template no longer names can still be stopped');
  acknowledgeFinding(role, ANY_RESOURCE,
    'rekognition:DescribeProjects has no resource type and cannot be scoped; it finds a project ARN when projectArn is not given, and lets the stack guard list the models of the account');
}

/**
 * The roles of aws-cdk-lib's Provider framework: `roles`, the library's roles of its functions (frameworkOnEventRole,
 * frameworkCompleteAndTimeoutRole), which call `handlers` (onEvent and isComplete), and the waiter's role the framework
 * creates, which calls the framework's isComplete and onTimeout functions.
 */
export function acknowledgeProviderFramework(provider: cr.Provider, roles: iam.Role[], handlers: lambda.IFunction[]): void {
  for (const role of roles) {
    for (const fn of handlers) {
      acknowledgeFinding(role, functionVersions(fn),
        "The Provider framework's functions (aws-cdk-lib custom-resources) invoke the versions of our onEvent and isComplete (<function arn>:*); " +
        'aws-cdk-lib writes these statements into the roles the library passes it');
    }
  }
  const waited = ['framework-isComplete', 'framework-onTimeout'].map((id) => provider.node.findChild(id) as lambda.IFunction);
  for (const fn of waited) {
    acknowledgeFinding(provider, functionVersions(fn),
      "The Provider framework's waiter state machine role (aws-cdk-lib custom-resources) invokes the versions of the framework's isComplete and onTimeout functions (<function arn>:*); aws-cdk-lib writes these statements");
  }
  acknowledgeFinding(provider, ANY_RESOURCE,
    "The Provider framework's waiter state machine role (aws-cdk-lib custom-resources): with waiter logging on, aws-cdk-lib writes one statement on * " +
    'for the log delivery of Step Functions, logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, ' +
    'PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups, which have no resource types (the library takes out the log writes aws-cdk-lib ' +
    'adds to it, which Step Functions does not make: see lib/private/custom-labels-provider.ts). ' +
    'The library turns on X-Ray tracing of the waiter and adds the statement on * that aws-stepfunctions writes for a traced state machine: ' +
    'xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets, which have no resource types');
}

/** The dead-letter queue of the scheduled calls has no dead-letter queue of its own. */
export function acknowledgeDeadLetterQueue(queue: sqs.Queue): void {
  acknowledgeFinding(queue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the scheduled calls (Lambda on-failure destination and Scheduler targets)');
}

/** EventBridge Scheduler's role invokes the stack guard function as aws-cdk-lib grants it. */
export function acknowledgeStackGuard(schedulerRole: iam.Role, guard: lambda.IFunction): void {
  acknowledgeFinding(schedulerRole, functionVersions(guard),
    'EventBridge Scheduler may invoke the versions of the stack guard function; aws-cdk-lib grants <arn>:* with the function');
}

/** The scheduled waiter's role and EventBridge Scheduler's role, as aws-cdk-lib grants them for the scheduled-path function `fn`. */
export function acknowledgeScheduledPath(waiter: IConstruct, schedulerRole: iam.Role, fn: lambda.IFunction): void {
  acknowledgeFinding(waiter, functionVersions(fn),
    "The scheduled waiter may invoke its one function and that function's versions (<function arn>:*), as aws-cdk-lib's LambdaInvoke task grants it");
  acknowledgeFinding(waiter, ANY_RESOURCE,
    "With tracing and logging on, aws-cdk-lib's StateMachine grants the scheduled waiter's role, on *, xray:PutTraceSegments, PutTelemetryRecords, " +
    'GetSamplingRules, GetSamplingTargets and logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, ' +
    'PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups: none of these actions has a resource type, so * is the only resource they can name');
  acknowledgeFinding(schedulerRole, functionVersions(fn),
    'EventBridge Scheduler may invoke the versions of the one scheduled-path function; aws-cdk-lib grants <arn>:* with the function');
}
