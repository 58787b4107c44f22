// Demand-driven runs. Through the simulator on the virtual clock: a stack deployed template by template
// (StackDeployment) with the handler role's policy in force as the synthesized template defines it, EventBridge
// Scheduler's 1-minute demand pass and the windows' boundaries (SchedulerEmulator), and an SQS queue (the world's
// stand-in, over the SDK's awsJson1_0 protocol) that the test sends to, receives from and deletes from.
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CustomLabelsModel } from '../lib';
import { CfnTemplate, PolicyDocument, PolicyStatement } from './support/iam';
import { queueArnOf } from './support/queue';
import { captureLogLines, deployCleanly, runScheduledPath } from './support/scheduled-path';
import { StackDeployment } from './support/stack-deployment';
import { ACCOUNT, DEMAND_QUEUE_NAME, handlerPolicies, ModelDecl, MONDAY_WINDOW, REGION, StackDecl, stackTemplate, synthStack, widgetsStack, WIDGETS_HOLD } from './support/templates';
import { HOUR, MIN } from './support/time';
import { FAKE_ENV, World } from './support/world';
import { DemandDeclaration, IDLE_END_ALLOWANCE_MS, busySince, demandDecision, demandRunId } from '../lambda/decisions/demand';
import { desiredState } from '../lambda/decisions/desired-state';
import { stopCause } from '../lambda/decisions/stop-cause';

const START_MS = 8 * MIN;
const STOP_MS = 2 * MIN;
const PASS_MS = MIN;
const IDLE = 15 * MIN;
const LATENCY_MS = 1_000;
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${DEMAND_QUEUE_NAME}`;
const QUEUE_ARN = queueArnOf(QUEUE_URL);
const OTHER_QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/someone-elses-work`;
const HOLD = WIDGETS_HOLD;
const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';
const MONDAY = Date.UTC(2026, 0, 5);

/** The stack of these tests: the queue, and Widgets with demand on it (4 units, 15 minutes idle) unless `demand` is false. */
function demanding({ demand = true, demandUnits = 4, ...model }: Omit<ModelDecl, 'id' | 'demand'> & { readonly demand?: boolean; readonly demandUnits?: number }): StackDecl {
  return widgetsStack({ ...model, demand: demand ? { minInferenceUnits: demandUnits, idleMinutes: 15 } : undefined }, { queue: true });
}

