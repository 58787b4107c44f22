// Puts transition events on the account's default EventBridge bus: the only PutEvents call the handlers make. What to
// put is decided in decisions/transition-events.ts; a put never fails a deploy or a pass.
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../lib/contract/transition-events';
import { Goal, ModelObservation } from '../decisions/model-step';
import { OwnershipRecord } from '../decisions/ownership-record';
import { EVENT_KEY_TAG, EventSubject, KeyedEvent, ModelState, TransitionDetail, TransitionReason, goalState, isNewKey, stateOf } from '../decisions/transition-events';
import { writeRecord } from './rekognition';
import { cachedClient } from './sdk-clients';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
function eventsClient(): EventBridgeClient {
  return cachedClient('EVENTBRIDGE', () => new EventBridgeClient({}));
}

/** Puts one event on the default bus. Never throws: a put that fails after the SDK's retries is logged. */
export async function putTransition(subject: EventSubject, event: Omit<TransitionDetail, 'version' | 'modelArn' | 'stackName' | 'logicalId' | 'time'>, now = Date.now()): Promise<boolean> {
  const detail: TransitionDetail = { version: '1', ...subject, ...event, time: new Date(now).toISOString() };
  try {
    const out = await eventsClient().send(new PutEventsCommand({
      Entries: [{ Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Resources: [subject.modelArn], Detail: JSON.stringify(detail), Time: new Date(now) }],
    }));
    if ((out.FailedEntryCount ?? 0) > 0) throw new Error(`${out.Entries?.[0]?.ErrorCode ?? 'error'}: ${out.Entries?.[0]?.ErrorMessage ?? ''}`);
    console.log(JSON.stringify({ message: 'transition event', detail }));
    return true;
  } catch (e) {
    console.log(JSON.stringify({ message: 'transition event not put (at most once: dropped)', detail, error: String((e as Error)?.name ?? e), why: (e as Error)?.message }));
    return false;
  }
}

/**
 * Reports a record-deduplicated event once: when its key is new, writes the key on the model first (a retry or a
 * duplicated pass then sees it), then puts it. A failed key write puts nothing: the next pass tries again.
 */
export async function reportOnce(client: RekognitionClient, subject: EventSubject, record: OwnershipRecord, event: KeyedEvent | undefined): Promise<void> {
  if (!event || !isNewKey(record, event)) return;
  try {
    await writeRecord(client, subject.modelArn, { [EVENT_KEY_TAG[event.family]]: event.key });
  } catch (e) {
    console.log(JSON.stringify({ message: 'transition event key not recorded: not put yet', key: event.key, error: String((e as Error)?.name ?? e) }));
    return;
  }
  const { family: _family, ...rest } = event;
  await putTransition(subject, { ...rest, idempotencyKey: event.key });
}

/** Reports a start or stop the service accepted (no record needed: the call happens once). */
export async function reportAction(subject: EventSubject, acted: 'start' | 'stop', reason: TransitionReason, context: string, from: ModelObservation | undefined, goal: Goal, now = Date.now()): Promise<void> {
  const kind = acted === 'start' ? 'START' : 'STOP';
  const to: ModelState = acted === 'start' ? goalState(goal) : { status: 'STOPPED' };
  await putTransition(subject, { kind, reason, from: stateOf(from), to, idempotencyKey: `${acted}:${context}:${now}` }, now);
}
