// Holds without a redeploy, and enforcement of the windows. Through the simulator on the virtual clock: a stack
// deployed template by template (StackDeployment) with the handler role's and the operator's policies in force as the
// synthesized template defines them, EventBridge Scheduler's boundaries and 5-minute passes (SchedulerEmulator), an
// operator who writes the hold parameter with the real SSM client (as `aws ssm put-parameter` does), and someone who
// starts a model by hand with the real Rekognition client.
import { RekognitionClient, StartProjectVersionCommand } from '@aws-sdk/client-rekognition';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CustomLabelsModel } from '../lib';
import { CfnTemplate, PolicyDocument, PolicyStatement } from './support/iam';
import { captureLogLines, CONSOLE_KEY, credentials, deployCleanly, followOperator, holdValue, OPERATOR_KEY, putHoldAt, runScheduledPath } from './support/scheduled-path';
import { StackDeployment } from './support/stack-deployment';
import { ACCOUNT, handlerPolicies, ModelDecl, MONDAY_WINDOW, REGION, StackDecl, stackTemplate, synthStack, widgetsStack, WIDGETS_HOLD } from './support/templates';
import { DAY, HOUR, MIN } from './support/time';
import { World } from './support/world';
import { desiredState, highestDeclaredUnits } from '../lambda/decisions/desired-state';
import { holdVerdict } from '../lambda/decisions/hold';
import { ENFORCEMENT_LOOKBACK_MS, stopCause } from '../lambda/decisions/stop-cause';

const START_MS = 8 * MIN;
const STOP_MS = 2 * MIN;
const PASS_MS = 5 * MIN;
const HOLD = WIDGETS_HOLD;
const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';

/** The stack of these tests: Widgets, with holds unless said otherwise, and the operator's role, given grantHold unless `grant` is false. */
function held({ grant = true, ...model }: Omit<ModelDecl, 'id'> & { readonly grant?: boolean }): StackDecl {
  return widgetsStack({ hold: true, ...model }, { operator: { holds: grant ? ['Widgets'] : [] } });
}

