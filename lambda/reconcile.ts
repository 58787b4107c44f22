// The one place that decides what to do with a model. Pure: the same desired state, observation, record and clock
// always give the same step, so a retried, late or duplicated call is harmless. The CloudFormation handlers (and
// the scheduled path) only do I/O around these functions.
import { GRACE_BOUNDS, TIMEOUT_BOUNDS } from '../lib/contract/resource-properties';
import { highestUnits, WindowTable, windowStateAt } from '../lib/contract/weekly-windows';
import { DemandDeclaration, demandRuns, DemandVerdict } from './demand';
import { HoldReading, HoldVerdict, holdVerdict } from './hold';
import { OwnershipRecord } from './ownership';
import { ownerValue, stackOfOwner, TAG } from '../lib/contract/tags';

/** What a request wants the model to end as. */
export type Goal =
  /** RUNNING with exactly these units (maxInferenceUnits undefined: no autoscaling). */
  | { readonly kind: 'running'; readonly minInferenceUnits: number; readonly maxInferenceUnits?: number }
  /** Owned and able to start, but not running: outside its batch windows. */
  | { readonly kind: 'parked' }
  /**
   * Not running, and the ownership record removed. `graceUntil` (epoch ms): a version an update replaced keeps
   * serving until then, so that clients still calling it switch to the new one first.
   */
  | { readonly kind: 'stopped'; readonly graceUntil?: number }
  /** Left as it is, and the ownership record removed (RemovalPolicy.RETAIN). */
  | { readonly kind: 'released' };

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
const TRANSITIONAL = new Set(['STARTING', 'STOPPING']);
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

/**
 * Whether a request may claim a model: a model another stack runs is refused, so that two stacks never fight over
 * one model. A different resource of the same stack (a renamed construct) takes the model over.
 */
export function admit(record: OwnershipRecord, self: Requester, modelName: string): { ok: true } | { ok: false; reason: string } {
  if (record.owner === undefined || record.owner === self.owner || stackOfOwner(record.owner) === stackOfOwner(self.owner)) {
    return { ok: true };
  }
  return {
    ok: false,
    reason: `Model ${modelName} is already run by ${record.owner} (stack/resource). One model can be run by one stack only: ` +
      'use CustomLabelsModel.fromProjectVersionArn() to use it from this stack, or, if that stack no longer exists, ' +
      `remove the tag "${TAG.owner}" from the model and deploy again.`,
  };
}

/**
 * What a Delete must do, decided before it claims the model. RETAIN leaves a settled model running when the stack
 * or the construct goes away. It does not apply, and the model is stopped, when the stack is rolling back (a
 * Create or an Update undone), when the model's last request never finished (a Create CloudFormation gave up on),
 * or when an update replaced this version: no failure path leaves a model running that no stack owns.
 *
 * A version an update replaced, deleted in the update's cleanup, first keeps serving for the grace period the update
 * wrote on it: the new version is RUNNING and published by then. Never in a rollback's cleanup, a removal or a stack
 * delete: there nothing replaces the version, or what replaced it is itself being undone.
 */
export function goalForDelete(retainOnDelete: boolean, record: OwnershipRecord, stackStatus: string | undefined, now: number): Goal {
  const rollingBack = stackStatus !== undefined && stackStatus.includes('ROLLBACK');
  if (retainOnDelete) {
    const settled = record.request !== undefined && record.settled === record.request;
    if (settled && record.replaced === undefined && !rollingBack) return { kind: 'released' };
  }
  const graceMs = record.replaced !== undefined && stackStatus === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' ? graceSecondsOf(record) * 1000 : 0;
  return graceMs > 0 ? { kind: 'stopped', graceUntil: now + graceMs } : { kind: 'stopped' };
}

/** The grace period a replacing update wrote on the version, within the library's bounds (a tag anyone may edit). */
function graceSecondsOf(record: OwnershipRecord): number {
  const seconds = Number(record.graceSeconds ?? 0);
  return Number.isInteger(seconds) && seconds > 0 ? Math.min(seconds, GRACE_BOUNDS.maxSeconds) : 0;
}

/** Whether a model should stop only once the goal's grace period has passed. */
function inGrace(goal: Goal, now: number): goal is { kind: 'stopped'; graceUntil: number } {
  return goal.kind === 'stopped' && goal.graceUntil !== undefined && now < goal.graceUntil;
}

