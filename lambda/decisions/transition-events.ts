// Which transition events to report (pure): one EventBridge event on the account's default bus for each start, stop,
// failed start, hold set/expired/ignored and divergence (lib/contract/transition-events.ts has the schema users
// consume; aws/transition-event-bus.ts puts them). Decided from the observation and the ownership record.
//
// Exactly once, by kind:
// - START and STOP are put only after a StartProjectVersion/StopProjectVersion the service accepted: a duplicated or
//   concurrent pass that finds the model STARTING takes no action (or has its call refused) and puts nothing.
// - START_FAILED, HOLD_* and DIVERGED have no service call to hang on: the key of the last one reported is kept in a
//   library tag on the model (TAG.eventKey by family), written BEFORE the put, and a key already there is not put
//   again. So a retried step, a duplicated schedule event or a later pass that sees the same thing puts nothing.
// A put that fails after the SDK's retries is logged and dropped: at most once, then.
import type { TransitionEventDetail, TransitionKind as Kinds, TransitionReason as Reasons } from '../../lib/contract/transition-events';
import type { OccurrenceSource } from '../../lib/contract/weekly-windows';
import { TAG } from '../../lib/contract/tags';
import type { DesiredState } from './desired-state';
import type { HoldReading, HoldVerdict } from './hold';
import type { Goal, ModelObservation } from './model-step';
import type { OwnershipRecord } from './ownership-record';
import type { StopCause } from './stop-cause';

/** The closed sets of the schema, as the strings the handlers write (lib/contract/transition-events.ts defines them). */
export type TransitionKind = `${Kinds}`;
export type TransitionReason = `${Reasons}`;

/** A model's status and units, as DescribeProjectVersions gives them (or as a goal wants them). */
export type ModelState = TransitionEventDetail['from'];

/** The event's detail as the handlers write it: the schema's, with its closed sets as strings. */
export type TransitionDetail = Omit<TransitionEventDetail, 'version' | 'kind' | 'reason'> & {
  readonly version: '1';
  readonly kind: TransitionKind;
  readonly reason: TransitionReason;
};

/** Where an event comes from: the model and the resource that runs it. */
export interface EventSubject {
  readonly modelArn: string;
  readonly stackName: string;
  readonly logicalId: string;
}

/** The tag that keeps the last reported key of each family of record-deduplicated events. */
export type KeyFamily = 'hold' | 'failed' | 'diverged';
export const EVENT_KEY_TAG: Record<KeyFamily, string> = {
  hold: TAG.eventHold,
  failed: TAG.eventFailed,
  diverged: TAG.eventDiverged,
};

/** A record-deduplicated event to report, with the family whose tag keeps its key. */
export interface KeyedEvent {
  readonly family: KeyFamily;
  readonly kind: TransitionKind;
  readonly reason: TransitionReason;
  readonly key: string;
  readonly from: ModelState;
  readonly to: ModelState;
  readonly message?: string;
}

/** Whether a keyed event is new: its key is not the last one its family reported (pure). */
export function isNewKey(record: OwnershipRecord, event: Pick<KeyedEvent, 'family' | 'key'>): boolean {
  const last: Record<KeyFamily, string | undefined> = { hold: record.eventHold, failed: record.eventFailed, diverged: record.eventDiverged };
  return last[event.family] !== event.key;
}

export function stateOf(model: ModelObservation | undefined): ModelState {
  if (!model) return {};
  return { status: model.status, minInferenceUnits: model.minInferenceUnits, maxInferenceUnits: model.maxInferenceUnits };
}

export function goalState(goal: Goal): ModelState {
  return goal.kind === 'running'
    ? { status: 'RUNNING', minInferenceUnits: goal.minInferenceUnits, maxInferenceUnits: goal.maxInferenceUnits ?? goal.minInferenceUnits }
    : { status: 'STOPPED' };
}

/**
 * The reason of a scheduled start or stop: the hold, the window, a calendar exception (the occurrence that opened or
 * closed is a one-off window), the demand queue (messages arrived, or it stayed empty for the idle time), or (a stop
 * outside every window, hold and demand) enforcement.
 * @param occurrence the kind of window occurrence that opened (a start) or closed (a stop), where one did
 */
export function scheduledReason(state: DesiredState, cause: StopCause | undefined, occurrence?: OccurrenceSource): TransitionReason {
  if (cause === 'enforcement') return 'enforcement';
  if (state.reason === 'hold' || cause === 'hold' || cause === 'hold-expired' || cause === 'hold-released') return 'hold';
  if (state.reason === 'demand' || cause === 'demand-idle') return 'demand';
  if (state.reason === 'declaration') return 'deploy';
  return occurrence === 'oneOff' ? 'exception' : 'window';
}