describe('demand-driven runs on the virtual clock', () => {
  let w: World;
  let stack: StackDeployment;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    w = await new World({ timings: { startMs: START_MS, stopMs: STOP_MS, jitterMs: 0 } }).start();
    lines = captureLogLines();
    w.sqs.create(QUEUE_URL);
    w.sqs.create(OTHER_QUEUE_URL);
    stack = new StackDeployment(w.cfn, undefined, w.ssm);
  });
  afterEach(async () => {
    await w.stop();
  });

  const deploy = (model: Parameters<typeof demanding>[0]) => deployCleanly(stack, demanding(model));

  /** The demand pass every minute (and, with windows, the boundaries), from now to `to`. */
  const runSchedules = (t: CfnTemplate, to: number) => runScheduledPath(w, t, to, { rate: 'rate(1 minute)', passMs: PASS_MS });

  const at = (when: number, run: () => void) => w.cfn.schedule(when, async () => run());
  /**
   * The stop for an idle queue: the first pass after the emptying records it (the memory tag), and the stop comes at the
   * pass scheduled at that record plus the idle time (the decision's allowance absorbs the passes' own latency: the
   * world's clock runs on in real time while a handler runs). `LATENCY_MS` is the handler's time from its clock
   * reading to its StopProjectVersion, far below a pass: a stop one pass late fails.
   */
  function expectIdleStop(v: string, stoppingAt: number, emptied: number): void {
    const emptySince = Number(w.sim.status(v).tags['cdk-custom-labels:demand-empty-since']);
    expect(emptySince - emptied).toBeGreaterThanOrEqual(0);
    expect(emptySince - emptied).toBeLessThanOrEqual(PASS_MS + LATENCY_MS);
    expect(stoppingAt - emptySince).toBeGreaterThanOrEqual(IDLE - IDLE_END_ALLOWANCE_MS);
    expect(stoppingAt - emptySince).toBeLessThanOrEqual(IDLE + LATENCY_MS);
  }
  const handlerReads = () => w.sqs.calls.filter((c) => c.action === 'sqs:GetQueueAttributes' && c.accessKeyId === FAKE_ENV.AWS_ACCESS_KEY_ID);

  test('demand: the first message starts the model, an empty queue stops it after the idle time', async () => {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v });
    // Deployed with an empty queue and no windows: stopped, as every pass would have it.
    expect(w.sim.countCalls('StartProjectVersion')).toBe(0);
    expect(w.sim.status(v).status).toBe('TRAINING_COMPLETED');
    const t0 = w.clock.now;
    const first = t0 + 20 * MIN + 30_000;
    let receipt = '';
    at(first, () => w.sqs.send(QUEUE_URL, 'image-1.jpg'));
    // A worker receives it once the model is up, keeps it in flight 30 minutes, then deletes it: the queue empties.
    at(first + 12 * MIN, () => {
      receipt = w.sqs.receive(QUEUE_URL, 1, 3600)[0].receipt;
    });
    const emptied = first + 42 * MIN;
    at(emptied, () => w.sqs.delete(QUEUE_URL, receipt));
    const scheduler = runSchedules(t, emptied + 2 * HOUR);
    await w.cfn.drain(emptied + 2 * HOUR);

    const starting = w.sim.firstAfter(v, 'STARTING', t0)!;
    expect(starting.at).toBeGreaterThanOrEqual(first);
    expect(starting.at - first).toBeLessThanOrEqual(PASS_MS);
    expect(w.sim.firstAfter(v, 'RUNNING', t0)).toMatchObject({ min: 4 });
    // Running all the while the message was visible or in flight, and through the idle time.
    expect(w.sim.statusesBetween(v, starting.at, emptied + IDLE - 1)).toEqual(['STARTING', 'RUNNING']);
    const stopping = w.sim.firstAfter(v, 'STOPPING', first)!;
    expectIdleStop(v, stopping.at, emptied);
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
    expect(w.sim.countCalls('StopProjectVersion')).toBe(1);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'scheduled stop', cause: 'demand-idle', model: v }));
    // The memory: busy while messages were seen, then when the queue was first found empty.
    expect(Number(w.sim.status(v).tags['cdk-custom-labels:demand-empty-since'])).toBeGreaterThanOrEqual(emptied);
    // Two writes of the memory for the whole busy period, not one a pass.
    expect(lines.filter((l) => l.message === 'demand').map((l) => l.verdict)).toEqual(['busy', 'idle']);
    expect(scheduler.log.tickFailures).toEqual([]);
    expect(handlerReads().every((c) => c.outcome === 'allowed' && c.queueArn === QUEUE_ARN)).toBe(true);
    // One event each way, with the demand as the reason.
    expect(w.events.entries.map((e) => `${String(e.detail.kind)} ${String(e.detail.reason)}`)).toEqual(['START demand', 'STOP demand']);
  }, 90_000);

  test('demand: the deploy is a pass too: a create while the queue holds messages runs the model with the demand\'s units', async () => {
    const v = w.model();
    w.sqs.send(QUEUE_URL, 'waiting.jpg');
    const t = await deploy({ projectVersionArn: v });
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 4 });
    // The deploy read the queue and the record, and left the memory to the scheduled path.
    expect(handlerReads().length).toBeGreaterThan(0);
    expect(w.sim.status(v).tags['cdk-custom-labels:demand-empty-since']).toBeUndefined();
    const t0 = w.clock.now;
    runSchedules(t, t0 + 3 * MIN);
    await w.cfn.drain(t0 + 3 * MIN);
    expect(w.sim.status(v).tags['cdk-custom-labels:demand-empty-since']).toMatch(/^busy:\d+$/);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  }, 60_000);

  test('demand: a delayed message counts; a message that comes and goes between two passes is not seen (the idle time is not renewed)', async () => {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v });
    const t0 = w.clock.now;
    at(t0 + 5 * MIN, () => w.sqs.send(QUEUE_URL, 'later.jpg', 900));
    let receipts: string[] = [];
    at(t0 + 25 * MIN, () => {
      receipts = w.sqs.receive(QUEUE_URL, 1, 60).map((m) => m.receipt);
    });
    // Off the passes' minute grid, so that no pass and the deletion fall on the same instant (their order would decide
    // which pass first sees the queue empty).
    const emptied = t0 + 26 * MIN + 20_000;
    at(emptied, () => receipts.forEach((r) => w.sqs.delete(QUEUE_URL, r)));
    // Ten minutes into the idle time, another message, handled at once.
    at(t0 + 36 * MIN, () => {
      w.sqs.send(QUEUE_URL, 'again.jpg');
      w.sqs.receive(QUEUE_URL, 1, 60).forEach((m) => w.sqs.delete(QUEUE_URL, m.receipt));
    });
    runSchedules(t, t0 + 2 * HOUR);
    await w.cfn.drain(t0 + 2 * HOUR);
    expect(w.sim.firstAfter(v, 'STARTING', t0)!.at - (t0 + 5 * MIN)).toBeLessThanOrEqual(PASS_MS);
    // The second message arrived and left between two passes: no pass saw it, so the first idle time ran out.
    const stopping = w.sim.firstAfter(v, 'STOPPING', t0)!;
    expectIdleStop(v, stopping.at, emptied);
  }, 90_000);

  test('precedence: a STOPPED hold beats demand; once it ends, demand starts the model', async () => {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, hold: true });
    const t0 = w.clock.now;
    const until = t0 + HOUR;
    w.ssm.put(HOLD, JSON.stringify({ state: 'STOPPED', until: new Date(until).toISOString() }));
    at(t0 + 2 * MIN, () => w.sqs.send(QUEUE_URL, 'image.jpg'));
    runSchedules(t, t0 + 90 * MIN);
    await w.cfn.drain(t0 + 90 * MIN);
    expect(w.sim.statusesBetween(v, t0, until - 1)).toEqual([]);
    const starting = w.sim.firstAfter(v, 'STARTING', until)!;
    expect(starting.at - until).toBeLessThanOrEqual(PASS_MS);
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 4 });
    // The queue was read on every pass meanwhile, and the hold too.
    expect(handlerReads().filter((c) => c.at >= t0 && c.at < until).length).toBeGreaterThanOrEqual(55);
  }, 90_000);

  test('precedence: a window\'s units beat demand\'s inside the window; after its close demand keeps the model running with its own units', async () => {
    // Monday 10:00 UTC: inside the window.
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true, demandUnits: 1 });
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 3 });
    const deployed = w.clock.now;
    let receipt = '';
    at(MONDAY + 17 * HOUR, () => w.sqs.send(QUEUE_URL, 'late-batch.jpg'));
    at(MONDAY + 17 * HOUR + 5 * MIN, () => {
      receipt = w.sqs.receive(QUEUE_URL, 1, 7200)[0].receipt;
    });
    const emptied = MONDAY + 18 * HOUR + 30 * MIN;
    at(emptied, () => w.sqs.delete(QUEUE_URL, receipt));
    runSchedules(t, MONDAY + 20 * HOUR);
    await w.cfn.drain(MONDAY + 20 * HOUR);
    // Inside the window: the window's 3 units, with messages or not (no restart).
    expect(w.sim.statusesBetween(v, deployed + 1, MONDAY + 18 * HOUR - 1)).toEqual([]);
    // At the close, demand keeps it up with its own unit: one restart.
    const restarted = w.sim.firstAfter(v, 'RUNNING', MONDAY + 18 * HOUR)!;
    expect(restarted).toMatchObject({ min: 1 });
    expect(restarted.at).toBeLessThan(MONDAY + 18 * HOUR + 15 * MIN);
    const stopping = w.sim.firstAfter(v, 'STOPPING', restarted.at)!;
    expectIdleStop(v, stopping.at, emptied);
    expect(w.sim.status(v).status).toBe('STOPPED');
  }, 90_000);

  test('a queue that cannot be read any more never keeps the window from stopping the model, and nothing is started on a guess', async () => {
    // Monday 10:00 UTC, inside the window: RUNNING with the window's 3 units. The queue is deleted at 12:00.
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 3 });
    at(MONDAY + 12 * HOUR, () => w.sqs.remove(QUEUE_URL));
    const scheduler = runSchedules(t, MONDAY + 20 * HOUR);
    await w.cfn.drain(MONDAY + 20 * HOUR);
    // Kept running to the window's close, with no restart, then stopped at the close as without demand.
    const stopping = w.sim.firstAfter(v, 'STOPPING', MONDAY + 12 * HOUR)!;
    expect(stopping.at).toBeGreaterThanOrEqual(MONDAY + 18 * HOUR);
    expect(stopping.at).toBeLessThanOrEqual(MONDAY + 18 * HOUR + PASS_MS);
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
    // Every pass said so (the dead-letter alarm's input), and logged what it could not read.
    expect(scheduler.log.tickFailures.length).toBeGreaterThan(0);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'unreadable: the pass goes on without it', model: v, what: `demand queue ${QUEUE_URL}` }));
  }, 90_000);

  test('IAM: GetQueueAttributes is allowed only on the named queue under the policy in force in every phase (demand enabled by an update, rolled back, enabled, removed, the stack deleted), refused for another queue', async () => {
    const v = w.model();
    await deploy({ projectVersionArn: v, demand: false });
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
    const enable = stackTemplate(demanding({ projectVersionArn: v }));
    const failed = await stack.deploy(enable, { failElsewhereAfterSeconds: 0 });
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
    // Enabled, with an empty queue: the deploy parks the model, as every pass would.
    expect((await stack.deploy(enable)).status).toBe('UPDATE_COMPLETE');
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(handlerReads().length).toBeGreaterThan(0);

    // Under this phase's policy: the handlers' identity reads the named queue, and no other.
    const asHandlers = new SQSClient({ region: REGION, maxAttempts: 1, useQueueUrlAsEndpoint: false, credentials: { accessKeyId: FAKE_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_ENV.AWS_SECRET_ACCESS_KEY } });
    const own = await asHandlers.send(new GetQueueAttributesCommand({ QueueUrl: QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(own.Attributes).toEqual({ ApproximateNumberOfMessages: '0' });
    await expect(asHandlers.send(new GetQueueAttributesCommand({ QueueUrl: OTHER_QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] })))
      .rejects.toMatchObject({ name: 'AccessDenied' });

    const t0 = w.clock.now;
    at(t0 + 3 * MIN, () => w.sqs.send(QUEUE_URL, 'image.jpg'));
    runSchedules(enable, t0 + 20 * MIN);
    await w.cfn.drain(t0 + 20 * MIN);
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 4 });

    // Removed: the model runs all the time again, and nothing reads the queue any more.
    const removedAt = w.clock.now;
    expect((await stack.deploy(stackTemplate(demanding({ projectVersionArn: v, demand: false })))).status).toBe('UPDATE_COMPLETE');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(handlerReads().filter((c) => c.at > removedAt)).toEqual([]);
    expect((await stack.destroy()).status).toBe('DELETE_COMPLETE');
    expect(w.sim.status(v).status).toBe('STOPPED');
    // Every read of the handlers was of the named queue, and allowed; only the test's own probe was refused.
    expect(handlerReads().filter((c) => c.outcome !== 'allowed')).toEqual([expect.objectContaining({ queueArn: queueArnOf(OTHER_QUEUE_URL) })]);
    expect(handlerReads().filter((c) => c.outcome === 'allowed').every((c) => c.queueArn === QUEUE_ARN)).toBe(true);
    expect(w.sim.calls.filter((c) => c.outcome === 'AccessDeniedException')).toEqual([]);
  }, 120_000);

  test('IAM: the enforcer is in force for the handlers\' GetQueueAttributes (a policy without the statement is refused)', async () => {
    stack = new StackDeployment(w.cfn, (t, stackId) => handlerPolicies(t, stackId).map((doc): PolicyDocument => ({
      ...doc,
      Statement: [doc.Statement].flat().filter((s: PolicyStatement) => !String(s.Sid ?? '').startsWith('ReadDemandQueues')),
    })), w.ssm);
    const v = w.model();
    const outcome = await stack.deploy(stackTemplate(demanding({ projectVersionArn: v })));
    expect(outcome.status).toBe('ROLLBACK_COMPLETE');
    expect(outcome.answers[0].answer?.Reason).toContain(`could not read its demand queue ${QUEUE_URL}: AccessDeniedException`);
    expect(handlerReads().length).toBeGreaterThan(0);
    expect(handlerReads().every((c) => c.outcome === 'AccessDeniedException')).toBe(true);
  }, 60_000);
});