function decideWithoutDeadline(input: ReconcileInput): Step {
  const { goal, model, record, self, modelName } = input;

  if (goal.kind === 'stopped' || goal.kind === 'released') {
    if (record.owner !== self.owner) return { kind: 'done', release: false, reason: `${modelName} is not owned by ${self.owner}: left alone` };
    if (record.request !== self.requestId) return { kind: 'done', release: false, reason: `a later request (${record.request ?? 'none'}) manages ${modelName}: left to it` };
    if (!model) return { kind: 'done', release: false, reason: `${modelName} does not exist` };
    if (goal.kind === 'released') return { kind: 'done', release: true, reason: `${modelName} retained as ${model.status}` };
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
  if (goal.kind === 'parked') {
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
      : input.goal.kind === 'parked' ? 'STOPPED (outside its batch windows)' : 'STOPPED';
    return { kind: 'fail', reason: `${input.modelName} did not reach ${wanted} before the deploy timeout: it is ${observed}; raise the timeout prop or check the model in the Rekognition console` };
  }
  return step;
}

/** How the handlers treat an error from a Rekognition call. */
export type ErrorVerdict =
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string }
  /** A start or stop was refused: look at the model again, then judge again with `statusAfter`. */
  | { readonly kind: 'recheck' }
  /** The version does not exist (any more): the next observation decides. */
  | { readonly kind: 'gone' };

/** The fields of an AWS SDK error that matter here. */
export interface ServiceError {
  readonly name?: string;
  readonly message?: string;
  readonly httpStatusCode?: number;
}

const RETRYABLE = new Set([
  'ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalServerError', 'ServiceUnavailableException',
  'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'ECONNRESET', 'ECONNREFUSED',
  'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'NetworkingError', 'Throttling',
  // Too many inference units running in the account: may clear when another model (the one a version swap
  // replaces, say) stops, so it is retried until the deadline and then reported.
  'LimitExceededException',
]);

/**
 * How long after a request began an access denial may still be IAM propagating the policy CloudFormation has just
 * updated (IAM is eventually consistent; CloudFormation sends the resource its request right after the update).
 */
export const IAM_PROPAGATION_MS = 60_000;

export interface ErrorContext {
  /** When the CloudFormation request began (epoch ms); undefined for the scheduled path and the guard. */
  readonly requestStartedAt?: number;
  /** The model's status when the step was decided. */
  readonly statusBefore?: string;
  /** The model's status looked up again after a refusal. */
  readonly statusAfter?: string;
  readonly now: number;
  readonly deadline: number;
  readonly modelName: string;
}

/**
 * Whether onEvent, which answers once, runs again after this error: a transient one, or an access denial while IAM
 * may still be propagating the policy CloudFormation has just updated.
 */
export function onEventMayRunAgain(error: ServiceError, elapsedMs: number): boolean {
  return isTransient(error) || (error.name === 'AccessDeniedException' && elapsedMs < IAM_PROPAGATION_MS);
}

/**
 * Whether an error says that this account cannot use the region at all: its endpoint does not resolve (no such
 * region: a typo in a version ARN) or the region is not enabled for the account (an opt-in region answers every call
 * with UnrecognizedClientException until it is enabled). Nothing the library does there can succeed, now or later.
 */
export function regionUnusable(error: ServiceError): boolean {
  return error.name === 'ENOTFOUND' || error.name === 'UnrecognizedClientException';
}

/**
 * What the stack guard does when it cannot list a region's models. `skip`: a region only the guard regions resource
 * remembers, which the account cannot use (failing every run for it would only keep the alarm ringing); `next-run`:
 * a transient error, for the next run; `fail`: anything else, for the alarm.
 */
export function guardListingVerdict(error: ServiceError, rememberedOnly: boolean): 'skip' | 'next-run' | 'fail' {
  if (rememberedOnly && regionUnusable(error)) return 'skip';
  return isTransient(error) ? 'next-run' : 'fail';
}

/** Whether an error passes by itself (throttling, a 5xx, a lost connection, too many units in the account). */
export function isTransient(error: ServiceError): boolean {
  return RETRYABLE.has(error.name ?? '') || (error.httpStatusCode !== undefined && error.httpStatusCode >= 500);
}

