// The props of a CustomLabelsModel: the model to run, its units, removal policy and timeout, and the features that
// decide when it runs (batch windows, holds, demand) and what watches its cost (cost guard, handler logs, tags).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BatchWindows } from './batch-windows';
import { CostGuardOptions } from './cost-guard';
import { DemandOptions } from './demand';
import { HoldOptions } from './hold';

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
   * @default - `/rekognition-custom-labels/<stack name>/<construct path in the stack>/running-version`
   */
  readonly runningVersionParameterName?: string;

  /**
   * Holds without a redeploy: a parameter that holds the model RUNNING or STOPPED until a given time (see HoldOptions).
   *
   * @default - no holds: no hold parameter, and a model without batch windows or demand has no periodic pass
   */
  readonly hold?: HoldOptions;

  /**
   * Demand-driven runs: outside its batch windows (or, without windows, instead of running all the time), the model
   * runs while this SQS queue holds messages and stops once the queue has been empty for the idle time. A hold wins
   * over demand, and a window open over both demand's units and its absence. The scheduled path looks every minute.
   *
   * @default - no demand: without batch windows the model runs all the time
   */
  readonly demand?: DemandOptions;
}
