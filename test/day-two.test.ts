// Day-2 operations on a stack of models, deployed template by template in CloudFormation's order, with IAM
// enforcing the handler role's policy as the template of the phase in force defines it (test/support/
// stack-deployment.ts): version swaps, removals, additions and their rollbacks; a cleanup delete that is refused
// access; and the stack guard that stops what such a cleanup leaves running.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomLabelsModel } from '../lib';
import { IamEnforcer, PolicyDocument, PolicyStatement, rolePolicies } from './support/iam';
import { runStackGuard } from './support/scheduler';
import { StackDeployment } from './support/stack-deployment';
import { ACCOUNT, handlerPolicies, ModelDecl, synthModels } from './support/templates';
import { MIN } from './support/time';
import { World } from './support/world';

let w: World;
let stack: StackDeployment;

beforeEach(async () => {
  w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
  stack = new StackDeployment(w.cfn);
});
afterEach(async () => {
  await w.stop();
});

function deploy(models: ModelDecl[], options = {}) {
  return stack.deploy(synthModels(w.cfn.stackName, models), options);
}

function denials(): string[] {
  return w.sim.calls.filter((c) => c.outcome === 'AccessDeniedException').map((c) => `${c.operation} ${c.target}`);
}

function allSucceeded(outcome: { answers: readonly { what: string; answer?: { Status: string; Reason: string } }[] }): string[] {
  return outcome.answers.filter((a) => a.answer?.Status !== 'SUCCESS').map((a) => `${a.what}: ${a.answer?.Status ?? 'no answer'} ${a.answer?.Reason ?? ''}`);
}

const runningAt = (arn: string) => w.sim.history(arn).filter((h) => h.status === 'RUNNING').pop()?.at ?? Infinity;
const stoppingAt = (arn: string) => w.sim.history(arn).filter((h) => h.status === 'STOPPING').pop()?.at ?? -Infinity;

