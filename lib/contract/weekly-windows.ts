// Weekly batch windows in a time zone, with calendar exceptions: pure arithmetic shared by the construct
// (validation, schedule times, cost, the plan) and the handlers (what the model should be doing at an instant). No
// aws-cdk-lib import: the handler bundle includes this file.
//
// Semantics, in the local wall-clock time of the zone: a window opens at the first instant its local start time
// less the lead time is reached, and closes at the first instant its local end time is reached. A local time that a
// spring-forward skips counts as reached at the jump; a fall-back hour repeats wall-clock times but nothing is
// reached twice, so no window is doubled.
//
// Exceptions: a weekly occurrence whose opening (lead time included) falls on an excluded local date does not occur;
// one-off windows (local date-times) occur once, besides the weekly ones, with the same lead-time rule. Occurrences
// that overlap have the same units (validated), and run as one stretch.
import { firstInstantReaching, formatNaiveDate, isKnownTimeZone, localNaive, parseLocalDate, parseLocalDateTime } from './local-time';

export const MINUTES_PER_WEEK = 7 * 24 * 60;
const MS_PER_MINUTE = 60_000;
const MS_PER_WEEK = MINUTES_PER_WEEK * MS_PER_MINUTE;

/** One window, in minutes from local Monday 00:00. `end` may be <= `start`: the window runs into the next week. */
export interface WindowSpec {
  readonly startMinute: number;
  readonly endMinute: number;
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
}

/** A one-off window: local date-times `YYYY-MM-DDTHH:MM` in the table's time zone. */
export interface OneOffSpec {
  readonly start: string;
  readonly end: string;
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
}

/** A weekly window table as it travels to the handlers (JSON). The exceptions are absent when there are none. */
export interface WindowTable {
  readonly timeZone: string;
  readonly leadMinutes: number;
  readonly windows: readonly WindowSpec[];
  /** Local dates `YYYY-MM-DD` on which no weekly occurrence opens. */
  readonly excludedDates?: readonly string[];
  readonly oneOffWindows?: readonly OneOffSpec[];
}

/**
 * The most units a declaration ever runs a model with: its own, or any weekly or one-off window's. The cost guard's
 * threshold and the bound of a hold's units.
 */
export function highestUnits(minInferenceUnits: number, maxInferenceUnits: number | undefined, table: WindowTable | undefined): number {
  const candidates = [maxInferenceUnits ?? minInferenceUnits];
  for (const w of [...(table?.windows ?? []), ...(table?.oneOffWindows ?? [])]) candidates.push(w.maxInferenceUnits ?? w.minInferenceUnits);
  return Math.max(...candidates);
}

/** What the model should be doing at an instant. */
export type WindowState =
  | {
    readonly running: true;
    /** Whether the occurrence is of a weekly window or of a one-off window. */
    readonly source: OccurrenceSource;
    /** The index of the window in its list (`windows` or `oneOffWindows`). */
    readonly window: number;
    readonly minInferenceUnits: number;
    readonly maxInferenceUnits?: number;
    /** When this occurrence of the window opened (lead time included): it names the occurrence. */
    readonly since: number;
    /** When the stretch closes (an overlapping occurrence with the same units extends it). */
    readonly until: number;
  }
  | { readonly running: false; readonly until: number };

/** Naive local Monday 00:00 of the week holding a naive local time. */
function weekStartOf(naive: number): number {
  const day = new Date(naive).getUTCDay(); // 0 = Sunday
  const sinceMonday = (day + 6) % 7;
  const midnight = naive - (naive % 86_400_000 + 86_400_000) % 86_400_000;
  return midnight - sinceMonday * 86_400_000;
}

/** Minutes of the lead time a window gets: none when the window before it ends where it starts (adjacent). */
export function leadOf(table: Pick<WindowTable, 'leadMinutes' | 'windows'>, index: number): number {
  const w = table.windows[index];
  const adjacent = table.windows.some((o, j) => j !== index && o.endMinute % MINUTES_PER_WEEK === w.startMinute % MINUTES_PER_WEEK);
  return adjacent ? 0 : table.leadMinutes;
}

