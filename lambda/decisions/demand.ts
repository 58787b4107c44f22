// Demand-driven runs: the model runs while its SQS queue holds messages and stops once the queue has been empty for
// the idle time. Pure: the same queue reading, memory tag, declaration and clock always give the same verdict, so the
// deploy's passes and the scheduled path's read the same answer. "Empty since when" is the one thing a single reading
// cannot tell: it is kept on the model's ownership record, as the tag TAG.demandEmptySince (lambda/decisions/ownership-record.ts).
import { DEMAND } from '../../lib/contract/resource-properties';

/** What the model's demand declaration says (lambda/model-spec.ts). */
export interface DemandDeclaration {
  readonly queueUrl: string;
  /** Seconds the queue must have been empty before the model stops. */
  readonly idleSeconds: number;
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
}

/** The queue's attributes as GetQueueAttributes returns them (approximate counts). */
export interface QueueReading {
  /** ApproximateNumberOfMessages: visible, waiting to be received. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received and not yet deleted (in flight). */
  readonly inFlight: number;
  /** ApproximateNumberOfMessagesDelayed: sent with a delay (at most 15 minutes) and not visible yet. */
  readonly delayed: number;
}

/** What the demand says now. */
export type DemandVerdict =
  /** No demand declared. */
  | { readonly kind: 'none' }
  /** The queue holds messages: run. `since`: when a pass first saw them (this busy period's id). */
  | { readonly kind: 'busy'; readonly messages: number; readonly since: number }
  /**
   * Empty, but for less than the idle time: keep running. `until` (epoch ms): the idle time's end, the scheduled time of
   * the pass that stops the model (which may read its clock up to IDLE_END_ALLOWANCE_MS before `until`).
   */
  | { readonly kind: 'idle'; readonly emptySince: number; readonly until: number }
  /** Empty for the idle time or longer, or no message since the memory began: no demand. */
  | { readonly kind: 'quiet'; readonly emptySince?: number };

/** The verdict, and the value the memory tag must have after this pass (undefined: leave it as it is). */
export interface DemandDecision {
  readonly verdict: DemandVerdict;
  readonly writeTag?: string;
}

/**
 * Messages that count as demand: visible, in flight, and delayed. A delayed message becomes visible within 15 minutes
 * (SQS's maximum delay) and a start takes minutes, so counting it has the model ready sooner for work already sent.
 */
export function queuedMessages(reading: QueueReading): number {
  return reading.visible + reading.inFlight + reading.delayed;
}

/** When the busy period a tag value records began (`busy:<epoch ms>`), or undefined when it records none. */
export function busySince(tag: string | undefined): number | undefined {
  const m = tag === undefined ? null : new RegExp(`^${DEMAND.busyTag}:(\\d{1,16})$`).exec(tag);
  return m ? Number(m[1]) : undefined;
}

/**
 * How early a pass may find the idle time over. The passes run on a 1-minute grid and the idle time is whole minutes,
 * so its end falls on a pass's scheduled time; each pass reads its clock milliseconds to seconds after that time, by a
 * different amount each time. Without this allowance the pass at the idle time's end would find it just short about
 * half the time, and the stop would come a pass (a billed minute) later.
 */
export const IDLE_END_ALLOWANCE_MS = 10_000;

/**
 * The demand verdict from the queue as read now and the memory tag's value. The tag is `busy:<epoch ms>` once a pass
 * has seen messages (when it first did), the epoch milliseconds of the first pass that found the queue empty after
 * that, or absent (never busy since the record began). Two tag writes per busy period, none while nothing changes.
 */
export function demandDecision(declared: DemandDeclaration | undefined, reading: QueueReading | undefined, tag: string | undefined, now: number): DemandDecision {
  if (!declared || !reading) return { verdict: { kind: 'none' } };
  const messages = queuedMessages(reading);
  const busy = busySince(tag);
  if (messages > 0) {
    return busy !== undefined
      ? { verdict: { kind: 'busy', messages, since: busy } }
      : { verdict: { kind: 'busy', messages, since: now }, writeTag: `${DEMAND.busyTag}:${now}` };
  }
  const idleMs = declared.idleSeconds * 1000;
  if (busy !== undefined) {
    // The queue emptied since the last pass that saw messages: the idle time begins now.
    return { verdict: { kind: 'idle', emptySince: now, until: now + idleMs }, writeTag: String(now) };
  }
  const since = tag !== undefined && /^\d{1,16}$/.test(tag) ? Number(tag) : undefined;
  // A time after now (a clock that went back, or an edited tag) is taken as now: the idle time never grows past itself.
  if (since !== undefined && now + IDLE_END_ALLOWANCE_MS < Math.min(since, now) + idleMs) return { verdict: { kind: 'idle', emptySince: since, until: since + idleMs } };
  return { verdict: { kind: 'quiet', emptySince: since } };
}

/**
 * Whom a start for demand is attributed to: the busy period (or the idle time) it happens in, so that a FAILED start is
 * retried once per busy period, as a window's is once per occurrence, not at every pass.
 */
export function demandRunId(verdict: DemandVerdict): string | undefined {
  if (verdict.kind === 'busy') return `demand:${verdict.since}`;
  if (verdict.kind === 'idle') return `demand:idle:${verdict.emptySince}`;
  return undefined;
}

/** Whether the demand keeps the model running now. */
export function demandRuns(verdict: DemandVerdict): boolean {
  return verdict.kind === 'busy' || verdict.kind === 'idle';
}
