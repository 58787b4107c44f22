// The window arithmetic against a brute-force, minute-by-minute evaluation, across daylight-saving changes.
import * as fc from 'fast-check';
import { boundaryMinutes, MINUTES_PER_WEEK, scheduledInferenceUnitHours, validateWindowTable, windowStateAt, WindowTable } from '../lib/contract/weekly-windows';
import { firstInstantReaching, localNaive } from '../lib/contract/local-time';
import { DAY, HOUR, MIN } from './support/time';

const WEEK = MINUTES_PER_WEEK * MIN;

/**
 * The reference: walk every minute, keep the running maximum of local wall-clock time (a repeated fall-back hour
 * reaches nothing twice, a skipped spring-forward hour is reached at the jump), and check it against each window's
 * naive local open and close in the surrounding weeks.
 */
function bruteForce(table: WindowTable, from: number, to: number): { at: number; window: number }[] {
  const out: { at: number; window: number }[] = [];
  let runningMax = -Infinity;
  for (let t = from - 2 * DAY; t <= to; t += MIN) {
    runningMax = Math.max(runningMax, localNaive(t, table.timeZone));
    if (t < from) continue;
    const day = (new Date(runningMax).getUTCDay() + 6) % 7;
    const monday = Math.floor(runningMax / DAY) * DAY - day * DAY;
    let active = -1;
    for (const k of [-1, 0, 1]) {
      table.windows.forEach((w, i) => {
        const adjacent = table.windows.some((o, j) => j !== i && o.endMinute % MINUTES_PER_WEEK === w.startMinute);
        const lead = adjacent ? 0 : table.leadMinutes;
        const length = ((w.endMinute - w.startMinute) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
        const open = monday + k * WEEK + (w.startMinute - lead) * MIN;
        const close = monday + k * WEEK + (w.startMinute + length) * MIN;
        if (open <= runningMax && runningMax < close) active = i;
      });
    }
    out.push({ at: t, window: active });
  }
  return out;
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'UTC', 'Australia/Lord_Howe', 'Asia/Kolkata'];
// Weeks around both daylight-saving changes of 2026 in Berlin (29 Mar, 25 Oct) and New York (8 Mar, 1 Nov).
const DST_INSTANTS = [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1), Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6)];

/** Random non-overlapping windows whose lead time fits the gaps. */
const tables: fc.Arbitrary<WindowTable> = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  leadMinutes: fc.constantFrom(0, 15, 30, 90),
  cuts: fc.uniqueArray(fc.integer({ min: 0, max: MINUTES_PER_WEEK / 15 - 1 }).map((q) => q * 15), { minLength: 2, maxLength: 8 }),
  adjacent: fc.boolean(),
}).map(({ timeZone, leadMinutes, cuts, adjacent }) => {
  const sorted = [...cuts].sort((a, b) => a - b);
  const windows = [];
  for (let i = 0; i + 1 < sorted.length; i += adjacent ? 1 : 2) {
    windows.push({ startMinute: sorted[i], endMinute: sorted[i + 1], minInferenceUnits: 1 + (i % 3) });
  }
  return { timeZone, leadMinutes, windows };
}).filter((t) => t.windows.length > 0 && validateWindowTable(t) === undefined);

test('windowStateAt equals the minute-by-minute reference, across both DST changes of Berlin and New York', () => {
  fc.assert(fc.property(tables, fc.constantFrom(...DST_INSTANTS), fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }), (table, anchor, shift) => {
    const from = anchor + shift * 1000 - (anchor + shift * 1000) % MIN;
    const reference = bruteForce(table, from, from + 6 * HOUR);
    for (const { at, window } of reference) {
      const state = windowStateAt(table, at);
      expect(state.running ? state.window : -1).toBe(window);
    }
  }), { numRuns: 40 });
});