describe('holds and enforcement on the virtual clock', () => {
  let w: World;
  let stack: StackDeployment;
  let lines: Record<string, unknown>[];

  beforeEach(async () => {
    w = await new World({ timings: { startMs: START_MS, stopMs: STOP_MS, jitterMs: 0 } }).start();
    lines = captureLogLines();
  });
  afterEach(async () => {
    await w.stop();
  });

  /** Deploys the stack; the operator's identity follows the template's Operator role. */
  const deploy = (model: Parameters<typeof held>[0]) => deployCleanly(stack, held(model));

  function newStack(policiesOf?: (t: CfnTemplate, stackId: string) => PolicyDocument[]): void {
    stack = new StackDeployment(w.cfn, policiesOf, w.ssm);
    followOperator(w, stack);
  }

  /** Boundaries (with windows) and the 5-minute pass, from now to `to`. */
  const runSchedules = (t: CfnTemplate, to: number) => runScheduledPath(w, t, to, { rate: 'rate(5 minutes)', passMs: PASS_MS });

  beforeEach(() => newStack());

  test('a hold keeps the model running past its window and expires by itself', async () => {
    // The clock starts on Monday 5 January 2026, 10:00 UTC: inside the window.
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 3 });
    const monday = Date.UTC(2026, 0, 5);
    const until = monday + 20 * HOUR;
    const put = putHoldAt(w, monday + 17 * HOUR, holdValue('RUNNING', until, { minInferenceUnits: 3 }));
    const scheduler = runSchedules(t, monday + 22 * HOUR);
    await w.cfn.drain(monday + 22 * HOUR);

    expect(put).toEqual(['ok']);
    expect(w.ssm.get(HOLD)).toBe(holdValue('RUNNING', until, { minInferenceUnits: 3 }));
    // The window closed at 18:00 and its boundary fired; the model kept running, with no restart.
    expect(scheduler.log.waiterRuns.some((r) => r.startedAt === monday + 18 * HOUR && r.outcome === 'SUCCEEDED')).toBe(true);
    expect(w.sim.statusesBetween(v, monday + 17 * HOUR, until)).toEqual([]);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
    // The hold ended at 20:00 by itself: the next pass stopped the model.
    const stopping = w.sim.firstAfter(v, 'STOPPING', until)!.at;
    expect(stopping - until).toBeLessThanOrEqual(PASS_MS);
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(lines).toContainEqual(expect.objectContaining({ message: 'scheduled stop', cause: 'hold-expired', model: v }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'hold ignored', problem: 'expired', parameter: HOLD }));
    // The expected units follow the hold, so the RunningOutsideWindows alarm does not take a hold for a stray model.
    const expected = (from: number, to: number) => lines.filter((l) => {
      const at = (l._aws as { Timestamp?: number } | undefined)?.Timestamp;
      return at !== undefined && at >= from && at < to;
    }).map((l) => l.ExpectedInferenceUnits);
    expect(new Set(expected(monday + 18 * HOUR, until))).toEqual(new Set([3]));
    expect(new Set(expected(until, monday + 22 * HOUR))).toEqual(new Set([0]));
    expect(scheduler.log.tickFailures).toEqual([]);
  }, 60_000);

  test('a release ends a hold early', async () => {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    const monday = Date.UTC(2026, 0, 5);
    putHoldAt(w, monday + 17 * HOUR, holdValue('RUNNING', monday + 23 * HOUR, { minInferenceUnits: 3 }));
    const releasedAt = monday + 19 * HOUR;
    const released = putHoldAt(w, releasedAt, 'none');
    runSchedules(t, monday + 21 * HOUR);
    await w.cfn.drain(monday + 21 * HOUR);
    expect(released).toEqual(['ok']);
    expect(w.sim.statusesBetween(v, monday + 17 * HOUR, releasedAt)).toEqual([]);
    expect(w.sim.firstAfter(v, 'STOPPING', releasedAt)!.at - releasedAt).toBeLessThanOrEqual(PASS_MS);
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(lines).toContainEqual(expect.objectContaining({ message: 'scheduled stop', cause: 'hold-released', model: v }));
  }, 60_000);

  test('a STOPPED hold keeps the model stopped through a window', async () => {
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    const mondayOpen = Date.UTC(2026, 0, 12, 8);
    const until = Date.UTC(2026, 0, 12, 19); // after the window closes
    const put = putHoldAt(w, saturday + HOUR, holdValue('STOPPED', until));
    const scheduler = runSchedules(t, until + 2 * HOUR);
    await w.cfn.drain(until + 2 * HOUR);

    expect(put).toEqual(['ok']);
    // The window's boundaries fired and converged, to "stopped": nothing was started, then or after the hold.
    expect(scheduler.log.waiterRuns.filter((r) => r.startedAt === mondayOpen).map((r) => r.outcome)).toEqual(['SUCCEEDED']);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(0);
    expect(w.sim.inferenceUnitHours(v)).toBe(0);
    expect(scheduler.log.tickFailures).toEqual([]);
  }, 60_000);

  test('a STOPPED hold ending inside the window lets the window start the model', async () => {
    // The same as above, but the hold ends at 12:00: the test above cannot pass by a model that never starts.
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    const until = Date.UTC(2026, 0, 12, 12);
    putHoldAt(w, saturday + HOUR, holdValue('STOPPED', until));
    runSchedules(t, until + HOUR);
    await w.cfn.drain(until + HOUR);
    const starting = w.sim.firstAfter(v, 'STARTING', saturday)!.at;
    expect(starting).toBeGreaterThanOrEqual(until);
    expect(starting - until).toBeLessThanOrEqual(PASS_MS);
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 3 });
  }, 60_000);

  test('a hold beyond 7 days is ignored with a log line', async () => {
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    const setAt = saturday + HOUR;
    putHoldAt(w, setAt, holdValue('RUNNING', setAt + 7 * DAY + MIN));
    runSchedules(t, setAt + HOUR);
    await w.cfn.drain(setAt + HOUR);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(0);
    const ignored = lines.filter((l) => l.message === 'hold ignored');
    expect(ignored.length).toBeGreaterThanOrEqual(11);
    // The hold's age is measured from when SSM stored it (its LastModifiedDate).
    const storedAt = w.ssm.changes.find((c) => c.name === HOLD && c.value !== 'none')!.at;
    expect(storedAt - setAt).toBeLessThan(1000);
    expect(ignored[0]).toEqual({
      message: 'hold ignored',
      model: v,
      parameter: HOLD,
      problem: 'too-long',
      until: new Date(setAt + 7 * DAY + MIN).toISOString(),
      reason: `until (${new Date(setAt + 7 * DAY + MIN).toISOString()}) is more than 7 days after the hold was set (${new Date(storedAt).toISOString()})`,
    });
    // Exactly 7 days is a hold: the next pass starts the model.
    putHoldAt(w, setAt + HOUR + MIN, holdValue('RUNNING', setAt + HOUR + MIN + 7 * DAY));
    runSchedules(t, setAt + 2 * HOUR);
    await w.cfn.drain(setAt + 2 * HOUR);
    expect(w.sim.firstAfter(v, 'STARTING', setAt + HOUR)!.at - (setAt + HOUR + MIN)).toBeLessThanOrEqual(PASS_MS);
  }, 60_000);

  test('a model started by hand outside its windows is stopped within the enforcement bound', async () => {
    // Holds not enabled: enforcement is the default behaviour of a model with batch windows.
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true, hold: false, grant: false });
    expect(JSON.stringify(t)).not.toContain('HoldParameterName');
    const hand = w.identity(CONSOLE_KEY, `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/someone`, [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'rekognition:StartProjectVersion', Resource: '*' }] },
    ]);
    expect(hand).toBeDefined();
    const console = new RekognitionClient({ region: REGION, maxAttempts: 1, credentials: credentials(CONSOLE_KEY) });
    const startedAt = saturday + 2 * HOUR + 7 * MIN;
    w.cfn.schedule(startedAt, async () => {
      await console.send(new StartProjectVersionCommand({ ProjectVersionArn: v, MinInferenceUnits: 1 }));
    });
    const scheduler = runSchedules(t, saturday + 4 * HOUR);
    await w.cfn.drain(saturday + 4 * HOUR);

    const running = w.sim.firstAfter(v, 'RUNNING', startedAt)!.at;
    expect(running - startedAt - START_MS).toBeLessThan(1000);
    // The bound: it bills from RUNNING until at most one pass period plus the stop later.
    const stopped = w.sim.firstAfter(v, 'STOPPED', running)!.at;
    expect(stopped - running).toBeLessThanOrEqual(PASS_MS + STOP_MS);
    expect(w.sim.inferenceUnitHours(v)).toBeLessThanOrEqual((PASS_MS + STOP_MS) / HOUR);
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(lines.filter((l) => l.message === 'enforcement stop')).toEqual([expect.objectContaining({ model: v, cause: 'enforcement', observed: 'RUNNING' })]);
    expect(scheduler.log.tickFailures).toEqual([]);
  }, 60_000);

  test('a held-STOPPED always-on model stays stopped for the night and restarts when the hold expires', async () => {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v });
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
    const evening = Date.UTC(2026, 0, 5, 20);
    const until = Date.UTC(2026, 0, 6, 6);
    putHoldAt(w, evening, holdValue('STOPPED', until));
    const scheduler = runSchedules(t, until + HOUR);
    await w.cfn.drain(until + HOUR);

    const stopping = w.sim.firstAfter(v, 'STOPPING', evening)!.at;
    expect(stopping - evening).toBeLessThanOrEqual(PASS_MS);
    // Stopped all night: nothing started before the hold's end.
    expect(w.sim.statusesBetween(v, stopping, until)).toEqual(['STOPPING', 'STOPPED']);
    const starting = w.sim.firstAfter(v, 'STARTING', until)!.at;
    expect(starting - until).toBeLessThanOrEqual(PASS_MS);
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(lines).toContainEqual(expect.objectContaining({ message: 'scheduled stop', cause: 'hold', model: v }));
    expect(scheduler.log.tickFailures).toEqual([]);
  }, 60_000);

  test('with holds, the pass also restarts an always-on model someone stopped by hand', async () => {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v });
    const stoppedAt = w.clock.now + 10 * MIN;
    w.cfn.schedule(stoppedAt, async () => w.sim.externalStop(v));
    runSchedules(t, stoppedAt + HOUR);
    await w.cfn.drain(stoppedAt + HOUR);
    const stopped = w.sim.firstAfter(v, 'STOPPED', stoppedAt)!.at;
    expect(w.sim.firstAfter(v, 'STARTING', stopped)!.at - stopped).toBeLessThanOrEqual(PASS_MS);
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
  }, 60_000);

  test('malformed and expired holds are ignored with a log line, and so is a hold whose units are outside the declared bounds', async () => {
    const saturday = Date.UTC(2026, 0, 10, 12);
    w.clock.advanceTo(saturday);
    const v = w.model();
    const t = await deploy({ projectVersionArn: v, windows: true });
    const later = new Date(saturday + DAY).toISOString();
    const cases: [string, string][] = [
      ['not json', 'malformed'],
      ['{"state":"RUNNING"}', 'malformed'],
      [`{"state":"running","until":"${later}"}`, 'malformed'],
      [`{"state":"RUNNING","until":"${later.replace('Z', '')}"}`, 'malformed'],
      [`{"state":"RUNNING","until":"${later}","minUnits":2}`, 'malformed'],
      [`{"state":"RUNNING","until":"${new Date(saturday - HOUR).toISOString()}"}`, 'expired'],
      [`{"state":"RUNNING","until":"${later}","minInferenceUnits":0}`, 'units'],
      [`{"state":"RUNNING","until":"${later}","minInferenceUnits":3,"maxInferenceUnits":2}`, 'units'],
      // The most units the declaration runs the model with is the window's 3.
      [`{"state":"RUNNING","until":"${later}","minInferenceUnits":2,"maxInferenceUnits":4}`, 'units'],
    ];
    cases.forEach(([value], i) => putHoldAt(w, saturday + (i * 20 + 1) * MIN, value));
    const end = saturday + cases.length * 20 * MIN;
    runSchedules(t, end);
    await w.cfn.drain(end);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(0);
    const problems = lines.filter((l) => l.message === 'hold ignored').map((l) => l.problem);
    expect([...new Set(problems)].sort()).toEqual(['expired', 'malformed', 'units']);
    expect(problems.length).toBeGreaterThanOrEqual(cases.length * 3);
    // And at the top of the bounds the hold is used.
    putHoldAt(w, end + MIN, `{"state":"RUNNING","until":"${later}","minInferenceUnits":1,"maxInferenceUnits":3}`);
    runSchedules(t, end + HOUR);
    await w.cfn.drain(end + HOUR);
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 1, max: 3 });
  }, 90_000);

  test('IAM: the handlers read the hold under the policy in force, and the operator sets it only through grantHold', async () => {
    const v = w.model();
    const t = await deploy({ projectVersionArn: v });
    const handlerKey = 'AKIAIOSFODNN7EXAMPLE';
    // The deploy's passes read it (isComplete), allowed.
    const reads = () => w.ssm.calls.filter((c) => c.action === 'ssm:GetParameter' && c.accessKeyId === handlerKey);
    expect(reads().length).toBeGreaterThan(0);
    expect(reads().every((c) => c.outcome === 'allowed' && c.name === HOLD)).toBe(true);
    const evening = Date.UTC(2026, 0, 5, 20);
    const put = putHoldAt(w, evening, holdValue('STOPPED', evening + 2 * HOUR));
    runSchedules(t, evening + HOUR);
    await w.cfn.drain(evening + HOUR);
    expect(put).toEqual(['ok']);
    expect(w.ssm.calls.filter((c) => c.accessKeyId === OPERATOR_KEY)).toEqual([expect.objectContaining({ action: 'ssm:PutParameter', outcome: 'allowed' })]);
    expect(w.sim.status(v).status).toBe('STOPPED');
    // The scheduled path's passes read it too, under the same policy.
    expect(reads().filter((c) => c.at >= evening).length).toBeGreaterThanOrEqual(12);
    expect(reads().every((c) => c.outcome === 'allowed')).toBe(true);

    // A deploy while the hold is set is a pass too: it converges to the hold (stopped), and leaves the hold alone.
    const update = await stack.deploy(stackTemplate(held({ projectVersionArn: v, tags: { Team: 'vision' } })));
    expect(update.status).toBe('UPDATE_COMPLETE');
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(w.ssm.get(HOLD)).toBe(holdValue('STOPPED', evening + 2 * HOUR));
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  }, 60_000);

  test('IAM: every phase with holds (enabled by an update, rolled back, enabled again, removed, the stack deleted) runs under the policy in force', async () => {
    const v = w.model();
    const other = w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets');
    const decl = { projectVersionArn: v, hold: false, grant: false };
    await deploy(decl);
    // Enabling holds is an update of the model (its properties change): the policy that lets it read comes first.
    const enable = stackTemplate(held({ projectVersionArn: v }));
    const failed = await stack.deploy(enable, { failElsewhereAfterSeconds: 0 });
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(w.ssm.get(HOLD)).toBeUndefined();
    expect((await stack.deploy(enable)).status).toBe('UPDATE_COMPLETE');
    expect(w.ssm.get(HOLD)).toBe('none');
    // A stack of two, then the held model removed: its cleanup delete stops it and reads no hold.
    const two = stackTemplate({ models: [{ id: 'Widgets', projectVersionArn: v, hold: true }, { id: 'Gadgets', projectVersionArn: other }], operator: { holds: ['Widgets'] } });
    expect((await stack.deploy(two)).status).toBe('UPDATE_COMPLETE');
    const onlyGadgets = stackTemplate({ models: [{ id: 'Gadgets', projectVersionArn: other }], operator: { holds: [] } });
    expect((await stack.deploy(onlyGadgets)).status).toBe('UPDATE_COMPLETE');
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(w.ssm.get(HOLD)).toBeUndefined();
    expect((await stack.destroy()).status).toBe('DELETE_COMPLETE');
    expect(w.sim.status(other).status).toBe('STOPPED');
    expect(w.ssm.calls.filter((c) => c.outcome !== 'allowed')).toEqual([]);
    expect(w.ssm.calls.filter((c) => c.action === 'ssm:GetParameter').length).toBeGreaterThan(0);
    expect(w.sim.calls.filter((c) => c.outcome === 'AccessDeniedException')).toEqual([]);
  }, 90_000);

  test('IAM: without grantHold the operator\'s put is refused', async () => {
    const v = w.model();
    await deploy({ projectVersionArn: v, grant: false });
    const outcomes = putHoldAt(w, w.clock.now + MIN, holdValue('STOPPED', w.clock.now + HOUR));
    await w.cfn.drain(w.clock.now + 2 * MIN);
    expect(outcomes).toEqual(['AccessDeniedException']);
    expect(w.ssm.get(HOLD)).toBe('none');
  });

  test('IAM: the enforcer is in force for the handlers\' GetParameter (a policy without the statement is refused)', async () => {
    newStack((t, stackId) => handlerPolicies(t, stackId).map((doc) => ({
      ...doc,
      Statement: [doc.Statement].flat().filter((s: PolicyStatement) => !String(s.Sid ?? '').startsWith('ReadHoldParameters')),
    })));
    const v = w.model();
    const outcome = await stack.deploy(stackTemplate(held({ projectVersionArn: v })));
    expect(outcome.status).toBe('ROLLBACK_COMPLETE');
    expect(outcome.answers[0].answer?.Reason).toContain(`could not read its hold parameter ${HOLD}: AccessDeniedException`);
    expect(w.ssm.calls.filter((c) => c.action === 'ssm:GetParameter').every((c) => c.outcome === 'AccessDeniedException')).toBe(true);
  }, 60_000);
});

