// The cost guard alarms as synthesized, evaluated the way CloudWatch documents it (test/support/alarm-evaluator.ts)
// over ten days of synthetic InServiceInferenceUnits samples (one a minute while the model runs, none while it is
// stopped), the scheduled path's expected units, and failures of scheduled transitions.
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../lib';
import { windowStateAt, WindowTable } from '../lib/contract/weekly-windows';
import { AlarmProperties, evaluateAlarm, MetricKey, perMinute, Sample } from './support/alarm-evaluator';
import { fullStack } from './support/full-stack';
import { DAY, HOUR, MIN } from './support/time';

/** Monday 5 January 2026, 00:00 UTC. */
const T0 = Date.UTC(2026, 0, 5);
const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/v1/1767607200000';
const BATCH_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/batch/1767607200000';

const stack = new Stack(new App(), 'AlarmStack', { env: { account: '123456789012', region: 'us-east-1' } });
const topic = new sns.Topic(stack, 'Alarms', { masterKey: new kms.Key(stack, 'AlarmsKey', { enableKeyRotation: true }) });
new CustomLabelsModel(stack, 'Widgets', {
  projectVersionArn: ARN,
  minInferenceUnits: 1,
  maxInferenceUnits: 5,
  costGuard: { alarmTopic: topic, dailyInferenceUnitHourBudget: 24, weeklyInferenceUnitHourBudget: 100 },
});
const batch = new CustomLabelsModel(stack, 'Batch', {
  projectVersionArn: BATCH_ARN,
  minInferenceUnits: 2,
  batchWindows: BatchWindows.weekly({
    timeZone: TimeZone.ETC_UTC,
    windows: [
      { start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18), minInferenceUnits: 5 },
      // Adjacent to the first: a restart with other units at 18:00.
      { start: WeeklyTime.of(WeekDay.MONDAY, 18), end: WeeklyTime.of(WeekDay.MONDAY, 22), minInferenceUnits: 2, maxInferenceUnits: 4 },
    ],
    leadTime: Duration.minutes(30),
  }),
  costGuard: { alarmTopic: topic },
});
const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: AlarmProperties }> };
const windowTable = JSON.parse(Object.values(template.Resources).find((r) => r.Type === 'Custom::RekognitionCustomLabelsModel' && r.Properties.BatchWindows)!.Properties.BatchWindows as string) as WindowTable;

function alarm(idPart: string): AlarmProperties {
  const found = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.includes(idPart));
  expect(found).toHaveLength(1);
  return found[0][1].Properties;
}

/** The metric samples of a world: the two models' units, the expected units the scheduled path publishes, failures. */
interface World {
  readonly units?: readonly Sample[];
  readonly batchUnits?: readonly Sample[];
  readonly failures?: readonly Sample[];
  readonly deadLetters?: readonly Sample[];
}

function data(world: World) {
  return (m: MetricKey): readonly Sample[] => {
    if (m.metricName === 'InServiceInferenceUnits') return m.dimensions.VersionName === 'batch' ? world.batchUnits ?? [] : world.units ?? [];
    if (m.metricName === 'ExpectedInferenceUnits') {
      // Published every 5 minutes by the scheduled path: the window's max (or min) units, 0 outside.
      const out: Sample[] = [];
      for (let t = T0; t < T0 + 10 * DAY; t += 5 * MIN) {
        const s = windowStateAt(windowTable, t);
        out.push({ t, value: s.running ? s.maxInferenceUnits ?? s.minInferenceUnits : 0 });
      }
      return out;
    }
    if (m.metricName === 'ExecutionsFailed') return world.failures ?? [];
    if (m.metricName === 'ExecutionsTimedOut') return [];
    if (m.metricName === 'NumberOfMessagesSent') return world.deadLetters ?? [];
    throw new Error(`no data for ${m.metricName}`);
  };
}

