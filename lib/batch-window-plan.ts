// A plan a person can read: every opening and closing of a model's batch windows over the next days, in local time
// and in UTC, with units, excluded occurrences and daylight-saving changes marked. Built from the same stretches as
// windowStateAt (lib/private/weekly-windows.ts), so the plan says what the scheduled path will do.
import {
  formatNaive, localNaive, occurrencesBetween, Occurrence, stretchesOf, utcOffsetMinutes, WindowTable,
} from './contract/weekly-windows';

/** What a plan entry marks. */
export enum BatchWindowPlanEventKind {
  /** The model is started (a window opens; the lead time is included). */
  OPEN = 'OPEN',
  /** The model is stopped (a window closes). */
  CLOSE = 'CLOSE',
  /** A weekly occurrence that an excluded date skips: the model stays stopped. */
  SKIPPED = 'SKIPPED',
  /** The time zone's offset from UTC changes (daylight saving time begins or ends). */
  DST_CHANGE = 'DST_CHANGE',
}

/** Which days a plan covers. */
export interface BatchWindowPlanOptions {
  /**
   * Where the plan begins: an ISO 8601 instant with a zone, e.g. `2027-03-22T00:00:00Z`.
   * @default - now: the context key `cdk-rekognition-custom-labels:now` when set, else the clock
   */
  readonly from?: string;
  /**
   * How many days the plan covers; an integer from 1 to 366.
   * @default 14
   */
  readonly days?: number;
}

/** One line of a plan. */
export interface BatchWindowPlanEntry {
  /** What happens. */
  readonly kind: BatchWindowPlanEventKind;
  /** When, in UTC: `2027-03-22T06:30:00Z`. */
  readonly utc: string;
  /** When, in the windows' local time with its offset: `2027-03-22T07:30+01:00`. */
  readonly local: string;
  /**
   * The window it concerns: `window 0 (MONDAY 08:00 to MONDAY 18:00)` or `oneOffWindows[0] (2027-04-03T09:00 to 2027-04-03T13:00)`.
   * @default - none: a daylight-saving change
   */
  readonly window?: string;
  /**
   * The units the model is started with (OPEN only).
   * @default - not an opening
   */
  readonly minInferenceUnits?: number;
  /**
   * The most units it autoscales to (OPEN of an autoscaling window only).
   * @default - no autoscaling, or not an opening
   */
  readonly maxInferenceUnits?: number;
  /** What happens, for a person. */
  readonly description: string;
}

