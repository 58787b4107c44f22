// The operator's command line (cli/), through the test world: two stacks deployed template by template, the real AWS
// SDK clients of the command line against the local CloudFormation, Rekognition and SSM endpoints, under an operator
// identity whose policy is the one the README gives, and the scheduled path's passes on the virtual clock.
import { RekognitionClient, StartProjectVersionCommand } from '@aws-sdk/client-rekognition';
import { Duration, TimeZone } from 'aws-cdk-lib';
import { BatchWindows, LocalDate, LocalDateTime, WeekDay, WeeklyTime } from '../lib';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../cli/main';
import type { ModelStatus } from '../cli/model-status';
import { CloudFormationEmulator } from './support/cloudformation';
import { CfnTemplate, PolicyDocument } from './support/iam';
import { periodicModelEvents, SchedulerEmulator } from './support/scheduler';
import { StackDeployment } from './support/stack-deployment';
import { ACCOUNT, REGION, stackTemplate } from './support/templates';
import { MIN } from './support/time';
import { World } from './support/world';

const OPERATOR_KEY = 'AKIACLIOPERATOREXAMP';
/** Where the operations section shows the command line's output (test/cli.test.ts checks it). */
const README_WITH_TRANSCRIPT = 'docs/operations.md';
const CONSOLE_KEY = 'AKIACONSOLEEXAMPLE01';

/** The policy the README gives the command line's operator: read everything it lists, write hold parameters. */
const OPERATOR_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudformation:GetTemplate'], Resource: '*' },
    { Effect: 'Allow', Action: ['rekognition:DescribeProjects', 'rekognition:DescribeProjectVersions', 'rekognition:ListTagsForResource'], Resource: '*' },
    { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:PutParameter'], Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/rekognition-custom-labels/*` },
    { Effect: 'Allow', Action: ['sqs:GetQueueAttributes'], Resource: '*' },
  ],
};

/** The CDK CLI's context: each resource's construct path in its template (aws:cdk:path), as `cdk deploy` writes it. */
const PATH_METADATA = { 'aws:cdk:enable-path-metadata': 'true' };

/** Tuesday 08:00 to 18:00 UTC with 3 units; with a one-off window and an excluded date when asked. */
function tuesdayWindow(exceptions = false): BatchWindows {
  return BatchWindows.weekly({
    timeZone: TimeZone.ETC_UTC,
    leadTime: Duration.minutes(0),
    windows: [{ start: WeeklyTime.of(WeekDay.TUESDAY, 8), end: WeeklyTime.of(WeekDay.TUESDAY, 18), minInferenceUnits: 3 }],
    ...(exceptions ? { excludedDates: [LocalDate.of(2026, 1, 13)], oneOffWindows: [{ start: LocalDateTime.of(2026, 1, 10, 9), end: LocalDateTime.of(2026, 1, 10, 13), minInferenceUnits: 2 }] } : {}),
  });
}

/** WidgetsStack: Widgets (always on, holds) and Batch (windows with exceptions, holds); the operator role when asked. */
function widgetsTemplate(arns: Record<string, string>, operator = false): CfnTemplate {
  const units = { minInferenceUnits: 2, maxInferenceUnits: 4, hold: true };
  return stackTemplate({
    context: PATH_METADATA,
    models: [{ id: 'Widgets', projectVersionArn: arns.widgets, ...units }, { id: 'Batch', projectVersionArn: arns.batch, windows: tuesdayWindow(true), ...units }],
    ...(operator ? { operator: { holds: ['Widgets', 'Batch'], reads: ['Widgets', 'Batch'] } } : {}),
  });
}

