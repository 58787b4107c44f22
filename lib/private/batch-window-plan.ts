// The computation of a plan a person can read: every opening and closing of a model's batch windows over the next
// days, in local time and in UTC, with units, excluded occurrences and daylight-saving changes marked. Built from the
// same stretches as windowStateAt (lib/contract/weekly-windows.ts), so the plan says what the scheduled path will do.
import { BatchWindowPlan, BatchWindowPlanEntry, BatchWindowPlanEventKind } from '../batch-window-plan';
import { occurrencesBetween, Occurrence, stretchesOf, WindowTable } from '../contract/weekly-windows';
import { formatNaive, localNaive, utcOffsetMinutes } from '../contract/local-time';

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
