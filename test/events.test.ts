// Transition events (issue 12, item 5). Through the simulator on the virtual clock: a stack deployed template by
// template with the handler role's policy in force as the synthesized template defines it, EventBridge Scheduler's
// boundaries and 5-minute passes (SchedulerEmulator), an operator who writes the hold parameter, someone who starts
// the model by hand, and the account's default bus (test/support/event-bus.ts), which authorizes every PutEvents
// against the policy in force and records what it accepted.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { RekognitionClient, StartProjectVersionCommand } from '@aws-sdk/client-rekognition';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { TransitionEvents } from '../lib';
import { DEFAULT_BUS_ARN } from './support/event-bus';
import { CfnTemplate, IamEnforcer } from './support/iam';
import { CONSOLE_KEY, credentials, deployCleanly, followOperator, holdValue, putHoldAt, runScheduledPath } from './support/scheduled-path';
import { runStackGuard, SchedulerEmulator } from './support/scheduler';
import { StackDeployment } from './support/stack-deployment';
import { ACCOUNT, handlerPolicies, ModelDecl, REGION, StackDecl, stackTemplate, synthModels, synthStack, widgetsStack } from './support/templates';
import { DAY, HOUR, MIN } from './support/time';
import { World } from './support/world';
import { DIVERGENCE_BOUND_MS, divergenceEvent, holdEvent, isNewKey } from '../lambda/decisions/transition-events';

const START_MS = 8 * MIN;
const STOP_MS = 2 * MIN;
const PASS_MS = 5 * MIN;
const SOURCE = 'cdk-rekognition-custom-labels';
const DETAIL_TYPE = 'Rekognition Custom Labels Model Transition';

/** The stack of these tests: Widgets, and the operator's role, given grantHold when the model has holds. */
function watched(model: Omit<ModelDecl, 'id'>): StackDecl {
  return widgetsStack(model, { operator: { holds: model.hold ? ['Widgets'] : [] } });
}

interface Detail {
  kind: string;
  reason: string;
  modelArn: string;
  stackName: string;
  logicalId: string;
  from: { status?: string; minInferenceUnits?: number; maxInferenceUnits?: number };
  to: { status?: string; minInferenceUnits?: number; maxInferenceUnits?: number };
  message?: string;
  idempotencyKey: string;
  time: string;
}

