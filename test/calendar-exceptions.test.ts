// Calendar exceptions (excluded dates, one-off windows) and the plan: the construct's validation and schedules, the
// shipped handlers through the simulator on the virtual clock, and the plan against the window state.
import * as fs from 'fs';
import * as path from 'path';
import { Duration, TimeZone, UnscopedValidationError } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BatchWindowPlanEventKind, BatchWindows, CustomLabelsModel, LocalDate, LocalDateTime, OneOffWindow, WeekDay, WeeklyBatchWindowsProps, WeeklyTime } from '../lib';
import { boundaryMinutes, WindowTable, windowStateAt } from '../lib/contract/weekly-windows';
import { synthesizeExampleApp } from './support/example-app';
import { ScheduledModelEvent, SchedulerEmulator } from './support/scheduler';
import { emptyStack, synthStack } from './support/templates';
import { DAY, MIN } from './support/time';
import { props, World } from './support/world';
import { desiredState } from '../lambda/decisions/desired-state';
import { scheduledRunId } from '../lambda/decisions/scheduled-access';
import { parseModelSpec } from '../lambda/model-spec';

const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000';
const NOW = 'cdk-rekognition-custom-labels:now';

// Mondays 08:00-18:00 Berlin with 5 units; Easter Monday 2026 (6 April) excluded; Saturday 11 April 09:00-13:00
// with 3 to 6 units.
const MONDAY: WeeklyBatchWindowsProps['windows'][number] = { start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18), minInferenceUnits: 5 };
const SATURDAY: OneOffWindow = { start: LocalDateTime.parse('2026-04-11T09:00'), end: LocalDateTime.parse('2026-04-11T13:00'), minInferenceUnits: 3, maxInferenceUnits: 6 };

function windows(extra: Partial<WeeklyBatchWindowsProps> = {}): BatchWindows {
  return BatchWindows.weekly({
    timeZone: TimeZone.EUROPE_BERLIN,
    windows: [MONDAY],
    leadTime: Duration.minutes(30),
    excludedDates: [LocalDate.parse('2026-04-06')],
    oneOffWindows: [SATURDAY],
    ...extra,
  });
}

/** The stack on this day (the context key the plan counts from), as a stack under test declares it. */
const onDay = (now = '2026-03-30T00:00:00Z') => ({ context: { [NOW]: now } });

/** The model as the construct synthesizes it: its window table, and its schedules' expressions. */
function withWindows(projectVersionArn = ARN, batchWindows = windows(), now?: string) {
  const { stack: s, model } = synthStack({ ...onDay(now), models: [{ id: 'Widgets', projectVersionArn, windows: batchWindows }] });
  const t = Template.fromStack(s);
  const resource = Object.values(t.findResources('Custom::RekognitionCustomLabelsModel'))[0];
  const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties as { ScheduleExpression: string; ScheduleExpressionTimezone?: string; Target: { Arn: unknown } });
  const tableJson = resource.Properties.BatchWindows as string;
  return { s, model, t, tableJson, table: JSON.parse(tableJson) as WindowTable, schedules, atExpressions: schedules.map((p) => p.ScheduleExpression).filter((e) => e.startsWith('at(')) };
}

