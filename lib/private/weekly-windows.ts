// Weekly batch windows in a time zone: pure arithmetic shared by the construct (validation, schedule times, cost)
// and the handlers (what the model should be doing at an instant). No aws-cdk-lib import: the handler bundle
// includes this file.
//
// Semantics, in the local wall-clock time of the zone: a window opens at the first instant its local start time
// less the lead time is reached, and closes at the first instant its local end time is reached. A local time that a
// spring-forward skips counts as reached at the jump; a fall-back hour repeats wall-clock times but nothing is
// reached twice, so no window is doubled.

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

/** A weekly window table as it travels to the handlers (JSON). */
export interface WindowTable {
  readonly timeZone: string;
  readonly leadMinutes: number;
  readonly windows: readonly WindowSpec[];
}

/** What the model should be doing at an instant. */
export type WindowState =
  | {
    readonly running: true;
    readonly window: number;
    readonly minInferenceUnits: number;
    readonly maxInferenceUnits?: number;
    /** When this occurrence of the window opened (lead time included): it names the occurrence. */
    readonly since: number;
    readonly until: number;
  }
  | { readonly running: false; readonly until: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows the IANA time zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time of an instant, as milliseconds of a "naive" UTC timestamp. */
export function localNaive(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + (instant % 1000 + 1000) % 1000;
}

function offsetAt(instant: number, timeZone: string): number {
  return localNaive(instant, timeZone) - instant;
}

/**
 * The first instant at which local wall-clock time `naive` is reached: min { t : local(t) >= naive }, taking the
 * jump instant for a time a spring-forward skips and the first of two for a time a fall-back repeats.
 */
export function firstInstantReaching(naive: number, timeZone: string): number {
  // Offsets around the wall-clock time; real zones change offset at most once within a day either side.
  const offsets = [...new Set([offsetAt(naive - 86_400_000, timeZone), offsetAt(naive, timeZone), offsetAt(naive + 86_400_000, timeZone)])];
  const exact = offsets.map((o) => naive - o).filter((t) => localNaive(t, timeZone) === naive);
  if (exact.length > 0) return Math.min(...exact);
  // A gap: find the jump between the instant before it (local < naive) and after it (local > naive).
  let lo = Math.min(...offsets.map((o) => naive - o));
  let hi = Math.max(...offsets.map((o) => naive - o));
  while (localNaive(lo, timeZone) >= naive) lo -= 3_600_000;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (localNaive(mid, timeZone) >= naive) hi = mid;
    else lo = mid;
  }
  return hi;
}

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
function occurrence(table: WindowTable, index: number, weekStart: number): { open: number; close: number } {
  const w = table.windows[index];
  const length = ((w.endMinute - w.startMinute) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  const start = weekStart + w.startMinute * MS_PER_MINUTE;
  return { open: start - leadOf(table, index) * MS_PER_MINUTE, close: start + length * MS_PER_MINUTE };
}

/** What the model should be doing at `instant`, and until when that holds (the next boundary). */
export function windowStateAt(table: WindowTable, instant: number): WindowState {
  const week = weekStartOf(localNaive(instant, table.timeZone));
  let next = Infinity;
  for (const offset of [-1, 0, 1, 2]) {
    for (let i = 0; i < table.windows.length; i++) {
      const { open, close } = occurrence(table, i, week + offset * MS_PER_WEEK);
      const openAt = firstInstantReaching(open, table.timeZone);
      const closeAt = firstInstantReaching(close, table.timeZone);
      if (openAt <= instant && instant < closeAt) {
        const w = table.windows[i];
        return { running: true, window: i, minInferenceUnits: w.minInferenceUnits, maxInferenceUnits: w.maxInferenceUnits, since: openAt, until: closeAt };
      }
      if (openAt > instant) next = Math.min(next, openAt);
    }
  }
  return { running: false, until: next };
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
  return undefined;
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
export function boundaryMinutes(table: Pick<WindowTable, 'leadMinutes' | 'windows'>): number[] {
  const minutes = new Set<number>();
  for (const [i, w] of table.windows.entries()) {
    minutes.add(((w.startMinute - leadOf(table, i)) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK);
    minutes.add(w.endMinute % MINUTES_PER_WEEK);
  }
  return [...minutes].sort((a, b) => a - b);
}

