// The construct: its props, their validation, and the wiring of the custom resource, the batch-window schedules, the
// cost guard and the dashboard, each of which lives in its own file.
import { Annotations, CfnResource, CustomResource, Duration, Fn, ITaggable, Lazy, RemovalPolicy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { BatchWindowCost } from './batch-window-cost';
import { BatchWindowPlan, BatchWindowPlanOptions } from './batch-window-plan';
import { BatchWindows } from './batch-windows';
import { CostGuardOptions } from './cost-guard';
import { CustomLabelsModelBase, ICustomLabelsModel } from './custom-labels-model-base';
import { DemandOptions } from './demand';
import { HandlerLogsOptions } from './handler-logs';
import { TransitionEvents } from './transition-events';
import { parseProjectVersionArn, placementProblem, projectArnMatchesVersion, PROJECT_ARN_FORMAT, VERSION_ARN_FORMAT } from './contract/project-version-arn';
import { ATTR, EXPECTED_UNITS_METRIC, GRACE_BOUNDS, PROP, REMOVAL, RESOURCE_TYPE, TAG_RULES, TIMEOUT_BOUNDS } from './contract/resource-properties';
import { highestUnits, MINUTES_PER_WEEK, oneOffName, oneOffOccurrences, validateWindowTable, WindowTable } from './contract/weekly-windows';
import { batchWindowCost } from './private/batch-window-cost';
import { alwaysOnPlan, planOf } from './private/batch-window-plan';
import { scheduleBatchWindows } from './private/batch-window-schedules';
import { costGuardAlarms } from './private/cost-guard-alarms';
import { CustomLabelsProvider } from './private/custom-labels-provider';
import { modelDashboardWidgets } from './private/dashboard-widgets';
import { resolveDemand, scheduleDemandPasses } from './private/demand';
import { validationError } from './private/errors';
import { createHoldParameter, defaultHoldParameterName, scheduleHoldPasses, validateHoldParameterName } from './private/hold';
import { ModelMonitoringInputs } from './private/model-monitoring-inputs';
import { NOW_CONTEXT_KEY, parseInstant, synthNow } from './private/now';
import { validateParameterName } from './private/parameter-name';
import { scheduledPassEvent } from './private/scheduled-pass';
import { TAG_PREFIX } from './contract/tags';

/**
 * Properties of a CustomLabelsModel.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 *
 * const props: CustomLabelsModelProps = {
 *   projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000',
 *   projectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000',
 *   minInferenceUnits: 2,
 *   maxInferenceUnits: 5,
 *   timeout: Duration.minutes(40),
 *   tags: { CostCenter: '42' },
 * };
 */
export interface CustomLabelsModelProps {
  /**
   * The ARN of the trained model (project version) to run:
   * `arn:aws:rekognition:<region>:<account>:project/<project>/version/<version>/<timestamp>`. It must be in the
   * stack's account; it may be in another region than the stack's (the handlers call the region in the ARN), but
   * such a model takes no `costGuard`, whose alarms would read another region's metrics.
   */
  readonly projectVersionArn: string;

  /**
   * The ARN of the model's project. The project ARN cannot be cut out of the version ARN (it has its own creation
   * timestamp), so without it the handler finds it at deploy time with DescribeProjects.
   *
   * @default - found at deploy time with DescribeProjects (granted on `*`, as that action cannot be scoped)
   */
  readonly projectArn?: string;

  /**
   * The number of inference units the model always runs with. An integer >= 1. Rekognition recommends at least 2
   * for production models, so that the units span Availability Zones.
   *
   * @default 1
   */
  readonly minInferenceUnits?: number;

  /**
   * The most inference units Rekognition may scale the model to. When set, Rekognition autoscales between
   * `minInferenceUnits` and this; an integer >= `minInferenceUnits`.
   *
   * @default - no autoscaling: the model runs with `minInferenceUnits`
   */
  readonly maxInferenceUnits?: number;

  /**
   * What happens to the running model when this construct or its stack is deleted. DESTROY stops the model and
   * waits until it is STOPPED; RETAIN leaves it running. A version replaced by an update, and a model whose create
   * is rolled back, are stopped whatever this says.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deploy may wait for the model to reach the requested state before it fails with the model's
   * status. Starting a model takes minutes (up to about 30); an update that changes units stops the model and
   * starts it again, so it needs both. From 1 to 55 minutes: CloudFormation waits an hour at most, and the
   * handler's own message must reach it first.
   *
   * @default Duration.minutes(45)
   */
  readonly timeout?: Duration;

  /**
   * Weekly windows during which the model runs; outside every window it is stopped and does not bill. EventBridge
   * Scheduler stops and restarts it at the windows' boundaries, with each window's units, in the windows' time zone.
   * A deploy converges to what the windows ask for at that moment. The model's own `minInferenceUnits` and
   * `maxInferenceUnits` apply to windows that set no units of their own.
   *
   * @default - the model runs all the time
   */
  readonly batchWindows?: BatchWindows;

  /**
   * The price of one inference-unit hour, for the cost figures of batch windows (and the budget alarms).
   *
   * @default 4 - US dollars, us-east-1, as the Custom Labels announcement prices it
   */
  readonly inferenceUnitHourPrice?: number;

  /**
   * Alarms that warn before a bill surprises you: more units in service than the stack declares, running outside
   * the batch windows, inference-unit hours over a budget, failed scheduled transitions.
   *
   * @default - no alarms
   */
  readonly costGuard?: CostGuardOptions;

  /**
   * The log groups of the library's functions and state machines in the stack (the handlers, the stack guard, the
   * scheduled path, the Provider framework's functions and waiter): retention, removal policy, encryption key. Every
   * model of a stack shares them: models that set this must set the same.
   *
   * @default - kept one year, retained when the stack is deleted, CloudWatch Logs' own encryption
   */
  readonly handlerLogs?: HandlerLogsOptions;

  /**
   * Tags for the project version, besides those `Tags.of()` applies: the model is what bills, so these are what cost
   * allocation reads. Written by the handlers with TagResource, kept in sync on update, removed when the stack
   * releases the model. Keys and values as Rekognition takes them; keys may not begin with `aws:` or
   * `cdk-custom-labels:` (the library's own).
   *
   * @default - only the tags `Tags.of()` applies
   */
  readonly tags?: { [key: string]: string };

  /**
   * How long a version that an update replaces (a new `projectVersionArn`) keeps serving after the new version is
   * RUNNING and published in `runningVersionParameter`, before it is stopped: clients that cache the version ARN, and
   * requests in flight, switch to the new version meanwhile. It costs the old version's units for that long. Never
   * applies to a removed model, a stack delete or a rollback, which stop the version at once. From 0 (stop at once)
   * to 30 minutes, so that the stop still ends within CloudFormation's hour.
   *
   * @default Duration.minutes(5)
   */
  readonly replacementGracePeriod?: Duration;

  /**
   * The name of the SSM parameter that holds the ARN of the version this model runs now, written only once that
   * version is RUNNING (see `runningVersionParameter`). A hierarchical name: it begins with "/".
   *
   * @default - `/rekognition-custom-labels/<stack name>/<logical id of the model>/running-version`
   */
  readonly runningVersionParameterName?: string;

  /**
   * Holds without a redeploy: the stack creates an SSM String parameter (`holdParameter`) that an operator or a
   * pipeline writes to hold the model RUNNING (optionally with other units, up to the most the declaration runs it
   * with) or STOPPED until a given time at most 7 days after the hold is set, and writes `none` to release it. Every
   * pass reads it: the scheduled path every 5 minutes (a model without batch windows gets that periodic pass too) and
   * a deploy's. A hold wins over the batch windows. `grantHold()` gives the permission to set and release it.
   *
   * @default false - no hold parameter, and a model without batch windows has no periodic pass
   */
  readonly enableHold?: boolean;

  /**
   * The name of the hold parameter (see `enableHold`): a hierarchical SSM name that begins with `/`.
   *
   * @default - `/rekognition-custom-labels/<stack name>/<logical id of the model>/hold`
   */
  readonly holdParameterName?: string;

  /**
   * Demand-driven runs: outside its batch windows (or, without windows, instead of running all the time), the model
   * runs while this SQS queue holds messages and stops once the queue has been empty for the idle time. A hold wins
   * over demand, and a window open over both demand's units and its absence. The scheduled path looks every minute.
   *
   * @default - no demand: without batch windows the model runs all the time
   */
  readonly demand?: DemandOptions;
}

/**
 * A trained Amazon Rekognition Custom Labels model, running as part of a stack.
 *
 * Deploying starts the model with the requested inference units and succeeds only once Rekognition reports it
 * RUNNING with them; an update that changes units restarts it; deleting stops it.
 *
 * @example
 * import { Stack } from 'aws-cdk-lib';
 * import * as lambda from 'aws-cdk-lib/aws-lambda';
 *
 * declare const stack: Stack;
 * declare const detector: lambda.IFunction;
 *
 * const model = new CustomLabelsModel(stack, 'Widgets', {
 *   projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000',
 *   minInferenceUnits: 2,
 *   maxInferenceUnits: 5,
 * });
 * model.grantDetectCustomLabels(detector);
 */
export class CustomLabelsModel extends CustomLabelsModelBase implements ITaggable {
  /**
   * A model this stack does not run (another stack runs it, or nobody does), for its grants and metrics.
   */
  public static fromProjectVersionArn(scope: Construct, id: string, projectVersionArn: string): ICustomLabelsModel {
    return new ImportedCustomLabelsModel(scope, id, projectVersionArn);
  }

  /** The ARN of the project version. */
  public readonly projectVersionArn: string;
  /** The name of the project. */
  public readonly projectName: string;
  /** The name of the version. */
  public readonly versionName: string;
  /** The ARN of the project: the prop, or the one found at deploy time. */
  public readonly projectArn: string;
  /** The inference units the model always runs with. */
  public readonly minInferenceUnits: number;
  /** The most inference units the model autoscales to; undefined when it does not autoscale. */
  public readonly maxInferenceUnits?: number;
  /** What the batch windows schedule a week, and what running all week would; undefined without batch windows. */
  public readonly batchWindowCost?: BatchWindowCost;
  /** The cost guard alarms; empty without the costGuard prop. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The model's tags: the `tags` prop and what `Tags.of()` applies, written to the project version. */
  public readonly tags: TagManager;
  /**
   * An SSM String parameter holding the ARN of the version that serves now. CloudFormation writes it after the
   * model's create or update has succeeded, so it changes only once the new version is RUNNING, and before the
   * replaced version's grace period begins: a client that reads it with a cache shorter than
   * `replacementGracePeriod` never calls a version that has stopped.
   */
  public readonly runningVersionParameter: ssm.IStringParameter;
  /**
   * The SSM String parameter that holds the model RUNNING or STOPPED until a given time (`enableHold`): `none`, or
   * `{"state":"RUNNING","until":"2026-12-03T18:00:00Z","minInferenceUnits":2}`. Undefined without `enableHold`.
   */
  public readonly holdParameter?: ssm.IStringParameter;
  private readonly windows?: WindowTable;
  /** The most units demand runs the model with; undefined without demand. */
  private readonly demandUnits?: number;
  private readonly batchWindows?: BatchWindows;
  private readonly provider: CustomLabelsProvider;
  private readonly resource: CfnResource;

  constructor(scope: Construct, id: string, props: CustomLabelsModelProps) {
    const versionArn = props.projectVersionArn;
    const parsed = Token.isUnresolved(versionArn) ? undefined : parseProjectVersionArn(versionArn);
    const home = Stack.of(scope);
    // A model of another region than its stack's is that region's (its metrics read there), as an imported one is.
    const elsewhere = parsed !== undefined && !Token.isUnresolved(home.region) && parsed.region !== home.region;
    super(scope, id, { environmentFromArn: elsewhere ? versionArn : undefined });
    if (!Token.isUnresolved(versionArn) && !parsed) {
      throw validationError('InvalidProjectVersionArn', this, `projectVersionArn must be a Rekognition project version ARN (${VERSION_ARN_FORMAT}), got "${versionArn}"`);
    }
    if (props.projectArn !== undefined && parsed && !Token.isUnresolved(props.projectArn) && !projectArnMatchesVersion(props.projectArn, parsed)) {
      throw validationError('InvalidProjectArn', this, `projectArn must be the ARN of project "${parsed.projectName}" in ${parsed.region}/${parsed.account} (${PROJECT_ARN_FORMAT}), got "${props.projectArn}"`);
    }
    const stack = Stack.of(this);
    if (parsed && !Token.isUnresolved(stack.account)) {
      const problem = placementProblem(parsed, { account: stack.account });
      if (problem) throw validationError('ModelInAnotherEnvironment', this, `projectVersionArn: ${problem}`);
    }
    if (elsewhere && props.costGuard) {
      throw validationError('CostGuardInAnotherRegion', this, `costGuard: the model is in ${parsed!.region} and the stack in ${stack.region}, and a CloudWatch alarm ` +
        `reads only the metrics of its own region: declare the model in a stack of region ${parsed!.region} to guard its cost, or leave costGuard out`);
    }
    const min = props.minInferenceUnits ?? 1;
    const max = props.maxInferenceUnits;
    validateUnits(this, 'minInferenceUnits', min);
    if (max !== undefined) {
      validateUnits(this, 'maxInferenceUnits', max);
      if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && max < min) {
        throw validationError('InvalidInferenceUnits', this, `maxInferenceUnits (${max}) must be >= minInferenceUnits (${min})`);
      }
    }
    const timeout = props.timeout ?? Duration.minutes(45);
    const timeoutSeconds = timeout.toSeconds();
    if (!Token.isUnresolved(timeoutSeconds) && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < TIMEOUT_BOUNDS.minSeconds || timeoutSeconds > TIMEOUT_BOUNDS.maxSeconds)) {
      throw validationError('InvalidTimeout', this, `timeout must be a whole number of seconds from 1 minute to 55 minutes (CloudFormation waits at most 60), got ${timeout.toHumanString()}`);
    }
    const grace = props.replacementGracePeriod ?? Duration.seconds(GRACE_BOUNDS.defaultSeconds);
    const graceSeconds = grace.toSeconds({ integral: false });
    if (!Token.isUnresolved(graceSeconds) && (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > GRACE_BOUNDS.maxSeconds)) {
      throw validationError('InvalidReplacementGracePeriod', this, `replacementGracePeriod must be a whole number of seconds from 0 to 30 minutes (the replaced version must still stop within CloudFormation's hour), got ${grace.toHumanString()}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    validateRemovalPolicy(this, removalPolicy);
    if (props.holdParameterName !== undefined) {
      if (!props.enableHold) throw validationError('HoldNotEnabled', this, 'holdParameterName needs enableHold: true');
      validateHoldParameterName(this, props.holdParameterName);
    }
    const price = props.inferenceUnitHourPrice ?? 4;
    if (!Token.isUnresolved(price) && !(price >= 0)) throw validationError('InvalidInferenceUnitHourPrice', this, `inferenceUnitHourPrice must be a number >= 0, got ${price}`);
    const windows = props.batchWindows ? resolveWindows(this, props.batchWindows, min, max) : undefined;
    const demand = props.demand ? resolveDemand(this, props.demand, min, max) : undefined;
    const now = windows?.oneOffWindows ? synthNow(this) : 0;
    for (const o of windows ? oneOffOccurrences(windows) : []) {
      if (o.closeAt <= now) {
        Annotations.of(this).addWarningV2('cdk-rekognition-custom-labels:pastOneOffWindow',
          `batchWindows: ${oneOffName(windows!, o.index)} ended before now (${new Date(now).toISOString()}; set the context key ${NOW_CONTEXT_KEY} to synthesize as of another instant): it never runs; remove it`);
      }
    }
    windows?.windows.forEach((w, i) => {
      const hours = (((w.endMinute - w.startMinute) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK / 60;
      if (hours > 84) {
        const { start, end } = props.batchWindows!.windows[i];
        Annotations.of(this).addWarningV2('cdk-rekognition-custom-labels:longBatchWindow',
          `batchWindows: window ${i} (${start} to ${end}) lasts ${hours} hours, more than half a week: are its start and end swapped? Acknowledge this warning if the model should run that long.`);
      }
    });
    // The units the model actually runs with: its own, or with batch windows each window's.
    const lowest = windows ? Math.min(...windows.windows.map((w) => w.minInferenceUnits)) : min;
    if (!Token.isUnresolved(lowest) && lowest < 2) {
      Annotations.of(this).addWarningV2('cdk-rekognition-custom-labels:singleInferenceUnit',
        `minInferenceUnits is ${lowest}${windows ? ' in a batch window' : ''}: Rekognition recommends at least 2 inference units for production models, so that they span Availability Zones. Acknowledge this warning for development models.`);
    }

    const provider = CustomLabelsProvider.of(this);
    provider.configureLogs(this, props.handlerLogs);
    const duplicate = provider.registerModel(versionArn, this.node.path);
    if (duplicate) throw validationError('DuplicateProjectVersionArn', this, `projectVersionArn ${duplicate}`);

    this.tags = new TagManager(TagType.MAP, RESOURCE_TYPE, props.tags);
    const userTags = () => this.tags.tagValues();
    provider.allowTagKeys(() => Object.keys(userTags()));
    // Checked once aspects (Tags.of()) have applied their tags.
    this.node.addValidation({ validate: () => tagProblems(userTags()) });

    // What the handlers read (lambda/model-spec.ts), as CloudFormation delivers it: strings. The scheduled path gets
    // the same, so both paths decide from one declaration.
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries({
      [PROP.projectVersionArn]: versionArn,
      [PROP.projectArn]: props.projectArn,
      [PROP.minInferenceUnits]: numberProperty(min),
      [PROP.maxInferenceUnits]: max === undefined ? undefined : numberProperty(max),
      [PROP.removalPolicy]: removalPolicy === RemovalPolicy.RETAIN ? REMOVAL.retain : REMOVAL.destroy,
      [PROP.timeoutSeconds]: numberProperty(timeoutSeconds),
      [PROP.replacementGraceSeconds]: numberProperty(graceSeconds),
      [PROP.batchWindows]: windows ? JSON.stringify(windows) : undefined,
      [PROP.demandQueueUrl]: props.demand?.queue.queueUrl,
      [PROP.demandIdleSeconds]: demand ? numberProperty(demand.idleSeconds) : undefined,
      [PROP.demandMinInferenceUnits]: demand ? numberProperty(demand.minInferenceUnits) : undefined,
      [PROP.demandMaxInferenceUnits]: demand?.maxInferenceUnits === undefined ? undefined : numberProperty(demand.maxInferenceUnits),
    })) {
      if (value !== undefined) properties[key] = value;
    }
    // The default name of the hold parameter holds the resource's logical id, known once the resource exists.
    let holdName: string | undefined;
    if (props.enableHold) properties[PROP.holdParameterName] = Lazy.string({ produce: () => holdName });
    // Rendered at synth, after Tags.of() has applied; no property at all without tags, so templates without tags stay as they were.
    properties[PROP.tags] = Lazy.string({
      produce: () => (Object.keys(userTags()).length === 0 ? undefined : stack.toJsonString(userTags())),
    });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      // CloudFormation's maximum: a Delete waits for STOPPED as long as it may; a Create or Update fails earlier, at
      // the handler's own deadline (the timeout prop), with the model's status as the reason.
      serviceTimeout: Duration.hours(1),
      properties,
    });
    this.windows = windows;
    this.demandUnits = demand ? demand.maxInferenceUnits ?? demand.minInferenceUnits : undefined;
    this.batchWindows = props.batchWindows;
    this.provider = provider;
    this.resource = resource.node.defaultChild as CfnResource;
    // The resource's Ref is its physical id, the version ARN: the reference makes CloudFormation write the parameter
    // only after the model's create or update succeeded (RUNNING), and before the cleanup of a replaced version.
    const runningVersionName = props.runningVersionParameterName ?? `/rekognition-custom-labels/${stack.stackName}/${stack.getLogicalId(this.resource)}/running-version`;
    validateParameterName(this, 'runningVersionParameterName', 'InvalidRunningVersionParameterName', runningVersionName);
    this.runningVersionParameter = new ssm.StringParameter(this, 'RunningVersion', {
      parameterName: runningVersionName,
      // Always hierarchical (validated above): its ARN is parameter<name>, also when the name is a token (the stack
      // name of a nested stack, say).
      simpleName: false,
      stringValue: resource.ref,
      description: `The Rekognition Custom Labels model version that ${this.node.path} runs now`,
    });
    if (props.enableHold) {
      holdName = props.holdParameterName ?? defaultHoldParameterName(stack, this.resource);
      const hold = createHoldParameter(this, holdName);
      provider.allowReadHold(hold.parameterArn);
      // A model with windows is looked at every 5 minutes already; one without gets that pass for its hold.
      // With demand, the 1-minute demand pass reads the hold as well.
      if (!windows && !demand) scheduleHoldPasses(this, provider.scheduledPath(), scheduledPassEvent(this.resource, properties));
      this.holdParameter = hold;
    }
    if (props.demand) {
      provider.allowReadQueue(props.demand.queue.queueArn);
      scheduleDemandPasses(this, provider.scheduledPath(), scheduledPassEvent(this.resource, properties));
    }
    if (windows) {
      this.batchWindowCost = batchWindowCost(windows, price);
      scheduleBatchWindows(this, provider.scheduledPath(), scheduledPassEvent(this.resource, properties), props.batchWindows!.timeZone, now);
      const c = this.batchWindowCost;
      Annotations.of(this).addInfo(`batch windows schedule ${c.scheduledInferenceUnitHoursPerWeek} inference-unit hours a week ` +
        `(${c.scheduledInferenceUnitHoursPerWeekAtMax} at max units), $${c.scheduledCostPerWeek.toFixed(2)} ($${c.scheduledCostPerWeekAtMax.toFixed(2)}), ` +
        `against ${c.alwaysOnInferenceUnitHoursPerWeek} (${c.alwaysOnInferenceUnitHoursPerWeekAtMax}) running all week, ` +
        `$${c.alwaysOnCostPerWeek.toFixed(2)} ($${c.alwaysOnCostPerWeekAtMax.toFixed(2)}), at $${price} an inference-unit hour` +
        (c.notCounted ? `; ${c.notCounted}` : ''));
    }

    this.projectVersionArn = versionArn;
    this.projectName = parsed ? parsed.projectName : Fn.select(1, Fn.split('/', versionArn));
    this.versionName = parsed ? parsed.versionName : Fn.select(3, Fn.split('/', versionArn));
    this.projectArn = props.projectArn ?? resource.getAttString(ATTR.projectArn);
    this.minInferenceUnits = min;
    this.maxInferenceUnits = max;
    if (props.costGuard) this.alarms.push(...costGuardAlarms(this, this.monitoringInputs(), props.costGuard));
  }

  /**
   * Grants permission to analyze images with this model: rekognition:DetectCustomLabels on every version of its
   * project, so that a client still calling the version an update replaced keeps its permission through the
   * replacement grace period: nothing orders the grantee's policy after the model's update, and CloudFormation may
   * update it first. A swap to another project needs a grant on the old version for that deploy (see the README).
   */
  public grantDetectCustomLabels(grantee: iam.IGrantable): iam.Grant {
    const versions = Token.isUnresolved(this.projectVersionArn)
      ? Fn.join('/', [Fn.select(0, Fn.split('/version/', this.projectVersionArn)), 'version', '*'])
      : `${this.projectVersionArn.slice(0, this.projectVersionArn.indexOf('/version/'))}/version/*`;
    return iam.Grant.addToPrincipal({ grantee, actions: ['rekognition:DetectCustomLabels'], resourceArns: [versions] });
  }

  /**
   * The batch windows over the next days, as a person reads them: every opening (lead time included) and closing in
   * local time and in UTC with its units, the occurrences excluded dates skip, and the time zone's daylight-saving
   * changes. Computed from the same table, with the same arithmetic, as the scheduled path decides from. A model
   * without batch windows has an empty plan (it runs all the time).
   */
  public batchWindowPlan(options: BatchWindowPlanOptions = {}): BatchWindowPlan {
    const from = options.from === undefined ? synthNow(this) : parseInstant(options.from);
    if (from === undefined) {
      throw validationError('InvalidBatchWindowPlan', this, `batchWindowPlan: from must be an ISO 8601 instant with a zone, such as 2027-03-22T00:00:00Z, got "${options.from}"`);
    }
    const days = options.days ?? 14;
    if (!Number.isInteger(days) || days < 1 || days > 366) {
      throw validationError('InvalidBatchWindowPlan', this, `batchWindowPlan: days must be an integer from 1 to 366, got ${days}`);
    }
    if (!this.windows) return alwaysOnPlan(from, days, this.node.path);
    const table = this.windows;
    const declared = this.batchWindows!.windows;
    return planOf(table, from, days, (o) => (o.source === 'weekly'
      ? `window ${o.index} (${declared[o.index].start} to ${declared[o.index].end})`
      : oneOffName(table, o.index)), this.node.path);
  }

  /** Grants permission to read `runningVersionParameter`, the ARN of the version that serves now. */
  public grantReadRunningVersion(grantee: iam.IGrantable): iam.Grant {
    return this.runningVersionParameter.grantRead(grantee);
  }

  /**
   * Grants permission to set and release the model's hold (`enableHold`): ssm:PutParameter and ssm:GetParameter on
   * the hold parameter, and nothing else. The README prints the two AWS CLI commands.
   */
  public grantHold(grantee: iam.IGrantable): iam.Grant {
    if (!this.holdParameter) throw validationError('HoldNotEnabled', this, 'grantHold needs enableHold: true');
    return iam.Grant.addToPrincipal({ grantee, actions: ['ssm:PutParameter', 'ssm:GetParameter'], resourceArns: [this.holdParameter.parameterArn] });
  }

  /**
   * A rule on the account's default bus for this model's transition events (starts, stops, failed starts, holds,
   * divergence: TransitionEventDetail), as aws-cdk-lib's `onXxx` methods do: `options.eventPattern` is merged in,
   * `options.target` added.
   */
  public onTransition(id: string, options: events.OnEventOptions = {}): events.Rule {
    const rule = new events.Rule(this, id, options);
    rule.addEventPattern({ source: [TransitionEvents.SOURCE], detailType: [TransitionEvents.DETAIL_TYPE], detail: { modelArn: [this.projectVersionArn] } });
    if (options.target) rule.addTarget(options.target);
    return rule;
  }

  /**
   * The most units the scheduled path says the model should have now: 0 outside its batch windows. Published every
   * 5 minutes by the scheduled path, so only a model with batch windows has it.
   */
  public metricExpectedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.windows) throw validationError('NoBatchWindows', this, `metricExpectedInferenceUnits needs batchWindows: only the scheduled path publishes it`);
    return new cloudwatch.Metric({
      ...EXPECTED_UNITS_METRIC,
      dimensionsMap: { ProjectName: this.projectName, VersionName: this.versionName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(5),
      ...props,
    }).attachTo(this);
  }

  /**
   * What happens to the running model when this construct or its stack is deleted: the `removalPolicy` prop, set
   * later (`RemovalPolicy.DESTROY` or `RemovalPolicy.RETAIN`; the handler reads it, so rollbacks still stop the model).
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    validateRemovalPolicy(this, policy);
    this.resource.addPropertyOverride(PROP.removalPolicy, policy === RemovalPolicy.RETAIN ? REMOVAL.retain : REMOVAL.destroy);
  }

  /** Adds this model's widgets to a dashboard: units against desired and declared, IU-hours, and alarms. */
  public addToDashboard(dashboard: cloudwatch.Dashboard): void {
    dashboard.addWidgets(...modelDashboardWidgets(this, this.monitoringInputs(), this.alarms));
  }

  /** What the cost guard and the dashboard read of this model besides its metrics. */
  private monitoringInputs(): ModelMonitoringInputs {
    return {
      highestDeclaredUnits: Math.max(highestUnits(this.minInferenceUnits, this.maxInferenceUnits, this.windows), this.demandUnits ?? 0),
      expectedUnits: this.windows ? this.metricExpectedInferenceUnits() : undefined,
      scheduledPath: this.windows ? this.provider.scheduledPath() : undefined,
      scheduledFailures: this.windows ? () => this.provider.scheduledFailureAlarm() : undefined,
      deadLetters: () => this.provider.deadLetterAlarm(),
    };
  }
}

/** Tags Rekognition would refuse, as the messages a validation reports. */
function tagProblems(tags: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (Token.isUnresolved(key)) continue;
    if (key.startsWith(TAG_PREFIX)) {
      problems.push(`tag "${key}": keys beginning with ${TAG_PREFIX} are the library's own ownership record`);
    } else if (!TAG_RULES.key.test(key)) {
      problems.push(`tag "${key}": Rekognition takes keys of 1 to 128 letters, digits, spaces and _ . : / = + - @, not beginning with aws: ` +
        `(exclude the model from a Tags.of() tag with excludeResourceTypes: ['${RESOURCE_TYPE}'])`);
    } else if (!Token.isUnresolved(value) && !TAG_RULES.value.test(value)) {
      problems.push(`tag "${key}": Rekognition takes values of 0 to 256 letters, digits, spaces and _ . : / = + - @, got "${value}"`);
    }
  }
  return problems;
}

