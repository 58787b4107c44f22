// The scheduled path's events, after its pass: the hold as the pass first sees it, the start or stop it issued, a
// start of this run that ended FAILED, and divergence. Each decision is a pure function of lambda/decisions/transition-events.ts over
// what the pass observed before its step and the ownership record; only the I/O is here.
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import { OccurrenceSource, windowStateAt } from '../lib/contract/weekly-windows';
import { TAG } from '../lib/contract/tags';
import { writeRecord } from './aws/rekognition';
import { reportAction, reportOnce } from './aws/transition-event-bus';
import { DesiredState, desiredState } from './decisions/desired-state';
import type { HoldReading } from './decisions/hold';
import { ModelObservation } from './decisions/model-step';
import { OwnershipRecord } from './decisions/ownership-record';
import { ENFORCEMENT_LOOKBACK_MS, StopCause, stopCause } from './decisions/stop-cause';
import { DIVERGENCE_BOUND_MS, EventSubject, divergenceEvent, failedStartEvent, holdEvent, scheduledReason } from './decisions/transition-events';
import type { ModelSpec } from './model-spec';
import type { ObservedPassResult } from './reconcile-pass';

export interface ScheduledEventsInput {
  readonly client: RekognitionClient;
  readonly spec: ModelSpec;
  readonly subject: EventSubject;
  readonly state: DesiredState;
  readonly reading?: HoldReading;
  readonly observed: { readonly model?: ModelObservation; readonly record: OwnershipRecord };
  readonly result: ObservedPassResult;
  readonly runId: string;
  readonly now: number;
}

export async function reportScheduledEvents(input: ScheduledEventsInput): Promise<void> {
  const { client, spec, subject, state, reading, observed, result, runId, now } = input;
  const { record } = observed;
  const goal = state.goal;
  if (spec.holdParameterName) await reportOnce(client, subject, record, holdEvent(state.hold, reading, goal, observed.model));
  const acted = result.kind === 'pending' ? result.acted : undefined;
  if (acted) {
    const cause = acted === 'stop' && goal.kind === 'stopped' ? stopCause(spec, state, reading, now) : undefined;
    await reportAction(subject, acted, scheduledReason(state, cause, occurrenceOf(spec, acted, cause, now)), runId, observed.model, goal, now);
    // Divergence counts from the library's last accepted call; best effort (a lost write only delays nothing).
    await writeRecord(client, spec.projectVersionArn, { [TAG.actedAt]: String(now) }).catch(() => undefined);
  }
  const reason = scheduledReason(state, undefined, occurrenceOf(spec, 'start', undefined, now));
  await reportOnce(client, subject, record, failedStartEvent(observed.model, record, runId, goal, reason));
  const stoppedUntil = goal.kind === 'stopped' && spec.windows ? `:${windowStateAt(spec.windows, now).until}` : '';
  await reportOnce(client, subject, record, divergenceEvent({
    goal,
    goalThen: desiredState(spec, reading, now - DIVERGENCE_BOUND_MS).goal,
    idle: acted === undefined,
    converged: result.kind === 'done',
    observed: observed.model,
    record,
    holdWrittenAt: reading?.modifiedAt,
    goalKey: `${goal.kind}:${runId}${stoppedUntil}`,
    reason,
    now,
  }));
}

/**
 * Which kind of window occurrence a start opened (the one running now) or a window's stop closed (the one running
 * within the lookback stopCause() uses): a one-off window makes the reason a calendar exception.
 */
function occurrenceOf(spec: ModelSpec, acted: 'start' | 'stop', cause: StopCause | undefined, now: number): OccurrenceSource | undefined {
  if (!spec.windows) return undefined;
  const at = acted === 'start' ? now : cause === 'window-closed' ? now - ENFORCEMENT_LOOKBACK_MS : undefined;
  if (at === undefined) return undefined;
  const state = windowStateAt(spec.windows, at);
  return state.running ? state.source : undefined;
}