/**
 * The hold event the scheduled path reports for what the hold parameter says now, if any (pure). Keyed by the
 * parameter's modification time, so that one write of the parameter gives one HOLD_SET, then at most one HOLD_EXPIRED.
 */
export function holdEvent(verdict: HoldVerdict, reading: HoldReading | undefined, goal: Goal, observed: ModelObservation | undefined): KeyedEvent | undefined {
  const written = reading?.modifiedAt ?? 0;
  const from = stateOf(observed);
  if (verdict.kind === 'active') {
    const h = verdict.hold;
    return { family: 'hold', kind: 'HOLD_SET', reason: 'hold', key: `hold-set:${written}:${h.until}`, from, to: goalState(goal), message: `held ${h.state} until ${new Date(h.until).toISOString()}` };
  }
  if (verdict.kind === 'ignored') {
    const kind = verdict.problem === 'expired' ? 'HOLD_EXPIRED' : 'HOLD_IGNORED';
    return { family: 'hold', kind, reason: 'hold', key: `${kind === 'HOLD_EXPIRED' ? 'hold-expired' : 'hold-ignored'}:${written}:${verdict.problem}`, from, to: goalState(goal), message: verdict.reason };
  }
  return undefined;
}

/** The START_FAILED event for a start of this run that ended FAILED, if the model shows one (pure). */
export function failedStartEvent(observed: ModelObservation | undefined, record: OwnershipRecord, runId: string, goal: Goal, reason: TransitionReason): KeyedEvent | undefined {
  if (observed?.status !== 'FAILED' || record.startedBy !== runId || goal.kind !== 'running') return undefined;
  return { family: 'failed', kind: 'START_FAILED', reason, key: `start-failed:${runId}`, from: { status: 'STARTING' }, to: stateOf(observed), message: observed.statusMessage ?? 'no StatusMessage' };
}

/**
 * How long a goal may stand unreached before the model counts as diverged: longer than the scheduled waiter's stop
 * plus the slowest start public samples report (30 minutes).
 */
export const DIVERGENCE_BOUND_MS = 45 * 60_000;

export interface DivergenceInput {
  /** The goal now, and the goal the same inputs gave DIVERGENCE_BOUND_MS ago. */
  readonly goal: Goal;
  readonly goalThen: Goal;
  /** This pass took no action (a pass that starts or stops the model is converging it). */
  readonly idle: boolean;
  /** This pass found the model at its goal. */
  readonly converged: boolean;
  readonly observed?: ModelObservation;
  readonly record: OwnershipRecord;
  /** When the hold parameter was last written (epoch ms), if it exists. */
  readonly holdWrittenAt?: number;
  /** Identifies the goal's occurrence: the run id of a running goal, the next opening of a stopped one. */
  readonly goalKey: string;
  readonly reason: TransitionReason;
  readonly now: number;
}

/**
 * Divergence: a scheduled pass finds the model away from its goal, in a status that does not pass by itself (not
 * STARTING or STOPPING), and takes no action, while that goal has stood for
 * the whole bound and neither the last deploy, nor the hold's last write, nor the library's last start or stop is
 * within the bound. One per goal occurrence (pure).
 */
export function divergenceEvent(input: DivergenceInput): KeyedEvent | undefined {
  if (input.converged || !input.idle) return undefined;
  // STARTING and STOPPING pass by themselves (the service bounds them): a model on its way is not diverged.
  if (input.observed && (input.observed.status === 'STARTING' || input.observed.status === 'STOPPING')) return undefined;
  const since = input.now - DIVERGENCE_BOUND_MS;
  if (JSON.stringify(input.goal) !== JSON.stringify(input.goalThen)) return undefined;
  const recent = [Number(input.record.requestAt ?? 0), Number(input.record.actedAt ?? 0), input.holdWrittenAt ?? 0];
  if (recent.some((t) => t > since)) return undefined;
  return {
    family: 'diverged',
    kind: 'DIVERGED',
    reason: input.reason,
    key: `diverged:${input.goalKey}`,
    from: stateOf(input.observed),
    to: goalState(input.goal),
    message: `${input.observed?.status ?? 'not found'} for more than ${DIVERGENCE_BOUND_MS / 60_000} minutes while its goal is ${goalState(input.goal).status}`,
  };
}