/**
 * What an error means for a request. A start or stop refused (ResourceInUseException, InvalidParameterException:
 * the service does not document which call is legal in which status) is retried when the model is, or has just
 * become, STARTING or STOPPING, or has moved on since the step was decided (our own earlier call, whose answer was
 * lost, may have been applied); refused with the model still in the same steady status it is final, and reported
 * with the service's message.
 */
export function judgeError(error: ServiceError, ctx: ErrorContext): ErrorVerdict {
  const name = error.name ?? 'Error';
  const text = `${name}: ${error.message ?? ''}`.trim();
  if (name === 'ResourceNotFoundException') return { kind: 'gone' };
  const retryOrTimeout = (): ErrorVerdict => ctx.now >= ctx.deadline
    ? { kind: 'fail', reason: `${ctx.modelName}: the deploy timeout passed while Rekognition kept answering ${text}` }
    : { kind: 'retry', reason: text };
  if (isTransient(error)) return retryOrTimeout();
  if (name === 'ResourceInUseException' || name === 'InvalidParameterException') {
    const before = ctx.statusBefore;
    if (before !== undefined && TRANSITIONAL.has(before)) return retryOrTimeout();
    if (!('statusAfter' in ctx)) return { kind: 'recheck' };
    const after = ctx.statusAfter;
    if (after !== before || (after !== undefined && TRANSITIONAL.has(after))) return retryOrTimeout();
  }
  if (name === 'AccessDeniedException') {
    if (ctx.requestStartedAt !== undefined && ctx.now - ctx.requestStartedAt < IAM_PROPAGATION_MS) {
      return { kind: 'retry', reason: `${text} (IAM may still be propagating the policy CloudFormation has just updated)` };
    }
    return {
      kind: 'fail',
      reason: `${ctx.modelName}: access denied (${text}): the handlers' role may start only the versions this stack declares ` +
        'and stop only those whose ownership tag names this stack; a service control policy or a permissions boundary may refuse more',
    };
  }
  return { kind: 'fail', reason: `${ctx.modelName}${ctx.statusBefore ? ` (status ${ctx.statusBefore})` : ''}: Rekognition refused the call: ${text}` };
}

/** What a CloudFormation request does first, before any waiting: claim the model, leave it, or fail at once. */
export type Plan =
  /** Write this request into the model's record, then reconcile towards the goal. */
  | { readonly kind: 'claim'; readonly goal: Goal }
  /** Nothing of this resource's to do. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Fail the request now; nothing has been started. */
  | { readonly kind: 'reject'; readonly reason: string };

export interface PlanInput {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
  readonly retainOnDelete: boolean;
  readonly windows?: WindowTable;
  readonly now: number;
  /** The stack's status, read for a Delete under RETAIN or of a replaced version only. */
  readonly stackStatus?: string;
  /** Whether the version exists. */
  readonly exists: boolean;
  readonly record: OwnershipRecord;
  readonly self: Requester;
  readonly modelName: string;
}

export function planRequest(input: PlanInput): Plan {
  const { record, self, modelName } = input;
  if (input.requestType === 'Delete') {
    if (!input.exists) return { kind: 'skip', reason: `${modelName} does not exist` };
    if (record.owner !== self.owner) return { kind: 'skip', reason: `${modelName} is not owned by ${self.owner} (owner: ${record.owner ?? 'none'}): left alone` };
    return { kind: 'claim', goal: goalForDelete(input.retainOnDelete, record, input.stackStatus, input.now) };
  }
  if (!input.exists) {
    return { kind: 'reject', reason: `${modelName} does not exist: check projectVersionArn, the account and the region` };
  }
  const admitted = admit(record, self, modelName);
  if (!admitted.ok) return { kind: 'reject', reason: admitted.reason };
  return { kind: 'claim', goal: declaredGoal(input, input.now) };
}

/**
 * When a request stops waiting. A Create or Update waits as long as the user's timeout; a Delete as long as
 * CloudFormation allows, since giving up on a stop could leave a model running that no stack owns.
 */
export function deadlineFor(requestType: 'Create' | 'Update' | 'Delete', timeoutSeconds: number, now: number): number {
  return now + (requestType === 'Delete' ? TIMEOUT_BOUNDS.maxSeconds : timeoutSeconds) * 1000;
}

