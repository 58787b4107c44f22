import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../lib';
import { ScheduledModelEvent } from './support/scheduler';
import { handlerPolicies, synthModels } from './support/templates';
import { MIN } from './support/time';
import { props, World } from './support/world';

const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000';

function issueExample(): BatchWindows {
  return BatchWindows.weekly({
    timeZone: TimeZone.EUROPE_BERLIN,
    windows: [
      { start: WeeklyTime.of(WeekDay.MONDAY, 8, 0), end: WeeklyTime.of(WeekDay.MONDAY, 18, 0), minInferenceUnits: 5 },
      { start: WeeklyTime.of(WeekDay.THURSDAY, 22, 0), end: WeeklyTime.of(WeekDay.FRIDAY, 6, 0), minInferenceUnits: 2, maxInferenceUnits: 4 },
    ],
    leadTime: Duration.minutes(30),
  });
}

function stack(): Stack {
  return new Stack(new App(), 'WidgetsStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

describe('the construct with batch windows', () => {
  test('a schedule at every boundary, in the time zone, starting the waiter; and a 5-minute safety net', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows: issueExample() });
    const t = Template.fromStack(s);
    const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties);
    const crons = schedules.filter((p) => String(p.ScheduleExpression).startsWith('cron'));
    expect(crons.map((p) => p.ScheduleExpression).sort()).toEqual([
      'cron(0 18 ? * MON *)', 'cron(0 6 ? * FRI *)', 'cron(30 21 ? * THU *)', 'cron(30 7 ? * MON *)',
    ]);
    expect(new Set(crons.map((p) => p.ScheduleExpressionTimezone))).toEqual(new Set(['Europe/Berlin']));
    const onSchedule = Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onSchedule' } }))[0];
    expect(schedules.filter((p) => p.ScheduleExpression === 'rate(5 minutes)' && JSON.stringify(p.Target.Arn).includes(onSchedule))).toHaveLength(1);
    // The boundaries start the waiter state machine; the safety net invokes the function.
    const waiter = Object.keys(t.findResources('AWS::StepFunctions::StateMachine')).find((id) => id.includes('ScheduleWaiter'))!;
    expect(crons.every((p) => JSON.stringify(p.Target.Arn).includes(waiter))).toBe(true);
    // Every target has a dead-letter queue and retries.
    expect(schedules.every((p) => p.Target.DeadLetterConfig && p.Target.RetryPolicy.MaximumRetryAttempts === 3)).toBe(true);
  });

  test('the schedules carry the window table, and the custom resource too, so a deploy converges to it', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows: issueExample() });
    const table = {
      timeZone: 'Europe/Berlin',
      leadMinutes: 30,
      windows: [
        { startMinute: 480, endMinute: 1080, minInferenceUnits: 5 },
        { startMinute: 3 * 1440 + 1320, endMinute: 4 * 1440 + 360, minInferenceUnits: 2, maxInferenceUnits: 4 },
      ],
    };
    Template.fromStack(s).hasResourceProperties('Custom::RekognitionCustomLabelsModel', { BatchWindows: JSON.stringify(table) });
    const input = JSON.parse(Object.values(Template.fromStack(s).findResources('AWS::Scheduler::Schedule'))[0].Properties.Target.Input);
    expect(input.model.properties.BatchWindows).toBe(JSON.stringify(table));
    expect(input.model.logicalId).toMatch(/^Widgets/);
  });

  test('one scheduled path per stack: one function, one waiter, one queue, one scheduler role for many models', () => {
    const s = stack();
    for (let i = 0; i < 3; i++) {
      new CustomLabelsModel(s, `M${i}`, { projectVersionArn: ARN.replace('widgets.2026', `v${i}.2026`), minInferenceUnits: 2, batchWindows: issueExample() });
    }
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 2); // the provider's waiter and the scheduled waiter
    t.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.onSchedule' }, 1);
    t.resourcePropertiesCountIs('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] } }, 1);
  });

  test('the scheduler role may invoke only the scheduled path and the stack guard, and start only its waiter', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows: issueExample() });
    const t = Template.fromStack(s);
    const roleId = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.includes('SchedulerRole'))!;
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((st: { Action: string | string[] }) => [st.Action].flat()).sort();
    expect(actions).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunction', 'sqs:SendMessage', 'states:StartExecution']);
    const invoked = JSON.stringify(statements.filter((st: { Action: string }) => st.Action === 'lambda:InvokeFunction'));
    const functionIds = Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => invoked.includes(id));
    expect(functionIds.map((id) => t.toJSON().Resources[id].Properties.Handler).sort()).toEqual(['index.onGuard', 'index.onSchedule']);
    for (const st of statements) expect(st.Resource).not.toBe('*');
  });

  test('the cost: scheduled inference-unit hours a week against running all week, as a property and an info', () => {
    const s = stack();
    const model = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows: issueExample() });
    expect(model.batchWindowCost).toEqual({
      scheduledInferenceUnitHoursPerWeek: 10.5 * 5 + 8.5 * 2,
      scheduledInferenceUnitHoursPerWeekAtMax: 10.5 * 5 + 8.5 * 4,
      alwaysOnInferenceUnitHoursPerWeek: 168 * 5,
      alwaysOnInferenceUnitHoursPerWeekAtMax: 168 * 5,
      inferenceUnitHourPrice: 4,
      scheduledCostPerWeek: 278,
      scheduledCostPerWeekAtMax: 346,
      alwaysOnCostPerWeek: 3360,
      alwaysOnCostPerWeekAtMax: 3360,
    });
    Annotations.fromStack(s).hasInfo('/WidgetsStack/Widgets', Match.stringLikeRegexp('batch windows schedule 69.5 inference-unit hours a week \\(86.5 at max units\\), \\$278.00 \\(\\$346.00\\), against 840 \\(840\\) running all week, \\$3360.00'));
  });

  test('the fewer-than-2-units warning looks at the units the windows run with', () => {
    const s = stack();
    // The model's own min (1) is never used: every window sets its units, all >= 2.
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, batchWindows: issueExample() });
    Annotations.fromStack(s).hasNoWarning('*', Match.anyValue());
    const t = stack();
    new CustomLabelsModel(t, 'Widgets', {
      projectVersionArn: ARN, minInferenceUnits: 2,
      batchWindows: BatchWindows.weekly({ timeZone: TimeZone.ETC_UTC, windows: [{ start: WeeklyTime.of(WeekDay.TUESDAY, 9), end: WeeklyTime.of(WeekDay.TUESDAY, 10), minInferenceUnits: 1 }] }),
    });
    Annotations.fromStack(t).hasWarning('/WidgetsStack/Widgets', Match.stringLikeRegexp('minInferenceUnits is 1 in a batch window'));
  });

  test('the price is a parameter', () => {
    const model = new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows: issueExample(), inferenceUnitHourPrice: 1.5 });
    expect(model.batchWindowCost?.scheduledCostPerWeek).toBe(69.5 * 1.5);
  });

  test('a window without units takes the model\'s', () => {
    const s = stack();
    const model = new CustomLabelsModel(s, 'Widgets', {
      projectVersionArn: ARN, minInferenceUnits: 3, maxInferenceUnits: 6,
      batchWindows: BatchWindows.weekly({ timeZone: TimeZone.ETC_UTC, windows: [{ start: WeeklyTime.of(WeekDay.TUESDAY, 9), end: WeeklyTime.of(WeekDay.TUESDAY, 10) }], leadTime: Duration.minutes(0) }),
    });
    expect(model.batchWindowCost).toMatchObject({ scheduledInferenceUnitHoursPerWeek: 3, scheduledInferenceUnitHoursPerWeekAtMax: 6 });
  });
});