describe('under the policy CloudFormation has in force', () => {
  test('version swap within a project', async () => {
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    expect((await deploy([{ id: 'Widgets', projectVersionArn: v1 }])).status).toBe('CREATE_COMPLETE');
    const swap = await deploy([{ id: 'Widgets', projectVersionArn: v2 }]);
    expect(swap.status).toBe('UPDATE_COMPLETE');
    expect(allSucceeded(swap)).toEqual([]);
    expect(swap.dropped).toEqual([]);
    expect(w.sim.status(v2)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(w.sim.status(v1)).toMatchObject({ status: 'STOPPED', tags: {} });
    expect(runningAt(v2)).toBeLessThanOrEqual(stoppingAt(v1)); // no downtime
    expect(denials()).toEqual([]);
  });

  test('version swap across projects', async () => {
    const v1 = w.model('widgets.v1');
    const g1 = w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets');
    await deploy([{ id: 'Widgets', projectVersionArn: v1 }]);
    const swap = await deploy([{ id: 'Widgets', projectVersionArn: g1, minInferenceUnits: 3 }]);
    expect(swap.status).toBe('UPDATE_COMPLETE');
    expect(allSucceeded(swap)).toEqual([]);
    expect(w.sim.status(g1)).toMatchObject({ status: 'RUNNING', min: 3 });
    expect(w.sim.status(v1)).toMatchObject({ status: 'STOPPED', tags: {} });
    expect(runningAt(g1)).toBeLessThanOrEqual(stoppingAt(v1));
    expect(denials()).toEqual([]);
  });

  test('swap rolled back', async () => {
    const v1 = w.model('widgets.v1');
    const g1 = w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets');
    await deploy([{ id: 'Widgets', projectVersionArn: v1, minInferenceUnits: 2 }]);
    // The swap succeeds, then another resource of the stack fails: the rollback runs under the restored policy,
    // which no longer names the new version.
    const rolledBack = await deploy([{ id: 'Widgets', projectVersionArn: g1, minInferenceUnits: 3 }], { failElsewhereAfterSeconds: 0 });
    expect(rolledBack.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(allSucceeded(rolledBack)).toEqual([]);
    // The update, its rollback, and the cleanup of the new version, in that order.
    expect(rolledBack.answers.map((a) => a.what.replace(/ Widgets\w*/, ' Widgets'))).toEqual(['Update Widgets', 'Update (rollback) Widgets', `Delete (cleanup) Widgets ${g1}`]);
    expect(w.sim.status(v1)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(w.sim.status(g1)).toMatchObject({ status: 'STOPPED', tags: {} });
    expect(denials()).toEqual([]);
  });

  test('a model removed from a stack of three is STOPPED', async () => {
    const [a, b] = [w.model('widgets.v1'), w.model('widgets.v2')];
    const c = w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets');
    await deploy([{ id: 'A', projectVersionArn: a }, { id: 'B', projectVersionArn: b }, { id: 'C', projectVersionArn: c }]);
    const removal = await deploy([{ id: 'A', projectVersionArn: a }, { id: 'C', projectVersionArn: c }]);
    expect(removal.status).toBe('UPDATE_COMPLETE');
    expect(allSucceeded(removal)).toEqual([]);
    expect(w.sim.status(b)).toMatchObject({ status: 'STOPPED', tags: {} });
    expect([a, c].map((arn) => w.sim.status(arn).status)).toEqual(['RUNNING', 'RUNNING']);
    expect(denials()).toEqual([]);
    const destroyed = await stack.destroy();
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect([a, b, c].map((arn) => w.sim.status(arn).status)).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
    expect(denials()).toEqual([]);
  });

  test.each([
    ['once it is RUNNING', 0],
    ['while it is still STARTING', 120],
  ])('an added model rolled back is STOPPED (the stack fails %s)', async (_when, seconds) => {
    const a = w.model('widgets.v1');
    const b = w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets');
    await deploy([{ id: 'A', projectVersionArn: a }]);
    const added = await deploy([{ id: 'A', projectVersionArn: a }, { id: 'B', projectVersionArn: b }], { failElsewhereAfterSeconds: seconds });
    expect(added.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    // Let every waiter (the abandoned create's too) run its course: nothing may start B again.
    await w.cfn.drain();
    expect(w.sim.status(b).status).toBe('STOPPED');
    expect(w.sim.status(a)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(w.sim.inferenceUnitHours(b)).toBeGreaterThan(0); // it did run: the rollback stopped it
    // The abandoned create's waiter may still try to start B under the restored policy, which no longer declares it.
    expect(denials().filter((d) => d !== `StartProjectVersion ${b}`)).toEqual([]);
  });

  test('the world would catch a policy that names only the declared versions (the design this replaces)', async () => {
    // Only the statements that list versions by ARN: what the role had before the ownership conditions.
    const declaredOnly = (template: Parameters<typeof handlerPolicies>[0], stackId: string): PolicyDocument[] =>
      handlerPolicies(template, stackId).map((doc) => ({
        ...doc,
        Statement: [doc.Statement].flat().map((st) => (JSON.stringify(st).includes('ResourceTag') ? { ...st, Resource: declaredArns(template) } : st)),
      }));
    stack = new StackDeployment(w.cfn, declaredOnly);
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    await deploy([{ id: 'Widgets', projectVersionArn: v1 }]);
    const swap = await deploy([{ id: 'Widgets', projectVersionArn: v2 }]);
    // The swap's Update is refused on the old version (the policy in force already names only the new one).
    expect(swap.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(swap.answers[0].answer?.Reason).toContain(`is not authorized to perform: rekognition:TagResource on resource: ${v1}`);
    // Denied every time (it is retried for a minute, as an access denial right after a policy update may be IAM
    // propagating), and on nothing else.
    expect(new Set(denials())).toEqual(new Set([`TagResource ${v1}`]));
  });
});

/** The version ARNs a template declares (its StartProjectVersion statements' resources). */
function declaredArns(template: Parameters<typeof handlerPolicies>[0]): string[] {
  return JSON.stringify(template).match(/arn:aws:rekognition:[^"]*\/version\/[^"]*/g) ?? [];
}

const denyStop: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'rekognition:StopProjectVersion', Resource: '*' } as PolicyStatement],
};

describe('a delete that is refused access', () => {
  test('a cleanup delete denied access fails naming the model and the stop command', async () => {
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    await deploy([{ id: 'Widgets', projectVersionArn: v1 }]);
    // The account denies stopping models (a permissions boundary, an SCP): the cleanup cannot stop the old version.
    w.cfn.addPolicy(denyStop);
    const swap = await deploy([{ id: 'Widgets', projectVersionArn: v2 }]);
    expect(swap.status).toBe('UPDATE_COMPLETE');
    expect(swap.dropped).toEqual([v1]);
    const cleanups = swap.answers.filter((a) => a.what.startsWith('Delete (cleanup)'));
    expect(cleanups).toHaveLength(3);
    for (const c of cleanups) {
      expect(c.answer?.Status).toBe('FAILED');
      expect(c.answer?.Reason).toContain(`${v1} may still be running and billing: stop it with \`aws rekognition stop-project-version --project-version-arn ${v1} --region us-east-1\``);
      expect(c.answer?.Reason).toContain('AccessDeniedException');
    }
    expect(w.sim.status(v1).status).toBe('RUNNING');
  });

  test('a delete that cannot even read the model fails naming it and the stop command', async () => {
    const v1 = w.model('widgets.v1');
    await deploy([{ id: 'Widgets', projectVersionArn: v1 }]);
    w.cfn.addPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'rekognition:ListTagsForResource', Resource: '*' }] });
    const destroyed = await stack.destroy();
    expect(destroyed.status).toBe('DELETE_FAILED');
    const reason = destroyed.answers[0].answer?.Reason ?? '';
    expect(reason).toContain(`stop it with \`aws rekognition stop-project-version --project-version-arn ${v1} --region us-east-1\``);
    expect(reason).toContain('is not authorized to perform: rekognition:ListTagsForResource');
  });

  test('the stack guard stops a model the stack no longer declares', async () => {
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    const other = w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets');
    await deploy([{ id: 'Widgets', projectVersionArn: v1 }]);
    w.sim.setStatus(other, 'RUNNING', { min: 1 }); // someone else's model: never the guard's business
    w.cfn.addPolicy(denyStop);
    const swap = await deploy([{ id: 'Widgets', projectVersionArn: v2 }]);
    expect(swap.dropped).toEqual([v1]);
    // The deny is lifted (the boundary fixed); the guard runs every 5 minutes from then on.
    w.cfn.clearExtraPolicies();
    const liftedAt = w.clock.now;
    const calls = runStackGuard(w.cfn, w.handlers.onGuard, liftedAt + 5 * MIN, liftedAt + 30 * MIN);
    await w.cfn.drain(liftedAt + 31 * MIN);
    expect(calls.filter((c) => c.error)).toEqual([]);
    const stopIssued = w.sim.history(v1).find((h) => h.status === 'STOPPING')!.at;
    expect(stopIssued - liftedAt).toBeLessThanOrEqual(5 * MIN + 5000); // the first guard call after the stack settled
    expect(w.sim.status(v1).status).toBe('STOPPED');
    expect(w.sim.status(v2)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(w.sim.status(other).status).toBe('RUNNING');
    expect(calls[0].stopping).toEqual([v1]);
    expect(calls.slice(2).every((c) => c.stopping?.length === 0)).toBe(true);
  });

  test('the stack guard stands aside while CloudFormation acts on the stack', async () => {
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    await deploy([{ id: 'Widgets', projectVersionArn: v1 }]);
    // Mid-swap: v2 is being started and v1 is no longer in the template; the guard must not stop v1.
    const calls = runStackGuard(w.cfn, w.handlers.onGuard, w.clock.now + 1000, w.clock.now + 20 * MIN, MIN);
    const swap = await deploy([{ id: 'Widgets', projectVersionArn: v2 }]);
    expect(swap.status).toBe('UPDATE_COMPLETE');
    expect(runningAt(v2)).toBeLessThanOrEqual(stoppingAt(v1));
    await w.cfn.drain(w.clock.now + 21 * MIN);
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.every((c) => c.stopping?.length === 0)).toBe(true);
    expect(w.sim.countCalls('StopProjectVersion', v1)).toBe(1); // the cleanup's, nobody else's
  });
});