const evaluate = (idPart: string, world: World, from = T0, to = T0 + 10 * DAY) => evaluateAlarm(alarm(idPart), data(world), from, to);
/** 1 unit a minute from `from` for `minutes`. */
const running = (from: number, minutes: number, units: number | ((t: number) => number) = 1) =>
  perMinute(from, from + minutes * MIN, (t) => (typeof units === 'number' ? units : units(t)));

describe('budget alarms: ALARM exactly when the inference-unit hours of the rolling window exceed the budget', () => {
  test('daily budget: 23.9 IU-hours in the last 24 h is OK, 24.1 is ALARM', () => {
    const at = T0 + 2 * DAY;
    // 23.9 IU-hours: 1 unit for 1,434 minutes, ending at `at`.
    const under = evaluate('WidgetsDailyBudget', { units: running(at - 1434 * MIN, 1434) }, T0, at + 2 * DAY);
    expect(under.stateAt(at)).toBe('OK');
    expect(under.transitions.filter((x) => x.to === 'ALARM')).toEqual([]);
    // 24.1 IU-hours: 1 unit for 1,434 minutes and 2 units for the last 6.
    const over = evaluate('WidgetsDailyBudget', { units: running(at - 1440 * MIN, 1440, (t) => (t >= at - 6 * MIN ? 2 : 1)) }, T0, at + 2 * DAY);
    expect(over.stateAt(at)).toBe('ALARM');
    // Exact at the threshold: 24.0 IU-hours (three minutes earlier) is not over it, 24.03 (two minutes earlier) is.
    expect(over.stateAt(at - 3 * MIN)).toBe('OK');
    expect(over.stateAt(at - 2 * MIN)).toBe('ALARM');
    // Rolling, not calendar-aligned: the hours leave the window 24 h after they were used.
    expect(over.stateAt(at + 30 * MIN)).toBe('OK');
    expect(over.transitions.map((x) => x.to)).toEqual(['OK', 'ALARM', 'OK']);
  });

  test('a burst on day 8 after a quiet week', () => {
    // Stopped for a week, then 5 units from day 8 00:00 for 21 hours (105 IU-hours).
    const burst = T0 + 7 * DAY;
    const world = { units: running(burst, 21 * 60, 5) };
    const daily = evaluate('WidgetsDailyBudget', world);
    const weekly = evaluate('WidgetsWeeklyBudget', world);
    expect(daily.stateAt(burst - MIN)).toBe('OK');
    expect(weekly.stateAt(burst - MIN)).toBe('OK');
    // Daily budget 24: over after 4.8 hours at 5 units (24.0 at 288 minutes, over at the next minute).
    const dailyAlarm = daily.transitions.find((x) => x.to === 'ALARM')!.t;
    expect((dailyAlarm - burst) / MIN).toBe(289);
    // Weekly budget 100: over after 20 hours; a week-long alarm is evaluated hourly, on data up to the hour.
    const weeklyAlarm = weekly.transitions.find((x) => x.to === 'ALARM')!.t;
    expect((weeklyAlarm - burst) / HOUR).toBe(21);
    expect(weekly.stateAt(burst + 3 * DAY)).toBe('ALARM'); // the 105 IU-hours stay in the 7-day window
  });

  test('a stopped model never alarms', () => {
    for (const id of ['WidgetsDailyBudget', 'WidgetsWeeklyBudget', 'WidgetsUnitsAboveDeclared', 'BatchRunningOutsideWindows', 'BatchUnitsAboveDeclared', 'ScheduledTransitionsFailed', 'ScheduledCallsFailed']) {
      const e = evaluate(id, {});
      expect([id, [...new Set(e.states.map((s) => s.state))]]).toEqual([id, ['OK']]);
    }
  });

  test('ten days of running, stopping, restarting with other units and autoscaling: the state is the rolling total against the budget, every minute', () => {
    // Day by day: 1 unit 8 h; stopped; 3 units 10 h with a gap; autoscaling 2..5 all day; 1 unit 20 h; ...
    const units = (t: number): number | undefined => {
      const day = Math.floor((t - T0) / DAY);
      const hour = ((t - T0) % DAY) / HOUR;
      switch (day % 5) {
        case 0: return hour < 8 ? 1 : undefined;
        case 1: return undefined;
        case 2: return hour >= 6 && hour < 16 && !(hour >= 11 && hour < 12) ? 3 : undefined;
        case 3: return 2 + Math.round(3 * Math.abs(Math.sin(t / (7 * HOUR))));
        default: return hour < 20 ? 1 : undefined;
      }
    };
    const samples = perMinute(T0, T0 + 10 * DAY, units);
    const daily = evaluate('WidgetsDailyBudget', { units: samples });
    const weekly = evaluate('WidgetsWeeklyBudget', { units: samples });
    // The truth, by brute force: the IU-hours of the samples in [t - window, t), from a running total per minute.
    const total = new Map<number, number>();
    let sum = 0;
    for (let t = T0, k = 0; t <= T0 + 10 * DAY; t += MIN) {
      total.set(t, sum);
      while (k < samples.length && samples[k].t === t) sum += samples[k++].value;
    }
    const iuHours = (from: number, to: number) => ((total.get(to) ?? 0) - (total.get(Math.max(from, T0)) ?? 0)) / 60;
    const wrong = [
      ...daily.states.filter((s) => s.state !== (iuHours(s.t - DAY, s.t) > 24 ? 'ALARM' : 'OK')).map((s) => `daily ${new Date(s.t).toISOString()} ${s.state}`),
      ...weekly.states.filter((s) => s.state !== (iuHours(s.t - 7 * DAY, s.t) > 100 ? 'ALARM' : 'OK')).map((s) => `weekly ${new Date(s.t).toISOString()} ${s.state}`),
    ];
    expect(wrong).toEqual([]);
    expect(daily.states.length).toBe(10 * 24 * 60 + 1);
    // The table is not trivial: both alarms go in and out of ALARM.
    expect(daily.transitions.filter((x) => x.to === 'ALARM').length).toBeGreaterThanOrEqual(2);
    expect(weekly.transitions.some((x) => x.to === 'ALARM')).toBe(true);
  });
});

