// A hold: what an operator or a pipeline writes into a model's hold parameter (an SSM String parameter) to keep the
// model RUNNING or STOPPED until a given time, without a redeploy. Pure: the same parameter value, modification time,
// declaration and clock always give the same verdict, so every pass (the deploy's, the scheduled path's) reads the
// same answer. A hold that cannot be used is ignored, with the reason, never thrown.
import { HOLD } from '../../lib/contract/resource-properties';

/** A hold in force. */
export interface Hold {
  readonly state: 'RUNNING' | 'STOPPED';
  /** Epoch milliseconds: the hold ends then, by itself. */
  readonly until: number;
  /** Units of a RUNNING hold; undefined: the units the declaration gives at that moment. */
  readonly minInferenceUnits?: number;
  readonly maxInferenceUnits?: number;
}

/** What the hold parameter says now. */
export type HoldVerdict =
  | { readonly kind: 'none' }
  | { readonly kind: 'active'; readonly hold: Hold }
  /** Set but not used; `problem` for logs and events, `reason` for a person. */
  | { readonly kind: 'ignored'; readonly problem: 'malformed' | 'expired' | 'too-long' | 'units'; readonly reason: string; readonly until?: number };

/** The hold parameter as read: its value and when it was last written (epoch ms; SSM's LastModifiedDate). */
export interface HoldReading {
  readonly value: string;
  readonly modifiedAt?: number;
}

// An instant with its offset: a hold's end must not depend on the time zone of whoever reads it.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const KEYS = new Set(['state', 'until', 'minInferenceUnits', 'maxInferenceUnits']);

const isUnits = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/**
 * Reads a hold parameter's value.
 * @param highestUnits the most units the declaration ever runs the model with: a hold may not ask for more
 */
export function holdVerdict(reading: HoldReading | undefined, highestUnits: number, now: number): HoldVerdict {
  if (reading === undefined || reading.value.trim().toLowerCase() === HOLD.none) return { kind: 'none' };
  const malformed = (why: string): HoldVerdict => ({
    kind: 'ignored',
    problem: 'malformed',
    reason: `${why}; a hold is {"state":"RUNNING"|"STOPPED","until":"<ISO 8601 instant with Z or an offset>"} ` +
      `(RUNNING may add "minInferenceUnits" and "maxInferenceUnits"), and "${HOLD.none}" is no hold`,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(reading.value);
  } catch {
    return malformed('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return malformed('not a JSON object');
  const p = parsed as Record<string, unknown>;
  const unknown = Object.keys(p).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) return malformed(`unknown field(s) ${unknown.join(', ')}`);
  if (p.state !== 'RUNNING' && p.state !== 'STOPPED') return malformed(`state must be "RUNNING" or "STOPPED", got ${JSON.stringify(p.state)}`);
  if (typeof p.until !== 'string' || !INSTANT.test(p.until) || Number.isNaN(Date.parse(p.until))) {
    return malformed(`until must be an ISO 8601 instant with Z or an offset (2026-12-03T18:00:00Z), got ${JSON.stringify(p.until)}`);
  }
  const until = Date.parse(p.until);
  const { minInferenceUnits: min, maxInferenceUnits: max } = p;
  if (p.state === 'STOPPED' && (min !== undefined || max !== undefined)) return malformed('a STOPPED hold takes no units');
  if (min === undefined && max !== undefined) return malformed('maxInferenceUnits needs minInferenceUnits');
  if (min !== undefined && !isUnits(min)) return { kind: 'ignored', problem: 'units', until, reason: `minInferenceUnits must be an integer >= 1, got ${JSON.stringify(min)}` };
  if (max !== undefined && (!isUnits(max) || max < (min as number))) {
    return { kind: 'ignored', problem: 'units', until, reason: `maxInferenceUnits must be an integer >= minInferenceUnits (${String(min)}), got ${JSON.stringify(max)}` };
  }
  const top = (max ?? min) as number | undefined;
  if (top !== undefined && top > highestUnits) {
    return { kind: 'ignored', problem: 'units', until, reason: `a hold may run at most ${highestUnits} inference unit(s), the most the declaration runs the model with; it asks for ${top}` };
  }
  // Measured from when the hold was written, so that a hold too long stays ignored rather than becoming valid later.
  const setAt = Math.min(reading.modifiedAt ?? now, now);
  if (until - setAt > HOLD.maxDays * 86_400_000) {
    return { kind: 'ignored', problem: 'too-long', until, reason: `until (${p.until}) is more than ${HOLD.maxDays} days after the hold was set (${new Date(setAt).toISOString()})` };
  }
  if (until <= now) return { kind: 'ignored', problem: 'expired', until, reason: `the hold ended at ${new Date(until).toISOString()}` };
  const hold: Hold = { state: p.state, until, ...(min !== undefined ? { minInferenceUnits: min as number } : {}), ...(max !== undefined ? { maxInferenceUnits: max as number } : {}) };
  return { kind: 'active', hold };
}