describe('IAM is eventually consistent', () => {
  test.each([
    ['StartProjectVersion', 'the start (isComplete)'],
    ['ListTagsForResource', 'the claim (onEvent)'],
  ])('an access denial while the policy update propagates (%s, %s) is retried, not a failed deploy', async (action) => {
    const v = w.model('widgets.v1');
    w.cfn.setPolicies(handlerPolicies(synthModels(w.cfn.stackName, [{ id: 'Widgets', projectVersionArn: v }]), w.cfn.stackId));
    // For the first 20 seconds IAM still answers with the policy before CloudFormation's update.
    w.cfn.addPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: `rekognition:${action}`, Resource: '*' }] }, w.clock.now + 20_000);
    const created = await w.cfn.settle(w.cfn.create('Widgets', { ProjectVersionArn: v, MinInferenceUnits: '2', RemovalPolicy: 'destroy', TimeoutSeconds: '2700' }));
    expect(created?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(denials().length).toBeGreaterThan(0);
  });

  test('a denial that outlasts the propagation window fails the request with the service\'s message', async () => {
    const v = w.model('widgets.v1');
    w.cfn.setPolicies(handlerPolicies(synthModels(w.cfn.stackName, [{ id: 'Widgets', projectVersionArn: v }]), w.cfn.stackId));
    w.cfn.addPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'rekognition:StartProjectVersion', Resource: '*' }] });
    const sentAt = w.clock.now;
    const created = await w.cfn.settle(w.cfn.create('Widgets', { ProjectVersionArn: v, MinInferenceUnits: '2', RemovalPolicy: 'destroy', TimeoutSeconds: '2700' }));
    expect(created?.Status).toBe('FAILED');
    expect(created?.Reason).toContain('is not authorized to perform: rekognition:StartProjectVersion');
    expect(created!.at - sentAt).toBeGreaterThanOrEqual(MIN);
    expect(created!.at - sentAt).toBeLessThan(2 * MIN);
  });
});

