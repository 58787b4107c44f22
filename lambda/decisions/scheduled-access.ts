// When the scheduled path may act on a model, and whom it attributes a start to (pure): it acts for the stack's settled
// deploy, never on another stack's model, and stands aside while a CloudFormation request is in flight.
import { WindowTable, windowStateAt } from '../../lib/contract/weekly-windows';
import { OwnershipRecord } from './ownership-record';
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
