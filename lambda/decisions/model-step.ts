// The one place that decides the next step for a model (start, stop, wait, done, fail, abandon). Pure: the same goal,
// observation, record and clock always give the same step, so a retried, late or duplicated call is harmless. The
// CloudFormation handlers, the scheduled path and the stack guard only do I/O around reconcile().
import { OwnershipRecord } from './ownership-record';
/**
 * What a request wants the model to end as. The first two keep the model the stack's (a deploy, a scheduled pass);
 * the last two end the stack's ownership (a Delete), the record removed once the model is where the goal wants it.
 */
export type Goal =
  /** RUNNING with exactly these units (maxInferenceUnits undefined: no autoscaling). */
  | { readonly kind: 'running'; readonly minInferenceUnits: number; readonly maxInferenceUnits?: number }
  /** Not running, still owned and able to start: outside its windows, held STOPPED, or its demand queue idle. */
  | { readonly kind: 'stopped' }
  /**
   * Not running, and then the ownership record removed. `graceUntil` (epoch ms): a version an update replaced keeps
   * serving until then, so that clients still calling it switch to the new one first.
   */
  | { readonly kind: 'stopped-and-released'; readonly graceUntil?: number }
  /** Left as it is, and the ownership record removed (RemovalPolicy.RETAIN). */
  | { readonly kind: 'released-as-is' };

/** What DescribeProjectVersions says of the version. */
export interface ModelObservation {
  readonly status: string;
  readonly statusMessage?: string;
  readonly minInferenceUnits?: number;
  readonly maxInferenceUnits?: number;
}

/** Who is asking: the resource (owner) and the CloudFormation request that is the live claim. */
export interface Requester {
  readonly owner: string;
  readonly requestId: string;
  /**
   * Who a start is attributed to, to tell a FAILED after our own start from an older one.
   * @default requestId
   */
  readonly runId?: string;
}

export interface ReconcileInput {
  readonly goal: Goal;
  /** Undefined when the version does not exist. */
  readonly model?: ModelObservation;
  readonly record: OwnershipRecord;
  readonly self: Requester;
  /** Epoch milliseconds. */
  readonly now: number;
  /** Epoch milliseconds after which the request fails instead of waiting. */
  readonly deadline: number;
  /** For messages: which model this is. */
  readonly modelName: string;
}

export type Step =
  | { readonly kind: 'start'; readonly minInferenceUnits: number; readonly maxInferenceUnits?: number }
  | { readonly kind: 'stop' }
  | { readonly kind: 'wait'; readonly reason: string }
  /** Converged. `release`: remove the ownership record first. */
  | { readonly kind: 'done'; readonly release: boolean; readonly reason: string }
  /** The request fails with this reason. */
  | { readonly kind: 'fail'; readonly reason: string }
  /** A later request manages the model now: this one must not act again. */
  | { readonly kind: 'abandon'; readonly reason: string };

/** Statuses from which StartProjectVersion brings a model up. */
const STARTABLE = new Set(['STOPPED', 'TRAINING_COMPLETED', 'COPYING_COMPLETED']);

/** Statuses that pass by themselves: wait for the next one. */
export const TRANSITIONAL = new Set(['STARTING', 'STOPPING']);

/** Statuses of a version that can never run; the message says what to do. */
const UNUSABLE: Record<string, string> = {
  TRAINING_FAILED: 'training failed; train a new version and deploy that',
  COPYING_FAILED: 'copying failed; copy the version again and deploy the copy',
  EXPIRED: 'the version has expired; train a new version and deploy that',
  DEPRECATED: 'the version is deprecated; train a new version and deploy that',
  DELETING: 'the version is being deleted',
};

/** Statuses that will pass, but in hours rather than within a deploy. */
const NOT_READY: Record<string, string> = {
  TRAINING_IN_PROGRESS: 'the version is still training; deploy again once it is TRAINING_COMPLETED',
  COPYING_IN_PROGRESS: 'the version is still being copied; deploy again once it is COPYING_COMPLETED',
};

/** Every status the service documents; anything else is reported, never guessed at. */
export const KNOWN_STATUSES: readonly string[] = [
  'TRAINING_IN_PROGRESS', 'TRAINING_COMPLETED', 'TRAINING_FAILED', 'STARTING', 'RUNNING', 'FAILED', 'STOPPING',
  'STOPPED', 'DELETING', 'COPYING_IN_PROGRESS', 'COPYING_COMPLETED', 'COPYING_FAILED', 'DEPRECATED', 'EXPIRED',
];

function describe(model: ModelObservation): string {
  return model.statusMessage ? `${model.status} (${model.statusMessage})` : model.status;
}

function unitsText(min: number, max: number | undefined): string {
  return max === undefined || max === min ? `${min} inference unit(s)` : `${min} to ${max} inference units`;
}

/** Units match when min is equal and max is equal, an absent max meaning "no autoscaling", the same as max = min. */
export function unitsMatch(model: ModelObservation, min: number, max: number | undefined): boolean {
  if (model.minInferenceUnits !== min) return false;
  return (model.maxInferenceUnits ?? model.minInferenceUnits) === (max ?? min);
}