/** What a model's declaration wants at an instant: its units, or, with batch windows, what the windows say. */
export function declaredGoal(
  declared: { readonly minInferenceUnits: number; readonly maxInferenceUnits?: number; readonly windows?: WindowTable },
  now: number,
): Goal {
  if (!declared.windows) return { kind: 'running', minInferenceUnits: declared.minInferenceUnits, maxInferenceUnits: declared.maxInferenceUnits };
  const state = windowStateAt(declared.windows, now);
  return state.running
    ? { kind: 'running', minInferenceUnits: state.minInferenceUnits, maxInferenceUnits: state.maxInferenceUnits }
    : { kind: 'parked' };
}

/** What a model's declaration says about units and windows: the inputs of what it should be doing. */
export interface Declaration {
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
  readonly windows?: WindowTable;
  /** Demand-driven runs: outside the windows (or without any), the model runs while its queue holds messages. */
  readonly demand?: DemandDeclaration;
}

/**
 * Why a model should be doing what it should: a hold, a window open, no window open, its declaration (no windows, no
 * demand), its queue's demand, or no demand (a model with demand and no windows, its queue empty for the idle time).
 */
export type GoalReason = 'hold' | 'window' | 'outside-windows' | 'declaration' | 'demand' | 'no-demand';

export interface DesiredState {
  readonly goal: Goal;
  readonly reason: GoalReason;
  /** What the hold parameter said (none without holds). */
  readonly hold: HoldVerdict;
  /** The run id a start is attributed to under a hold: one FAILED start per hold written, not one every pass. */
  readonly holdRunId?: string;
  /** What the queue said (none without demand). */
  readonly demand?: DemandVerdict;
}

/** The most units the declaration ever runs the model with: its own (max, else min) or any window's. */
export function highestDeclaredUnits(declared: Declaration): number {
  const own = highestUnits(declared.minInferenceUnits, declared.maxInferenceUnits, declared.windows);
  const d = declared.demand;
  return d ? Math.max(own, d.maxInferenceUnits ?? d.minInferenceUnits) : own;
}

/**
 * What a model should be doing now, from its declaration, its windows and its hold as they are now (level-triggered:
 * every pass, the deploy's and the scheduled path's, computes it afresh). A hold in force wins over the windows: held
 * STOPPED it is parked even inside a window; held RUNNING it runs with the hold's units, or without units in the hold
 * with those of the window open now, else the model's own. A hold that cannot be used counts as none.
 */
export function desiredState(declared: Declaration, reading: HoldReading | undefined, now: number, demand: DemandVerdict = { kind: 'none' }): DesiredState {
  const hold = holdVerdict(reading, highestDeclaredUnits(declared), now);
  const base = withoutHold(declared, now, demand);
  const declaredNow = base.goal;
  if (hold.kind === 'active') {
    const h = hold.hold;
    const holdRunId = `hold:${reading?.modifiedAt ?? 0}:${h.until}`;
    if (h.state === 'STOPPED') return { goal: { kind: 'parked' }, reason: 'hold', hold, holdRunId, demand };
    const units = h.minInferenceUnits !== undefined
      ? { minInferenceUnits: h.minInferenceUnits, maxInferenceUnits: h.maxInferenceUnits }
      : declaredNow.kind === 'running'
        ? { minInferenceUnits: declaredNow.minInferenceUnits, maxInferenceUnits: declaredNow.maxInferenceUnits }
        : { minInferenceUnits: declared.minInferenceUnits, maxInferenceUnits: declared.maxInferenceUnits };
    return { goal: { kind: 'running', ...units }, reason: 'hold', hold, holdRunId, demand };
  }
  return { ...base, hold, demand };
}

/**
 * The goal without a hold: a window open runs the model with the window's units; outside every window (or without
 * windows) a model with demand runs with the demand's units while its queue holds messages or has been empty for less
 * than the idle time; a model without windows and without demand runs all the time.
 */
function withoutHold(declared: Declaration, now: number, demand: DemandVerdict): { goal: Goal; reason: GoalReason } {
  const declaredNow = declaredGoal(declared, now);
  if (declared.windows && declaredNow.kind === 'running') return { goal: declaredNow, reason: 'window' };
  const d = declared.demand;
  if (!d) return { goal: declaredNow, reason: declared.windows ? 'outside-windows' : 'declaration' };
  if (demandRuns(demand)) return { goal: { kind: 'running', minInferenceUnits: d.minInferenceUnits, maxInferenceUnits: d.maxInferenceUnits }, reason: 'demand' };
  return { goal: { kind: 'parked' }, reason: declared.windows ? 'outside-windows' : 'no-demand' };
}

