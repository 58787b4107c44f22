// A simulated week of batch windows in Europe/Berlin, across the spring-forward of 29 March 2026: EventBridge
// Scheduler's boundaries (one skipped by the DST jump, one late, one duplicated, one replayed days later), the
// safety net, and the waiter, against the shipped handlers and the local Rekognition simulator. Afterwards the
// simulator's ledger must show the model running only inside the windows, with each window's units, and the billed
// inference-unit hours must match the window table.
import { boundaryMinutes, scheduledInferenceUnitHours, WindowTable, windowStateAt } from '../lib/contract/weekly-windows';
import { firstInstantReaching } from '../lib/contract/local-time';
import { ScheduledModelEvent, SchedulerEmulator } from './support/scheduler';
import { DAY, HOUR, MIN, MINUTES_PER_DAY } from './support/time';
import { props, World } from './support/world';

const START_MS = 8 * MIN;
const STOP_MS = 3 * MIN;
const SAFETY_NET_MS = 5 * MIN;

const table: WindowTable = {
  timeZone: 'Europe/Berlin',
  leadMinutes: 30,
  windows: [
    // Sunday 02:45-05:00: its opening (02:15, lead included) does not exist on 29 March; it opens at the jump.
    { startMinute: 6 * MINUTES_PER_DAY + 165, endMinute: 6 * MINUTES_PER_DAY + 300, minInferenceUnits: 2 },
    { startMinute: 8 * 60, endMinute: 18 * 60, minInferenceUnits: 5 },
    // Thursday 22:00 to Friday 06:00, autoscaling; then adjacent, Friday 06:00-09:00 with other units: a restart.
    { startMinute: 3 * MINUTES_PER_DAY + 22 * 60, endMinute: 4 * MINUTES_PER_DAY + 6 * 60, minInferenceUnits: 2, maxInferenceUnits: 4 },
    { startMinute: 4 * MINUTES_PER_DAY + 6 * 60, endMinute: 4 * MINUTES_PER_DAY + 9 * 60, minInferenceUnits: 1 },
  ],
};

let w: World;
beforeAll(async () => {
  w = await new World({ timings: { startMs: START_MS, stopMs: STOP_MS, jitterMs: 0 } }).start();
});
afterAll(async () => {
  await w.stop();
});

test('a week of boundaries: running only inside windows, with their units, billed as the table says', async () => {
  const saturday = Date.UTC(2026, 2, 28, 9, 0); // Saturday 28 March 2026, 10:00 in Berlin: outside every window
  w.clock.advanceTo(saturday);
  const v = w.model();
  const p = props(v, 1, undefined, { BatchWindows: JSON.stringify(table) });

  // A deploy outside the windows converges to "stopped", after checking the version exists and can start.
  const created = await w.cfn.settle(w.cfn.create('Widgets', p));
  expect(created?.Status).toBe('SUCCESS');
  expect(w.sim.status(v).status).toBe('TRAINING_COMPLETED');
  expect(w.sim.countCalls('StartProjectVersion')).toBe(0);

  const event: ScheduledModelEvent = { model: { properties: p as Record<string, string>, stackName: 'WidgetsStack', logicalId: 'Widgets' } };
  const handler = (e: ScheduledModelEvent) => w.handlers.onSchedule(e);
  const scheduler = new SchedulerEmulator(w.cfn, handler, event);
  const end = saturday + 7 * DAY;
  const fired = scheduler.boundaries(boundaryMinutes(table), table.timeZone, w.clock.now, end);
  scheduler.safetyNet(w.clock.now, end, SAFETY_NET_MS);
  // A late event (the Monday opening, 10 minutes late), a duplicated one (the Monday close), and a replay of the
  // Thursday opening on Saturday, far outside every window.
  const mondayOpen = fired.find((t) => windowStateAt(table, t + 1).running && new Date(t).getUTCDay() === 1)!;
  scheduler.startWaiter(mondayOpen + 10 * MIN);
  const mondayClose = fired.find((t) => new Date(t).getUTCDay() === 1 && !windowStateAt(table, t).running)!;
  scheduler.startWaiter(mondayClose);
  scheduler.startWaiter(end - 6 * HOUR);
  await w.cfn.drain(end + 3 * HOUR);

  // Scheduler skipped the boundary the spring-forward removed; the safety net opened the window anyway.
  expect(scheduler.log.skippedBoundaries).toEqual([firstInstantReaching(Date.UTC(2026, 2, 29, 2, 15), table.timeZone)]);
  expect(scheduler.log.tickFailures).toEqual([]);
  expect(scheduler.log.waiterRuns.every((r) => r.outcome === 'SUCCEEDED')).toBe(true);

  // The ledger: every stretch the model billed lies inside a window occurrence (from its opening, lead included, to
  // its close plus the stop and one safety-net interval), with that window's units.
  const history = w.sim.history(v);
  const billed: { from: number; to: number; min?: number; max?: number }[] = [];
  for (let i = 0; i < history.length; i++) {
    if (history[i].status !== 'RUNNING') continue;
    const stopped = history.slice(i + 1).find((h) => h.status === 'STOPPED');
    billed.push({ from: history[i].at, to: stopped?.at ?? Infinity, min: history[i].min, max: history[i].max });
  }
  // Sunday (opened at the DST jump), Monday, Thursday night, and Friday morning after the restart for new units.
  expect(billed.length).toBe(4);
  for (const b of billed) {
    const state = windowStateAt(table, b.from);
    expect(state.running).toBe(true);
    if (!state.running) continue;
    expect({ min: b.min, max: b.max }).toEqual({ min: state.minInferenceUnits, max: state.maxInferenceUnits });
    expect(b.to).toBeLessThanOrEqual(state.until + STOP_MS + SAFETY_NET_MS);
    // And it was running within one safety-net interval and a start of the window opening.
    expect(b.from).toBeLessThanOrEqual(state.since + SAFETY_NET_MS + START_MS + MIN);
  }
  // Nothing ran on the Saturday the stale event was replayed on.
  expect(billed.every((b) => b.from < end - 12 * HOUR)).toBe(true);

  // Billed inference-unit hours match the table, up to a start and a stop per window (the simulator bills from
  // RUNNING until STOPPED; the table counts the lead time, during which the model is starting).
  const expected = scheduledInferenceUnitHours(table).atMin;
  const tolerance = table.windows.reduce((t, win) => t + ((START_MS + STOP_MS + SAFETY_NET_MS) / HOUR) * win.minInferenceUnits, 0);
  expect(Math.abs(w.sim.inferenceUnitHours(v) - expected)).toBeLessThanOrEqual(tolerance);
}, 120_000);
