// The one custom resource provider of a stack (CloudFormation's side): the handler role and its policy, the onEvent
// and isComplete functions behind aws-cdk-lib's Provider framework, and the shared pieces the stack guard and the
// scheduled path run on.
import * as path from 'path';
import { ArnFormat, Duration, IResolveContext, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { HandlerLogsOptions } from '../handler-logs';
import { validationError } from './errors';
import { HandlerLogGroups } from './handler-log-groups';
import { HandlerPolicy } from './handler-policy';
import { HandlerCode, handlerFunction, HandlerResources } from './handler-functions';
import { acknowledgeDeadLetterQueue, acknowledgeHandlerRole, acknowledgeProviderFramework } from './nag-acknowledgements';
import { createScheduledPath, deadLetterAlarm, ScheduledPath, scheduledFailureAlarm } from './scheduled-path';
import { addStackGuard } from './stack-guard';
import { stackSettings } from './stack-settings';

/** Where the handlers' JavaScript is, built by `npm run build` (scripts/bundle.js). */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', '..', 'lambda', 'dist');

/** The schedule group of every schedule the library creates: EventBridge Scheduler's default. */
const DEFAULT_SCHEDULE_GROUP = 'default';

/** How often the Provider's waiter calls isComplete. Short, so a model is reported RUNNING within seconds. */
const QUERY_INTERVAL = Duration.seconds(5);

/**
 * The one custom resource provider of a stack: every CustomLabelsModel in the stack shares its Lambda functions,
 * role and waiter state machine, and adds only its custom resource and IAM statements scoped to its project.
 */
const PROVIDER_ID = 'RekognitionCustomLabelsProvider';

export class CustomLabelsProvider extends Construct {
  /** The stack's provider, if a model has created it. */
  public static existing(scope: Construct): CustomLabelsProvider | undefined {
    return Stack.of(scope).node.tryFindChild(PROVIDER_ID) as CustomLabelsProvider | undefined;
  }

  /** The stack's provider, created on first use with the stack's settings (CustomLabelsModel.configureStack). */
  public static of(scope: Construct): CustomLabelsProvider {
    const existing = CustomLabelsProvider.existing(scope);
    if (existing) return existing;
    const provider = new CustomLabelsProvider(Stack.of(scope), PROVIDER_ID);
    const logs = stackSettings(scope)?.handlerLogs;
    if (logs) provider.configureLogs(scope, logs);
    return provider;
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
  /** What the stack guard and the scheduled path run on (lib/private/handler-functions.ts). */
  private readonly handlerResources: HandlerResources;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Starts, stops and watches the Rekognition Custom Labels models declared in this stack',
      // No AWSLambdaBasicExecutionRole: each function of the role is allowed to write to its own log group only
      // (handlerFunction, lib/private/handler-functions.ts).
    });
    this.policy = new HandlerPolicy(this.role);
    const handlerCode: HandlerCode = {
      role: this.role,
      code: lambda.Code.fromAsset(HANDLER_ASSET_DIR),
      runtime: lambda.determineLatestNodeRuntime(this),
      logGroups: this.logGroups,
    };
    const onEvent = handlerFunction(this, 'OnEvent', handlerCode);
    const isComplete = handlerFunction(this, 'IsComplete', handlerCode);
    const frameworkLogs = this.logGroups.create(this, 'FrameworkLogs');
    const frameworkOnEventRole = this.frameworkRole('FrameworkOnEventRole', frameworkLogs,
      "Runs the Provider framework's onEvent function of the Custom Labels models of this stack: invokes their onEvent and isComplete functions, starts the waiter");
    const frameworkCompleteAndTimeoutRole = this.frameworkRole('FrameworkCompleteAndTimeoutRole', frameworkLogs,
      "Runs the Provider framework's isComplete and onTimeout functions of the Custom Labels models of this stack: invoke their onEvent and isComplete functions");
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: Duration.hours(1),
      logGroup: frameworkLogs,
      frameworkOnEventRole,
      frameworkCompleteAndTimeoutRole,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.logGroups.create(this, 'WaiterLogs'), level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.serviceToken = provider.serviceToken;
    const waiter = frameworkWaiter(provider);
    traceFrameworkWaiter(waiter);
    scopeFrameworkWaiter(waiter);
    acknowledgeHandlerRole(this.role);
    acknowledgeProviderFramework(provider, [frameworkOnEventRole, frameworkCompleteAndTimeoutRole], [onEvent, isComplete]);

    const deadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    acknowledgeDeadLetterQueue(deadLetterQueue);
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      // What aws-cdk-lib's aws-scheduler-targets writes for the roles it creates: the account, and the schedule group
      // (every schedule of the library is in the default group; refuseOtherScheduleGroups() keeps it so).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Stack.of(this).account,
            'aws:SourceArn': Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: DEFAULT_SCHEDULE_GROUP }),
          },
        },
      }),
      description: 'Lets EventBridge Scheduler invoke the Custom Labels stack guard and scheduled path of this stack, and nothing else',
    });
    this.handlerResources = { ...handlerCode, deadLetterQueue, schedulerRole };
    refuseOtherScheduleGroups(schedulerRole);
    addStackGuard(this, this.handlerResources, this.serviceToken, () => this.registeredVersions);
  }

  /**
   * A role for functions of aws-cdk-lib's Provider framework (ProviderProps.frameworkOnEventRole and
   * frameworkCompleteAndTimeoutRole, two roles, as aws-cdk-lib asks, or the waiter and the onEvent role would depend on
   * each other), in place of those the framework creates with AWSLambdaBasicExecutionRole: allowed to write to the
   * framework's log group only. The Provider adds what the framework's functions call (lambda:InvokeFunction and
   * GetFunction on the handlers, states:StartExecution on the waiter for the onEvent function), as to its own roles.
   */
  private frameworkRole(id: string, group: logs.LogGroup, description: string): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
    this.logGroups.allowWrites(role, group);
    return role;
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

  /** Sets the log groups' retention, removal policy and key (the stack's settings, see lib/handler-logs.ts). */
  public configureLogs(scope: Construct, options: HandlerLogsOptions): void {
    this.logGroups.configure(scope, options);
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

/** The Provider framework's waiter state machine and its role, which ProviderProps has no options for. */
interface FrameworkWaiter {
  readonly scope: Construct;
  readonly machine: sfn.CfnStateMachine;
  readonly role: iam.Role;
}

function frameworkWaiter(provider: cr.Provider): FrameworkWaiter {
  const scope = provider.node.findChild('waiter-state-machine');
  const machine = scope.node.defaultChild;
  const role = scope.node.tryFindChild('Role');
  if (!(machine instanceof sfn.CfnStateMachine) || !(role instanceof iam.Role)) {
    throw validationError('UnexpectedProviderFramework', scope,
      "aws-cdk-lib's Provider framework waiter is no longer a CfnStateMachine with a Role: the library cannot trace it nor scope its role");
  }
  return { scope, machine, role };
}

/**
 * Turns on X-Ray tracing of the Provider framework's waiter state machine (AWS Control Tower's CT.STEPFUNCTIONS.PR.2,
 * cdk-nag's AwsSolutions-SF2), which ProviderProps has no option for: sets TracingConfiguration on the framework's
 * CfnStateMachine and grants its role what the Step Functions developer guide lists for tracing, the statement
 * aws-stepfunctions' StateMachine writes with `tracingEnabled`.
 */
function traceFrameworkWaiter({ machine, role }: FrameworkWaiter): void {
  machine.tracingConfiguration = { enabled: true };
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    resources: ['*'],
  }));
}

