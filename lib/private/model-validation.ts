// The validation of a CustomLabelsModel's props: what Rekognition, CloudFormation or the library would refuse fails the
// synth with a message that names the prop, and the props come out with their defaults as the settings the
// construct builds from.
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { BatchWindows } from '../batch-windows';
import { placementProblem, projectArnMatchesVersion, PROJECT_ARN_FORMAT, VERSION_ARN_FORMAT } from '../contract/project-version-arn';
import { GRACE_BOUNDS, RESOURCE_TYPE, TAG_RULES, TIMEOUT_BOUNDS } from '../contract/resource-properties';
import { TAG_PREFIX } from '../contract/tags';
import { validateWindowTable, WindowTable } from '../contract/weekly-windows';
import type { CustomLabelsModelProps } from '../custom-labels-model-props';
import { resolveDemand, ResolvedDemand } from './demand';
import { validationError } from './errors';
import { defaultParameterName, validateParameterName } from './parameter-name';
import { ModelArn } from './model-arn';
import { synthNow } from './now';

/** A model's props, validated, with their defaults: what the construct builds from. */
export interface ModelSettings {
  readonly arn: ModelArn;
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
  readonly timeoutSeconds: number;
  readonly replacementGraceSeconds: number;
  readonly removalPolicy: RemovalPolicy;
  readonly inferenceUnitHourPrice: number;
  /** The batch windows' table; undefined without batch windows. */
  readonly windows?: WindowTable;
  /** The demand as the handlers read it; undefined without demand. */
  readonly demand?: ResolvedDemand;
  /** "Now" at synth (epoch milliseconds) when the windows have one-off windows, else 0. */
  readonly now: number;
  /** The running version's parameter name, the prop's or the default. */
  readonly runningVersionParameterName: string;
  /** The hold parameter's name, the option's or the default; undefined without holds. */
  readonly holdParameterName?: string;
}

/** Refuses props that cannot deploy, in the order a reader meets them; returns them with their defaults. */
export function validateModelProps(model: IConstruct, props: CustomLabelsModelProps, arn: ModelArn): ModelSettings {
  validatePlacement(model, props, arn);
  const min = props.minInferenceUnits ?? 1;
  const max = props.maxInferenceUnits;
  validateUnits(model, 'minInferenceUnits', min);
  if (max !== undefined) {
    validateUnits(model, 'maxInferenceUnits', max);
    if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && max < min) {
      throw validationError('InvalidInferenceUnits', model, `maxInferenceUnits (${max}) must be >= minInferenceUnits (${min})`);
    }
  }
  const timeout = props.timeout ?? Duration.minutes(45);
  const timeoutSeconds = timeout.toSeconds();
  if (!Token.isUnresolved(timeoutSeconds) && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < TIMEOUT_BOUNDS.minSeconds || timeoutSeconds > TIMEOUT_BOUNDS.maxSeconds)) {
    throw validationError('InvalidTimeout', model, `timeout must be a whole number of seconds from 1 minute to 55 minutes (CloudFormation waits at most 60), got ${timeout.toHumanString()}`);
  }
  const grace = props.replacementGracePeriod ?? Duration.seconds(GRACE_BOUNDS.defaultSeconds);
  const graceSeconds = grace.toSeconds({ integral: false });
  if (!Token.isUnresolved(graceSeconds) && (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > GRACE_BOUNDS.maxSeconds)) {
    throw validationError('InvalidReplacementGracePeriod', model, `replacementGracePeriod must be a whole number of seconds from 0 to 30 minutes (the replaced version must still stop within CloudFormation's hour), got ${grace.toHumanString()}`);
  }
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
  validateRemovalPolicy(model, removalPolicy);
  const runningVersionParameterName = props.runningVersionParameterName ?? defaultParameterName(model, 'running-version');
  validateParameterName(model, 'runningVersionParameterName', 'InvalidRunningVersionParameterName', runningVersionParameterName);
  const holdParameterName = props.hold ? props.hold.parameterName ?? defaultParameterName(model, 'hold') : undefined;
  if (holdParameterName !== undefined) validateParameterName(model, 'hold.parameterName', 'InvalidHoldParameterName', holdParameterName);
  const price = props.inferenceUnitHourPrice ?? 4;
  if (!Token.isUnresolved(price) && !(price >= 0)) throw validationError('InvalidInferenceUnitHourPrice', model, `inferenceUnitHourPrice must be a number >= 0, got ${price}`);
  const windows = props.batchWindows ? resolveWindows(model, props.batchWindows, min, max) : undefined;
  const demand = props.demand ? resolveDemand(model, props.demand, min, max) : undefined;
  return {
    arn,
    minInferenceUnits: min,
    maxInferenceUnits: max,
    timeoutSeconds,
    replacementGraceSeconds: graceSeconds,
    removalPolicy,
    inferenceUnitHourPrice: price,
    windows,
    demand,
    now: windows?.oneOffWindows ? synthNow(model) : 0,
    runningVersionParameterName,
    holdParameterName,
  };
}

/** Refuses a version ARN that is not one, a projectArn of another project, and a model the stack cannot run or guard. */
function validatePlacement(model: IConstruct, props: CustomLabelsModelProps, arn: ModelArn): void {
  const { versionArn, parsed } = arn;
  if (!Token.isUnresolved(versionArn) && !parsed) {
    throw validationError('InvalidProjectVersionArn', model, `projectVersionArn must be a Rekognition project version ARN (${VERSION_ARN_FORMAT}), got "${versionArn}"`);
  }
  if (props.projectArn !== undefined && parsed && !Token.isUnresolved(props.projectArn) && !projectArnMatchesVersion(props.projectArn, parsed)) {
    throw validationError('InvalidProjectArn', model, `projectArn must be the ARN of project "${parsed.projectName}" in ${parsed.region}/${parsed.account} (${PROJECT_ARN_FORMAT}), got "${props.projectArn}"`);
  }
  const stack = Stack.of(model);
  if (parsed && !Token.isUnresolved(stack.account)) {
    const problem = placementProblem(parsed, { account: stack.account });
    if (problem) throw validationError('ModelInAnotherEnvironment', model, `projectVersionArn: ${problem}`);
  }
  if (arn.elsewhere && props.costGuard) {
    throw validationError('CostGuardInAnotherRegion', model, `costGuard: the model is in ${parsed!.region} and the stack in ${stack.region}, and a CloudWatch alarm ` +
      `reads only the metrics of its own region: declare the model in a stack of region ${parsed!.region} to guard its cost, or leave costGuard out`);
  }
}

/** Refuses a removal policy the handler does not know (it reads DESTROY or RETAIN). */
export function validateRemovalPolicy(scope: IConstruct, policy: RemovalPolicy): void {
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

/** Tags Rekognition would refuse, as the messages a validation reports (checked once Tags.of() has applied its tags). */
export function tagProblems(tags: Record<string, string>): string[] {
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