describe('units and windows', () => {
  test.each([
    // Sliding 5-minute averages, 3 of 3: about 11 minutes above the declared units alarm, 5 do not.
    ['6 units for 11 minutes', 'ALARM', 11],
    ['6 units for 5 minutes', 'OK', 5],
  ])('more units in service than the 5 declared: %s is %s', (_what, expected, minutes) => {
    const start = T0 + DAY;
    const e = evaluate('WidgetsUnitsAboveDeclared', { units: running(T0, 3 * 24 * 60, (t) => (t >= start && t < start + minutes * MIN ? 6 : 5)) });
    expect(e.transitions.some((x) => x.to === 'ALARM')).toBe(expected === 'ALARM');
  });

  // Monday 5 January: the windows run 07:30 (lead) to 22:00; 5 units until 18:00, then a restart with 2..4.
  const opens = T0 + 7.5 * HOUR;
  const closes = T0 + 22 * HOUR;
  const restart = (t: number) => (t < T0 + 18 * HOUR ? 5 : t < T0 + 18 * HOUR + 12 * MIN ? undefined : 3);
  test.each([
    ['stopped 3 minutes after the window closes', 'OK', 3],
    ['stopped 40 minutes after the window closes', 'ALARM', 40],
  ])('running outside the windows: %s is %s', (_what, expected, late) => {
    const e = evaluate('BatchRunningOutsideWindows', { batchUnits: perMinute(opens + 10 * MIN, closes + late * MIN, restart) }, T0, T0 + 2 * DAY);
    expect(e.transitions.some((x) => x.to === 'ALARM')).toBe(expected === 'ALARM');
  });

  test('running outside the windows: the adjacent-window restart (5 units still in service after 18:00, expecting 4) does not alarm', () => {
    const stillFive = (t: number) => (t < T0 + 18 * HOUR + 8 * MIN ? 5 : 3);
    const e = evaluate('BatchRunningOutsideWindows', { batchUnits: perMinute(opens + 10 * MIN, closes + 2 * MIN, stillFive) }, T0, T0 + 2 * DAY);
    expect(e.transitions.filter((x) => x.to === 'ALARM')).toEqual([]);
  });
});

