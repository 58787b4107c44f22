// Why the scheduled path stops a model (pure): the end of what let it run (a hold, a window, demand), or enforcement of
// the windows on a model someone started by hand.
import { windowStateAt } from '../../lib/contract/weekly-windows';
import { Declaration, DesiredState } from './desired-state';
import { HoldReading } from './hold';
/**
 * How far back a window's close, a hold's end or a release counts as the reason for a stop outside the windows: two
 * periods of the scheduled path's 5-minute pass. A model found running outside every window and hold beyond that was
 * started by someone else (by hand, from the console or the CLI): its stop is an enforcement stop.
 */
export const ENFORCEMENT_LOOKBACK_MS = 10 * 60_000;

/** Why the scheduled path stops a model: the end of what let it run, or enforcement of the windows. */
export type StopCause = 'hold' | 'hold-expired' | 'hold-released' | 'window-closed' | 'demand-idle' | 'enforcement';

/** The cause of a stop towards a stopped goal, for its log line (and, later, its event). */
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