describe('demand in the template', () => {
  const resources = (s: Stack, type: string) => Object.entries(Template.fromStack(s).findResources(type));

  test('the handler role may GetQueueAttributes on the queue\'s ARN and nothing else of SQS', () => {
    const { stack } = synthStack(demanding({ projectVersionArn: ARN }));
    const queueId = resources(stack, 'AWS::SQS::Queue')[0][0];
    const statements = resources(stack, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('RekognitionCustomLabelsProviderHandlerRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Sid?: string }[]);
    // The dead-letter queue's statement is the scheduled path's own; the demand queue appears in one statement only.
    const ofSqs = statements.filter((s) => JSON.stringify(s.Resource).includes(queueId) || [s.Action].flat().includes('sqs:GetQueueAttributes') && !JSON.stringify(s.Resource).includes('DeadLetters'));
    expect(ofSqs).toEqual([{ Sid: 'ReadDemandQueues0', Effect: 'Allow', Action: 'sqs:GetQueueAttributes', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }]);
    // No KMS rights for the queue: counts are not message bodies.
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')))).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('Custom::RekognitionCustomLabelsModel', {
      DemandQueueUrl: { Ref: queueId }, DemandIdleSeconds: '900', DemandMinInferenceUnits: '4',
    });
  });

  test('a model with demand and without windows gets a 1-minute pass (and no 5-minute hold pass); with windows the 5-minute safety net stays beside it', () => {
    const schedules = (model: Parameters<typeof demanding>[0]) => resources(synthStack(demanding(model)).stack, 'AWS::Scheduler::Schedule').map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.Target.Input).includes('model'));
    const always = schedules({ projectVersionArn: ARN, hold: true });
    expect(always.map((p) => p.ScheduleExpression)).toEqual(['rate(1 minute)']);
    expect(always[0]).toMatchObject({ Target: { RetryPolicy: { MaximumEventAgeInSeconds: 300 } } });
    expect(String(JSON.stringify(always[0].Target.Input))).toContain('DemandQueueUrl');
    expect(schedules({ projectVersionArn: ARN, windows: true }).filter((p) => String(p.ScheduleExpression).startsWith('rate(')).map((p) => p.ScheduleExpression).sort())
      .toEqual(['rate(1 minute)', 'rate(5 minutes)']);
    expect(schedules({ projectVersionArn: ARN, demand: false })).toEqual([]);
  });

  test.each([
    [{ idleTime: Duration.seconds(30) }, 'demand.idleTime must be a whole number of minutes from 1 minute to 24 hours (the scheduled path looks every minute), got 30 seconds'],
    [{ idleTime: Duration.hours(25) }, 'demand.idleTime must be a whole number of minutes from 1 minute to 24 hours (the scheduled path looks every minute), got 1 day 1 hour'],
    [{ idleTime: Duration.seconds(90) }, 'demand.idleTime must be a whole number of minutes from 1 minute to 24 hours (the scheduled path looks every minute), got 1 minute 30 seconds'],
    [{ minInferenceUnits: 0 }, 'demand.minInferenceUnits must be an integer >= 1, got 0'],
    [{ maxInferenceUnits: 1.5 }, 'demand.maxInferenceUnits must be an integer >= 1, got 1.5'],
    [{ minInferenceUnits: 3, maxInferenceUnits: 2 }, 'demand.maxInferenceUnits (2) must be >= demand.minInferenceUnits (3)'],
  ])('validation: %j', (options, message) => {
    const stack = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: REGION } });
    const queue = new sqs.Queue(stack, 'Work');
    expect(() => new CustomLabelsModel(stack, 'Widgets', { projectVersionArn: ARN, demand: { queue, ...options } })).toThrow(`WidgetsStack/Widgets: ${message}`);
  });

  test('validation: the bounds themselves are accepted, and the units default to the model\'s own', () => {
    const stack = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: REGION } });
    const queue = new sqs.Queue(stack, 'Work');
    new CustomLabelsModel(stack, 'A', { projectVersionArn: ARN, minInferenceUnits: 2, maxInferenceUnits: 5, demand: { queue, idleTime: Duration.minutes(1) } });
    new CustomLabelsModel(stack, 'B', { projectVersionArn: ARN.replace('widgets.v1', 'widgets.v2'), demand: { queue, idleTime: Duration.hours(24) } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::RekognitionCustomLabelsModel', { DemandIdleSeconds: '60', DemandMinInferenceUnits: '2', DemandMaxInferenceUnits: '5' });
    t.hasResourceProperties('Custom::RekognitionCustomLabelsModel', { DemandIdleSeconds: '86400', DemandMinInferenceUnits: '1', DemandMaxInferenceUnits: Match.absent() });
  });
});