describe('synth-time checks name the window', () => {
  const at = (d: WeekDay, h: number, m = 0) => WeeklyTime.of(d, h, m);
  const cases: [string, Partial<{ windows: { start: WeeklyTime; end: WeeklyTime; minInferenceUnits?: number; maxInferenceUnits?: number }[]; timeZone: TimeZone; leadTime: Duration }>, string][] = [
    ['overlap', { windows: [{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 12) }, { start: at(WeekDay.MONDAY, 11), end: at(WeekDay.MONDAY, 14) }] },
      'WidgetsStack/Widgets: batchWindows: window 0 (MONDAY 08:00 to MONDAY 12:00) and window 1 (MONDAY 11:00 to MONDAY 14:00) overlap'],
    ['empty', { windows: [{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 8) }] }, 'batchWindows: window 0 (MONDAY 08:00 to MONDAY 08:00) is empty: it starts where it ends'],
    ['units', { windows: [{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 9), minInferenceUnits: 0 }] }, 'batchWindows window 0 (MONDAY 08:00 to MONDAY 09:00): minInferenceUnits must be an integer >= 1, got 0'],
    ['max below min', { windows: [{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 9), minInferenceUnits: 3, maxInferenceUnits: 2 }] }, 'maxInferenceUnits must be an integer >= minInferenceUnits (3), got 2'],
    ['lead longer than the gap', { leadTime: Duration.minutes(90), windows: [{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 9) }, { start: at(WeekDay.MONDAY, 10), end: at(WeekDay.MONDAY, 11) }] },
      'the lead time (90 minutes) of window 1 (MONDAY 10:00 to MONDAY 11:00) is longer than the 60 stopped minutes before it'],
    ['unknown time zone', { timeZone: TimeZone.of('Mars/Olympus_Mons'), windows: [{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 9) }] }, 'timeZone "Mars/Olympus_Mons" is not a time zone this runtime knows'],
    ['lead not whole minutes', { leadTime: Duration.seconds(90), windows: [{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 9) }] }, 'batchWindows leadTime must be a whole number of minutes from 0 to 24 hours, got 1 minute 30 seconds'],
    ['no windows', { windows: [] }, 'batchWindows: windows must hold at least one window'],
  ];
  test.each(cases)('%s', (_name, override, message) => {
    const batchWindows = BatchWindows.weekly({ timeZone: TimeZone.ETC_UTC, windows: [], ...override } as never);
    expect(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows })).toThrow(message);
  });
  test('WeeklyTime checks its hour and minute', () => {
    expect(() => WeeklyTime.of(WeekDay.MONDAY, 24)).toThrow('WeeklyTime.of(MONDAY, 24, 0): hour must be an integer from 0 to 23, got 24');
    expect(() => WeeklyTime.of(WeekDay.MONDAY, 1, 60)).toThrow('WeeklyTime.of(MONDAY, 1, 60): minute must be an integer from 0 to 59, got 60');
  });
  test('a window longer than half a week draws a warning that names its length and the usual cause (start and end swapped)', () => {
    const warned = (windows: { start: WeeklyTime; end: WeeklyTime }[]) => {
      const s = stack();
      new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows: BatchWindows.weekly({ timeZone: TimeZone.ETC_UTC, windows }) });
      return Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('more than half a week')).map((w) => String(w.entry.data));
    };
    expect(warned([{ start: at(WeekDay.MONDAY, 18), end: at(WeekDay.MONDAY, 8) }])).toEqual([
      expect.stringContaining('batchWindows: window 0 (MONDAY 18:00 to MONDAY 08:00) lasts 158 hours, more than half a week: are its start and end swapped?'),
    ]);
    expect(warned([{ start: at(WeekDay.MONDAY, 8), end: at(WeekDay.MONDAY, 18) }])).toEqual([]);
    expect(warned([{ start: at(WeekDay.MONDAY, 0), end: at(WeekDay.THURSDAY, 12) }])).toEqual([]); // exactly 84 hours
  });

  test('adjacent windows across the week end are fine', () => {
    const batchWindows = BatchWindows.weekly({
      timeZone: TimeZone.AMERICA_NEW_YORK,
      windows: [{ start: at(WeekDay.SUNDAY, 22), end: at(WeekDay.MONDAY, 6) }, { start: at(WeekDay.MONDAY, 6), end: at(WeekDay.MONDAY, 9), minInferenceUnits: 4 }],
    });
    expect(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2, batchWindows })).not.toThrow();
  });
});