function validateRemovalPolicy(scope: IConstruct, policy: RemovalPolicy): void {
  if (policy !== RemovalPolicy.DESTROY && policy !== RemovalPolicy.RETAIN) {
    throw validationError('InvalidRemovalPolicy', scope, `removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got ${policy}`);
  }
}

function validateUnits(scope: IConstruct, prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1) {
    throw validationError('InvalidInferenceUnits', scope, `${prop} must be an integer >= 1, got ${value}`);
  }
}

function resolveWindows(scope: IConstruct, windows: BatchWindows, min: number, max: number | undefined): WindowTable {
  const table = windows._resolve(scope, { min, max });
  const problem = validateWindowTable(table);
  if (problem) {
    const named = problem.replace(/\bwindow (\d+)/g, (_, i: string) => `window ${i} (${windows.windows[Number(i)].start} to ${windows.windows[Number(i)].end})`);
    throw validationError('InvalidBatchWindows', scope, `batchWindows: ${named}`);
  }
  return table;
}

/** A model this stack does not run, imported by its ARN: grants and metrics work as for one it runs. */
class ImportedCustomLabelsModel extends CustomLabelsModelBase {
  public readonly projectVersionArn: string;
  public readonly projectName: string;
  public readonly versionName: string;

  constructor(scope: Construct, id: string, arn: string) {
    // Its account and region are the ARN's, as aws-cdk-lib's imported resources take them.
    super(scope, id, { environmentFromArn: Token.isUnresolved(arn) ? undefined : arn });
    const parsed = Token.isUnresolved(arn) ? undefined : parseProjectVersionArn(arn);
    if (!Token.isUnresolved(arn) && !parsed) {
      throw validationError('InvalidProjectVersionArn', this, `fromProjectVersionArn needs a Rekognition project version ARN (${VERSION_ARN_FORMAT}), got "${arn}"`);
    }
    this.projectVersionArn = arn;
    this.projectName = parsed ? parsed.projectName : Fn.select(1, Fn.split('/', arn));
    this.versionName = parsed ? parsed.versionName : Fn.select(3, Fn.split('/', arn));
  }
}

/** A number as the string CloudFormation would deliver (a token stays a token). */
function numberProperty(n: number): string {
  return Token.isUnresolved(n) ? Token.asString(n) : String(n);
}