describe('the demand verdict and the precedence', () => {
  const declared: DemandDeclaration = { queueUrl: QUEUE_URL, idleSeconds: 900, minInferenceUnits: 4 };
  const empty = { visible: 0, inFlight: 0, delayed: 0 };
  const now = MONDAY + 20 * HOUR;

  test.each([
    ['messages visible, no memory yet', { ...empty, visible: 2 }, undefined, { kind: 'busy', messages: 2, since: now }, `busy:${now}`],
    ['in flight only, already busy', { ...empty, inFlight: 1 }, `busy:${now - HOUR}`, { kind: 'busy', messages: 1, since: now - HOUR }, undefined],
    ['delayed only', { ...empty, delayed: 1 }, String(now - HOUR), { kind: 'busy', messages: 1, since: now }, `busy:${now}`],
    ['emptied since the last pass', empty, `busy:${now - HOUR}`, { kind: 'idle', emptySince: now, until: now + IDLE }, String(now)],
    ['a busy tag someone edited', empty, 'busy', { kind: 'quiet' }, undefined],
    ['empty within the idle time', empty, String(now - 10 * MIN), { kind: 'idle', emptySince: now - 10 * MIN, until: now + 5 * MIN }, undefined],
    ['empty for exactly the idle time', empty, String(now - IDLE), { kind: 'quiet', emptySince: now - IDLE }, undefined],
    // The pass scheduled at the idle time's end, reading its clock a little before the pass that began the idle time did.
    ['empty for the idle time less the passes\' allowance', empty, String(now - IDLE + IDLE_END_ALLOWANCE_MS), { kind: 'quiet', emptySince: now - IDLE + IDLE_END_ALLOWANCE_MS }, undefined],
    ['empty for less than that', empty, String(now - IDLE + IDLE_END_ALLOWANCE_MS + 1), { kind: 'idle', emptySince: now - IDLE + IDLE_END_ALLOWANCE_MS + 1, until: now + IDLE_END_ALLOWANCE_MS + 1 }, undefined],
    ['never busy', empty, undefined, { kind: 'quiet' }, undefined],
    ['a tag someone edited', empty, 'soon', { kind: 'quiet' }, undefined],
  ])('%s', (_, reading, tag, verdict, writeTag) => {
    expect(demandDecision(declared, reading, tag, now)).toEqual({ verdict, ...(writeTag !== undefined ? { writeTag } : {}) });
  });

  const outsideAt = () => MONDAY + 19 * HOUR;

  test('a start for demand is attributed to its busy period: one new start after a FAILED one per busy period', () => {
    expect(demandRunId({ kind: 'busy', messages: 1, since: now })).toBe(`demand:${now}`);
    expect(demandRunId({ kind: 'idle', emptySince: now, until: now + IDLE })).toBe(`demand:idle:${now}`);
    expect(demandRunId({ kind: 'quiet' })).toBeUndefined();
    expect(busySince(`busy:${now}`)).toBe(now);
    expect(busySince('busy')).toBeUndefined();
  });

  test('hold, then window, then demand; enforcement outside all three', () => {
    const busy = { kind: 'busy', messages: 1, since: outsideAt() } as const;
    const quiet = { kind: 'quiet' } as const;
    const withWindows = { minInferenceUnits: 2, windows: MONDAY_WINDOW, demand: declared };
    const inside = MONDAY + 10 * HOUR;
    const outside = MONDAY + 20 * HOUR;
    const stopped = { value: JSON.stringify({ state: 'STOPPED', until: new Date(outside + HOUR).toISOString() }), modifiedAt: inside };
    expect(desiredState(withWindows, stopped, inside, busy)).toMatchObject({ goal: { kind: 'stopped' }, reason: 'hold' });
    expect(desiredState(withWindows, undefined, inside, busy)).toMatchObject({ goal: { kind: 'running', minInferenceUnits: 3 }, reason: 'window' });
    expect(desiredState(withWindows, undefined, outside, busy)).toMatchObject({ goal: { kind: 'running', minInferenceUnits: 4 }, reason: 'demand' });
    expect(desiredState(withWindows, undefined, outside, quiet)).toMatchObject({ goal: { kind: 'stopped' }, reason: 'outside-windows' });
    expect(desiredState({ minInferenceUnits: 2, demand: declared }, undefined, outside, quiet)).toMatchObject({ goal: { kind: 'stopped' }, reason: 'no-demand' });
    expect(desiredState({ minInferenceUnits: 2 }, undefined, outside)).toMatchObject({ goal: { kind: 'running', minInferenceUnits: 2 }, reason: 'declaration' });
    // A hold may ask for the demand's units: they count among the declared.
    const held = { value: JSON.stringify({ state: 'RUNNING', until: new Date(outside + HOUR).toISOString(), minInferenceUnits: 4 }), modifiedAt: outside };
    expect(desiredState({ minInferenceUnits: 2, demand: declared }, held, outside, quiet)).toMatchObject({ goal: { kind: 'running', minInferenceUnits: 4 }, reason: 'hold' });
    // The stop's cause: the idle time's end within the lookback, else enforcement.
    const decl = { minInferenceUnits: 2, demand: declared };
    const justIdle = desiredState(decl, undefined, outside, { kind: 'quiet', emptySince: outside - IDLE - MIN });
    expect(stopCause(decl, justIdle, undefined, outside)).toBe('demand-idle');
    const longAgo = desiredState(decl, undefined, outside, { kind: 'quiet', emptySince: outside - 2 * HOUR });
    expect(stopCause(decl, longAgo, undefined, outside)).toBe('enforcement');
  });
});