/** A model's batch windows over some days, as a person reads them. */
export interface BatchWindowPlan {
  /**
   * The windows' time zone.
   * @default - none: the model has no batch windows and runs all the time
   */
  readonly timeZone?: string;
  /** Where the plan begins (UTC). */
  readonly from: string;
  /** Where it ends (UTC). A window running at either end is shown whole. */
  readonly to: string;
  /** Every opening, closing, skipped occurrence and daylight-saving change, in order. */
  readonly entries: BatchWindowPlanEntry[];
  /** The plan as lines of text, for a terminal or a README. */
  readonly text: string;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const KIND_ORDER = [BatchWindowPlanEventKind.CLOSE, BatchWindowPlanEventKind.DST_CHANGE, BatchWindowPlanEventKind.SKIPPED, BatchWindowPlanEventKind.OPEN];
const MIN = 60_000;

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

function utcText(t: number): string {
  return new Date(t).toISOString().replace(/:00\.000Z$/, ':00Z').replace(/\.\d{3}Z$/, 'Z');
}

function localText(t: number, timeZone: string): string {
  return `${formatNaive(localNaive(t, timeZone))}${offsetText(utcOffsetMinutes(t, timeZone))}`;
}

function unitsText(min: number, max: number | undefined): string {
  return max === undefined || max === min ? `${min} unit${min === 1 ? '' : 's'}` : `${min} to ${max} units`;
}

/** The instants in [from, to) at which the zone's offset changes (to the minute: zones change on whole minutes). */
function offsetChanges(timeZone: string, from: number, to: number): number[] {
  const out: number[] = [];
  const step = 3600_000;
  for (let t = from - (from % MIN); t < to; t += step) {
    const next = Math.min(t + step, to);
    if (utcOffsetMinutes(t, timeZone) === utcOffsetMinutes(next, timeZone)) continue;
    let lo = t;
    let hi = next;
    while (hi - lo > MIN) {
      const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN;
      if (utcOffsetMinutes(mid, timeZone) === utcOffsetMinutes(lo, timeZone)) lo = mid;
      else hi = mid;
    }
    if (hi >= from) out.push(hi);
  }
  return out;
}

/** How a plan names an occurrence's window. */
export type WindowNamer = (o: Occurrence) => string;

/** The plan of a window table from `from` for `days` days (validated by the caller). */
export function planOf(table: WindowTable, from: number, days: number, name: WindowNamer, title: string): BatchWindowPlan {
  const to = from + days * 86_400_000;
  const tz = table.timeZone;
  const occurrences = occurrencesBetween(table, from, to);
  const entries: (BatchWindowPlanEntry & { at: number })[] = [];
  const entry = (at: number, kind: BatchWindowPlanEventKind, description: string, o?: Occurrence, units?: Occurrence) => {
    entries.push({
      at, kind, utc: utcText(at), local: localText(at, tz), description,
      window: o ? name(o) : undefined,
      minInferenceUnits: units?.minInferenceUnits,
      maxInferenceUnits: units && units.maxInferenceUnits !== units.minInferenceUnits ? units.maxInferenceUnits : undefined,
    });
  };
  for (const s of stretchesOf(occurrences)) {
    if (s.closeAt <= from || s.openAt >= to) continue;
    const f = s.first;
    const lead = Math.round((f.startNaive - f.openNaive) / MIN);
    const notes: string[] = [];
    if (lead > 0) notes.push(`${lead} min before it opens at ${formatNaive(f.startNaive).slice(11)}`);
    if (localNaive(s.openAt, tz) !== f.openNaive) notes.push(`${formatNaive(f.openNaive).slice(11)} does not exist that day: at the jump`);
    if (s.openAt < from) notes.push('running when the plan begins');
    // Occurrences that overlap the first with the same units: the model runs on through them, without a restart.
    const others = s.members.slice(1).map(name);
    entry(s.openAt, BatchWindowPlanEventKind.OPEN,
      `start with ${unitsText(f.minInferenceUnits, f.maxInferenceUnits)}${notes.length ? ` (${notes.join('; ')})` : ''}` +
      `${others.length ? `; runs on through ${others.join(', ')} with the same units` : ''}`, f, f);
    const last = s.members.reduce((a, b) => (b.closeAt > a.closeAt ? b : a));
    entry(s.closeAt, BatchWindowPlanEventKind.CLOSE, 'stop', last);
  }
  for (const o of occurrences) {
    if (o.excludedBy === undefined || o.openAt < from || o.openAt >= to) continue;
    entry(o.openAt, BatchWindowPlanEventKind.SKIPPED, `stays stopped: ${o.excludedBy} is an excluded date`, o);
  }
  for (const t of offsetChanges(tz, from, to)) {
    const before = utcOffsetMinutes(t - MIN, tz);
    const after = utcOffsetMinutes(t, tz);
    const wallBefore = formatNaive(localNaive(t - MIN, tz) + MIN).slice(11);
    const wallAfter = formatNaive(localNaive(t, tz)).slice(11);
    entry(t, BatchWindowPlanEventKind.DST_CHANGE,
      `clocks go ${after > before ? 'forward' : 'back'} from UTC${offsetText(before)} to UTC${offsetText(after)}: ${wallBefore} local becomes ${wallAfter}`);
  }
  entries.sort((a, b) => a.at - b.at || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  const lines = [`${title}: batch windows in ${tz}, ${days} days from ${utcText(from)} to ${utcText(to)}`];
  lines.push(`  ${`local time (${tz})`.padEnd(28)} ${'UTC'.padEnd(22)} ${'what'.padEnd(10)} window`);
  for (const e of entries) {
    const naive = localNaive(e.at, tz);
    const local = `${DAY_NAMES[new Date(naive).getUTCDay()]} ${formatNaive(naive).replace('T', ' ')} ${offsetText(utcOffsetMinutes(e.at, tz))}`;
    const utc = `${DAY_NAMES[new Date(e.at).getUTCDay()]} ${utcText(e.at).slice(0, 16).replace('T', ' ')}Z`;
    lines.push(`  ${local.padEnd(28)} ${utc.padEnd(22)} ${e.kind.padEnd(10)} ${e.window ? `${e.window}: ` : ''}${e.description}`);
  }
  if (entries.length === 0) lines.push('  nothing opens or closes');
  return { timeZone: tz, from: utcText(from), to: utcText(to), entries: entries.map(({ at: _at, ...e }) => e), text: lines.join('\n') };
}

/** The plan of a model without batch windows. */
export function alwaysOnPlan(from: number, days: number, title: string): BatchWindowPlan {
  const to = from + days * 86_400_000;
  return { from: utcText(from), to: utcText(to), entries: [], text: `${title}: no batch windows: runs all the time` };
}
