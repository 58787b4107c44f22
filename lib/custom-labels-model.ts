import { Annotations, CfnResource, CustomResource, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { BatchWindows, WeekDay, WeeklyTime } from './batch-windows';
import { CustomLabelsProvider } from './custom-labels-provider';
import { boundaryMinutes, scheduledInferenceUnitHours, validateWindowTable, WindowTable } from './private/weekly-windows';
import { parseProjectVersionArn, projectArnMatchesVersion, PROJECT_ARN_FORMAT, VERSION_ARN_FORMAT } from './private/project-version-arn';
import { ATTR, PROP, REMOVAL, RESOURCE_TYPE, TIMEOUT_BOUNDS } from './private/resource-properties';

/**
 * Properties of a CustomLabelsModel.
 */
export interface CustomLabelsModelProps {
  /**
   * The ARN of the trained model (project version) to run:
   * `arn:aws:rekognition:<region>:<account>:project/<project>/version/<version>/<timestamp>`.
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
}

/** What batch windows schedule in a 168-hour week, against running the same units all week. */
export interface BatchWindowCost {
  /** Inference-unit hours a week the windows schedule at their minimum units, lead time included. */
  readonly scheduledInferenceUnitHoursPerWeek: number;
  /** The same at the windows' maximum units (an autoscaling window at its ceiling all the time). */
  readonly scheduledInferenceUnitHoursPerWeekAtMax: number;
  /** Inference-unit hours a week of running all week with the largest minimum units of any window. */
  readonly alwaysOnInferenceUnitHoursPerWeek: number;
  /** The same with the largest maximum units of any window. */
  readonly alwaysOnInferenceUnitHoursPerWeekAtMax: number;
  /** The price used for the costs below. */
  readonly inferenceUnitHourPrice: number;
  /** Scheduled cost a week at the minimum units. */
  readonly scheduledCostPerWeek: number;
  /** Scheduled cost a week at the maximum units. */
  readonly scheduledCostPerWeekAtMax: number;
  /** Always-on cost a week at the minimum units. */
  readonly alwaysOnCostPerWeek: number;
  /** Always-on cost a week at the maximum units. */
  readonly alwaysOnCostPerWeekAtMax: number;
}

const CRON_DAYS: Record<WeekDay, string> = {
  [WeekDay.MONDAY]: 'MON', [WeekDay.TUESDAY]: 'TUE', [WeekDay.WEDNESDAY]: 'WED', [WeekDay.THURSDAY]: 'THU',
  [WeekDay.FRIDAY]: 'FRI', [WeekDay.SATURDAY]: 'SAT', [WeekDay.SUNDAY]: 'SUN',
};

/** How often the safety-net schedule looks at a model with batch windows (and publishes its expected units). */
const SAFETY_NET_RATE = Duration.minutes(5);

/**
 * A trained Amazon Rekognition Custom Labels model, running as part of a stack.
 *
 * Deploying starts the model with the requested inference units and succeeds only once Rekognition reports it
 * RUNNING with them; an update that changes units restarts it; deleting stops it.
 */
export class CustomLabelsModel extends Construct {
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

  constructor(scope: Construct, id: string, props: CustomLabelsModelProps) {
    super(scope, id);
    const where = this.node.path;
    const versionArn = props.projectVersionArn;
    const parsed = Token.isUnresolved(versionArn) ? undefined : parseProjectVersionArn(versionArn);
    if (!Token.isUnresolved(versionArn) && !parsed) {
      throw new Error(`${where}: projectVersionArn must be a Rekognition project version ARN (${VERSION_ARN_FORMAT}), got "${versionArn}"`);
    }
    if (props.projectArn !== undefined && parsed && !Token.isUnresolved(props.projectArn) && !projectArnMatchesVersion(props.projectArn, parsed)) {
      throw new Error(`${where}: projectArn must be the ARN of project "${parsed.projectName}" in ${parsed.region}/${parsed.account} (${PROJECT_ARN_FORMAT}), got "${props.projectArn}"`);
    }
    const min = props.minInferenceUnits ?? 1;
    const max = props.maxInferenceUnits;
    validateUnits(where, 'minInferenceUnits', min);
    if (max !== undefined) {
      validateUnits(where, 'maxInferenceUnits', max);
      if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && max < min) {
        throw new Error(`${where}: maxInferenceUnits (${max}) must be >= minInferenceUnits (${min})`);
      }
    }
    const timeout = props.timeout ?? Duration.minutes(45);
    const timeoutSeconds = timeout.toSeconds();
    if (!Token.isUnresolved(timeoutSeconds) && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < TIMEOUT_BOUNDS.minSeconds || timeoutSeconds > TIMEOUT_BOUNDS.maxSeconds)) {
      throw new Error(`${where}: timeout must be a whole number of seconds from 1 minute to 55 minutes (CloudFormation waits at most 60), got ${timeout.toHumanString()}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    if (removalPolicy !== RemovalPolicy.DESTROY && removalPolicy !== RemovalPolicy.RETAIN) {
      throw new Error(`${where}: removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got ${removalPolicy}`);
    }
    const price = props.inferenceUnitHourPrice ?? 4;
    if (!Token.isUnresolved(price) && !(price >= 0)) throw new Error(`${where}: inferenceUnitHourPrice must be a number >= 0, got ${price}`);
    const windows = props.batchWindows ? resolveWindows(where, props.batchWindows, min, max) : undefined;
    if (!Token.isUnresolved(min) && min < 2) {
      Annotations.of(this).addWarningV2('cdk-rekognition-custom-labels:singleInferenceUnit',
        `minInferenceUnits is ${min}: Rekognition recommends at least 2 inference units for production models, so that they span Availability Zones. Acknowledge this warning for development models.`);
    }

    const provider = CustomLabelsProvider.of(this);
    const duplicate = provider.registerModel({ projectVersionArn: versionArn, projectArn: props.projectArn }, where);
    if (duplicate) throw new Error(`${where}: projectVersionArn ${duplicate}`);

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      // CloudFormation's maximum: a Delete waits for STOPPED as long as it may; a Create or Update fails earlier, at
      // the handler's own deadline (the timeout prop), with the model's status as the reason.
      serviceTimeout: Duration.hours(1),
      properties: {
        [PROP.projectVersionArn]: versionArn,
        [PROP.projectArn]: props.projectArn,
        [PROP.minInferenceUnits]: Token.isUnresolved(min) ? min : String(min),
        [PROP.maxInferenceUnits]: max === undefined || Token.isUnresolved(max) ? max : String(max),
        [PROP.removalPolicy]: removalPolicy === RemovalPolicy.RETAIN ? REMOVAL.retain : REMOVAL.destroy,
        [PROP.timeoutSeconds]: Token.isUnresolved(timeoutSeconds) ? timeoutSeconds : String(timeoutSeconds),
        [PROP.batchWindows]: windows ? JSON.stringify(windows) : undefined,
      },
    });
    if (windows) {
      this.batchWindowCost = costOf(windows, price);
      this.scheduleWindows(provider, resource, windows, props);
      const c = this.batchWindowCost;
      Annotations.of(this).addInfo(`batch windows schedule ${c.scheduledInferenceUnitHoursPerWeek} inference-unit hours a week ` +
        `(${c.scheduledInferenceUnitHoursPerWeekAtMax} at max units), $${c.scheduledCostPerWeek.toFixed(2)} ($${c.scheduledCostPerWeekAtMax.toFixed(2)}), ` +
        `against ${c.alwaysOnInferenceUnitHoursPerWeek} (${c.alwaysOnInferenceUnitHoursPerWeekAtMax}) running all week, ` +
        `$${c.alwaysOnCostPerWeek.toFixed(2)} ($${c.alwaysOnCostPerWeekAtMax.toFixed(2)}), at $${price} an inference-unit hour`);
    }

    this.projectVersionArn = versionArn;
    this.projectName = parsed ? parsed.projectName : Fn.select(1, Fn.split('/', versionArn));
    this.versionName = parsed ? parsed.versionName : Fn.select(3, Fn.split('/', versionArn));
    this.projectArn = props.projectArn ?? resource.getAttString(ATTR.projectArn);
    this.minInferenceUnits = min;
    this.maxInferenceUnits = max;
  }

  /** The schedules of the batch windows: a waiter run at every boundary, and a periodic safety net. */
  private scheduleWindows(provider: CustomLabelsProvider, resource: CustomResource, table: WindowTable, props: CustomLabelsModelProps): void {
    const path = provider.scheduledPath();
    const stack = Stack.of(this);
    const properties = Object.fromEntries(Object.entries({
      [PROP.projectVersionArn]: props.projectVersionArn,
      [PROP.projectArn]: props.projectArn,
      [PROP.minInferenceUnits]: String(props.minInferenceUnits ?? 1),
      [PROP.maxInferenceUnits]: props.maxInferenceUnits === undefined ? undefined : String(props.maxInferenceUnits),
      [PROP.batchWindows]: JSON.stringify(table),
    }).filter(([, v]) => v !== undefined));
    const input = scheduler.ScheduleTargetInput.fromObject({
      model: { properties, stackName: stack.stackName, logicalId: stack.getLogicalId(resource.node.defaultChild as CfnResource) },
    });
    const targetOptions = { input, role: path.schedulerRole, deadLetterQueue: path.deadLetterQueue, retryAttempts: 3, maxEventAge: Duration.minutes(30) };
    // The safety net corrects a missed event, and a boundary a spring-forward skipped, within minutes.
    new scheduler.Schedule(this, 'SafetyNet', {
      schedule: scheduler.ScheduleExpression.rate(SAFETY_NET_RATE),
      target: new targets.LambdaInvoke(path.function, targetOptions),
      description: `Keeps ${this.node.path} in step with its batch windows`,
    });
    const timeZone = props.batchWindows!.timeZone;
    boundaryMinutes(table).forEach((minute, i) => {
      const t = WeeklyTime.fromMinuteOfWeek(minute);
      new scheduler.Schedule(this, `Boundary${i}`, {
        schedule: scheduler.ScheduleExpression.cron({ minute: String(t.minute), hour: String(t.hour), weekDay: CRON_DAYS[t.day], timeZone }),
        target: new targets.StepFunctionsStartExecution(path.waiter, targetOptions),
        description: `${this.node.path}: batch-window boundary at ${t} ${timeZone.timezoneName}`,
      });
    });
  }

  /**
   * Grants permission to analyze images with this model (rekognition:DetectCustomLabels on the version ARN).
   */
  public grantDetectCustomLabels(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['rekognition:DetectCustomLabels'], resourceArns: [this.projectVersionArn] });
  }
}

function validateUnits(where: string, prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${where}: ${prop} must be an integer >= 1, got ${value}`);
  }
}

function resolveWindows(where: string, windows: BatchWindows, min: number, max: number | undefined): WindowTable {
  const table = windows._resolve(where, { min, max });
  const problem = validateWindowTable(table);
  if (problem) {
    const named = problem.replace(/window (\d+)/g, (_, i: string) => `window ${i} (${windows.windows[Number(i)].start} to ${windows.windows[Number(i)].end})`);
    throw new Error(`${where}: batchWindows: ${named}`);
  }
  return table;
}

function costOf(table: WindowTable, price: number): BatchWindowCost {
  const hours = scheduledInferenceUnitHours(table);
  const round = (n: number) => Math.round(n * 100) / 100;
  const alwaysOn = 168 * Math.max(...table.windows.map((w) => w.minInferenceUnits));
  const alwaysOnAtMax = 168 * Math.max(...table.windows.map((w) => w.maxInferenceUnits ?? w.minInferenceUnits));
  return {
    scheduledInferenceUnitHoursPerWeek: round(hours.atMin),
    scheduledInferenceUnitHoursPerWeekAtMax: round(hours.atMax),
    alwaysOnInferenceUnitHoursPerWeek: alwaysOn,
    alwaysOnInferenceUnitHoursPerWeekAtMax: alwaysOnAtMax,
    inferenceUnitHourPrice: price,
    scheduledCostPerWeek: round(hours.atMin * price),
    scheduledCostPerWeekAtMax: round(hours.atMax * price),
    alwaysOnCostPerWeek: round(alwaysOn * price),
    alwaysOnCostPerWeekAtMax: round(alwaysOnAtMax * price),
  };
}
