// The construct that runs a trained Rekognition Custom Labels model as part of a stack: its constructor is the list of
// steps that build it (each a method below, or a file of lib/private/), and its public methods: grants, plan, hold,
// transition events, metrics, dashboard.
import { CfnResource, CustomResource, Duration, Fn, ITaggable, RemovalPolicy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BatchWindowCost } from './batch-window-cost';
import { BatchWindowPlan, BatchWindowPlanOptions } from './batch-window-plan';
import { CustomLabelsModelBase, ICustomLabelsModel } from './custom-labels-model-base';
import { CustomLabelsModelProps } from './custom-labels-model-props';
import { TransitionEvents } from './transition-events';
import { ATTR, EXPECTED_UNITS_METRIC, PROP, RESOURCE_TYPE } from './contract/resource-properties';
import { highestUnits, WindowTable, windowName } from './contract/weekly-windows';
import { batchWindowCost } from './private/batch-window-cost';
import { alwaysOnPlan, planOf } from './private/batch-window-plan';
import { scheduleBatchWindows } from './private/batch-window-schedules';
import { costGuardAlarms } from './private/cost-guard-alarms';
import { CustomLabelsProvider } from './private/custom-labels-provider';
import { modelDashboardWidgets } from './private/dashboard-widgets';
import { scheduleDemandPasses } from './private/demand';
import { validationError } from './private/errors';
import { createHoldParameter, scheduleHoldPasses } from './private/hold';
import { ImportedCustomLabelsModel } from './private/imported-model';
import { noteBatchWindowCost, noteMonthlyCost, warnAboutModelProps } from './private/model-annotations';
import { projectAndVersionNames, readModelArn } from './private/model-arn';
import { ModelMonitoringInputs } from './private/model-monitoring-inputs';
import { modelResourceProperties, removalPolicyProperty } from './private/model-properties';
import { ModelSettings, tagProblems, validateModelProps, validateRemovalPolicy } from './private/model-validation';
import { synthNow } from './private/now';
import { scheduledPassEvent } from './private/scheduled-pass';
import { configureStackSettings } from './private/stack-settings';
import { CustomLabelsStackSettings } from './stack-settings';
import { parameterDescription } from './private/parameter-name';

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
   * The SSM String parameter that holds the model RUNNING or STOPPED until a given time (`hold`): `none`, or
   * `{"state":"RUNNING","until":"2026-12-03T18:00:00Z","minInferenceUnits":2}`. Undefined without `hold`.
   */
  public readonly holdParameter?: ssm.IStringParameter;
  /**
   * The name of `holdParameter`, as an operator types it: by default
   * `/rekognition-custom-labels/<stack name>/<construct path in the stack>/hold`. Undefined without `hold`.
   */
  public readonly holdParameterName?: string;
  /**
   * The name of `runningVersionParameter`: by default
   * `/rekognition-custom-labels/<stack name>/<construct path in the stack>/running-version`.
   */
  public readonly runningVersionParameterName: string;
  /** The queue whose messages start the model (`demand`). */
  private readonly demandQueue?: sqs.IQueue;
  /** The cost guard's alarms. */
  private readonly costAlarms: cloudwatch.Alarm[];
  /** The props, validated, with their defaults. */
  private readonly settings: ModelSettings;
  private readonly provider: CustomLabelsProvider;
  private readonly resource: CfnResource;

  /**
   * Sets what every model of a stack shares (the log groups of the library's functions and state machines), once per
   * stack, before or after its models are declared; a second call for the same stack is refused.
   * @param scope the stack, or any construct in it
   */
  public static configureStack(scope: Construct, settings: CustomLabelsStackSettings): void {
    configureStackSettings(scope, settings);
    // A provider a model has created already takes them now; one created later reads them (CustomLabelsProvider.of).
    const provider = CustomLabelsProvider.existing(scope);
    if (provider && settings.handlerLogs) provider.configureLogs(scope, settings.handlerLogs);
  }

  /** The cost guard's alarms, empty without the costGuard prop: a copy, so the model's own list never changes. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.costAlarms];
  }

  constructor(scope: Construct, id: string, props: CustomLabelsModelProps) {
    const arn = readModelArn(scope, props.projectVersionArn);
    super(scope, id, { environmentFromArn: arn.elsewhere ? arn.versionArn : undefined });
    const settings = validateModelProps(this, props, arn);
    this.settings = settings;
    warnAboutModelProps(this, props.batchWindows, settings);
    this.provider = this.registerWithProvider(arn.versionArn);
    this.tags = this.createTags(props.tags);
    this.demandQueue = props.demand?.queue;
    this.runningVersionParameterName = settings.runningVersionParameterName;
    this.holdParameterName = settings.holdParameterName;
    const properties = modelResourceProperties(Stack.of(this), props, settings, () => this.tags.tagValues());
    const resource = this.createResource(properties);
    this.resource = resource.node.defaultChild as CfnResource;
    this.runningVersionParameter = this.createRunningVersionParameter(resource, settings.runningVersionParameterName);
    if (settings.holdParameterName) this.holdParameter = this.createHold(settings.holdParameterName);
    this.schedulePasses(props, settings, properties);
    if (settings.windows) this.batchWindowCost = this.costOfBatchWindows(settings.windows, settings.inferenceUnitHourPrice);
    noteMonthlyCost(this, settings, settings.inferenceUnitHourPrice);

    this.projectVersionArn = arn.versionArn;
    ({ projectName: this.projectName, versionName: this.versionName } = projectAndVersionNames(arn));
    this.projectArn = props.projectArn ?? resource.getAttString(ATTR.projectArn);
    this.minInferenceUnits = settings.minInferenceUnits;
    this.maxInferenceUnits = settings.maxInferenceUnits;
    this.costAlarms = props.costGuard ? costGuardAlarms(this, this.monitoringInputs(), props.costGuard) : [];
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
   * Grants what the command line's `status` and `plan` read of this model, with `--stack` naming its stack: the
   * stack's resources and template, the model's status and ownership record, its hold parameter and its demand queue.
   * DescribeProjects has no resource type and is granted on `*`. A `status` of every stack (without `--stack`) also
   * needs cloudformation:DescribeStacks on `*`. With `grantHold`, `hold` and `release` work too.
   */
  public grantReadStatus(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const project = Token.isUnresolved(this.projectVersionArn)
      ? Fn.join('', [Fn.select(0, Fn.split('/version/', this.projectVersionArn)), '/*'])
      : `${this.projectVersionArn.slice(0, this.projectVersionArn.indexOf('/version/'))}/*`;
    const statements: { actions: string[]; resourceArns: string[] }[] = [
      { actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudformation:GetTemplate'], resourceArns: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })] },
      { actions: ['rekognition:DescribeProjects'], resourceArns: ['*'] },
      { actions: ['rekognition:DescribeProjectVersions'], resourceArns: [project] },
      { actions: ['rekognition:ListTagsForResource'], resourceArns: [this.projectVersionArn] },
    ];
    if (this.holdParameter) statements.push({ actions: ['ssm:GetParameter'], resourceArns: [this.holdParameter.parameterArn] });
    if (this.demandQueue) statements.push({ actions: ['sqs:GetQueueAttributes'], resourceArns: [this.demandQueue.queueArn] });
    return statements.map((st) => iam.Grant.addToPrincipal({ grantee, ...st })).reduce((a, b) => a.combine(b));
  }

  /**
   * The batch windows over the next days, as a person reads them: every opening (lead time included) and closing in
   * local time and in UTC with its units, the occurrences excluded dates skip, and the time zone's daylight-saving
   * changes. Computed from the same table, with the same arithmetic, as the scheduled path decides from. A model
   * without batch windows has an empty plan (it runs all the time).
   */
  public batchWindowPlan(options: BatchWindowPlanOptions = {}): BatchWindowPlan {
    const from = options.from === undefined ? synthNow(this) : options.from.getTime();
    if (Number.isNaN(from)) throw validationError('InvalidBatchWindowPlan', this, 'batchWindowPlan: from must be a valid Date, got an Invalid Date');
    const days = options.days ?? 14;
    if (!Number.isInteger(days) || days < 1 || days > 366) {
      throw validationError('InvalidBatchWindowPlan', this, `batchWindowPlan: days must be an integer from 1 to 366, got ${days}`);
    }
    const table = this.settings.windows;
    if (!table) return alwaysOnPlan(from, days, this.node.path);
    // Windows are named from the table, as the command line names them from the deployed template.
    return planOf(table, from, days, (o) => windowName(table, o.source, o.index), this.node.path);
  }

  /** Grants permission to read `runningVersionParameter`, the ARN of the version that serves now. */
  public grantReadRunningVersion(grantee: iam.IGrantable): iam.Grant {
    return this.runningVersionParameter.grantRead(grantee);
  }

  /**
   * Grants permission to set and release the model's hold (`hold`): ssm:PutParameter and ssm:GetParameter on
   * the hold parameter, and nothing else. The README prints the two AWS CLI commands.
   */
  public grantHold(grantee: iam.IGrantable): iam.Grant {
    if (!this.holdParameter) throw validationError('HoldNotEnabled', this, 'grantHold needs the hold option: give the model hold: {}');
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
   * The most units the model should have now, as the scheduled path decides it at each pass (0 while it should be
   * stopped): published by every pass of a model with batch windows, a hold or demand. A model with none of these has
   * no pass and runs its declared units all the time: for it, this is its declared units (max, else min) as a math
   * expression over its InServiceInferenceUnits, with a datapoint wherever the service reports the model.
   */
  public metricExpectedInferenceUnits(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const { windows, demand, holdParameterName } = this.settings;
    if (windows || demand || holdParameterName) return this.publishedExpectedUnits(props);
    const declared = this.maxInferenceUnits ?? this.minInferenceUnits;
    const period = props?.period ?? Duration.minutes(5);
    return new cloudwatch.MathExpression({
      expression: `0 * units + ${declared}`,
      usingMetrics: { units: this.metricInServiceInferenceUnits({ statistic: cloudwatch.Stats.MAXIMUM, period }) },
      period,
      label: props?.label ?? `Expected inference units (declared: ${declared})`,
    });
  }

  /** The expected units the scheduled path publishes (an Embedded Metric Format log line) at every pass. */
  private publishedExpectedUnits(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
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
    this.resource.addPropertyOverride(PROP.removalPolicy, removalPolicyProperty(policy));
  }

  /** Adds this model's widgets to a dashboard: units against desired and declared, IU-hours, and alarms. */
  public addToDashboard(dashboard: cloudwatch.Dashboard): void {
    dashboard.addWidgets(...modelDashboardWidgets(this, this.monitoringInputs(), this.costAlarms));
  }

  /** Joins the stack's provider: the handlers' right to start and claim this version. */
  private registerWithProvider(versionArn: string): CustomLabelsProvider {
    const provider = CustomLabelsProvider.of(this);
    const duplicate = provider.registerModel(versionArn, this.node.path);
    if (duplicate) throw validationError('DuplicateProjectVersionArn', this, `projectVersionArn ${duplicate}`);
    return provider;
  }

  /** The model's tags (the prop and what Tags.of() applies), which the handlers may write; checked at synth. */
  private createTags(tags: { [key: string]: string } | undefined): TagManager {
    const manager = new TagManager(TagType.MAP, RESOURCE_TYPE, tags);
    this.provider.allowTagKeys(() => Object.keys(manager.tagValues()));
    // Checked once aspects (Tags.of()) have applied their tags.
    this.node.addValidation({ validate: () => tagProblems(manager.tagValues()) });
    return manager;
  }

  /** The custom resource the stack's provider runs the model for. */
  private createResource(properties: Record<string, string>): CustomResource {
    return new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      // CloudFormation's maximum: a Delete waits for STOPPED as long as it may; a Create or Update fails earlier, at
      // the handler's own deadline (the timeout prop), with the model's status as the reason.
      serviceTimeout: Duration.hours(1),
      properties,
    });
  }

  /** The parameter that names the version serving now (`runningVersionParameter`). */
  private createRunningVersionParameter(resource: CustomResource, parameterName: string): ssm.IStringParameter {
    // The resource's Ref is its physical id, the version ARN: the reference makes CloudFormation write the parameter
    // only after the model's create or update succeeded (RUNNING), and before the cleanup of a replaced version.
    return new ssm.StringParameter(this, 'RunningVersion', {
      parameterName,
      // Always hierarchical (validated above): its ARN is parameter<name>, also when the name is a token (the stack
      // name of a nested stack, say).
      simpleName: false,
      stringValue: resource.ref,
      description: parameterDescription(`The Rekognition Custom Labels model version that ${this.node.path} runs now`),
    });
  }

  /** The hold parameter (`hold`), which the handlers may read. */
  private createHold(name: string): ssm.IStringParameter {
    const hold = createHoldParameter(this, name);
    this.provider.allowReadHold(hold.parameterArn);
    return hold;
  }

  /**
   * The scheduled path's passes of this model: every 5 minutes for a hold, every minute for demand (the handlers may
   * read its queue), and at every batch-window boundary with a safety net.
   */
  private schedulePasses(props: CustomLabelsModelProps, settings: ModelSettings, properties: Record<string, string>): void {
    const event = scheduledPassEvent(this.resource, properties);
    // A model with windows is looked at every 5 minutes already; one without gets that pass for its hold.
    // With demand, the 1-minute demand pass reads the hold as well.
    if (props.hold && !settings.windows && !settings.demand) scheduleHoldPasses(this, this.provider.scheduledPath(), event);
    if (props.demand) {
      this.provider.allowReadQueue(props.demand.queue.queueArn);
      scheduleDemandPasses(this, this.provider.scheduledPath(), event);
    }
    if (settings.windows) scheduleBatchWindows(this, this.provider.scheduledPath(), event, props.batchWindows!.timeZone, settings.now);
  }

  /** What the batch windows cost a week, noted for the user. */
  private costOfBatchWindows(windows: WindowTable, price: number): BatchWindowCost {
    const cost = batchWindowCost(windows, price);
    noteBatchWindowCost(this, cost);
    return cost;
  }

  /** What the cost guard and the dashboard read of this model besides its metrics. */
  private monitoringInputs(): ModelMonitoringInputs {
    const { windows, demand } = this.settings;
    // The most units demand runs the model with.
    const demandUnits = demand ? demand.maxInferenceUnits ?? demand.minInferenceUnits : 0;
    return {
      highestDeclaredUnits: Math.max(highestUnits(this.minInferenceUnits, this.maxInferenceUnits, windows), demandUnits),
      expectedUnits: windows ? this.publishedExpectedUnits() : undefined,
      scheduledPath: windows ? this.provider.scheduledPath() : undefined,
      scheduledFailures: windows ? () => this.provider.scheduledFailureAlarm() : undefined,
      deadLetters: () => this.provider.deadLetterAlarm(),
    };
  }
}