/**
 * How far back a window's close, a hold's end or a release counts as the reason for a stop outside the windows: two
 * periods of the scheduled path's 5-minute pass. A model found running outside every window and hold beyond that was
 * started by someone else (by hand, from the console or the CLI): its stop is an enforcement stop.
 */
export const ENFORCEMENT_LOOKBACK_MS = 10 * 60_000;

/** Why the scheduled path stops a model: the end of what let it run, or enforcement of the windows. */
export type StopCause = 'hold' | 'hold-expired' | 'hold-released' | 'window-closed' | 'demand-idle' | 'enforcement';

/** The cause of a stop towards a parked goal, for its log line (and, later, its event). */
export function stopCause(declared: Declaration, state: DesiredState, reading: HoldReading | undefined, now: number): StopCause {
  if (state.reason === 'hold') return 'hold';
  const since = now - ENFORCEMENT_LOOKBACK_MS;
  if (state.hold.kind === 'ignored' && state.hold.problem === 'expired' && state.hold.until !== undefined && state.hold.until > since) return 'hold-expired';
  if (state.hold.kind === 'none' && reading?.modifiedAt !== undefined && reading.modifiedAt > since) return 'hold-released';
  // The queue's idle time ended within the lookback: the demand that ran the model is over.
  if (state.demand?.kind === 'quiet' && state.demand.emptySince !== undefined && declared.demand
    && state.demand.emptySince + declared.demand.idleSeconds * 1000 > since) return 'demand-idle';
  if (declared.windows) {
    const then = windowStateAt(declared.windows, since);
    if (then.running || then.until <= now) return 'window-closed';
  }
  return 'enforcement';
}

/** How long a CloudFormation claim can be in flight before it is certainly dead: CloudFormation waits an hour. */
export const CLAIM_LIFETIME_MS = 65 * 60_000;

/**
 * Whether the scheduled path may act on a model now. It acts for the stack's settled deploy: never on a model its
 * stack does not own, and not while a CloudFormation request is in flight (that request converges to the same
 * windows; two writers would only fight). `converged` tells the scheduled waiter whether to stop polling.
 */
export function scheduledAccess(record: OwnershipRecord, owner: string, now: number): { readonly ok: true; readonly requestId: string } | { readonly ok: false; readonly converged: boolean; readonly reason: string } {
  if (record.owner !== owner || record.request === undefined) {
    return { ok: false, converged: true, reason: `not owned by ${owner} (owner: ${record.owner ?? 'none'}): left alone` };
  }
  const inFlight = record.settled !== record.request && now - Number(record.requestAt ?? 0) < CLAIM_LIFETIME_MS;
  if (inFlight) return { ok: false, converged: false, reason: `a CloudFormation request (${record.request}) is in flight: it converges the model` };
  return { ok: true, requestId: record.request };
}

/**
 * Whom the scheduled path attributes a start to: the window occurrence it happens in (of a weekly window, or of a
 * one-off window), so that a FAILED start is
 * retried once per occurrence (not every few minutes) and a failure after this occurrence's own start is final.
 */
export function scheduledRunId(windows: WindowTable | undefined, now: number, requestId: string): string {
  const state = windows ? windowStateAt(windows, now) : undefined;
  if (!state?.running) return `request:${requestId}`;
  // A one-off window's occurrence has an id of its own: its index never names a weekly window's.
  return `${state.source === 'oneOff' ? 'oneOff' : 'window'}:${state.window}:${state.since}`;
}

/** The AWS CLI command that stops a model by hand. */
export function stopCommand(versionArn: string): string {
  const region = versionArn.split(':')[3];
  return `aws rekognition stop-project-version --project-version-arn ${versionArn}${region ? ` --region ${region}` : ''}`;
}

/**
 * The reason a Delete fails with. CloudFormation drops a resource whose cleanup delete fails and carries on, so the
 * message is all a user may ever see of a model left running: it says so, and how to stop it.
 */