describe('deploys and the scheduled path with windows', () => {
  let w: World;
  beforeEach(async () => {
    w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
  });
  afterEach(async () => {
    await w.stop();
  });
  const table = { timeZone: 'UTC', leadMinutes: 30, windows: [{ startMinute: 8 * 60, endMinute: 18 * 60, minInferenceUnits: 3 }] };
  const onSchedule = () => (e: ScheduledModelEvent) => w.handlers.onSchedule(e);

  test('a deploy inside a window starts the model with the window\'s units', async () => {
    w.clock.advanceTo(Date.UTC(2026, 0, 12, 9)); // Monday 09:00 UTC (the virtual clock starts on Monday 5 January, 10:00)
    const v = w.model();
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 1, undefined, { BatchWindows: JSON.stringify(table) })));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 3 });
  });

  test('a deploy outside the windows still fails on a version that can never start', async () => {
    w.clock.advanceTo(Date.UTC(2026, 0, 10, 9)); // Saturday
    const v = w.model('v1', 'TRAINING_FAILED');
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 1, undefined, { BatchWindows: JSON.stringify(table) })));
    expect(answer?.Status).toBe('FAILED');
    expect(answer?.Reason).toContain('TRAINING_FAILED');
  });

  test('the scheduled path stands aside while a deploy is in flight, and the two end in the same state', async () => {
    w.clock.advanceTo(Date.UTC(2026, 0, 12, 9));
    const v = w.model();
    const p = props(v, 1, undefined, { BatchWindows: JSON.stringify(table) });
    const created = w.cfn.create('Widgets', p);
    await w.cfn.run(() => w.sim.status(v).status === 'STARTING');
    const event = { model: { properties: p as Record<string, string>, stackName: 'WidgetsStack', logicalId: 'Widgets' } };
    const during = await onSchedule()(event);
    expect(during).toEqual({ converged: false, reason: expect.stringContaining('is in flight') });
    expect((await w.cfn.settle(created))?.Status).toBe('SUCCESS');
    expect(await onSchedule()(event)).toEqual({ converged: true, reason: 'converged' });
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  });

  test('every call publishes the expected units as an Embedded Metric Format line: the window\'s, or 0 outside', async () => {
    const v = w.model();
    const p = props(v, 1, undefined, { BatchWindows: JSON.stringify(table) });
    const event = { model: { properties: p as Record<string, string>, stackName: 'WidgetsStack', logicalId: 'Widgets' } };
    // No deploy first: the role's policy is that of a stack that declares the model.
    w.cfn.setPolicies(handlerPolicies(synthModels(w.cfn.stackName, [{ id: 'Widgets', projectVersionArn: v }]), w.cfn.stackId));
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      w.clock.advanceTo(Date.UTC(2026, 0, 12, 9));
      await onSchedule()(event);
      w.clock.advanceTo(Date.UTC(2026, 0, 12, 19));
      await onSchedule()(event);
    } finally {
      console.log = log;
    }
    const emf = lines.map((l) => JSON.parse(l)).filter((l) => l._aws);
    expect(emf.map((l) => l.ExpectedInferenceUnits)).toEqual([3, 0]);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'RekognitionCustomLabels/Schedule', Dimensions: [['ProjectName', 'VersionName']], Metrics: [{ Name: 'ExpectedInferenceUnits', Unit: 'Count' }] }] },
      ProjectName: 'widgets',
      VersionName: 'widgets.v1',
    });
  });

  test('a model of another stack is left alone by the scheduled path', async () => {
    w.clock.advanceTo(Date.UTC(2026, 0, 12, 9));
    const v = w.model();
    const p = props(v, 1, undefined, { BatchWindows: JSON.stringify(table) });
    await w.cfn.settle(w.cfn.create('Widgets', p));
    w.clock.advanceTo(Date.UTC(2026, 0, 12, 19)); // after the window
    const result = await onSchedule()({ model: { properties: p as Record<string, string>, stackName: 'OtherStack', logicalId: 'Widgets' } });
    expect(result.converged).toBe(true);
    expect(w.sim.status(v).status).toBe('RUNNING');
  });

  test('a start that fails in a window is surfaced as an error, and not retried again in the same window', async () => {
    w.clock.advanceTo(Date.UTC(2026, 0, 12, 6)); // before the window
    const v = w.model();
    const p = props(v, 1, undefined, { BatchWindows: JSON.stringify(table) });
    await w.cfn.settle(w.cfn.create('Widgets', p));
    const event = { model: { properties: p as Record<string, string>, stackName: 'WidgetsStack', logicalId: 'Widgets' } };
    w.clock.advanceTo(Date.UTC(2026, 0, 12, 7, 31));
    w.sim.failNextStart(v, 'Simulated: no capacity.');
    const first = await onSchedule()(event);
    expect(first).toEqual({ converged: false, reason: 'starting' });
    w.clock.advanceTo(Date.UTC(2026, 0, 12, 7, 45));
    await expect(onSchedule()(event)).rejects.toThrow('failed to start with 3 inference unit(s): Simulated: no capacity.');
    await expect(onSchedule()(event)).rejects.toThrow('Simulated: no capacity.');
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  });
});