describe('the construct with calendar exceptions', () => {
  test('the table carries the exceptions with resolved units; one-off windows get one-time schedules in the time zone that start the waiter', () => {
    const { table, schedules, t } = withWindows();
    expect(table.excludedDates).toEqual(['2026-04-06']);
    expect(table.oneOffWindows).toEqual([{ start: '2026-04-11T09:00', end: '2026-04-11T13:00', minInferenceUnits: 3, maxInferenceUnits: 6 }]);
    const at = schedules.filter((p) => p.ScheduleExpression.startsWith('at('));
    expect(at.map((p) => p.ScheduleExpression)).toEqual(['at(2026-04-11T08:30:00)', 'at(2026-04-11T13:00:00)']);
    expect(at.every((p) => p.ScheduleExpressionTimezone === 'Europe/Berlin')).toBe(true);
    const waiter = Object.keys(t.findResources('AWS::StepFunctions::StateMachine')).find((id) => id.includes('ScheduleWaiter'))!;
    expect(at.every((p) => JSON.stringify(p.Target.Arn).includes(waiter))).toBe(true);
    // The weekly schedules are as without exceptions: they fire on the excluded day too, and the handler decides.
    expect(schedules.filter((p) => p.ScheduleExpression.startsWith('cron')).map((p) => p.ScheduleExpression).sort()).toEqual(['cron(0 18 ? * MON *)', 'cron(30 7 ? * MON *)']);
  });

  test('a one-off window without units takes the model\'s, as a weekly window does', () => {
    const { table } = withWindows(ARN, windows({ oneOffWindows: [{ start: LocalDateTime.parse('2026-04-11T09:00'), end: LocalDateTime.parse('2026-04-11T13:00') }] }));
    expect(table.oneOffWindows).toEqual([{ start: '2026-04-11T09:00', end: '2026-04-11T13:00', minInferenceUnits: 2 }]);
  });

  test('batchWindowCost keeps its weekly figure and says that the exceptions are not counted in it', () => {
    const { model, s } = withWindows();
    const without = withWindows(ARN, windows({ excludedDates: [], oneOffWindows: [] })).model;
    expect(model.batchWindowCost).toEqual({ ...without.batchWindowCost, notCounted: '1 excluded date and 1 one-off window not counted: the figures are those of a week of the weekly windows' });
    expect(without.batchWindowCost?.notCounted).toBeUndefined();
    Annotations.fromStack(s).hasInfo('/WidgetsStack/Widgets', Match.stringLikeRegexp('; 1 excluded date and 1 one-off window not counted'));
  });

  test('a table without exceptions travels as it always did', () => {
    const { table } = withWindows(ARN, windows({ excludedDates: undefined, oneOffWindows: undefined }));
    expect(Object.keys(table)).toEqual(['timeZone', 'leadMinutes', 'windows']);
  });
});