describe('the operator\'s command line', () => {
  let w: World;
  let arns: Record<string, string>;
  let templates: Record<string, CfnTemplate>;
  let widgetsStack: CloudFormationEmulator;
  let widgetsDeployment: StackDeployment;

  /** Runs the command line as the operator, in this process; returns what it printed and its exit code. */
  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const key = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = OPERATOR_KEY;
    try {
      const code = await main(args, { out: { print: (l) => out.push(l), error: (l) => err.push(l) } });
      return { code, out: out.join('\n'), err: err.join('\n') };
    } finally {
      process.env.AWS_ACCESS_KEY_ID = key;
    }
  }

  beforeEach(async () => {
    w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
    w.identity(OPERATOR_KEY, `arn:aws:sts::${ACCOUNT}:assumed-role/Operator/cli`, [OPERATOR_POLICY]);
    w.identity(CONSOLE_KEY, `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/console`, [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'rekognition:*', Resource: '*' }] }]);
    arns = { widgets: w.model('widgets.v1'), batch: w.model('batch.v1', 'TRAINING_COMPLETED', 'batch'), gadgets: w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets') };
    templates = {
      WidgetsStack: widgetsTemplate(arns),
      GadgetsStack: stackTemplate({ stackName: 'GadgetsStack', context: PATH_METADATA, models: [{ id: 'Gadgets', projectVersionArn: arns.gadgets, minInferenceUnits: 2, maxInferenceUnits: 4 }] }),
    };
    // Monday 2026-01-05 10:00 UTC: the weekly models' window (Tuesday) is closed; the others run.
    widgetsStack = w.cfn;
    widgetsDeployment = new StackDeployment(w.cfn, undefined, w.ssm);
    const widgets = await widgetsDeployment.deploy(templates.WidgetsStack);
    expect(widgets.status).toBe('CREATE_COMPLETE');
    const gadgets = await new StackDeployment(w.newStack('GadgetsStack'), undefined, w.ssm).deploy(templates.GadgetsStack);
    expect(gadgets.status).toBe('CREATE_COMPLETE');
  });
  afterEach(async () => {
    await w.stop();
  });

  /** The scheduled path's 5-minute passes of the Batch model for `minutes`, on the virtual clock. */
  async function passes(minutes: number): Promise<void> {
    const events = periodicModelEvents(templates.WidgetsStack, 'rate(5 minutes)', widgetsStack.stackId).filter((e) => e.model.logicalId.startsWith('Batch'));
    expect(events).toHaveLength(1);
    const scheduler = new SchedulerEmulator(widgetsStack, (e) => w.handlers.onSchedule(e), events[0]);
    const to = w.clock.now + minutes * MIN;
    scheduler.safetyNet(w.clock.now + MIN, to, 5 * MIN);
    await widgetsStack.run(() => false, to);
    expect(scheduler.log.tickFailures).toEqual([]);
  }

  const statusOfModel = async (name: string): Promise<ModelStatus> =>
    (JSON.parse((await cli('status', '--json')).out) as ModelStatus[]).find((s) => s.model === name)!;
  const operatorPuts = () => w.ssm.calls.filter((c) => c.action === 'PutParameter' && c.accessKeyId === OPERATOR_KEY);

  test('status lists every model of two stacks with its hold and next transition', async () => {
    const text = await cli('status');
    expect(text.err).toBe('');
    expect(text.code).toBe(0);
    const lines = text.out.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('  GadgetsStack/Gadgets  gadgets.v1  RUNNING  units 2-4 (in service 2-4)  wants RUNNING 2-4: its declaration (no windows)  holds off  next: none');
    expect(lines[1]).toBe('  WidgetsStack/Batch  batch.v1  TRAINING_COMPLETED  units 2-4  wants STOPPED: outside its windows  no hold  ' +
      'next: OPEN 2026-01-06T08:00+00:00 window 0 (TUESDAY 08:00 to TUESDAY 18:00): start with 3 units (2026-01-06T08:00:00Z)');
    expect(lines[2]).toContain('WidgetsStack/Widgets  widgets.v1  RUNNING  units 2-4 (in service 2-4)  wants RUNNING 2-4');
    expect(lines[3]).toBe('3 model(s)');

    const json = await cli('status', '--json', '--stack', 'WidgetsStack');
    const statuses = JSON.parse(json.out) as ModelStatus[];
    expect(statuses.map((s) => [s.model, s.status, s.placement, s.hold?.kind])).toEqual([
      ['WidgetsStack/Batch', 'TRAINING_COMPLETED', 'in-place', 'none'],
      ['WidgetsStack/Widgets', 'RUNNING', 'in-place', 'none'],
    ]);
    expect(statuses[0].next).toEqual({ at: '2026-01-06T08:00:00Z', what: expect.stringContaining('OPEN') });
    expect(statuses[1]).toMatchObject({ declaredUnits: { min: 2, max: 4 }, inServiceUnits: { min: 2, max: 4 }, wants: { state: 'RUNNING', units: { min: 2, max: 4 } } });
  });

  test('status marks a model that is not where its schedule wants it', async () => {
    // Someone starts the Batch model by hand, outside its windows.
    const console = new RekognitionClient({ region: REGION, maxAttempts: 1, credentials: { accessKeyId: CONSOLE_KEY, secretAccessKey: 'loopback' } });
    await console.send(new StartProjectVersionCommand({ ProjectVersionArn: arns.batch, MinInferenceUnits: 1 }));
    const text = await cli('status', '--stack', 'WidgetsStack');
    const batch = text.out.split('\n').find((l) => l.includes('WidgetsStack/Batch'));
    expect(batch).toMatch(/^\* WidgetsStack\/Batch {2}batch\.v1 {2}STARTING .* wants STOPPED: outside its windows/);
    expect(text.out.split('\n').find((l) => l.includes('WidgetsStack/Widgets'))).toMatch(/^ {2}/);
    expect(text.out).toContain('* 1 not where its schedule wants it');
  });

  test('a hold written by the command is honoured by the next scheduled pass, and release ends it', async () => {
    const before = w.clock.now;
    const held = await cli('hold', 'WidgetsStack/Batch', '--running', '--units', '3', '--for', '2h');
    const until = Date.parse(held.out.split(' until ')[1]?.split(' ')[0] ?? '');
    expect(until - before).toBeGreaterThanOrEqual(2 * 60 * MIN);
    expect(until - w.clock.now).toBeLessThanOrEqual(2 * 60 * MIN);
    expect(held).toEqual({ code: 0, err: '', out: `WidgetsStack/Batch: held RUNNING with 3 unit(s) until ${new Date(until).toISOString()} (/rekognition-custom-labels/WidgetsStack/Batch/hold); the next pass applies it, within 5 minute(s)` });
    expect(await statusOfModel('WidgetsStack/Batch')).toMatchObject({ hold: { kind: 'active', state: 'RUNNING', units: { min: 3 } }, wants: { state: 'RUNNING', reason: 'a hold' }, placement: 'out-of-place' });
    await passes(15);
    expect(w.sim.status(arns.batch)).toMatchObject({ status: 'RUNNING', min: 3 });
    expect((await statusOfModel('WidgetsStack/Batch')).placement).toBe('in-place');

    const released = await cli('release', 'WidgetsStack/Batch');
    expect(released.code).toBe(0);
    expect(released.out).toContain('WidgetsStack/Batch: released');
    await passes(10);
    expect(w.sim.status(arns.batch).status).toBe('STOPPED');
    expect(await statusOfModel('WidgetsStack/Batch')).toMatchObject({ hold: { kind: 'none' }, wants: { state: 'STOPPED' }, placement: 'in-place' });
    // Released again: nothing to release, nothing written.
    const puts = operatorPuts().length;
    expect((await cli('release', 'WidgetsStack/Batch')).out).toContain('no hold to release');
    expect(operatorPuts()).toHaveLength(puts);
  });

  test('a hold the scheduled path would ignore is refused and nothing is written', async () => {
    const refusals = [
      [['hold', 'WidgetsStack/Batch', '--running', '--units', '9', '--for', '2h'], 'a hold may run at most 4 inference unit(s), the most the declaration runs the model with; it asks for 9'],
      [['hold', 'WidgetsStack/Batch', '--stopped', '--for', '8d'], 'is more than 7 days after the hold was set'],
      [['hold', 'GadgetsStack/Gadgets', '--stopped', '--for', '1h'], 'GadgetsStack/Gadgets does not have holds enabled'],
    ] as const;
    for (const [args, reason] of refusals) {
      const r = await cli(...args);
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code: 1, out: '' });
      expect(r.err).toContain(reason);
    }
    expect(operatorPuts()).toEqual([]);
    expect((await statusOfModel('WidgetsStack/Batch')).hold).toEqual({ kind: 'none' });
    // A usage error is exit code 2, with the way to the command's help.
    const usage = await cli('hold', 'WidgetsStack/Batch', '--running');
    expect(usage.code).toBe(2);
    expect(usage.err).toBe("cdk-rekognition-custom-labels hold: hold takes one of --for and --until\nRun 'cdk-rekognition-custom-labels hold --help' for its usage.");
  });

  test("plan prints the deployed model's exceptions and hold", async () => {
    // Held STOPPED until Tuesday 10:00, two hours into Tuesday's window.
    expect((await cli('hold', 'WidgetsStack/Batch', '--stopped', '--until', '2026-01-06T10:00:00Z')).code).toBe(0);
    const plan = await cli('plan', 'WidgetsStack/Batch', '--days', '14');
    expect(plan.code).toBe(0);
    const lines = plan.out.split('\n');
    expect(lines[0]).toBe('hold in force: STOPPED until 2026-01-06T10:00:00.000Z; the plan below resumes after it');
    expect(lines[1]).toMatch(/^WidgetsStack\/Batch: batch windows in Etc\/UTC, 14 days from 2026-01-05T10:\d{2}:\d{2}Z/);
    expect(plan.out).toMatch(/Sat 2026-01-10 09:00 \+00:00 +Sat 2026-01-10 09:00Z +OPEN +oneOffWindows\[0\] \(2026-01-10T09:00 to 2026-01-10T13:00\): start with 2 units/);
    expect(plan.out).toMatch(/Tue 2026-01-13 08:00 \+00:00 +Tue 2026-01-13 08:00Z +SKIPPED +window 0 \(TUESDAY 08:00 to TUESDAY 18:00\): stays stopped: 2026-01-13 is an excluded date/);
    // The week at a glance draws the hold: Tuesday runs from the hold's end at 10:00 to the window's close at 18:00.
    expect(lines).toContain('  Tue 2026-01-06 |..........########......| 8 h');
    expect(lines).toContain('  Sat 2026-01-10 |.........####...........| 4 h');
    // Monday's hours gone by are blank; the hold keeps the rest of the day stopped.
    expect(lines).toContain('  Mon 2026-01-05 |          ..............| 0 h');
  });

  test('the command line runs with what grantReadStatus and grantHold grant, on the stack it names', async () => {
    const key = 'AKIAGRANTEDOPERATOR1';
    const granted = widgetsTemplate(arns, true);
    expect((await widgetsDeployment.deploy(granted)).status).toBe('UPDATE_COMPLETE');
    widgetsDeployment.followRole(w.identity(key, `arn:aws:sts::${ACCOUNT}:assumed-role/WidgetsStack-Operator/cli`, []), 'Operator');
    const asGranted = async (...args: string[]) => {
      process.env.AWS_ACCESS_KEY_ID = key;
      const out: string[] = [];
      const err: string[] = [];
      try {
        return { code: await main(args, { out: { print: (l) => out.push(l), error: (l) => err.push(l) } }), out: out.join('\n'), err: err.join('\n') };
      } finally {
        process.env.AWS_ACCESS_KEY_ID = OPERATOR_KEY;
      }
    };
    const status = await asGranted('status', '--stack', 'WidgetsStack');
    expect({ code: status.code, err: status.err }).toEqual({ code: 0, err: '' });
    expect(status.out).toContain('WidgetsStack/Batch  batch.v1');
    expect((await asGranted('hold', 'WidgetsStack/Batch', '--stopped', '--for', '1h', '--stack', 'WidgetsStack')).code).toBe(0);
    expect((await asGranted('plan', 'WidgetsStack/Batch', '--stack', 'WidgetsStack')).out).toContain('hold in force: STOPPED');
    expect((await asGranted('release', 'WidgetsStack/Batch', '--stack', 'WidgetsStack')).code).toBe(0);
    // Every stack of the account is more than the grant gives: refused, in one line.
    const all = await asGranted('status');
    expect(all.code).toBe(1);
    expect(all.err).toMatch(/^cdk-rekognition-custom-labels status: AccessDenied: .*cloudformation:DescribeStacks/);
  });

  test('the README shows the commands with the output they print', async () => {
    const commands = [
      ['status'],
      ['hold', 'WidgetsStack/Batch', '--running', '--units', '3', '--until', '2026-01-05T14:00:00Z'],
      ['status', '--stack', 'WidgetsStack'],
      ['plan', 'WidgetsStack/Batch', '--days', '7'],
      ['release', 'WidgetsStack/Batch'],
    ];
    const transcript: string[] = [];
    for (const args of commands) {
      const r = await cli(...args);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 0, err: '' });
      transcript.push(`$ npx cdk-rekognition-custom-labels ${args.join(' ')}`, r.out);
    }
    // The deploy leaves the clock a few seconds past 10:16 (the world's clock runs on between its steps): the seconds
    // of the plan's first line are not what the README shows.
    const normalize = (text: string) => text.replace(/(from|to) (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):\d{2}Z/g, '$1 $2:SSZ');
    const readme = fs.readFileSync(path.join(__dirname, '..', README_WITH_TRANSCRIPT), 'utf8');
    const shown = /<!-- cli-transcript -->\n```console\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(normalize(shown ?? '')).toBe(normalize(transcript.join('\n')));
  });
});