describe('the hold parameter in the template', () => {
  const resources = (s: Stack, type: string) => Object.entries(Template.fromStack(s).findResources(type));

  test('the parameter, "none" by default, its name on the custom resource and in the 5-minute pass\'s input', () => {
    const { stack, model } = synthStack(held({ projectVersionArn: ARN }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: HOLD, Type: 'String', Value: 'none' });
    t.hasResourceProperties('Custom::RekognitionCustomLabelsModel', { HoldParameterName: HOLD });
    expect(stack.resolve(model.holdParameter!.parameterName)).toEqual({ Ref: expect.stringMatching(/^WidgetsHold/) });
    const passes = resources(stack, 'AWS::Scheduler::Schedule').filter(([, r]) => r.Properties.ScheduleExpression === 'rate(5 minutes)' && String(r.Properties.Target.Input).includes(HOLD));
    expect(passes).toHaveLength(1);
  });

  test('the handler role may GetParameter on the hold parameter\'s ARN and nothing else of SSM; grantHold gives PutParameter and GetParameter on it', () => {
    const { stack } = synthStack(held({ projectVersionArn: ARN }));
    const parameterId = resources(stack, 'AWS::SSM::Parameter').find(([, r]) => r.Properties.Name === HOLD)![0];
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:parameter', { Ref: parameterId }]] };
    const statements = (rolePrefix: string) => resources(stack, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(rolePrefix))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Sid?: string }[]);
    const ssmOf = (rolePrefix: string) => statements(rolePrefix).filter((s) => [s.Action].flat().some((a) => a.startsWith('ssm:')));
    expect(ssmOf('RekognitionCustomLabelsProviderHandlerRole')).toEqual([{ Sid: 'ReadHoldParameters0', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: arn }]);
    expect(ssmOf('Operator')).toEqual([{ Effect: 'Allow', Action: ['ssm:PutParameter', 'ssm:GetParameter'], Resource: arn }]);
  });

  test('with batch windows no second periodic schedule; without the hold option nothing of holds', () => {
    const { stack } = synthStack(held({ projectVersionArn: ARN, windows: true }));
    expect(resources(stack, 'AWS::Scheduler::Schedule').filter(([, r]) => r.Properties.ScheduleExpression === 'rate(5 minutes)' && JSON.stringify(r.Properties.Target.Input).includes('model'))).toHaveLength(1);
    const off = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: REGION } });
    const model = new CustomLabelsModel(off, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    expect(model.holdParameter).toBeUndefined();
    const json = JSON.stringify(Template.fromStack(off).toJSON());
    expect(json).not.toContain('HoldParameterName');
    expect(json).not.toContain('/hold');
    expect(json).not.toContain('ssm:GetParameter');
    expect(Template.fromStack(off).findResources('AWS::Scheduler::Schedule', { Properties: { ScheduleExpression: 'rate(5 minutes)', Target: { Input: Match.stringLikeRegexp('model') } } })).toEqual({});
    expect(() => model.grantHold(new iam.Role(off, 'R', { assumedBy: new iam.AccountRootPrincipal() }))).toThrow('WidgetsStack/Widgets: grantHold needs the hold option: give the model hold: {}');
  });

  test('a name of the user\'s is used as given', () => {
    const s = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: REGION } });
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, hold: { parameterName: '/ops/widgets/hold' } });
    Template.fromStack(s).hasResourceProperties('AWS::SSM::Parameter', { Name: '/ops/widgets/hold', Value: 'none' });
    Template.fromStack(s).hasResourceProperties('Custom::RekognitionCustomLabelsModel', { HoldParameterName: '/ops/widgets/hold' });
  });

  const NAME_MESSAGE = 'hold.parameterName must be a hierarchical SSM parameter name: it begins with "/", holds 1 to 15 levels of letters, digits and _ . -, at most 1011 characters, and does not begin with /aws or /ssm';
  test.each([
    ['no leading slash', 'ops/hold'],
    ['a space', '/ops/my hold'],
    ['an empty level', '/ops//hold'],
    ['a trailing slash', '/ops/hold/'],
    ['reserved /aws', '/aws/hold'],
    ['reserved /ssm', '/SSM/hold'],
    ['16 levels', '/a'.repeat(16)],
    ['1012 characters', `/${'a'.repeat(1011)}`],
  ])('hold.parameterName refused: %s', (_why, name) => {
    const s = new Stack(new App(), 'WidgetsStack');
    expect(() => new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, hold: { parameterName: name } })).toThrow(`WidgetsStack/Widgets: ${NAME_MESSAGE}; got "${name}"`);
  });

  test('a token name (a CfnParameter) is taken unchecked, and the ARN still scoped to it', () => {
    const s = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: REGION } });
    const name = new CfnParameter(s, 'HoldName', { type: 'String' });
    const model = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, hold: { parameterName: name.valueAsString } });
    model.grantHold(new iam.Role(s, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: { Ref: 'HoldName' } });
    t.hasResourceProperties('Custom::RekognitionCustomLabelsModel', { HoldParameterName: { Ref: 'HoldName' } });
    expect(JSON.stringify(t.toJSON())).toContain('":ssm:us-east-1:123456789012:parameter",{"Ref":"WidgetsHold');
  });

  test('15 levels and 1011 characters are accepted', () => {
    for (const name of ['/a'.repeat(15), `/${'a'.repeat(1010)}`]) {
      expect(() => new CustomLabelsModel(new Stack(new App(), 'WidgetsStack'), 'Widgets', { projectVersionArn: ARN, hold: { parameterName: name } })).not.toThrow();
    }
  });
});