describe('races', () => {
  test.each([
    ['allows a stop while STARTING: the waiter stops it at once', 'allow' as const],
    ['refuses a stop while STARTING: the stack guard stops it once it runs', 'refuse' as const],
  ])('a Delete that claims and releases the model between a waiter\'s look and its start: the start is undone (the service %s)', async (_what, stopWhileStarting) => {
    w.sim.faults.stopWhileStarting = stopWhileStarting;
    const v = w.model('widgets.v1');
    // The stack's template declares v (its create is under way).
    w.cfn.setPolicies(handlerPolicies(synthModels(w.cfn.stackName, [{ id: 'Widgets', projectVersionArn: v }]), w.cfn.stackId));
    // Just before the waiter's start lands, a Delete claimed the model, found it STOPPED and released it.
    w.sim.beforeNextCall('StartProjectVersion', () => w.sim.setTags(v, {}));
    const created = await w.cfn.settle(w.cfn.create('Widgets', { ProjectVersionArn: v, MinInferenceUnits: '2', RemovalPolicy: 'destroy', TimeoutSeconds: '2700' }));
    expect(created?.Status).toBe('FAILED');
    expect(created?.Reason).toContain('took over');
    // The stack rolled back; the guard runs.
    w.cfn.stackStatus = 'ROLLBACK_COMPLETE';
    runStackGuard(w.cfn, w.handlers.onGuard, w.clock.now + 5 * MIN, w.clock.now + 30 * MIN);
    await w.cfn.drain(w.clock.now + 31 * MIN);
    expect(w.sim.status(v).status).toBe('STOPPED');
    expect(denials()).toEqual([]);
  });
});

describe('what the policy allows, request by request', () => {
  const east = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';
  const stop = (owner: string | undefined) => ({
    action: 'rekognition:StopProjectVersion',
    resource: east,
    context: (owner === undefined ? {} : { 'aws:ResourceTag/cdk-custom-labels:owner': owner }) as Record<string, string>,
  });
  function enforcerFor(stackName: string, region: string): IamEnforcer {
    const app = new App();
    const s = new Stack(app, stackName, { env: { account: ACCOUNT, region } });
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: east.replace('us-east-1', region), minInferenceUnits: 2 });
    const stackId = `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stackName}/6f1d7c3e-0000-4000-8000-000000000002`;
    const enforcer = new IamEnforcer(`arn:aws:sts::${ACCOUNT}:assumed-role/${stackName}-HandlerRole/handler`);
    enforcer.setPolicies(rolePolicies(Template.fromStack(s).toJSON(), 'RekognitionCustomLabelsProviderHandlerRole', { accountId: ACCOUNT, region, partition: 'aws', stackName, stackId }));
    return enforcer;
  }

  test.each([
    ['its own model, no longer declared', 'WidgetsStack', 'us-east-1', 'WidgetsStack/Old', true],
    ['a model another stack owns', 'WidgetsStack', 'us-east-1', 'OtherStack/Widgets', false],
    ['a model nobody owns', 'WidgetsStack', 'us-east-1', undefined, false],
    ['a model of a stack of the same name in another region', 'WidgetsStack', 'us-west-2', 'WidgetsStack/Widgets', false],
  ])('Stop: %s', async (_what, stackName, region, owner, allowed) => {
    expect((await enforcerFor(stackName, region).authorize(stop(owner))).allowed).toBe(allowed);
  });

  test('Start: a declared version only, and not while another stack owns it; tag writes only with the library\'s keys', async () => {
    const e = enforcerFor('WidgetsStack', 'us-east-1');
    // aws:RequestedRegion is in every request to AWS: the region of the endpoint called, here the model's.
    const start = (resource: string, owner?: string) => e.authorize({
      action: 'rekognition:StartProjectVersion', resource, context: { 'aws:RequestedRegion': 'us-east-1', ...(owner ? { 'aws:ResourceTag/cdk-custom-labels:owner': owner } : {}) },
    });
    expect((await start(east)).allowed).toBe(true);
    expect((await start(east, 'WidgetsStack/Widgets')).allowed).toBe(true);
    expect((await start(east, 'OtherStack/Widgets')).allowed).toBe(false);
    expect((await start(east.replace('widgets.v1', 'widgets.v2'), 'WidgetsStack/Widgets')).allowed).toBe(false);
    const tag = (keys: Record<string, string>) => e.authorize({
      action: 'rekognition:TagResource',
      resource: east,
      context: { 'aws:RequestedRegion': 'us-east-1', ...Object.fromEntries(Object.entries(keys).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(keys) },
    });
    expect((await tag({ 'cdk-custom-labels:owner': 'WidgetsStack/Widgets' })).allowed).toBe(true);
    expect((await tag({ 'cdk-custom-labels:owner': 'OtherStack/Widgets' })).allowed).toBe(false); // never hands a model to another stack
    expect((await tag({ CostCenter: '42' })).allowed).toBe(false);
  });
});