export function deleteFailure(versionArn: string, reason: string): string {
  return `${reason}. ${versionArn} may still be running and billing: stop it with \`${stopCommand(versionArn)}\``;
}

/**
 * What a request does when it looks at the model's record right after its own start. Still its claim: carry on.
 * Another request's: a Delete claimed (and may already have released) the model between our look and our start, so
 * the start is undone; if the Delete released it, the ownership tag is written back first, so that the role may stop
 * it (and, should the stop be refused while the model is STARTING, the stack guard finds it). Another stack's: it
 * runs the model now.
 */
export type AfterStart =
  | { readonly kind: 'ours' }
  | { readonly kind: 'undo'; readonly reclaim: boolean }
  | { readonly kind: 'theirs' };

export function afterOwnStart(after: OwnershipRecord, self: Requester): AfterStart {
  if (after.request === self.requestId) return { kind: 'ours' };
  if (after.owner !== undefined && stackOfOwner(after.owner) !== stackOfOwner(self.owner)) return { kind: 'theirs' };
  return { kind: 'undo', reclaim: after.owner === undefined };
}

/** Whether CloudFormation is acting on a stack in this status (or cannot say: the stack is unknown). */
export function cloudFormationActing(stackStatus: string | undefined): boolean {
  return stackStatus === undefined || stackStatus.endsWith('_IN_PROGRESS');
}

/** The statuses of the models the stack guard looks at: those that bill, and those it may be stopping. */
export const GUARD_LOOKS_AT: ReadonlySet<string> = new Set(['RUNNING', 'STARTING', 'STOPPING']);

/** Request ids the stack guard claims a model with. */
export const GUARD_REQUEST_PREFIX = 'guard:';

/** A resource of the stack as CloudFormation lists it. */
export interface StackModelResource {
  readonly logicalId: string;
  readonly physicalId?: string;
}

export interface GuardInput {
  readonly stackName: string;
  /**
   * The stack part of the owner values of the region looked at (lambda/ownership.ts ownerStack()): the stack's name
   * in its own region, `<name>@<stack region>` in another.
   * @default stackName
   */
  readonly ownerStack?: string;
  /** The stack's status; undefined when CloudFormation does not know the stack. */
  readonly stackStatus?: string;
  /** The stack's model resources now. */
  readonly declared: readonly StackModelResource[];
  readonly versionArn: string;
  readonly record: OwnershipRecord;
  readonly now: number;
}

export type GuardVerdict =
  | { readonly kind: 'leave'; readonly reason: string }
  /** Stop the model under this request id; `claim`: write the claim first. */
  | { readonly kind: 'stop'; readonly requestId: string; readonly claim: boolean; readonly reason: string };

/**
 * The stack guard's decision for one model: a model whose ownership tag names this stack, but which no resource of
 * the stack declares any more (a cleanup CloudFormation gave up on and dropped, say), is stopped. It acts only while
 * the stack is settled: during an operation, CloudFormation itself is creating, replacing or deleting models, and
 * a model between its update and its cleanup is still the stack's.
 */
export function guardVerdict(input: GuardInput): GuardVerdict {
  const { record, stackName, versionArn } = input;
  const owning = input.ownerStack ?? stackName;
  if (record.owner === undefined || stackOfOwner(record.owner) !== owning) return { kind: 'leave', reason: 'not owned by this stack' };
  if (input.stackStatus === undefined) return { kind: 'leave', reason: `stack ${stackName} not found` };
  if (cloudFormationActing(input.stackStatus)) return { kind: 'leave', reason: `the stack is ${input.stackStatus}: CloudFormation is acting` };
  if (input.declared.some((r) => ownerValue(owning, r.logicalId) === record.owner && r.physicalId === versionArn)) {
    return { kind: 'leave', reason: 'declared by the stack' };
  }
  const reason = `${versionArn} is owned by ${record.owner}, which the stack (${input.stackStatus}) no longer declares`;
  // With the stack settled, no CloudFormation request waits for this model: any claim on it is dead or abandoned.
  if (record.request?.startsWith(GUARD_REQUEST_PREFIX)) return { kind: 'stop', requestId: record.request, claim: false, reason };
  return { kind: 'stop', requestId: `${GUARD_REQUEST_PREFIX}${input.now}`, claim: true, reason };
}
