import * as path from 'path';
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { HandlerPolicy } from './private/handler-policy';

/** Where the handlers' JavaScript is, built by `npm run build` (scripts/build-handlers.js). */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', 'lambda', 'dist');

/** How often the Provider's waiter calls isComplete. Short, so a model is reported RUNNING within seconds. */
const QUERY_INTERVAL = Duration.seconds(5);

/**
 * Acknowledges one cdk-nag AwsSolutions finding on a construct of this library, with the reason it is by design.
 * @param finding the rule, with the finding id where the rule reports one (`AwsSolutions-IAM5[Resource::*]`)
 */
function acknowledgeFinding(scope: Construct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::${finding}`, reason });
}

const BASIC_EXECUTION_ROLE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** How often the stack guard looks for models the stack owns but no longer declares. */
export const GUARD_RATE = Duration.minutes(5);

/** How often the scheduled waiter looks at a model while it converges after a window boundary. */
const SCHEDULED_POLL = Duration.seconds(30);
/** How long the scheduled waiter tries before its execution fails (and is alarmed): a stop plus a slow start. */
const SCHEDULED_TIMEOUT = Duration.minutes(90);

/** The stack's scheduled path: shared by every model of the stack that has batch windows. */
export interface ScheduledPath {
  /** Called every few minutes by each model's safety-net schedule. */
  readonly function: lambda.IFunction;
  /** Started at each window boundary; polls the function until the model has converged. */
  readonly waiter: sfn.StateMachine;
  /** Where failed periodic invocations and undeliverable schedule events end up. */
  readonly deadLetterQueue: sqs.Queue;
  /** The role EventBridge Scheduler assumes: it may invoke only this function and start only this waiter. */
  readonly schedulerRole: iam.Role;
}

/**
 * The one custom resource provider of a stack: every CustomLabelsModel in the stack shares its Lambda functions,
 * role and waiter state machine, and adds only its custom resource and IAM statements scoped to its project.
 */
export class CustomLabelsProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct): CustomLabelsProvider {
    const stack = Stack.of(scope);
    const id = 'RekognitionCustomLabelsProvider';
    return (stack.node.tryFindChild(id) as CustomLabelsProvider | undefined) ?? new CustomLabelsProvider(stack, id);
  }

  public readonly serviceToken: string;
  /** The role of the onEvent and isComplete functions. */
  public readonly role: iam.Role;
  private readonly policy: HandlerPolicy;
  private readonly declaredVersions = new Map<string, string>();
  private scheduled?: ScheduledPath;
  private scheduledFailures?: cloudwatch.Alarm;
  private readonly code: lambda.Code;
  private readonly runtime: lambda.Runtime;
  /** Where failed scheduled calls (the guard's, the batch windows') and undeliverable schedule events end up. */
  private readonly deadLetterQueue: sqs.Queue;
  /** The role EventBridge Scheduler assumes: it may invoke only this stack's scheduled functions and waiter. */
  private readonly schedulerRole: iam.Role;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Starts, stops and watches the Rekognition Custom Labels models declared in this stack',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    this.policy = new HandlerPolicy(this.role);
    const code = (this.code = lambda.Code.fromAsset(HANDLER_ASSET_DIR));
    const runtime = (this.runtime = lambda.determineLatestNodeRuntime(this));
    const onEvent = new lambda.Function(this, 'OnEvent', {
      description: 'Rekognition Custom Labels models: claims a model for a CloudFormation request',
      runtime,
      code,
      handler: 'index.onEvent',
      role: this.role,
      timeout: Duration.minutes(5),
      // onEvent answers once, so its calls retry longer than isComplete's, which is polled again anyway.
      environment: { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'standard' },
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      description: 'Rekognition Custom Labels models: starts, stops and waits, one step per poll',
      runtime,
      code,
      handler: 'index.isComplete',
      role: this.role,
      timeout: Duration.minutes(2),
      environment: { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' },
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: Duration.hours(1),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.serviceToken = provider.serviceToken;
    acknowledgeFinding(this.role, BASIC_EXECUTION_ROLE,
      'The handler functions (onEvent, isComplete, the stack guard, the scheduled path) write their logs with AWSLambdaBasicExecutionRole ' +
      '(logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents), the managed policy aws-cdk-lib gives the roles it creates for functions; ' +
      "the role's Rekognition and CloudFormation rights are its own statements (lib/private/handler-policy.ts)");
    acknowledgeFinding(provider, BASIC_EXECUTION_ROLE,
      "The Provider framework's own functions (aws-cdk-lib custom-resources) run with the roles aws-cdk-lib creates for them, which have AWSLambdaBasicExecutionRole " +
      '(logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents): this library passes no frameworkOnEventRole or frameworkCompleteAndTimeoutRole of its own');
    const stack = Stack.of(this);
    const versionsOf = (fn: lambda.IFunction) => `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`;
    const frameworkFunctions = ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout'].map((id) => provider.node.findChild(id) as lambda.IFunction);
    for (const fn of [onEvent, isComplete, ...frameworkFunctions]) {
      acknowledgeFinding(provider, versionsOf(fn),
        "The Provider framework's own roles (aws-cdk-lib custom-resources) invoke the versions of its functions and of our onEvent and isComplete (<function arn>:*); aws-cdk-lib writes these statements");
    }
    acknowledgeFinding(provider, 'AwsSolutions-IAM5[Resource::*]',
      "The Provider framework's waiter state machine role (aws-cdk-lib custom-resources): with waiter logging on, aws-cdk-lib writes one statement on *, " +
      'whatever log group it is given: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, ' +
      'DescribeResourcePolicies and DescribeLogGroups, which have no resource types, and logs:CreateLogStream and PutLogEvents, which act on log-stream ARNs ' +
      "and which aws-stepfunctions' own StateMachine logging does not grant. The framework creates this role itself (ProviderProps has no option for it " +
      "or for these statements), so the library could scope them only by overriding the framework's synthesized policy");
    acknowledgeFinding(provider, 'AwsSolutions-SF2',
      "The Provider framework's waiter state machine (aws-cdk-lib custom-resources) has no option to enable X-Ray; the handlers' logs trace every step");
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    acknowledgeFinding(this.role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rekognition:${region}:${account}:project/*]`,
      "Reads (DescribeProjectVersions, ListTagsForResource) cover every project and model of the stack's account and region, to learn whose a model is; " +
      'granted on project/*, StopProjectVersion and TagResource require the ownership tag to name this stack, UntagResource is refused where it names another stack, ' +
      'and tag writes and removals may touch only cdk-custom-labels:* keys: so a version the template no longer declares (a cleanup, a removal, a rollback) ' +
      "can still be stopped, and no other stack's model can (the tag names a stack by its name, and this role reaches only its own stack's region, " +
      'where stack names are unique)');
    acknowledgeFinding(this.role, 'AwsSolutions-IAM5[Resource::*]',
      'rekognition:DescribeProjects has no resource type and cannot be scoped; it finds a project ARN when projectArn is not given, and lets the stack guard list the models of the account');

    this.deadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    acknowledgeFinding(this.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the scheduled calls (Lambda on-failure destination and Scheduler targets)');
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the Custom Labels stack guard and scheduled path of this stack, and nothing else',
    });
    this.addStackGuard();
  }

  /**
   * The stack guard: every few minutes it stops any model whose ownership tag names this stack but which the stack no
   * longer declares (lambda/stack-guard.ts), so that even a cleanup CloudFormation gave up on costs minutes.
   */
  private addStackGuard(): void {
    const guard = new lambda.Function(this, 'StackGuard', {
      description: 'Rekognition Custom Labels models: stops models this stack owns but no longer declares',
      runtime: this.runtime,
      code: this.code,
      handler: 'index.onGuard',
      role: this.role,
      timeout: Duration.minutes(5),
      environment: { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' },
      retryAttempts: 2,
      onFailure: new lambdaDestinations.SqsDestination(this.deadLetterQueue),
    });
    new scheduler.Schedule(this, 'StackGuardSchedule', {
      schedule: scheduler.ScheduleExpression.rate(GUARD_RATE),
      target: new targets.LambdaInvoke(guard, {
        input: scheduler.ScheduleTargetInput.fromObject({ stack: Stack.of(this).stackId }),
        role: this.schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.minutes(10),
      }),
      description: `Stops Rekognition Custom Labels models that ${Stack.of(this).stackName} owns but no longer declares`,
    });
    acknowledgeFinding(this.schedulerRole, `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(guard.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      'EventBridge Scheduler may invoke the versions of the stack guard function; aws-cdk-lib grants <arn>:* with the function');
  }

  /** The stack's scheduled path, created when the first model with batch windows asks for it. */
  public scheduledPath(): ScheduledPath {
    if (this.scheduled) return this.scheduled;
    const deadLetterQueue = this.deadLetterQueue;
    const fn = new lambda.Function(this, 'OnSchedule', {
      description: 'Rekognition Custom Labels models: follows the batch windows, one step per call',
      runtime: this.runtime,
      code: this.code,
      handler: 'index.onSchedule',
      role: this.role,
      timeout: Duration.minutes(2),
      environment: { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' },
      // Periodic calls are asynchronous: Lambda retries a failure twice, then the event lands in the queue.
      retryAttempts: 2,
      onFailure: new lambdaDestinations.SqsDestination(deadLetterQueue),
    });
    const step = new tasks.LambdaInvoke(this, 'Reconcile', {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({ 'model.$': '$.model' }),
      payloadResponseOnly: true,
      resultPath: '$.result',
    });
    // A thrown step (a start that ended FAILED, access denied) is retried, then fails the execution: alarmed.
    step.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(30), maxAttempts: 3, backoffRate: 2 });
    const converged = new sfn.Choice(this, 'Converged?')
      .when(sfn.Condition.booleanEquals('$.result.converged', true), new sfn.Succeed(this, 'Converged'))
      .otherwise(new sfn.Wait(this, 'Wait', { time: sfn.WaitTime.duration(SCHEDULED_POLL) }).next(step));
    const waiter = new sfn.StateMachine(this, 'ScheduleWaiter', {
      definitionBody: sfn.DefinitionBody.fromChainable(step.next(converged)),
      timeout: SCHEDULED_TIMEOUT,
      comment: 'Polls a Rekognition Custom Labels model after a batch-window boundary until it has converged',
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'ScheduleWaiterLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    const schedulerRole = this.schedulerRole;
    const fnVersions = `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`;
    acknowledgeFinding(waiter, fnVersions,
      "The scheduled waiter may invoke its one function and that function's versions (<function arn>:*), as aws-cdk-lib's LambdaInvoke task grants it");
    acknowledgeFinding(waiter, 'AwsSolutions-IAM5[Resource::*]',
      "With tracing and logging on, aws-cdk-lib's StateMachine grants the scheduled waiter's role, on *, xray:PutTraceSegments, PutTelemetryRecords, " +
      'GetSamplingRules, GetSamplingTargets and logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, ' +
      'PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups: none of these actions has a resource type, so * is the only resource they can name');
    acknowledgeFinding(schedulerRole, fnVersions,
      'EventBridge Scheduler may invoke the versions of the one scheduled-path function; aws-cdk-lib grants <arn>:* with the function');
    this.scheduled = { function: fn, waiter, deadLetterQueue, schedulerRole };
    return this.scheduled;
  }

  /**
   * One alarm for the stack's scheduled transitions: a waiter execution that failed or timed out, or a periodic call
   * that ended in the dead-letter queue (after Lambda's retries).
   */
  public scheduledFailureAlarm(): cloudwatch.Alarm {
    if (this.scheduledFailures) return this.scheduledFailures;
    const path = this.scheduledPath();
    this.scheduledFailures = new cloudwatch.Alarm(this, 'ScheduledTransitionsFailed', {
      alarmDescription: 'A batch-window transition of a Rekognition Custom Labels model failed: see the waiter executions and the dead-letter queue',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(deadLetters, 0)',
        usingMetrics: {
          failed: path.waiter.metricFailed({ statistic: cloudwatch.Stats.SUM }),
          timedOut: path.waiter.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
          deadLetters: path.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM }),
        },
        period: Duration.minutes(5),
        label: 'Failed scheduled transitions',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return this.scheduledFailures;
  }

  /**
   * Lets the handlers start and claim one declared version (see lib/private/handler-policy.ts for the whole design).
   * @returns an error message when the stack already declares this version
   */
  public registerModel(versionArn: string, declaredBy: string): string | undefined {
    if (!Token.isUnresolved(versionArn)) {
      const other = this.declaredVersions.get(versionArn);
      if (other !== undefined) return `${versionArn} is already declared by ${other}; a stack can run a model once`;
      this.declaredVersions.set(versionArn, declaredBy);
    }
    this.policy.declare(versionArn);
    return undefined;
  }
}