describe('the hold and the desired state (pure)', () => {
  const NOW = Date.UTC(2026, 0, 10, 12); // a Saturday
  const SET = NOW - HOUR;
  const at = (ms: number) => new Date(ms).toISOString();
  const reading = (value: unknown, modifiedAt = SET) => ({ value: typeof value === 'string' ? value : JSON.stringify(value), modifiedAt });
  const windowed = { minInferenceUnits: 2, windows: MONDAY_WINDOW };

  test.each([
    ['none', 'none', 'none'],
    [' NONE ', 'none', 'none'],
    [{ state: 'RUNNING', until: at(NOW + HOUR) }, 'active', undefined],
    [{ state: 'RUNNING', until: '2026-01-10T14:00:00+01:00' }, 'active', undefined],
    [{ state: 'STOPPED', until: at(SET + 7 * DAY) }, 'active', undefined],
    [{ state: 'STOPPED', until: at(SET + 7 * DAY + 1000) }, 'ignored', 'too-long'],
    [{ state: 'RUNNING', until: at(NOW) }, 'ignored', 'expired'],
    [{ state: 'STOPPED', until: at(NOW + HOUR), minInferenceUnits: 2 }, 'ignored', 'malformed'],
    [{ state: 'RUNNING', until: at(NOW + HOUR), maxInferenceUnits: 2 }, 'ignored', 'malformed'],
    [{ state: 'RUNNING', until: 1767000000000 }, 'ignored', 'malformed'],
    [{ state: 'RUNNING', until: '2026-13-40T00:00:00Z' }, 'ignored', 'malformed'],
    [[1, 2], 'ignored', 'malformed'],
    [{ state: 'RUNNING', until: at(NOW + HOUR), minInferenceUnits: 1.5 }, 'ignored', 'units'],
    [{ state: 'RUNNING', until: at(NOW + HOUR), minInferenceUnits: 3 }, 'active', undefined],
    [{ state: 'RUNNING', until: at(NOW + HOUR), minInferenceUnits: 4 }, 'ignored', 'units'],
  ])('holdVerdict(%j): %s %s', (value, kind, problem) => {
    const verdict = holdVerdict(reading(value), 3, NOW);
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === 'ignored') expect(verdict.problem).toBe(problem);
  });

  test('no parameter is no hold; a hold too long stays ignored however late it is read', () => {
    expect(holdVerdict(undefined, 3, NOW)).toEqual({ kind: 'none' });
    const long = reading({ state: 'STOPPED', until: at(SET + 8 * DAY) });
    expect(holdVerdict(long, 3, SET + 2 * DAY)).toMatchObject({ kind: 'ignored', problem: 'too-long' });
  });

  test('the highest declared units: the model\'s max, or min, or any window\'s', () => {
    expect(highestDeclaredUnits({ minInferenceUnits: 2 })).toBe(2);
    expect(highestDeclaredUnits({ minInferenceUnits: 2, maxInferenceUnits: 5 })).toBe(5);
    expect(highestDeclaredUnits(windowed)).toBe(3);
  });

  test.each([
    // [declaration, hold, instant, goal, reason]
    ['windows, no hold, outside', windowed, undefined, NOW, { kind: 'stopped' }, 'outside-windows'],
    ['windows, no hold, inside', windowed, undefined, Date.UTC(2026, 0, 12, 9), { kind: 'running', minInferenceUnits: 3, maxInferenceUnits: undefined }, 'window'],
    ['always on, no hold', { minInferenceUnits: 2, maxInferenceUnits: 4 }, undefined, NOW, { kind: 'running', minInferenceUnits: 2, maxInferenceUnits: 4 }, 'declaration'],
    ['held RUNNING outside windows, no units: the model\'s own', windowed, { state: 'RUNNING', until: at(NOW + HOUR) }, NOW, { kind: 'running', minInferenceUnits: 2, maxInferenceUnits: undefined }, 'hold'],
    ['held RUNNING inside a window, no units: the window\'s', windowed, { state: 'RUNNING', until: at(Date.UTC(2026, 0, 12, 10)) }, Date.UTC(2026, 0, 12, 9), { kind: 'running', minInferenceUnits: 3, maxInferenceUnits: undefined }, 'hold'],
    ['held RUNNING with units', windowed, { state: 'RUNNING', until: at(NOW + HOUR), minInferenceUnits: 1, maxInferenceUnits: 3 }, NOW, { kind: 'running', minInferenceUnits: 1, maxInferenceUnits: 3 }, 'hold'],
    ['held STOPPED inside a window', windowed, { state: 'STOPPED', until: at(Date.UTC(2026, 0, 12, 10)) }, Date.UTC(2026, 0, 12, 9), { kind: 'stopped' }, 'hold'],
    ['held STOPPED, always on', { minInferenceUnits: 2 }, { state: 'STOPPED', until: at(NOW + HOUR) }, NOW, { kind: 'stopped' }, 'hold'],
    ['an ignored hold counts as none', windowed, { state: 'RUNNING', until: at(NOW + HOUR), minInferenceUnits: 9 }, NOW, { kind: 'stopped' }, 'outside-windows'],
  ])('desiredState: %s', (_name, declared, value, now, goal, reason) => {
    const state = desiredState(declared, value === undefined ? undefined : reading(value, now - HOUR), now);
    expect(state.goal).toEqual(goal);
    expect(state.reason).toBe(reason);
    expect(state.holdRunId !== undefined).toBe(reason === 'hold');
  });

  test('stopCause: the end of a window or a hold within the lookback, else enforcement', () => {
    const mondayClose = Date.UTC(2026, 0, 12, 18);
    const cause = (now: number, value?: unknown, modifiedAt = now - DAY) => {
      const r = value === undefined ? undefined : reading(value, modifiedAt);
      return stopCause(windowed, desiredState(windowed, r, now), r, now);
    };
    expect(cause(mondayClose + MIN)).toBe('window-closed');
    expect(cause(mondayClose + ENFORCEMENT_LOOKBACK_MS - MIN)).toBe('window-closed');
    expect(cause(mondayClose + ENFORCEMENT_LOOKBACK_MS + MIN)).toBe('enforcement');
    expect(cause(NOW, { state: 'RUNNING', until: at(NOW - 2 * MIN) })).toBe('hold-expired');
    expect(cause(NOW, { state: 'RUNNING', until: at(NOW - ENFORCEMENT_LOOKBACK_MS - MIN) })).toBe('enforcement');
    expect(cause(NOW, 'none', NOW - MIN)).toBe('hold-released');
    expect(cause(NOW, 'none')).toBe('enforcement');
    expect(cause(Date.UTC(2026, 0, 12, 9), { state: 'STOPPED', until: at(Date.UTC(2026, 0, 12, 10)) }, Date.UTC(2026, 0, 12, 8))).toBe('hold');
  });
});