describe('calendar values', () => {
  test('calendar values are validated where they are made', () => {
    expect(LocalDate.of(2026, 4, 6).toString()).toBe('2026-04-06');
    expect(LocalDate.parse('2026-04-06').toString()).toBe('2026-04-06');
    expect(LocalDateTime.of(2026, 4, 11, 9).toString()).toBe('2026-04-11T09:00');
    expect(LocalDateTime.parse('2026-04-11T09:00').toString()).toBe('2026-04-11T09:00');
    // Each refused at the call, before any construct sees it: no stack, no model.
    expect(() => LocalDate.of(2026, 2, 30)).toThrow(UnscopedValidationError);
    expect(() => LocalDate.parse('06.04.2026')).toThrow(UnscopedValidationError);
    expect(() => LocalDateTime.of(2026, 4, 11, 24, 0)).toThrow(UnscopedValidationError);
    expect(() => LocalDateTime.parse('2026-04-11 09:00')).toThrow(UnscopedValidationError);
    expect(() => WeeklyTime.of(WeekDay.MONDAY, 25)).toThrow(UnscopedValidationError);
  });

  test.each([
    ['LocalDate.of', () => LocalDate.of(2026, 2, 30), 'LocalDate.of(2026, 2, 30): not a day of the calendar; give a year from 1970 to 9999, a month from 1 to 12 and a day of that month'],
    ['LocalDate.parse', () => LocalDate.parse('2026-02-30'), 'LocalDate.parse("2026-02-30"): not a local date YYYY-MM-DD of the calendar, such as 2027-03-29'],
    ['LocalDate.parse, another format', () => LocalDate.parse('06.04.2026'), 'LocalDate.parse("06.04.2026"): not a local date YYYY-MM-DD of the calendar, such as 2027-03-29'],
    ['LocalDateTime.of', () => LocalDateTime.of(2026, 4, 11, 24, 0), 'LocalDateTime.of(2026, 4, 11, 24, 0): not a time of the calendar; give a year from 1970 to 9999, a month from 1 to 12, a day of that month, an hour from 0 to 23 and a minute from 0 to 59'],
    ['LocalDateTime.parse', () => LocalDateTime.parse('2026-04-11 09:00'), 'LocalDateTime.parse("2026-04-11 09:00"): not a local date-time YYYY-MM-DDTHH:MM of the calendar, such as 2027-04-03T09:00'],
    ['WeeklyTime.of', () => WeeklyTime.of(WeekDay.MONDAY, 25, 0), 'WeeklyTime.of(MONDAY, 25, 0): hour must be an integer from 0 to 23, got 25'],
    ['WeeklyTime.of, minute', () => WeeklyTime.of(WeekDay.FRIDAY, 8, 60), 'WeeklyTime.of(FRIDAY, 8, 60): minute must be an integer from 0 to 59, got 60'],
  ] as const)('a bad calendar value is refused naming the call and the value: %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('synth-time checks name the entry', () => {
  const cases: [string, Partial<WeeklyBatchWindowsProps>, string][] = [
    ['a one-off end not after its start', { oneOffWindows: [SATURDAY, { start: LocalDateTime.parse('2026-04-12T13:00'), end: LocalDateTime.parse('2026-04-12T13:00') }] },
      'batchWindows oneOffWindows[1] (2026-04-12T13:00 to 2026-04-12T13:00): end must be after start'],
    ['one-off units out of range', { oneOffWindows: [{ ...SATURDAY, minInferenceUnits: 0, maxInferenceUnits: undefined }] },
      'batchWindows oneOffWindows[0] (2026-04-11T09:00 to 2026-04-11T13:00): minInferenceUnits must be an integer >= 1, got 0'],
    ['one-off max below min', { oneOffWindows: [{ ...SATURDAY, maxInferenceUnits: 2 }] }, 'oneOffWindows[0] (2026-04-11T09:00 to 2026-04-11T13:00): maxInferenceUnits must be an integer >= minInferenceUnits (3), got 2'],
    ['a one-off overlapping a weekly occurrence with other units', { oneOffWindows: [{ start: LocalDateTime.parse('2026-04-13T17:00'), end: LocalDateTime.parse('2026-04-13T19:00'), minInferenceUnits: 3 }] },
      "WidgetsStack/Widgets: batchWindows: oneOffWindows[0] (2026-04-13T17:00 to 2026-04-13T19:00) overlaps window 0 (MONDAY 08:00 to MONDAY 18:00)'s occurrence of 2026-04-13 (lead times included) with other units (3 units against 5 units)"],
    ['a one-off whose lead time overlaps a weekly occurrence with other units', { oneOffWindows: [{ start: LocalDateTime.parse('2026-04-13T18:15'), end: LocalDateTime.parse('2026-04-13T19:00'), minInferenceUnits: 3 }] },
      "oneOffWindows[0] (2026-04-13T18:15 to 2026-04-13T19:00) overlaps window 0 (MONDAY 08:00 to MONDAY 18:00)'s occurrence of 2026-04-13 (lead times included)"],
    ['two one-offs overlapping with other units', { oneOffWindows: [SATURDAY, { start: LocalDateTime.parse('2026-04-11T12:00'), end: LocalDateTime.parse('2026-04-11T15:00'), minInferenceUnits: 3 }] },
      'batchWindows: oneOffWindows[0] (2026-04-11T09:00 to 2026-04-11T13:00) overlaps oneOffWindows[1] (2026-04-11T12:00 to 2026-04-11T15:00) (lead times included) with other units (3 to 6 units against 3 units)'],
  ];
  test.each(cases)('%s', (_name, override, message) => {
    expect(() => withWindows(ARN, windows(override))).toThrow(message);
  });

  test('overlaps that are allowed: the same units (one stretch), an excluded occurrence, adjacency without lead time', () => {
    const ok = (oneOffWindows: OneOffWindow[]) => expect(() => withWindows(ARN, windows({ oneOffWindows }))).not.toThrow();
    ok([{ start: LocalDateTime.parse('2026-04-13T16:00'), end: LocalDateTime.parse('2026-04-13T20:00'), minInferenceUnits: 5 }]); // extends a Monday
    ok([{ start: LocalDateTime.parse('2026-04-06T10:00'), end: LocalDateTime.parse('2026-04-06T12:00'), minInferenceUnits: 1 }]); // on the excluded Easter Monday
    ok([{ start: LocalDateTime.parse('2026-04-13T18:00'), end: LocalDateTime.parse('2026-04-13T20:00'), minInferenceUnits: 3 }]); // adjacent: a restart at 18:00
  });

  test('a one-off window wholly in the past draws a warning and gets no schedules; "now" is the context key', () => {
    const past = withWindows(ARN, windows(), '2026-05-01T00:00:00Z');
    Annotations.fromStack(past.s).hasWarning('/WidgetsStack/Widgets', Match.stringLikeRegexp(
      'batchWindows: oneOffWindows\\[0\\] \\(2026-04-11T09:00 to 2026-04-11T13:00\\) ended before now \\(2026-05-01T00:00:00.000Z; set the context key cdk-rekognition-custom-labels:now .*\\): it never runs; remove it'));
    expect(past.atExpressions).toEqual([]);
    // Open when "now" is: only its close is still to come.
    const open = withWindows(ARN, windows(), '2026-04-11T08:00:00Z');
    Annotations.fromStack(open.s).hasNoWarning('*', Match.stringLikeRegexp('ended before now'));
    expect(open.atExpressions).toEqual(['at(2026-04-11T13:00:00)']);
    expect(() => withWindows(ARN, windows(), 'next Tuesday')).toThrow('WidgetsStack/Widgets: context cdk-rekognition-custom-labels:now must be an ISO 8601 instant such as 2027-03-22T00:00:00Z, got "next Tuesday"');
  });

  test('the handlers refuse a table with a malformed exception, as the construct does', () => {
    const table = JSON.parse(withWindows().tableJson);
    expect(() => parseModelSpec(props(ARN, 2, undefined, { BatchWindows: JSON.stringify({ ...table, excludedDates: ['2026-4-6'] }) }))).toThrow('BatchWindows: excludedDates[0] ("2026-4-6") must be a local date YYYY-MM-DD');
  });

  test('batchWindowPlan checks its options', () => {
    const { model } = withWindows();
    expect(() => model.batchWindowPlan({ from: new Date('2026-03-23 at noon') })).toThrow('WidgetsStack/Widgets: batchWindowPlan: from must be a valid Date, got an Invalid Date');
    expect(() => model.batchWindowPlan({ days: 0 })).toThrow('batchWindowPlan: days must be an integer from 1 to 366, got 0');
  });
});

describe('the plan', () => {
  test('the plan marks a DST change', () => {
    const { model } = withWindows();
    const plan = model.batchWindowPlan({ from: new Date('2026-03-23T00:00:00Z') });
    expect(plan).toMatchObject({ timeZone: 'Europe/Berlin', from: '2026-03-23T00:00:00Z', to: '2026-04-06T00:00:00Z' });
    const dst = plan.entries.filter((e) => e.kind === BatchWindowPlanEventKind.DST_CHANGE);
    expect(dst).toEqual([{
      kind: BatchWindowPlanEventKind.DST_CHANGE, utc: '2026-03-29T01:00:00Z', local: '2026-03-29T03:00+02:00',
      description: 'clocks go forward from UTC+01:00 to UTC+02:00: 02:00 local becomes 03:00',
      window: undefined, minInferenceUnits: undefined, maxInferenceUnits: undefined,
    }]);
    // The Monday opening keeps its local time and moves an hour in UTC across the change.
    const opens = plan.entries.filter((e) => e.kind === BatchWindowPlanEventKind.OPEN).map((e) => [e.local, e.utc]);
    expect(opens).toEqual([['2026-03-23T07:30+01:00', '2026-03-23T06:30:00Z'], ['2026-03-30T07:30+02:00', '2026-03-30T05:30:00Z']]);
    expect(plan.text).toContain('  Sun 2026-03-29 03:00 +02:00  Sun 2026-03-29 01:00Z  DST_CHANGE clocks go forward');
    // And the fall-back in October.
    const autumn = model.batchWindowPlan({ from: new Date('2026-10-19T00:00:00Z'), days: 7 });
    expect(autumn.entries.filter((e) => e.kind === BatchWindowPlanEventKind.DST_CHANGE).map((e) => [e.utc, e.description]))
      .toEqual([['2026-10-25T01:00:00Z', 'clocks go back from UTC+02:00 to UTC+01:00: 03:00 local becomes 02:00']]);
  });

  test('the plan shows the excluded occurrence as skipped and the one-off with its units; a model without windows runs all the time', () => {
    const { model } = withWindows();
    const plan = model.batchWindowPlan({ from: new Date('2026-04-05T00:00:00Z'), days: 9 });
    expect(plan.entries.map((e) => [e.kind, e.local, e.window, e.minInferenceUnits, e.maxInferenceUnits])).toEqual([
      ['SKIPPED', '2026-04-06T07:30+02:00', 'window 0 (MONDAY 08:00 to MONDAY 18:00)', undefined, undefined],
      ['OPEN', '2026-04-11T08:30+02:00', 'oneOffWindows[0] (2026-04-11T09:00 to 2026-04-11T13:00)', 3, 6],
      ['CLOSE', '2026-04-11T13:00+02:00', 'oneOffWindows[0] (2026-04-11T09:00 to 2026-04-11T13:00)', undefined, undefined],
      ['OPEN', '2026-04-13T07:30+02:00', 'window 0 (MONDAY 08:00 to MONDAY 18:00)', 5, undefined],
      ['CLOSE', '2026-04-13T18:00+02:00', 'window 0 (MONDAY 08:00 to MONDAY 18:00)', undefined, undefined],
    ]);
    expect(plan.entries[0].description).toBe('stays stopped: 2026-04-06 is an excluded date');
    // The default: 14 days from the context key's instant.
    expect(model.batchWindowPlan().from).toBe('2026-03-30T00:00:00Z');
    expect(model.batchWindowPlan().to).toBe('2026-04-13T00:00:00Z');
    const s = emptyStack(onDay());
    const alwaysOn = new CustomLabelsModel(s, 'AlwaysOn', { projectVersionArn: ARN, minInferenceUnits: 2 });
    expect(alwaysOn.batchWindowPlan()).toEqual({ from: '2026-03-30T00:00:00Z', to: '2026-04-13T00:00:00Z', entries: [], text: 'WidgetsStack/AlwaysOn: no batch windows: runs all the time' });
  });

  test('the window state and the plan agree, every 5 minutes and at every boundary, with overlapping, adjacent and excluded occurrences and a DST change', () => {
    const { model, table } = withWindows(ARN, windows({
      oneOffWindows: [
        { start: LocalDateTime.parse('2026-03-30T16:00'), end: LocalDateTime.parse('2026-03-30T20:00'), minInferenceUnits: 5 }, // extends a Monday: one stretch
        { start: LocalDateTime.parse('2026-03-31T09:00'), end: LocalDateTime.parse('2026-03-31T12:00'), minInferenceUnits: 2 },
        { start: LocalDateTime.parse('2026-03-31T12:00'), end: LocalDateTime.parse('2026-03-31T14:00'), minInferenceUnits: 3 }, // adjacent: a restart, no lead
        SATURDAY,
      ],
    }));
    const from = Date.UTC(2026, 2, 23);
    const plan = model.batchWindowPlan({ from: new Date(from), days: 28 });
    const intervals: { from: number; to: number; min: number; max?: number }[] = [];
    for (const e of plan.entries) {
      if (e.kind === BatchWindowPlanEventKind.OPEN) intervals.push({ from: Date.parse(e.utc), to: Infinity, min: e.minInferenceUnits!, max: e.maxInferenceUnits });
      if (e.kind === BatchWindowPlanEventKind.CLOSE) intervals.find((i) => i.to === Infinity)!.to = Date.parse(e.utc);
    }
    expect(intervals.every((i) => i.to !== Infinity)).toBe(true);
    expect(intervals.length).toBe(3 + 2 + 1); // Mondays 23 Mar, 30 Mar (to 20:00), 13 Apr; 31 Mar twice; Saturday
    // Every 5 minutes, and either side of every instant the plan names.
    const instants = new Set<number>();
    for (let t = from; t < from + 28 * DAY; t += 5 * MIN) instants.add(t);
    for (const e of plan.entries) for (const d of [-1, 0, 1]) instants.add(Date.parse(e.utc) + d);
    for (const t of instants) {
      const state = windowStateAt(table, t);
      const interval = intervals.find((i) => i.from <= t && t < i.to);
      expect([t, state.running]).toEqual([t, interval !== undefined]);
      if (state.running && interval) {
        expect([t, state.minInferenceUnits, state.maxInferenceUnits ?? state.minInferenceUnits]).toEqual([t, interval.min, interval.max ?? interval.min]);
      }
    }
    // The one-off that overlaps Monday 30 March with the same units runs on with it, to 20:00 CEST.
    expect(intervals.filter((i) => i.from === Date.UTC(2026, 2, 30, 5, 30)).map((i) => i.to)).toEqual([Date.UTC(2026, 2, 30, 18)]);
    expect(plan.entries.filter((e) => e.local.startsWith('2026-03-30')).map((e) => [e.kind, e.local, e.window, e.description])).toEqual([
      ['OPEN', '2026-03-30T07:30+02:00', 'window 0 (MONDAY 08:00 to MONDAY 18:00)',
        'start with 5 units (30 min before it opens at 08:00); runs on through oneOffWindows[0] (2026-03-30T16:00 to 2026-03-30T20:00) with the same units'],
      ['CLOSE', '2026-03-30T20:00+02:00', 'oneOffWindows[0] (2026-03-30T16:00 to 2026-03-30T20:00)', 'stop'],
    ]);
    // The adjacent one-off opens at its own start, without lead time, where the other closes.
    expect(plan.entries.filter((e) => e.local.startsWith('2026-03-31T12:00')).map((e) => e.kind)).toEqual(['CLOSE', 'OPEN']);
  });

  test('a window adjacent to an excluded one gets its lead time back, and a schedule at that time', () => {
    const { table, model, schedules } = withWindows(ARN, windows({
      windows: [
        { start: WeeklyTime.of(WeekDay.THURSDAY, 22), end: WeeklyTime.of(WeekDay.FRIDAY, 6), minInferenceUnits: 2 },
        { start: WeeklyTime.of(WeekDay.FRIDAY, 6), end: WeeklyTime.of(WeekDay.FRIDAY, 9), minInferenceUnits: 1 },
      ],
      excludedDates: [LocalDate.parse('2026-04-09')], // Thursday 9 April: that night's window is skipped
      oneOffWindows: [],
    }));
    // Friday 10 April 05:30 CEST: the Friday window, started 30 minutes early, since the night before did not run.
    expect(windowStateAt(table, Date.UTC(2026, 3, 10, 3, 29)).running).toBe(false);
    expect(windowStateAt(table, Date.UTC(2026, 3, 10, 3, 30))).toMatchObject({ running: true, window: 1, minInferenceUnits: 1, since: Date.UTC(2026, 3, 10, 3, 30) });
    // The week after, the night window runs into Friday and the Friday window follows it at 06:00 without lead time.
    expect(windowStateAt(table, Date.UTC(2026, 3, 17, 3, 30))).toMatchObject({ running: true, window: 0 });
    expect(windowStateAt(table, Date.UTC(2026, 3, 17, 4, 0))).toMatchObject({ running: true, window: 1, since: Date.UTC(2026, 3, 17, 4, 0) });
    expect(boundaryMinutes(table)).toContain(4 * 1440 + 330);
    expect(schedules.map((p) => p.ScheduleExpression)).toContain('cron(30 5 ? * FRI *)');
    const plan = model.batchWindowPlan({ from: new Date('2026-04-06T00:00:00Z'), days: 7 });
    expect(plan.entries.map((e) => [e.kind, e.local, e.description])).toEqual([
      ['SKIPPED', '2026-04-09T21:30+02:00', 'stays stopped: 2026-04-09 is an excluded date'],
      ['OPEN', '2026-04-10T05:30+02:00', 'start with 1 unit (30 min before it opens at 06:00)'],
      ['CLOSE', '2026-04-10T09:00+02:00', 'stop'],
    ]);
  });

  test('scheduledRunId names a one-off occurrence apart from a weekly one', () => {
    const { table } = withWindows();
    const saturday = Date.UTC(2026, 3, 11, 8);
    const monday = Date.UTC(2026, 3, 13, 8);
    expect(scheduledRunId(table, saturday, 'r1')).toBe(`oneOff:0:${Date.UTC(2026, 3, 11, 6, 30)}`);
    expect(scheduledRunId(table, monday, 'r1')).toBe(`window:0:${Date.UTC(2026, 3, 13, 5, 30)}`);
    // On the excluded Monday no occurrence runs: the start would be the request's.
    expect(scheduledRunId(table, Date.UTC(2026, 3, 6, 8), 'r1')).toBe('request:r1');
  });
});

test('the README shows the example app\'s plans as npm run synth prints them', () => {
  const example = synthesizeExampleApp();
  try {
    const plans = fs.readFileSync(path.join(example.outdir, 'batch-window-plans.txt'), 'utf8').trimEnd();
    expect(plans).toContain('DST_CHANGE');
    expect(plans).toContain('SKIPPED');
    expect(plans).toContain('oneOffWindows[0]');
    // The plans moved with the batch-window details to docs/scheduling.md, which the README links (issue 24).
    expect(fs.readFileSync(path.join(__dirname, '..', 'docs', 'scheduling.md'), 'utf8')).toContain(`\`\`\`\n${plans}\n\`\`\``);
  } finally {
    example.remove();
  }
});

describe('through the simulator on the virtual clock', () => {
  const START_MS = 8 * MIN;
  const STOP_MS = 2 * MIN;
  let w: World;
  beforeEach(async () => {
    w = await new World({ timings: { startMs: START_MS, stopMs: STOP_MS, jitterMs: 0 } }).start();
  });
  afterEach(async () => {
    await w.stop();
  });

  /** The stretches the model billed: from RUNNING to STOPPED, with the units it ran with. */
  function billed(v: string) {
    const history = w.sim.history(v);
    const out: { from: number; to: number; min?: number; max?: number }[] = [];
    history.forEach((h, i) => {
      if (h.status !== 'RUNNING') return;
      const stopped = history.slice(i + 1).find((x) => x.status === 'STOPPED');
      out.push({ from: h.at, to: stopped?.at ?? Infinity, min: h.min, max: h.max });
    });
    return out;
  }

  async function deploy(at: number) {
    w.clock.advanceTo(at);
    const v = w.model();
    const { tableJson, table, atExpressions } = withWindows(v);
    const p = props(v, 2, undefined, { BatchWindows: tableJson });
    expect((await w.cfn.settle(w.cfn.create('Widgets', p)))?.Status).toBe('SUCCESS');
    const event: ScheduledModelEvent = { model: { properties: p as Record<string, string>, stackName: 'WidgetsStack', logicalId: 'Widgets' } };
    const scheduler = new SchedulerEmulator(w.cfn, (e) => w.handlers.onSchedule(e), event);
    return { v, table, atExpressions, scheduler };
  }

  test("a holiday skips that Monday's window", async () => {
    const { v, table, atExpressions, scheduler } = await deploy(Date.UTC(2026, 3, 5, 12)); // Sunday 5 April
    const end = Date.UTC(2026, 3, 14); // through the next Monday, 13 April
    const fired = scheduler.boundaries(boundaryMinutes(table), table.timeZone, w.clock.now, end);
    scheduler.oneTime(atExpressions, table.timeZone, w.clock.now, end);
    // The safety net through Easter Monday, as it runs every 5 minutes: each call must decide "stopped".
    scheduler.safetyNet(Date.UTC(2026, 3, 6, 4), Date.UTC(2026, 3, 6, 18), 5 * MIN);
    await w.cfn.drain(end);
    // The Monday schedules fired on the holiday too, and their waiters converged on a stopped model.
    const easter = fired.filter((t) => t < Date.UTC(2026, 3, 7));
    expect(easter).toEqual([Date.UTC(2026, 3, 6, 5, 30), Date.UTC(2026, 3, 6, 16)]);
    expect(scheduler.log.waiterRuns.filter((r) => r.startedAt < Date.UTC(2026, 3, 7)).map((r) => r.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(scheduler.log.tickFailures).toEqual([]);
    const ran = billed(v);
    // Nothing on Easter Monday; the Saturday one-off; the next Monday with its 5 units, from its opening to its close.
    expect(ran.filter((b) => b.from < Date.UTC(2026, 3, 7))).toEqual([]);
    const monday = ran.filter((b) => b.from >= Date.UTC(2026, 3, 13));
    expect(monday).toHaveLength(1);
    expect(monday[0]).toMatchObject({ min: 5 });
    // RUNNING one start after the opening (07:30 CEST) that the schedule fired at (the clock runs on by milliseconds).
    expect(monday[0].from - (Date.UTC(2026, 3, 13, 5, 30) + START_MS)).toBeGreaterThanOrEqual(0);
    expect(monday[0].from - (Date.UTC(2026, 3, 13, 5, 30) + START_MS)).toBeLessThan(MIN);
    expect(monday[0].to).toBeLessThanOrEqual(Date.UTC(2026, 3, 13, 16) + STOP_MS + MIN);
  });

  test('a one-off Saturday window runs with its units', async () => {
    const { v, table, atExpressions, scheduler } = await deploy(Date.UTC(2026, 3, 10, 12)); // Friday 10 April
    const end = Date.UTC(2026, 3, 12);
    // No safety net: the one-time schedules alone open and close the window.
    scheduler.boundaries(boundaryMinutes(table), table.timeZone, w.clock.now, end);
    const fired = scheduler.oneTime(atExpressions, table.timeZone, w.clock.now, end);
    expect(fired).toEqual([Date.UTC(2026, 3, 11, 6, 30), Date.UTC(2026, 3, 11, 11)]); // 08:30 (lead) and 13:00 CEST
    await w.cfn.drain(end);
    expect(scheduler.log.waiterRuns.map((r) => r.outcome)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const ran = billed(v);
    expect(ran).toEqual([{ from: expect.any(Number), to: expect.any(Number), min: 3, max: 6 }]);
    expect(ran[0].from - (Date.UTC(2026, 3, 11, 6, 30) + START_MS)).toBeGreaterThanOrEqual(0);
    expect(ran[0].from - (Date.UTC(2026, 3, 11, 6, 30) + START_MS)).toBeLessThan(MIN);
    expect(ran[0].to).toBeGreaterThanOrEqual(Date.UTC(2026, 3, 11, 11));
    expect(ran[0].to).toBeLessThanOrEqual(Date.UTC(2026, 3, 11, 11) + STOP_MS + MIN);
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
    // Its transitions' events name the calendar exception as their reason (a weekly window's name the window).
    const scheduled = w.events.entries.map((e) => e.detail).filter((d) => d.reason !== 'deploy');
    expect(scheduled.map((d) => `${String(d.kind)} ${String(d.reason)}`)).toEqual(['START exception', 'STOP exception']);
  });
});

describe('a one-off window\'s units count among the declared units', () => {
  // The weekly window runs 5 units; the one-off 3 to 6: the most the declaration ever runs is 6.
  test('the cost guard alarms above 6 units, not above the weekly window\'s 5', () => {
    const s = emptyStack(onDay());
    new CustomLabelsModel(s, 'Widgets', {
      projectVersionArn: ARN,
      minInferenceUnits: 2,
      batchWindows: windows(),
      costGuard: { weeklyInferenceUnitHourBudget: 100 },
    });
    Template.fromStack(s).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 6, ComparisonOperator: 'GreaterThanThreshold', MetricName: 'InServiceInferenceUnits' });
  });

  test('a hold may ask for the one-off window\'s 6 units, and not for 7', () => {
    const resource = Object.values(withWindows().t.findResources('Custom::RekognitionCustomLabelsModel'))[0];
    const spec = parseModelSpec(resource.Properties);
    const now = Date.parse('2026-04-01T12:00:00Z');
    const hold = (units: number) => ({ value: JSON.stringify({ state: 'RUNNING', until: '2026-04-02T12:00:00Z', minInferenceUnits: units }), modifiedAt: now });
    expect(desiredState(spec, hold(6), now).goal).toEqual({ kind: 'running', minInferenceUnits: 6 });
    expect(desiredState(spec, hold(7), now).hold).toMatchObject({ kind: 'ignored', problem: 'units' });
  });
});