describe('transition events on the virtual clock', () => {
  let w: World;
  let stack: StackDeployment;

  beforeEach(async () => {
    w = await new World({ timings: { startMs: START_MS, stopMs: STOP_MS, jitterMs: 0 } }).start();
    stack = new StackDeployment(w.cfn, undefined, w.ssm);
    followOperator(w, stack);
  });
  afterEach(async () => {
    await w.stop();
  });

  const deploy = (model: Omit<ModelDecl, 'id'>) => deployCleanly(stack, watched(model));

  /** Boundaries and the 5-minute pass from now to `to`; `duplicated`: every schedule event delivered twice at once. */
  const runSchedules = (t: CfnTemplate, to: number, duplicated = false) => runScheduledPath(w, t, to, { rate: 'rate(5 minutes)', passMs: PASS_MS, copies: duplicated ? 2 : 1 });

  const details = (): Detail[] => w.events.entries.map((e) => {
    expect(e.source).toBe(SOURCE);
    expect(e.detailType).toBe(DETAIL_TYPE);
    return e.detail as unknown as Detail;
  });
  const summary = (ds: Detail[]) => ds.map((d) => `${d.kind} ${d.reason} ${d.from.status ?? '-'}->${d.to.status ?? '-'}`);

  /** A week: deploy inside Monday's window, a hold past its close, a hand start on Saturday, next Monday's window. */
  async function week(duplicated: boolean): Promise<{ ds: Detail[]; v: string; scheduler: SchedulerEmulator }> {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true, hold: true });
    const monday = Date.UTC(2026, 0, 5);
    putHoldAt(w, monday + 17 * HOUR, holdValue('RUNNING', monday + 20 * HOUR, { minInferenceUnits: 3 }), 'throw');
    w.identity(CONSOLE_KEY, `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/someone`, [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'rekognition:StartProjectVersion', Resource: '*' }] },
    ]);
    const hand = new RekognitionClient({ region: REGION, maxAttempts: 1, credentials: credentials(CONSOLE_KEY) });
    w.cfn.schedule(monday + 5 * DAY + 12 * HOUR + 2 * MIN, async () => {
      await hand.send(new StartProjectVersionCommand({ ProjectVersionArn: v, MinInferenceUnits: 1 }));
    });
    const end = monday + 7 * DAY + 19 * HOUR;
    const scheduler = runSchedules(t, end, duplicated);
    await w.cfn.drain(end);
    return { ds: details(), v, scheduler };
  }

  const WEEK = [
    'START deploy TRAINING_COMPLETED->RUNNING',
    'HOLD_SET hold RUNNING->RUNNING',
    'HOLD_EXPIRED hold RUNNING->STOPPED',
    'STOP hold RUNNING->STOPPED',
    'STOP enforcement RUNNING->STOPPED',
    'START window STOPPED->RUNNING',
    'STOP window RUNNING->STOPPED',
  ];

  test('each transition puts exactly one event, also when a schedule event is duplicated', async () => {
    // Every boundary event and every 5-minute pass is delivered twice, at the same instant.
    const { ds, v, scheduler } = await week(true);
    expect(scheduler.log.waiterRuns.length % 2).toBe(0);
    expect(summary(ds)).toEqual(WEEK);
    // Every start and stop the service carried out has its event (one start was by hand), and nothing else did; a
    // stop refused while the hand-started model was STARTING put none.
    const moves = (status: string) => w.sim.history(v).filter((h) => h.status === status).length;
    expect(ds.filter((d) => d.kind === 'START')).toHaveLength(moves('STARTING') - 1);
    expect(ds.filter((d) => d.kind === 'STOP')).toHaveLength(moves('STOPPING'));
    expect(w.sim.countCalls('StopProjectVersion')).toBeGreaterThan(moves('STOPPING'));
    expect(new Set(ds.map((d) => d.idempotencyKey)).size).toBe(ds.length);
    for (const d of ds) expect(d).toMatchObject({ modelArn: v, stackName: 'WidgetsStack', logicalId: 'Widgets3DFF681B' });
    expect(ds[0].to).toEqual({ status: 'RUNNING', minInferenceUnits: 3, maxInferenceUnits: 3 });
    expect(ds[5].to).toEqual({ status: 'RUNNING', minInferenceUnits: 3, maxInferenceUnits: 3 });
    expect(w.events.entries.every((e) => e.resources[0] === v)).toBe(true);
    // Every put was allowed under the policy in force, and was one entry: one event per call.
    expect(w.events.calls.map((c) => c.outcome)).toEqual(ds.map(() => 'allowed'));
    expect(scheduler.log.tickFailures).toEqual([]);
  }, 120_000);

  test('the same week without duplicates puts the same events', async () => {
    // The baseline of the test above: duplicates change nothing.
    const { ds, scheduler } = await week(false);
    expect(summary(ds)).toEqual(WEEK);
    expect(scheduler.log.tickFailures).toEqual([]);
  }, 120_000);

  test('a hold beyond 7 days is ignored with an event', async () => {
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true, hold: true });
    const setAt = saturday + HOUR;
    putHoldAt(w, setAt, holdValue('RUNNING', setAt + 7 * DAY + MIN), 'throw');
    runSchedules(t, setAt + 2 * HOUR);
    await w.cfn.drain(setAt + 2 * HOUR);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(0);
    const ds = details();
    // Some 24 passes saw the hold; one event.
    expect(summary(ds)).toEqual(['HOLD_IGNORED hold TRAINING_COMPLETED->STOPPED']);
    expect(ds[0].message).toMatch(/^until \(.*\) is more than 7 days after the hold was set/);
    expect(ds[0].time).toBe(new Date(ds[0].time).toISOString());
    expect(Date.parse(ds[0].time) - setAt).toBeLessThanOrEqual(PASS_MS);
  }, 60_000);

  test('a failed start puts one START_FAILED event with the service\'s StatusMessage, also when the step is retried', async () => {
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    w.sim.failNextStart(v, 'The model failed to start: not enough capacity');
    const open = Date.UTC(2026, 0, 12, 8);
    const scheduler = runSchedules(t, open + 2 * HOUR);
    await w.cfn.drain(open + 2 * HOUR);
    // The waiter's step threw and was retried, and the 5-minute passes saw FAILED again and again.
    expect(scheduler.log.waiterRuns.find((r) => r.startedAt === open)?.outcome).toBe('FAILED');
    expect(scheduler.log.tickFailures.length).toBeGreaterThan(3);
    const ds = details();
    expect(summary(ds.filter((d) => d.kind !== 'DIVERGED'))).toEqual(['START window TRAINING_COMPLETED->RUNNING', 'START_FAILED window STARTING->FAILED']);
    const failed = ds.find((d) => d.kind === 'START_FAILED')!;
    expect(failed.message).toBe('The model failed to start: not enough capacity');
    expect(Date.parse(failed.time) - (open + START_MS)).toBeLessThanOrEqual(PASS_MS);
  }, 60_000);

  test('a model away from its goal beyond the convergence bound puts one DIVERGED event', async () => {
    // A start that ends FAILED leaves the model away from its window's goal: 45 minutes after the library's start,
    // the next pass reports it once (not at every pass after).
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    w.sim.failNextStart(v, 'capacity');
    const open = Date.UTC(2026, 0, 12, 8);
    runSchedules(t, open + 3 * HOUR);
    await w.cfn.drain(open + 3 * HOUR);
    const diverged = details().filter((d) => d.kind === 'DIVERGED');
    expect(diverged).toHaveLength(1);
    expect(diverged[0]).toMatchObject({ reason: 'window', from: { status: 'FAILED' }, to: { status: 'RUNNING', minInferenceUnits: 3 } });
    const at = Date.parse(diverged[0].time);
    expect(at - open).toBeGreaterThan(DIVERGENCE_BOUND_MS);
    expect(at - open).toBeLessThanOrEqual(DIVERGENCE_BOUND_MS + PASS_MS);
  }, 60_000);

  test('a deploy puts START with reason deploy; a stack delete puts STOP with reason deploy', async () => {
    const v = w.model();
    await deploy({ projectVersionArn: v });
    expect(summary(details())).toEqual(['START deploy TRAINING_COMPLETED->RUNNING']);
    expect(details()[0].to).toEqual({ status: 'RUNNING', minInferenceUnits: 2, maxInferenceUnits: 2 });
    const outcome = await stack.destroy();
    expect(outcome.status).toBe('DELETE_COMPLETE');
    expect(summary(details())).toEqual(['START deploy TRAINING_COMPLETED->RUNNING', 'STOP deploy RUNNING->STOPPED']);
    expect(w.sim.status(v).status).toBe('STOPPED');
  }, 60_000);

  test('a deploy whose start ends FAILED puts one START_FAILED with reason deploy', async () => {
    const v = w.model();
    w.sim.failNextStart(v, 'not enough capacity in us-east-1');
    const outcome = await stack.deploy(stackTemplate(watched({ projectVersionArn: v })));
    expect(outcome.status).toBe('ROLLBACK_COMPLETE');
    expect(summary(details())).toEqual(['START deploy TRAINING_COMPLETED->RUNNING', 'START_FAILED deploy STARTING->FAILED']);
    expect(details()[1].message).toBe('not enough capacity in us-east-1');
  }, 60_000);

  test('the stack guard\'s stop puts STOP with reason guard', async () => {
    // A cleanup delete refused (a boundary denies the stop) leaves v1 running, dropped from the stack; once the deny
    // is lifted, the guard stops it, and says so.
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    const guarded = new StackDeployment(w.cfn);
    await guarded.deploy(synthModels('WidgetsStack', [{ id: 'Widgets', projectVersionArn: v1 }]));
    w.cfn.addPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'rekognition:StopProjectVersion', Resource: '*' }] });
    const swap = await guarded.deploy(synthModels('WidgetsStack', [{ id: 'Widgets', projectVersionArn: v2 }]));
    expect(swap.dropped).toEqual([v1]);
    w.cfn.clearExtraPolicies();
    const calls = runStackGuard(w.cfn, w.handlers.onGuard, w.clock.now + 5 * MIN, w.clock.now + 30 * MIN);
    await w.cfn.drain(w.clock.now + 31 * MIN);
    expect(calls.filter((c) => c.error)).toEqual([]);
    const guard = details().filter((d) => d.reason === 'guard');
    expect(summary(guard)).toEqual(['STOP guard RUNNING->STOPPED']);
    expect(guard[0]).toMatchObject({ modelArn: v1, stackName: 'WidgetsStack' });
    expect(guard[0].logicalId).toMatch(/^Widgets/);
    // The deploy's own events: v1's start, v2's start; the refused cleanup stops put nothing.
    expect(summary(details().filter((d) => d.reason === 'deploy'))).toEqual(['START deploy TRAINING_COMPLETED->RUNNING', 'START deploy TRAINING_COMPLETED->RUNNING']);
    expect(w.sim.status(v1).status).toBe('STOPPED');
  }, 60_000);

  test('a PutEvents that fails is dropped: the deploy still succeeds', async () => {
    const v = w.model();
    // More 500s than the handler's SDK retries (AWS_MAX_ATTEMPTS is set per function; 3 at most).
    w.events.failNext = 10;
    await deploy({ projectVersionArn: v });
    expect(w.sim.status(v).status).toBe('RUNNING');
    expect(w.events.entries).toEqual([]);
    expect(w.events.calls.length).toBeGreaterThan(0);
  }, 60_000);

  test('the role may put events only with the library\'s source, in every phase', async () => {
    const v = w.model();
    const put = (source: string[]) => w.cfn.asHandler(async () => {
      const client = new EventBridgeClient({ region: REGION, maxAttempts: 1 });
      try {
        await client.send(new PutEventsCommand({ Entries: source.map((s) => ({ Source: s, DetailType: DETAIL_TYPE, Detail: '{}' })) }));
        return 'allowed';
      } catch (e) {
        return (e as Error).name;
      }
    });
    const phases: string[][] = [];
    for (const decl of [{ projectVersionArn: v }, { projectVersionArn: v, windows: true }, { projectVersionArn: v, windows: true, hold: true }]) {
      await deploy(decl);
      phases.push([await put([SOURCE]), await put(['aws.rekognition']), await put([SOURCE, 'someone.else']), await put(['cdk-rekognition-custom-labels-not'])]);
    }
    expect(phases).toEqual(Array(3).fill(['allowed', 'AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException']));
    // And the evaluator itself, on the synthesized policy: a request without a source is refused (the Null check).
    const enforcer = new IamEnforcer(`arn:aws:iam::${ACCOUNT}:role/handler`);
    enforcer.setPolicies(handlerPolicies(stackTemplate(watched({ projectVersionArn: v })), w.cfn.stackId));
    const ask = async (context: Record<string, string[]>, resource = DEFAULT_BUS_ARN) => (await enforcer.authorize({ action: 'events:PutEvents', resource, context })).allowed;
    expect(await ask({ 'events:source': [SOURCE], 'events:detail-type': [DETAIL_TYPE] })).toBe(true);
    expect(await ask({})).toBe(false);
    expect(await ask({ 'events:source': [SOURCE] }, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/other`)).toBe(false);
    expect(await ask({ 'events:source': [SOURCE] }, `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`)).toBe(false);
  }, 120_000);
});

describe('transition event decisions (pure)', () => {
  test('a key already recorded is not reported again; another family\'s key does not count', () => {
    const event = { family: 'hold' as const, key: 'hold-set:1:2' };
    expect(isNewKey({}, event)).toBe(true);
    expect(isNewKey({ eventHold: 'hold-set:1:2' }, event)).toBe(false);
    expect(isNewKey({ eventFailed: 'hold-set:1:2', eventDiverged: 'hold-set:1:2' }, event)).toBe(true);
  });

  test('one write of the hold parameter gives one HOLD_SET key, its end another', () => {
    const reading = { value: '{}', modifiedAt: 1000 };
    const active = holdEvent({ kind: 'active', hold: { state: 'STOPPED', until: 5000 } }, reading, { kind: 'stopped' }, undefined);
    const expired = holdEvent({ kind: 'ignored', problem: 'expired', reason: 'ended', until: 5000 }, reading, { kind: 'stopped' }, undefined);
    expect([active?.kind, active?.key, expired?.kind, expired?.key]).toEqual(['HOLD_SET', 'hold-set:1000:5000', 'HOLD_EXPIRED', 'hold-expired:1000:expired']);
    expect(holdEvent({ kind: 'none' }, reading, { kind: 'stopped' }, undefined)).toBeUndefined();
  });

  test.each([
    ['the pass acts', { idle: false }, false],
    ['converged', { converged: true }, false],
    ['the goal changed within the bound', { goalThen: { kind: 'stopped' as const } }, false],
    ['a deploy within the bound', { record: { requestAt: String(10 * HOUR - MIN) } }, false],
    ['the library acted within the bound', { record: { actedAt: String(10 * HOUR - 44 * MIN) } }, false],
    ['the hold written within the bound', { holdWrittenAt: 10 * HOUR - MIN }, false],
    ['away, idle, everything older than the bound', {}, true],
  ])('divergence: %s', (_name, override, expected) => {
    const goal = { kind: 'running' as const, minInferenceUnits: 2 };
    const input = {
      goal, goalThen: goal, idle: true, converged: false, observed: { status: 'FAILED' }, record: { requestAt: '0', actedAt: String(HOUR) },
      goalKey: 'running:window:0:1', reason: 'window' as const, now: 10 * HOUR, ...override,
    };
    expect(divergenceEvent(input) !== undefined).toBe(expected);
  });
});

describe('transition events in the template', () => {
  test('the handler role may PutEvents on the default bus only, with the library\'s source', () => {
    const { stack } = synthStack(watched({ projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000' }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'PutTransitionEvents',
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']] },
          Condition: { 'ForAllValues:StringEquals': { 'events:source': [SOURCE] }, 'Null': { 'events:source': 'false' } },
        }]),
      },
    });
    expect(TransitionEvents.SOURCE).toBe(SOURCE);
    expect(TransitionEvents.DETAIL_TYPE).toBe(DETAIL_TYPE);
  });

  test('onTransition returns a Rule matching this model\'s events, with the options merged', () => {
    const arn = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';
    const { stack, model } = synthStack(watched({ projectVersionArn: arn }));
    const queue = new sqs.Queue(stack, 'Transitions', { enforceSSL: true });
    const rule = model.onTransition('OnFailure', {
      target: new targets.SqsQueue(queue),
      description: 'failed starts',
      ruleName: 'widgets-failed-starts',
      eventPattern: { detail: { kind: ['START_FAILED'] } },
    });
    expect(rule).toBeInstanceOf(events.Rule);
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Name: 'widgets-failed-starts',
      Description: 'failed starts',
      EventPattern: { 'source': [SOURCE], 'detail-type': [DETAIL_TYPE], 'detail': { kind: ['START_FAILED'], modelArn: [arn] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Transitions'), 'Arn'] } })],
    });
  });
});