test('a window that opens in the hour a spring-forward skips opens at the jump; the fall-back hour does not double one', () => {
  const berlinSunday = { timeZone: 'Europe/Berlin', leadMinutes: 0, windows: [{ startMinute: 6 * 1440 + 150, endMinute: 6 * 1440 + 240, minInferenceUnits: 1 }] };
  // 29 Mar 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC). 02:30 is never shown: the window opens at the jump.
  expect(firstInstantReaching(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 0));
  expect(windowStateAt(berlinSunday, Date.UTC(2026, 2, 29, 0, 59)).running).toBe(false);
  expect(windowStateAt(berlinSunday, Date.UTC(2026, 2, 29, 1, 0)).running).toBe(true);
  // 25 Oct 2026: 03:00 CEST falls back to 02:00 CET (01:00 UTC). 02:30 happens twice; the window opens once, at the
  // first, and closes at 04:00 CET, 2.5 hours later, never closing and opening again in between.
  const fallBack = { ...berlinSunday };
  const opens = Date.UTC(2026, 9, 25, 0, 30);
  expect(firstInstantReaching(Date.UTC(2026, 9, 25, 2, 30), 'Europe/Berlin')).toBe(opens);
  for (let t = opens; t < Date.UTC(2026, 9, 25, 3, 0); t += MIN) expect(windowStateAt(fallBack, t).running).toBe(true);
  expect(windowStateAt(fallBack, Date.UTC(2026, 9, 25, 3, 0)).running).toBe(false);
});

test('a window across the week end: Sunday 22:00 to Monday 06:00', () => {
  const table = { timeZone: 'UTC', leadMinutes: 0, windows: [{ startMinute: 6 * 1440 + 22 * 60, endMinute: 6 * 60, minInferenceUnits: 2 }] };
  expect(windowStateAt(table, Date.UTC(2026, 0, 4, 23, 0))).toMatchObject({ running: true, minInferenceUnits: 2, until: Date.UTC(2026, 0, 5, 6) }); // Sunday
  expect(windowStateAt(table, Date.UTC(2026, 0, 5, 5, 59)).running).toBe(true); // Monday
  expect(windowStateAt(table, Date.UTC(2026, 0, 5, 6, 0))).toEqual({ running: false, until: Date.UTC(2026, 0, 11, 22) });
});

describe('validation names the window', () => {
  const w = (startMinute: number, endMinute: number) => ({ startMinute, endMinute, minInferenceUnits: 1 });
  test.each([
    [{ timeZone: 'UTC', leadMinutes: 0, windows: [] }, 'windows must hold at least one window'],
    [{ timeZone: 'Mars/Olympus', leadMinutes: 0, windows: [w(0, 60)] }, 'timeZone "Mars/Olympus" is not a time zone this runtime knows'],
    [{ timeZone: 'UTC', leadMinutes: 0, windows: [w(60, 60)] }, 'window 0 is empty: it starts where it ends'],
    [{ timeZone: 'UTC', leadMinutes: 0, windows: [w(0, 120), w(60, 180)] }, 'window 0 and window 1 overlap'],
    [{ timeZone: 'UTC', leadMinutes: 0, windows: [w(MINUTES_PER_WEEK - 60, 60), w(30, 90)] }, 'window 0 and window 1 overlap'],
    [{ timeZone: 'UTC', leadMinutes: 30, windows: [w(0, 120), w(140, 200)] }, 'the lead time (30 minutes) of window 1 is longer than the 20 stopped minutes before it'],
  ])('%o -> %s', (table, message) => {
    expect(validateWindowTable(table)).toContain(message);
  });
  test('adjacent windows are allowed, and the later one gets no lead time', () => {
    const table = { timeZone: 'UTC', leadMinutes: 30, windows: [w(0, 120), { ...w(120, 180), minInferenceUnits: 3 }] };
    expect(validateWindowTable(table)).toBeUndefined();
    expect(boundaryMinutes(table)).toEqual([120, 180, MINUTES_PER_WEEK - 30]);
  });
});

test('scheduled inference-unit hours count the lead time, at min and at max units', () => {
  const table = {
    leadMinutes: 30,
    windows: [
      { startMinute: 8 * 60, endMinute: 18 * 60, minInferenceUnits: 5 },
      { startMinute: 3 * 1440 + 22 * 60, endMinute: 4 * 1440 + 6 * 60, minInferenceUnits: 2, maxInferenceUnits: 4 },
    ],
  };
  expect(scheduledInferenceUnitHours(table)).toEqual({ atMin: 10.5 * 5 + 8.5 * 2, atMax: 10.5 * 5 + 8.5 * 4 });
});