/**
 * The log writes aws-cdk-lib's Provider framework grants its waiter's role on `*` with waiter logging on, which the
 * role never makes: Step Functions delivers a state machine's logs through CloudWatch Logs' vended log delivery, for
 * which the Step Functions developer guide ("Logging using CloudWatch Logs", IAM policies) lists only the log delivery
 * actions, and which aws-stepfunctions' own StateMachine does not grant either.
 */
const UNUSED_WAITER_LOG_WRITES = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/**
 * Scopes the role of the Provider framework's waiter to what aws-stepfunctions' StateMachine gives the role it
 * creates: no log writes (UNUSED_WAITER_LOG_WRITES are taken out of the role's synthesized policy, whatever statement
 * aws-cdk-lib renders them in), and a trust policy that lets Step Functions assume the role only for a state machine
 * of the stack's account and region (aws:SourceAccount, and aws:SourceArn like `stateMachine:*`: the waiter's own ARN
 * would make the role depend on the state machine that depends on it).
 */
function scopeFrameworkWaiter({ scope, role }: FrameworkWaiter): void {
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  const trust = role.node.defaultChild;
  if (!(policy instanceof iam.CfnPolicy) || !(trust instanceof iam.CfnRole)) {
    throw validationError('UnexpectedProviderFramework', scope,
      "aws-cdk-lib's Provider framework waiter role no longer has a DefaultPolicy: the library cannot take the log writes out of it");
  }
  const rendered = policy.policyDocument;
  policy.policyDocument = Lazy.uncachedAny({ produce: (context: IResolveContext) => withoutActions(context.resolve(rendered), UNUSED_WAITER_LOG_WRITES) });
  const stack = Stack.of(role);
  trust.assumeRolePolicyDocument = new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      principals: [new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: {
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      })],
    })],
  });
}

/** A resolved policy document without these actions; a statement left with none is dropped. */
function withoutActions(document: { Statement?: { Action?: string | string[] }[] }, actions: string[]): unknown {
  const statements = (document.Statement ?? []).flatMap((statement) => {
    if (statement.Action === undefined) return [statement];
    const kept = [statement.Action].flat().filter((a) => !actions.includes(a));
    if (kept.length === 0) return [];
    return [{ ...statement, Action: kept.length === 1 ? kept[0] : kept }];
  });
  return { ...document, Statement: statements };
}

/**
 * Fails the synth when a schedule that runs as the scheduler role is in another group than the default one: the
 * role's trust policy names the default group's ARN as aws:SourceArn, and Scheduler could not assume it for that schedule.
 */
function refuseOtherScheduleGroups(schedulerRole: iam.Role): void {
  const stack = Stack.of(schedulerRole);
  const runsAsRole = (s: scheduler.CfnSchedule) =>
    JSON.stringify(stack.resolve(s.target).roleArn) === JSON.stringify(stack.resolve(schedulerRole.roleArn));
  schedulerRole.node.addValidation({
    validate: () => stack.node.findAll()
      .filter((c): c is scheduler.CfnSchedule => c instanceof scheduler.CfnSchedule)
      .filter((s) => s.groupName !== undefined && s.groupName !== DEFAULT_SCHEDULE_GROUP && runsAsRole(s))
      .map((s) => `${s.node.path} is in schedule group ${s.groupName}, but the library's scheduler role trusts only schedules of the default group`),
  });
}