/** Whether a model should stop only once the goal's grace period has passed. */
function inGrace(goal: Goal, now: number): goal is { kind: 'stopped-and-released'; graceUntil: number } {
  return goal.kind === 'stopped-and-released' && goal.graceUntil !== undefined && now < goal.graceUntil;
}

function decideWithoutDeadline(input: ReconcileInput): Step {
  const { goal, model, record, self, modelName } = input;

  if (goal.kind === 'stopped-and-released' || goal.kind === 'released-as-is') {
    if (record.owner !== self.owner) return { kind: 'done', release: false, reason: `${modelName} is not owned by ${self.owner}: left alone` };
    if (record.request !== self.requestId) return { kind: 'done', release: false, reason: `a later request (${record.request ?? 'none'}) manages ${modelName}: left to it` };
    if (!model) return { kind: 'done', release: false, reason: `${modelName} does not exist` };
    if (goal.kind === 'released-as-is') return { kind: 'done', release: true, reason: `${modelName} retained as ${model.status}` };
    switch (model.status) {
      case 'RUNNING':
        if (inGrace(goal, input.now)) {
          return { kind: 'wait', reason: `${modelName} was replaced by an update: it keeps serving until ${new Date(goal.graceUntil).toISOString()} (the replacement grace period), then stops` };
        }
        return { kind: 'stop' };
      case 'STARTING':
        return { kind: 'stop' };
      case 'STOPPING':
        return { kind: 'wait', reason: `${modelName} is STOPPING` };
      default:
        if (!KNOWN_STATUSES.includes(model.status)) {
          return { kind: 'fail', reason: `${modelName} has status ${describe(model)}, which this library does not know; stop it by hand and delete again` };
        }
        return { kind: 'done', release: true, reason: `${modelName} is ${model.status}` };
    }
  }

  if (!model) {
    return { kind: 'fail', reason: `${modelName} does not exist: check projectVersionArn (and projectArn), the account and the region` };
  }
  if (record.owner !== self.owner || record.request !== self.requestId) {
    return { kind: 'abandon', reason: `a later request (${record.request ?? 'none'} by ${record.owner ?? 'nobody'}) manages ${modelName} now; this request no longer acts on it` };
  }
  const unusable = UNUSABLE[model.status] ?? NOT_READY[model.status];
  if (unusable) return { kind: 'fail', reason: `${modelName} cannot run: status ${describe(model)}: ${unusable}` };
  if (!KNOWN_STATUSES.includes(model.status)) {
    return { kind: 'fail', reason: `${modelName} has status ${describe(model)}, which this library does not know; nothing was started` };
  }
  if (goal.kind === 'stopped') {
    // Outside the batch windows: stopped, but still a version that can start when a window opens.
    if (model.status === 'RUNNING' || model.status === 'STARTING') return { kind: 'stop' };
    if (model.status === 'STOPPING') return { kind: 'wait', reason: `${modelName} is STOPPING` };
    return { kind: 'done', release: false, reason: `${modelName} is ${model.status}, outside its batch windows` };
  }
  const { minInferenceUnits: min, maxInferenceUnits: max } = goal;
  if (model.status === 'RUNNING') {
    if (unitsMatch(model, min, max)) return { kind: 'done', release: false, reason: `${modelName} is RUNNING with ${unitsText(min, max)}` };
    // Changing units means a restart: the service has no call that changes the units of a running model.
    return { kind: 'stop' };
  }
  if (TRANSITIONAL.has(model.status)) return { kind: 'wait', reason: `${modelName} is ${model.status}` };
  if (STARTABLE.has(model.status)) return { kind: 'start', minInferenceUnits: min, maxInferenceUnits: max };
  if (model.status === 'FAILED') {
    // A FAILED left by an earlier attempt gets one new start; a FAILED after this request's own start is final.
    if (record.startedBy === (self.runId ?? self.requestId)) {
      return { kind: 'fail', reason: `${modelName} failed to start with ${unitsText(min, max)}: ${model.statusMessage ?? 'no StatusMessage'}` };
    }
    return { kind: 'start', minInferenceUnits: min, maxInferenceUnits: max };
  }
  return { kind: 'fail', reason: `${modelName} has status ${describe(model)}, which this library does not know; nothing was started` };
}

/** The next step for a model, given what is wanted and what is observed. */
export function reconcile(input: ReconcileInput): Step {
  const step = decideWithoutDeadline(input);
  if ((step.kind === 'wait' || step.kind === 'start' || step.kind === 'stop') && input.now >= input.deadline) {
    const observed = input.model ? describe(input.model) : 'not found';
    const wanted = input.goal.kind === 'running' ? `RUNNING with ${unitsText(input.goal.minInferenceUnits, input.goal.maxInferenceUnits)}`
      : input.goal.kind === 'stopped' ? 'STOPPED (outside its batch windows)' : 'STOPPED';
    return { kind: 'fail', reason: `${input.modelName} did not reach ${wanted} before the deploy timeout: it is ${observed}; raise the timeout prop or check the model in the Rekognition console` };
  }
  return step;
}