/** The naive local open and close of window `index` in the week starting at naive `weekStart`. */
function occurrence(table: WindowTable, index: number, weekStart: number): { start: number; open: number; close: number } {
  const w = table.windows[index];
  const length = ((w.endMinute - w.startMinute) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  const start = weekStart + w.startMinute * MS_PER_MINUTE;
  return { start, open: start - leadOf(table, index) * MS_PER_MINUTE, close: start + length * MS_PER_MINUTE };
}

export type OccurrenceSource = 'weekly' | 'oneOff';

/** One occurrence of a window: a weekly window in one week, or a one-off window. */
export interface Occurrence {
  readonly source: OccurrenceSource;
  /** The window's index in `windows` or `oneOffWindows`. */
  readonly index: number;
  /** Naive local times: the window's own start, its opening (lead time included) and its close. */
  readonly startNaive: number;
  readonly openNaive: number;
  readonly closeNaive: number;
  /** The instants the opening and the close are reached. */
  readonly openAt: number;
  readonly closeAt: number;
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
  /** The excluded local date that skips this weekly occurrence; undefined when it occurs. */
  readonly excludedBy?: string;
}

/**
 * The weekly occurrences of weeks `fromWeek` to `toWeek` (offsets from the week holding naive `aroundNaive`). An
 * occurrence that gets no lead time because the window before it ends where it starts gets it back when that
 * occurrence is excluded (at most that window's length, so it still overlaps nothing): the model is then stopped
 * before it, and must be RUNNING when it opens.
 */
function weeklyOccurrences(table: WindowTable, aroundNaive: number, fromWeek: number, toWeek: number): Occurrence[] {
  const week = weekStartOf(aroundNaive);
  const excluded = new Set(table.excludedDates ?? []);
  // One week more before: the predecessor of the first week's first occurrence.
  const raw: { i: number; start: number; open: number; close: number; week: number }[] = [];
  for (let offset = fromWeek - 1; offset <= toWeek; offset++) {
    for (let i = 0; i < table.windows.length; i++) raw.push({ i, ...occurrence(table, i, week + offset * MS_PER_WEEK), week: offset });
  }
  raw.sort((a, b) => a.start - b.start);
  const done: { close: number; start: number; excluded: boolean }[] = [];
  const out: Occurrence[] = [];
  for (const r of raw) {
    let open = r.open;
    if (excluded.size > 0 && open === r.start && table.leadMinutes > 0) {
      const before = done.filter((d) => d.close === r.start);
      if (before.length > 0 && before.every((d) => d.excluded)) {
        open = r.start - Math.min(table.leadMinutes * MS_PER_MINUTE, ...before.map((d) => d.close - d.start));
      }
    }
    const day = formatNaiveDate(open);
    done.push({ close: r.close, start: r.start, excluded: excluded.has(day) });
    if (r.week < fromWeek) continue;
    const w = table.windows[r.i];
    out.push({
      source: 'weekly', index: r.i, startNaive: r.start, openNaive: open, closeNaive: r.close,
      openAt: firstInstantReaching(open, table.timeZone), closeAt: firstInstantReaching(r.close, table.timeZone),
      minInferenceUnits: w.minInferenceUnits, maxInferenceUnits: w.maxInferenceUnits,
      excludedBy: excluded.has(day) ? day : undefined,
    });
  }
  return out;
}

/**
 * The occurrence of one-off window `index`. It gets the lead time unless an occurrence that occurs (a weekly one
 * not excluded, another one-off) closes where it starts: adjacent windows restart at their boundary, as weekly ones do.
 */
function oneOffOccurrence(table: WindowTable, index: number): Occurrence | undefined {
  const o = (table.oneOffWindows ?? [])[index];
  const start = parseLocalDateTime(o.start);
  const close = parseLocalDateTime(o.end);
  if (start === undefined || close === undefined) return undefined;
  const adjacent = (table.oneOffWindows ?? []).some((p, j) => j !== index && parseLocalDateTime(p.end) === start)
    || weeklyOccurrences(table, start, -1, 0).some((w) => w.excludedBy === undefined && w.closeNaive === start);
  const open = start - (adjacent ? 0 : table.leadMinutes) * MS_PER_MINUTE;
  return {
    source: 'oneOff', index, startNaive: start, openNaive: open, closeNaive: close,
    openAt: firstInstantReaching(open, table.timeZone), closeAt: firstInstantReaching(close, table.timeZone),
    minInferenceUnits: o.minInferenceUnits, maxInferenceUnits: o.maxInferenceUnits,
  };
}

/** One-off occurrences by table: a table is never changed once parsed, and windowStateAt may run once a minute. */
const oneOffCache = new WeakMap<WindowTable, Occurrence[]>();

/** Every one-off occurrence (a malformed one, which validation refuses, is left out). */
export function oneOffOccurrences(table: WindowTable): Occurrence[] {
  let out = oneOffCache.get(table);
  if (!out) {
    out = (table.oneOffWindows ?? []).map((_, i) => oneOffOccurrence(table, i)).filter((o): o is Occurrence => o !== undefined);
    oneOffCache.set(table, out);
  }
  return out;
}

/**
 * Every occurrence, excluded ones included, that may touch the instants from `from` to `to`: the weekly ones of the
 * weeks around them and every one-off, in the order they open.
 */
export function occurrencesBetween(table: WindowTable, from: number, to: number): Occurrence[] {
  const weeks = Math.ceil((to - from) / MS_PER_WEEK) + 2;
  const all = [...weeklyOccurrences(table, localNaive(from, table.timeZone), -1, weeks), ...oneOffOccurrences(table)];
  return all.filter((o) => o.closeAt > from - MS_PER_WEEK && o.openAt < to + MS_PER_WEEK).sort(byOpening);
}

function byOpening(a: Occurrence, b: Occurrence): number {
  return a.openAt - b.openAt || (a.source === b.source ? a.index - b.index : a.source === 'weekly' ? -1 : 1);
}

/** A stretch the model runs: occurrences that overlap, merged; named and given its units by the first. */
export interface Stretch {
  readonly first: Occurrence;
  readonly members: readonly Occurrence[];
  readonly openAt: number;
  readonly closeAt: number;
}

/**
 * The stretches of the occurrences that occur, in order. Occurrences that overlap (validated to have the same
 * units) run as one; occurrences that only touch stay apart (a change of units there is a restart).
 */
export function stretchesOf(occurrences: readonly Occurrence[]): Stretch[] {
  const out: { first: Occurrence; members: Occurrence[]; openAt: number; closeAt: number }[] = [];
  for (const o of [...occurrences].filter((x) => x.excludedBy === undefined).sort(byOpening)) {
    if (o.closeAt <= o.openAt) continue;
    const last = out[out.length - 1];
    if (last && o.openAt < last.closeAt) {
      last.members.push(o);
      last.closeAt = Math.max(last.closeAt, o.closeAt);
    } else {
      out.push({ first: o, members: [o], openAt: o.openAt, closeAt: o.closeAt });
    }
  }
  return out;
}

/** What the model should be doing at `instant`, and until when that holds (the next boundary). */
export function windowStateAt(table: WindowTable, instant: number): WindowState {
  const occurrences = [...weeklyOccurrences(table, localNaive(instant, table.timeZone), -1, 2), ...oneOffOccurrences(table)];
  let next = Infinity;
  for (const s of stretchesOf(occurrences)) {
    if (s.openAt <= instant && instant < s.closeAt) {
      const f = s.first;
      return {
        running: true, source: f.source, window: f.index, minInferenceUnits: f.minInferenceUnits, maxInferenceUnits: f.maxInferenceUnits,
        since: s.openAt, until: s.closeAt,
      };
    }
    if (s.openAt > instant) next = Math.min(next, s.openAt);
  }
  return { running: false, until: next };
}

/** Whether two occurrences run with the same units (no max meaning max = min, as Rekognition takes it). */
function sameUnits(a: { minInferenceUnits: number; maxInferenceUnits?: number }, b: { minInferenceUnits: number; maxInferenceUnits?: number }): boolean {
  return a.minInferenceUnits === b.minInferenceUnits && (a.maxInferenceUnits ?? a.minInferenceUnits) === (b.maxInferenceUnits ?? b.minInferenceUnits);
}

function unitsOf(o: { minInferenceUnits: number; maxInferenceUnits?: number }): string {
  const max = o.maxInferenceUnits ?? o.minInferenceUnits;
  return max === o.minInferenceUnits ? `${o.minInferenceUnits} units` : `${o.minInferenceUnits} to ${max} units`;
}

/** How a one-off window is named in messages: its index and its local start and end. */
export function oneOffName(table: WindowTable, index: number): string {
  const o = (table.oneOffWindows ?? [])[index];
  return `oneOffWindows[${index}] (${o.start} to ${o.end})`;
}

const WEEK_DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** A minute of the week (from local Monday 00:00) as the construct's WeeklyTime prints it: `MONDAY 08:00`. */
export function weeklyTimeText(minuteOfWeek: number): string {
  const m = ((minuteOfWeek % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  const hh = String(Math.floor((m % 1440) / 60)).padStart(2, '0');
  return `${WEEK_DAYS[Math.floor(m / 1440)]} ${hh}:${String(m % 60).padStart(2, '0')}`;
}

/** How a window is named in plans and messages: `window 0 (MONDAY 08:00 to MONDAY 18:00)`, or a one-off window's name. */
export function windowName(table: WindowTable, source: OccurrenceSource, index: number): string {
  if (source === 'oneOff') return oneOffName(table, index);
  const w = table.windows[index];
  return `window ${index} (${weeklyTimeText(w.startMinute)} to ${weeklyTimeText(w.endMinute)})`;
}

/** A problem with the table's exceptions, for a synth-time error (the handlers check the same). */
function validateExceptions(table: WindowTable): string | undefined {
  for (const [i, d] of (table.excludedDates ?? []).entries()) {
    if (parseLocalDate(d) === undefined) return `excludedDates[${i}] ("${d}") must be a local date YYYY-MM-DD of the calendar`;
  }
  const oneOffs = table.oneOffWindows ?? [];
  for (const [i, o] of oneOffs.entries()) {
    for (const key of ['start', 'end'] as const) {
      if (parseLocalDateTime(o[key]) === undefined) {
        return `${oneOffName(table, i)}: ${key} must be a local date-time YYYY-MM-DDTHH:MM of the calendar, got "${o[key]}"`;
      }
    }
    if (parseLocalDateTime(o.end)! <= parseLocalDateTime(o.start)!) return `${oneOffName(table, i)}: end must be after start`;
    if (!Number.isInteger(o.minInferenceUnits) || o.minInferenceUnits < 1) {
      return `${oneOffName(table, i)}: minInferenceUnits must be an integer >= 1, got ${o.minInferenceUnits}`;
    }
    if (o.maxInferenceUnits !== undefined && (!Number.isInteger(o.maxInferenceUnits) || o.maxInferenceUnits < o.minInferenceUnits)) {
      return `${oneOffName(table, i)}: maxInferenceUnits must be an integer >= minInferenceUnits (${o.minInferenceUnits}), got ${o.maxInferenceUnits}`;
    }
  }
  // Overlaps, lead times included, with the occurrences that occur: a one-off may replace an excluded occurrence.
  const oneOffOccs = oneOffOccurrences(table);
  for (const a of oneOffOccs) {
    const weekly = weeklyOccurrences(table, a.openNaive, -1, Math.ceil((a.closeNaive - a.openNaive) / MS_PER_WEEK) + 1);
    for (const b of [...weekly, ...oneOffOccs]) {
      if (b.excludedBy !== undefined || (b.source === 'oneOff' && b.index <= a.index)) continue;
      if (a.openAt < b.closeAt && b.openAt < a.closeAt && !sameUnits(a, b)) {
        const other = b.source === 'weekly' ? `window ${b.index}'s occurrence of ${formatNaiveDate(b.startNaive)}` : oneOffName(table, b.index);
        return `${oneOffName(table, a.index)} overlaps ${other} (lead times included) with other units (${unitsOf(a)} against ${unitsOf(b)}); ` +
          'give them the same units, make them adjacent, or exclude that date';
      }
    }
  }
  return undefined;
}

/** A problem with a window table, for a synth-time error. */
export function validateWindowTable(table: WindowTable): string | undefined {
  const { windows, leadMinutes } = table;
  if (windows.length === 0) return 'windows must hold at least one window';
  if (!isKnownTimeZone(table.timeZone)) return `timeZone "${table.timeZone}" is not a time zone this runtime knows (an IANA name such as Europe/Berlin)`;
  for (const [i, w] of windows.entries()) {
    if (w.startMinute % MINUTES_PER_WEEK === w.endMinute % MINUTES_PER_WEEK) return `window ${i} is empty: it starts where it ends`;
  }
  // Each window as an interval on the week's circle, its lead time included.
  const spans = windows.map((w, i) => {
    const length = ((w.endMinute - w.startMinute) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
    return { i, start: w.startMinute, length, lead: leadOf(table, i) };
  });
  for (const a of spans) {
    for (const b of spans) {
      if (a.i >= b.i) continue;
      const bFromA = ((b.start - a.start) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
      const aFromB = ((a.start - b.start) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
      if (bFromA < a.length || aFromB < b.length) return `window ${a.i} and window ${b.i} overlap`;
    }
  }
  for (const b of spans) {
    if (b.lead === 0) continue;
    // The stopped gap before window b: from the end of the window before it to its start.
    const gaps = spans.filter((a) => a.i !== b.i).map((a) => ((b.start - (a.start + a.length)) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK);
    const gap = gaps.length ? Math.min(...gaps) : MINUTES_PER_WEEK - b.length;
    if (leadMinutes > gap) {
      return `the lead time (${leadMinutes} minutes) of window ${b.i} is longer than the ${gap} stopped minutes before it; shorten leadTime or make the windows adjacent`;
    }
  }
  return validateExceptions(table);
}

/** Inference-unit hours a week the table schedules (lead time included), at min units and at max units. */
export function scheduledInferenceUnitHours(table: Pick<WindowTable, 'leadMinutes' | 'windows'>): { atMin: number; atMax: number } {
  let atMin = 0;
  let atMax = 0;
  for (const [i, w] of table.windows.entries()) {
    const length = ((w.endMinute - w.startMinute) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
    const hours = (length + leadOf(table, i)) / 60;
    atMin += hours * w.minInferenceUnits;
    atMax += hours * (w.maxInferenceUnits ?? w.minInferenceUnits);
  }
  return { atMin, atMax };
}

/** The local weekly times at which the table's windows open (lead included) and close: the schedules' cron times. */
export function boundaryMinutes(table: Pick<WindowTable, 'leadMinutes' | 'windows' | 'excludedDates'>): number[] {
  const minutes = new Set<number>();
  for (const [i, w] of table.windows.entries()) {
    minutes.add(((w.startMinute - leadOf(table, i)) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK);
    minutes.add(w.endMinute % MINUTES_PER_WEEK);
    // An adjacent window whose predecessor an excluded date skips opens with its lead time (weeklyOccurrences): a
    // schedule at that time too, which finds nothing to do in the other weeks. Capped by the predecessor's length.
    if ((table.excludedDates?.length ?? 0) > 0 && leadOf(table, i) === 0 && table.leadMinutes > 0) {
      const before = table.windows.filter((o) => o.endMinute % MINUTES_PER_WEEK === w.startMinute % MINUTES_PER_WEEK)
        .map((o) => ((o.endMinute - o.startMinute) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK);
      const lead = Math.min(table.leadMinutes, ...before);
      minutes.add(((w.startMinute - lead) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK);
    }
  }
  return [...minutes].sort((a, b) => a - b);
}