describe('failed scheduled transitions', () => {
  test('each failed scheduled transition notifies once', () => {
    const failures = [T0 + 10 * HOUR, T0 + 14 * HOUR, T0 + 2 * DAY].map((t) => ({ t, value: 1 }));
    const transitions = evaluate('ScheduledTransitionsFailed', { failures });
    const alarms = transitions.transitions.filter((x) => x.to === 'ALARM').map((x) => x.t);
    // Within a minute of each failure (the window slides every minute), and back to OK by itself.
    expect(alarms.map((t, i) => t - failures[i].t)).toEqual([MIN, MIN, MIN]);
    for (const t of alarms) expect(transitions.stateAt(t + 6 * MIN)).toBe('OK');
    // Periodic calls (the stack guard, a safety net) that ended in the dead-letter queue; SQS publishes the datapoint
    // of a queue it had not seen active 15 minutes late, which the 20-minute window still catches.
    const deadLetters = [T0 + DAY, T0 + 3 * DAY].map((t) => ({ t, value: 1, arrivesAt: t + 15 * MIN }));
    const calls = evaluate('ScheduledCallsFailed', { deadLetters });
    const callAlarms = calls.transitions.filter((x) => x.to === 'ALARM').map((x) => x.t);
    expect(callAlarms.map((t, i) => t - deadLetters[i].t)).toEqual([15 * MIN, 15 * MIN]);
    for (const t of callAlarms) expect(calls.stateAt(t + 21 * MIN)).toBe('OK');
    // Both notify the topic on ALARM and on OK.
    for (const id of ['ScheduledTransitionsFailed', 'ScheduledCallsFailed']) {
      const p = alarm(id);
      expect([(p.AlarmActions as unknown[]).length, (p.OKActions as unknown[]).length]).toEqual([1, 1]);
    }
  });

  test('a burst of failures within minutes is one notification', () => {
    const failures = [0, 1, 3].map((m) => ({ t: T0 + DAY + m * MIN, value: 1 }));
    const e = evaluate('ScheduledTransitionsFailed', { failures });
    expect(e.transitions.filter((x) => x.to === 'ALARM')).toHaveLength(1);
  });
});

describe('notifications arrive', () => {
  test("alarm notifications can be encrypted with the stack's key", () => {
    const keys = Object.values(template.Resources).filter((r) => r.Type === 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    const statements = (keys[0].Properties.KeyPolicy as { Statement: unknown[] }).Statement;
    expect(statements).toContainEqual({
      Sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
    // Once per key, however many models notify the topic.
    expect(statements.filter((s) => JSON.stringify(s).includes('cloudwatch.amazonaws.com'))).toHaveLength(1);
    expect(batch.alarms.length).toBeGreaterThan(0);
  });

  test('the example and the full stack get the statement too; a key the stack cannot change draws a warning naming what to grant', () => {
    const { stack: full } = fullStack();
    expect(JSON.stringify(Template.fromStack(full).findResources('AWS::KMS::Key'))).toContain('cloudwatch.amazonaws.com');
    const s = new Stack(new App(), 'Imported', { env: { account: '123456789012', region: 'us-east-1' } });
    const key = kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const imported = sns.Topic.fromTopicAttributes(s, 'Topic', { topicArn: 'arn:aws:sns:us-east-1:123456789012:alarms', keyArn: key.keyArn });
    new CustomLabelsModel(s, 'M', { projectVersionArn: ARN, minInferenceUnits: 2, costGuard: { alarmTopic: imported, dailyInferenceUnitHourBudget: 10 } });
    const warnings = Annotations.fromStack(s).findWarning('*', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data))).toEqual(expect.arrayContaining([
      expect.stringContaining('add to its key policy a statement that allows the service principal cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*'),
    ]));
  });
});
