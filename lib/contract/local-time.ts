// Local wall-clock time in an IANA time zone, as naive timestamps (milliseconds of a UTC timestamp that reads as the
// local time), and the local dates and date-times the calendar exceptions are written in. Pure; the weekly windows'
// arithmetic (weekly-windows.ts) is built on it.

const MS_PER_MINUTE = 60_000;

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

/** The zone's offset from UTC at an instant, in minutes. */
export function utcOffsetMinutes(instant: number, timeZone: string): number {
  return Math.round(offsetAt(instant, timeZone) / MS_PER_MINUTE);
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

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** Naive midnight of a local date `YYYY-MM-DD`; undefined when malformed or not a day of the calendar. */
export function parseLocalDate(text: string): number | undefined {
  const m = LOCAL_DATE.exec(text);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatNaiveDate(t) === text ? t : undefined;
}

/** Naive local time of `YYYY-MM-DDTHH:MM`; undefined when malformed or not a time of the calendar. */
export function parseLocalDateTime(text: string): number | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return formatNaive(t) === text ? t : undefined;
}

/** `YYYY-MM-DD` of a naive local time. */
export function formatNaiveDate(naive: number): string {
  return new Date(naive).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:MM` of a naive local time. */
export function formatNaive(naive: number): string {
  return new Date(naive).toISOString().slice(0, 16);
}
