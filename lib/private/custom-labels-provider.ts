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
import { validationError } from './errors';
import { HandlerLogGroups } from './handler-log-groups';
import { HandlerPolicy } from './handler-policy';
import { HandlerCode, handlerFunction, HandlerResources } from './handler-functions';
import { acknowledgeDeadLetterQueue, acknowledgeHandlerRole, acknowledgeProviderFramework } from './nag-acknowledgements';
import { createScheduledPath, deadLetterAlarm, ScheduledPath, scheduledFailureAlarm } from './scheduled-path';
import { addStackGuard } from './stack-guard';
import { stackSettings } from './stack-settings';

/** Where the handlers' JavaScript is, built by `npm run build` (scripts/build-handlers.js). */
const HANDLER_ASSET_DIR = path.join(__dirname, '..', '..', 'lambda', 'dist');

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
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
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
    acknowledgeHandlerRole(this.role);
    acknowledgeProviderFramework(provider, [onEvent, isComplete]);

    const deadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    acknowledgeDeadLetterQueue(deadLetterQueue);
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the Custom Labels stack guard and scheduled path of this stack, and nothing else',
    });
    this.handlerResources = { ...handlerCode, deadLetterQueue, schedulerRole };
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
