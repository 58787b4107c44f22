// The one custom resource provider of a stack (CloudFormation's side): the handler role and its policy, the onEvent
// and isComplete functions behind aws-cdk-lib's Provider framework, and the shared pieces the stack guard and the
// scheduled path run on.
import * as path from 'path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { HandlerLogsOptions } from '../handler-logs';
import { HandlerLogGroups } from './handler-log-groups';
import { acknowledgeFinding } from './acknowledge';
import { validationError } from './errors';
import { HandlerPolicy } from './handler-policy';
import { handlerEntry } from '../contract/handler-entries';
import { TAG_PREFIX } from '../contract/tags';
import { HandlerResources } from './handler-resources';
import { createScheduledPath, deadLetterAlarm, ScheduledPath, scheduledFailureAlarm } from './scheduled-path';
import { addStackGuard } from './stack-guard';

/** Where the handlers' JavaScript is, built by `npm run build` (scripts/build-handlers.js). */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', '..', 'lambda', 'dist');

/** How often the Provider's waiter calls isComplete. Short, so a model is reported RUNNING within seconds. */
const QUERY_INTERVAL = Duration.seconds(5);

const BASIC_EXECUTION_ROLE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

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
  private readonly logGroups = new HandlerLogGroups();
  private readonly declaredVersions = new Map<string, string>();
  /** Every version the stack declares, tokens included: the guard regions resource reads their regions. */
  private readonly registeredVersions: string[] = [];
  private scheduled?: ScheduledPath;
  private scheduledFailures?: cloudwatch.Alarm;
  private deadLetters?: cloudwatch.Alarm;
  /** What the stack guard and the scheduled path run on (lib/private/handler-resources.ts). */
  private readonly handlerResources: HandlerResources;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Starts, stops and watches the Rekognition Custom Labels models declared in this stack',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    this.policy = new HandlerPolicy(this.role);
    const code = lambda.Code.fromAsset(HANDLER_ASSET_DIR);
    const runtime = lambda.determineLatestNodeRuntime(this);
    const onEvent = new lambda.Function(this, 'OnEvent', {
      description: 'Rekognition Custom Labels models: claims a model for a CloudFormation request',
      runtime,
      code,
      handler: handlerEntry('onEvent'),
      role: this.role,
      logGroup: this.logGroups.create(this, 'OnEventLogs'),
      timeout: Duration.minutes(5),
      // onEvent answers once, so its calls retry longer than isComplete's, which is polled again anyway.
      environment: { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'standard' },
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      description: 'Rekognition Custom Labels models: starts, stops and waits, one step per poll',
      runtime,
      code,
      handler: handlerEntry('isComplete'),
      role: this.role,
      logGroup: this.logGroups.create(this, 'IsCompleteLogs'),
      timeout: Duration.minutes(2),
      environment: { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' },
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: Duration.hours(1),
      logGroup: this.logGroups.create(this, 'FrameworkLogs'),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.logGroups.create(this, 'WaiterLogs'), level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.serviceToken = provider.serviceToken;
    traceFrameworkWaiter(provider);
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
      "or for these statements), so the library could scope them only by overriding the framework's synthesized policy. " +
      'The library turns on X-Ray tracing of the waiter and adds the statement on * that aws-stepfunctions writes for a traced state machine: ' +
      'xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets, which have no resource types');
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    acknowledgeFinding(this.role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rekognition:${region}:${account}:project/*]`,
      "Reads (DescribeProjectVersions, ListTagsForResource) cover every project and model of the stack's account and region, to learn whose a model is; " +
      'granted on project/*, StopProjectVersion and TagResource require the ownership tag to name this stack, UntagResource is refused where it names another stack, ' +
      `and tag writes and removals may touch only ${TAG_PREFIX}* keys: so a version the template no longer declares (a cleanup, a removal, a rollback) ` +
      "can still be stopped, and no other stack's model can (the tag names a stack by its name, and these statements reach only its own stack's region, " +
      'where stack names are unique)');
    acknowledgeFinding(this.role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rekognition:*:${account}:project/*]`,
      "Models of the stack's account in other regions than its own (the handlers call the region in a model's ARN): reads cover every project and model, " +
      "to learn whose a model is; StopProjectVersion, TagResource and UntagResource require the ownership tag to be this stack's other-region form, " +
      `<stack name>@<stack region>/*, which no other stack may write, and tag writes may touch only ${TAG_PREFIX}* keys and the models' tag keys. ` +
      'Every region, not those the template names now, so that a model of a region the template no longer names can still be stopped');
    acknowledgeFinding(this.role, 'AwsSolutions-IAM5[Resource::*]',
      'rekognition:DescribeProjects has no resource type and cannot be scoped; it finds a project ARN when projectArn is not given, and lets the stack guard list the models of the account');

    const deadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    acknowledgeFinding(deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue of the scheduled calls (Lambda on-failure destination and Scheduler targets)');
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the Custom Labels stack guard and scheduled path of this stack, and nothing else',
    });
    this.handlerResources = { role: this.role, code, runtime, deadLetterQueue, schedulerRole, logGroups: this.logGroups };
    addStackGuard(this, this.handlerResources, this.serviceToken, () => this.registeredVersions);
  }

  /** Lets the handlers write these tag keys of a model besides the library's own (read at synth). */
  public allowTagKeys(keys: () => string[]): void {
    this.policy.allowTagKeys(keys);
  }

  /** Lets the handlers read a model's hold parameter (GetParameter on its ARN only). */
  public allowReadHold(parameterArn: string): void {
    this.policy.allowReadHold(parameterArn);
  }

  /** Lets the handlers read one demand queue's message counts (GetQueueAttributes on its ARN). */
  public allowReadQueue(queueArn: string): void {
    this.policy.allowReadQueue(queueArn);
  }

  /** Sets the log groups' retention, removal policy and key, for the model that gives them (see lib/handler-logs.ts). */
  public configureLogs(model: Construct, options: HandlerLogsOptions | undefined): void {
    this.logGroups.configure(model, options);
  }

  /** The stack's scheduled path, created when the first model with batch windows asks for it. */
  public scheduledPath(): ScheduledPath {
    this.scheduled ??= createScheduledPath(this, this.handlerResources);
    return this.scheduled;
  }

  /** The alarm on the stack's failed scheduled transitions, created when the first cost guard asks for it. */
  public scheduledFailureAlarm(): cloudwatch.Alarm {
    this.scheduledFailures ??= scheduledFailureAlarm(this, this.scheduledPath());
    return this.scheduledFailures;
  }

  /** The alarm on the stack's dead-letter queue (the stack guard's and the scheduled path's failed calls). */
  public deadLetterAlarm(): cloudwatch.Alarm {
    this.deadLetters ??= deadLetterAlarm(this, this.handlerResources.deadLetterQueue);
    return this.deadLetters;
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
    this.registeredVersions.push(versionArn);
    return undefined;
  }
}

/**
 * Turns on X-Ray tracing of the Provider framework's waiter state machine (AWS Control Tower's CT.STEPFUNCTIONS.PR.2,
 * cdk-nag's AwsSolutions-SF2), which ProviderProps has no option for: sets TracingConfiguration on the framework's
 * CfnStateMachine and grants its role what the Step Functions developer guide lists for tracing, the statement
 * aws-stepfunctions' StateMachine writes with `tracingEnabled`.
 */
function traceFrameworkWaiter(provider: cr.Provider): void {
  const waiter = provider.node.findChild('waiter-state-machine');
  const machine = waiter.node.defaultChild;
  const role = waiter.node.tryFindChild('Role');
  if (!(machine instanceof sfn.CfnStateMachine) || !(role instanceof iam.Role)) {
    throw validationError('UnexpectedProviderFramework', waiter,
      "aws-cdk-lib's Provider framework waiter is no longer a CfnStateMachine with a Role: the library cannot turn on its X-Ray tracing");
  }
  machine.tracingConfiguration = { enabled: true };
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    resources: ['*'],
  }));
}
