// Every row of the README's lifecycle table, proven end to end: CloudFormation requests through the real Provider
// framework runtime, the shipped handler bundle, the real AWS SDK client over HTTP to the local Rekognition endpoint.
import { PROVIDER_AS_DEPLOYED } from './support/cloudformation';
import { MIN } from './support/time';
import { props, reasonOf, World } from './support/world';

/** Virtual time also runs at real speed while handlers run: allow for that on top of one 5 s query interval. */
const SLACK = 1000;
let w: World;

beforeEach(async () => {
  w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
});
afterEach(async () => {
  await w.stop();
});

function runningAt(versionArn: string): number | undefined {
  return w.sim.history(versionArn).find((h) => h.status === 'RUNNING')?.at;
}

describe('Create', () => {
  test.each(['TRAINING_COMPLETED', 'STOPPED', 'COPYING_COMPLETED'])('%s: starts with min and max, and succeeds only once RUNNING', async (status) => {
    const v = w.model('v1', status);
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2, 5)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(answer?.PhysicalResourceId).toBe(v);
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2, max: 5 });
    expect(answer!.at).toBeGreaterThanOrEqual(runningAt(v)!);
    // Reported within one poll of RUNNING.
    expect(answer!.at - runningAt(v)!).toBeLessThanOrEqual(5000 + SLACK);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  });

  test('without maxInferenceUnits the model does not autoscale', async () => {
    const v = w.model();
    await w.cfn.settle(w.cfn.create('Widgets', props(v, 3)));
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 3, max: undefined });
  });

  test('STARTING with the same units: waits, starts nothing', async () => {
    const v = w.model();
    w.sim.call('StartProjectVersion', { ProjectVersionArn: v, MinInferenceUnits: 2 });
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  });

  test('STOPPING: waits for STOPPED, then starts', async () => {
    const v = w.model();
    w.sim.setStatus(v, 'RUNNING', { min: 1 });
    w.sim.externalStop(v);
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.history(v).map((h) => h.status)).toEqual(['TRAINING_COMPLETED', 'RUNNING', 'STOPPING', 'STOPPED', 'STARTING', 'RUNNING']);
  });

  test('RUNNING with the requested units: adopted without a restart, and stopped by the Delete', async () => {
    const v = w.model();
    w.sim.setStatus(v, 'RUNNING', { min: 2, max: 4 });
    const created = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2, 4)));
    expect(created?.Status).toBe('SUCCESS');
    expect(w.sim.countCalls('StartProjectVersion') + w.sim.countCalls('StopProjectVersion')).toBe(0);
    const deleted = await w.cfn.settle(w.cfn.remove('Widgets', v, props(v, 2, 4)));
    expect(deleted?.Status).toBe('SUCCESS');
    expect(w.sim.status(v).status).toBe('STOPPED');
  });

  test('RUNNING with other units: restarted with the requested ones', async () => {
    const v = w.model();
    w.sim.setStatus(v, 'RUNNING', { min: 1 });
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2, 5)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2, max: 5 });
    expect(w.sim.history(v).slice(-4).map((h) => h.status)).toEqual(['STOPPING', 'STOPPED', 'STARTING', 'RUNNING']);
  });

  test.each([
    ['TRAINING_FAILED', 'The training data has no labels.', 'train a new version'],
    ['EXPIRED', 'The model has expired.', 'expired'],
    ['DEPRECATED', 'The model is deprecated.', 'deprecated'],
    ['TRAINING_IN_PROGRESS', undefined, 'still training'],
    ['DELETING', undefined, 'being deleted'],
  ])('%s: fails within one poll with the StatusMessage, starting nothing', async (status, message, advice) => {
    const v = w.model();
    w.sim.setStatus(v, status, undefined, message);
    const sentAt = w.clock.now;
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('FAILED');
    expect(reasonOf(answer)).toContain(status);
    if (message) expect(reasonOf(answer)).toContain(message);
    expect(reasonOf(answer)).toContain(advice);
    expect(answer!.at - sentAt).toBeLessThanOrEqual(5000 + SLACK);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(0);
  });

  test('an unknown version fails at once, naming it, and starts nothing', async () => {
    const v = w.model();
    const missing = v.replace('widgets.v1', 'widgets.v9');
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(missing, 1)));
    expect(answer?.Status).toBe('FAILED');
    expect(reasonOf(answer)).toBe(`${missing} does not exist: check projectVersionArn, the account and the region`);
    // onEvent failed: the framework answers with its marker, so CloudFormation's rollback Delete never reaches us.
    expect(answer?.PhysicalResourceId).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
  });

  test('a start that ends FAILED reaches CloudFormation with the StatusMessage within one poll', async () => {
    const v = w.model();
    w.sim.failNextStart(v, 'Insufficient capacity for the requested inference units.');
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('FAILED');
    expect(reasonOf(answer)).toContain('failed to start with 2 inference unit(s): Insufficient capacity for the requested inference units.');
    const failedAt = w.sim.history(v).find((h) => h.status === 'FAILED')!.at;
    expect(answer!.at - failedAt).toBeLessThanOrEqual(5000 + SLACK);
  });

  test('FAILED from an earlier attempt: one new start, which succeeds', async () => {
    const v = w.model();
    w.sim.setStatus(v, 'FAILED', undefined, 'earlier failure');
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  });

  test('FAILED from an earlier attempt, and the new start throttled: started on the next poll, not given up on', async () => {
    // Found by the campaign: the start was recorded as ours before the service accepted it, so the next poll took
    // the old FAILED for this request's own and failed the deploy with the old StatusMessage.
    const v = w.model();
    w.sim.setStatus(v, 'FAILED', undefined, 'earlier failure');
    w.sim.throttleNextCalls(3, 'StartProjectVersion'); // every SDK attempt of isComplete's first start
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.calls.filter((c) => c.operation === 'StartProjectVersion').map((c) => c.outcome)).toEqual(['ThrottlingException', 'ThrottlingException', 'ThrottlingException', 'ok']);
  });

  test('FAILED from an earlier attempt that the service refuses to start: fails at once with its message', async () => {
    const v = w.model();
    w.sim.faults.startWhileFailed = 'refuse';
    w.sim.setStatus(v, 'FAILED', undefined, 'earlier failure');
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('FAILED');
    expect(reasonOf(answer)).toContain('ResourceInUseException');
    expect(reasonOf(answer)).toContain('status FAILED');
  });

  test('a start slower than the timeout fails with the status before CloudFormation gives up, and the rollback stops the model', async () => {
    w.sim.timings = { startMs: 20 * MIN, stopMs: 2 * MIN, jitterMs: 0 };
    const v = w.model();
    const p = props(v, 2, undefined, { TimeoutSeconds: '600' });
    const created = w.cfn.create('Widgets', p);
    const answer = await w.cfn.settle(created);
    expect(answer?.Status).toBe('FAILED');
    expect(reasonOf(answer)).toContain('did not reach RUNNING with 2 inference unit(s) before the deploy timeout: it is STARTING');
    expect(answer!.at).toBeLessThan(w.cfn.sent[0].timeoutAt);
    // CloudFormation rolls the Create back with a Delete for the physical id onEvent returned.
    const rollback = await w.cfn.settle(w.cfn.remove('Widgets', answer!.PhysicalResourceId, p));
    expect(rollback?.Status).toBe('SUCCESS');
    expect(w.sim.status(v).status).toBe('STOPPED');
  });

  test('throttling, throughput and 5xx answers are retried, never a failed deploy', async () => {
    const v = w.model();
    w.sim.faults = { ...w.sim.faults, throttleRate: 0.3, throughputRate: 0.1, serverErrorRate: 0.1 };
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2, 3)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2, max: 3 });
    expect(w.sim.calls.filter((c) => c.outcome !== 'ok').length).toBeGreaterThan(10);
  });

  test('onEvent outlasts throttling even when the SDK has no retries left: it runs again, never fails the deploy', async () => {
    await w.stop();
    // AWS_MAX_ATTEMPTS 1: what the SDK does once a long spell of throttling has used up its retry quota.
    w = await new World({ provider: { ...PROVIDER_AS_DEPLOYED, onEventEnv: { AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'standard' } } }).start();
    const v = w.model();
    w.sim.throttleNextCalls(2);
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.calls.slice(0, 2).map((c) => c.outcome)).toEqual(['ThrottlingException', 'ThrottlingException']);
  });

  test('a second stack naming the same version fails with the owner, and leaves the model alone', async () => {
    const v = w.model();
    expect((await w.cfn.settle(w.cfn.create('Widgets', props(v, 2))))?.Status).toBe('SUCCESS');
    const other = w.newStack('OtherStack');
    const answer = await other.settle(other.create('Widgets', props(v, 3)));
    expect(answer?.Status).toBe('FAILED');
    expect(reasonOf(answer)).toContain('is already run by WidgetsStack/Widgets');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
  });
});

describe('Update', () => {
  async function deployed(min: number, max?: number): Promise<string> {
    const v = w.model();
    expect((await w.cfn.settle(w.cfn.create('Widgets', props(v, min, max))))?.Status).toBe('SUCCESS');
    return v;
  }

  test('units changed: stop, STOPPED, start with the new units, RUNNING', async () => {
    const v = await deployed(1);
    const answer = await w.cfn.settle(w.cfn.update('Widgets', v, props(v, 2, 6), props(v, 1)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2, max: 6 });
    expect(w.sim.history(v).slice(-4)).toMatchObject([
      { status: 'STOPPING' }, { status: 'STOPPED' }, { status: 'STARTING', min: 2, max: 6 }, { status: 'RUNNING', min: 2, max: 6 },
    ]);
  });

  test('nothing that matters changed: no restart', async () => {
    const v = await deployed(2);
    const answer = await w.cfn.settle(w.cfn.update('Widgets', v, props(v, 2, undefined, { TimeoutSeconds: '1800' }), props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.countCalls('StopProjectVersion')).toBe(0);
    expect(w.sim.countCalls('StartProjectVersion')).toBe(1);
  });

  test('version changed: the new version is RUNNING before the cleanup stops the old one', async () => {
    const v1 = await deployed(2);
    const v2 = w.model('widgets.v2');
    const answer = await w.cfn.settle(w.cfn.update('Widgets', v1, props(v2, 2), props(v1, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(answer?.PhysicalResourceId).toBe(v2);
    expect(w.sim.status(v1).status).toBe('RUNNING');
    // A new physical id: CloudFormation deletes the old one during cleanup.
    const cleanup = await w.cfn.settle(w.cfn.remove('Widgets', v1, props(v1, 2)));
    expect(cleanup?.Status).toBe('SUCCESS');
    expect(w.sim.status(v1).status).toBe('STOPPED');
    expect(w.sim.status(v2).status).toBe('RUNNING');
    const v1Stopping = w.sim.history(v1).find((h) => h.status === 'STOPPING')!.at;
    expect(runningAt(v2)!).toBeLessThanOrEqual(v1Stopping);
  });

  test('version changed under RemovalPolicy.RETAIN: the replaced version is still stopped', async () => {
    const v1 = w.model();
    const retain = { RemovalPolicy: 'retain' };
    expect((await w.cfn.settle(w.cfn.create('Widgets', props(v1, 1, undefined, retain))))?.Status).toBe('SUCCESS');
    const v2 = w.model('widgets.v2');
    expect((await w.cfn.settle(w.cfn.update('Widgets', v1, props(v2, 1, undefined, retain), props(v1, 1, undefined, retain))))?.Status).toBe('SUCCESS');
    expect((await w.cfn.settle(w.cfn.remove('Widgets', v1, props(v1, 1, undefined, retain))))?.Status).toBe('SUCCESS');
    expect(w.sim.status(v1).status).toBe('STOPPED');
  });

  test('a failed update is rolled back by the swapped update: the old units run again', async () => {
    const v = await deployed(1);
    w.sim.failNextStart(v, 'Not enough capacity for 8 inference units.');
    const failed = await w.cfn.settle(w.cfn.update('Widgets', v, props(v, 8), props(v, 1)));
    expect(failed?.Status).toBe('FAILED');
    expect(reasonOf(failed)).toContain('Not enough capacity for 8 inference units.');
    const rollback = await w.cfn.settle(w.cfn.update('Widgets', v, props(v, 1), props(v, 8)));
    expect(rollback?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 1 });
  });
});

describe('Delete', () => {
  test('RUNNING: stops, and succeeds only once STOPPED; the ownership tags are removed', async () => {
    const v = w.model();
    await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    const answer = await w.cfn.settle(w.cfn.remove('Widgets', v, props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    const stoppedAt = w.sim.history(v).find((h) => h.status === 'STOPPED')!.at;
    expect(answer!.at).toBeGreaterThanOrEqual(stoppedAt);
    expect(w.sim.status(v)).toMatchObject({ status: 'STOPPED', tags: {} });
  });

  test('already stopped, or not found: success', async () => {
    const v = w.model('v1', 'STOPPED');
    await w.cfn.settle(w.cfn.create('Widgets', props(v, 1)));
    w.sim.externalStop(v);
    await w.cfn.drain(w.clock.now + 5 * MIN);
    expect((await w.cfn.settle(w.cfn.remove('Widgets', v, props(v, 1))))?.Status).toBe('SUCCESS');
    const missing = v.replace('/v1/', '/gone/');
    expect((await w.cfn.settle(w.cfn.remove('Widgets', missing, props(missing, 1))))?.Status).toBe('SUCCESS');
  });

  test('RemovalPolicy.RETAIN: left running, and released for another stack to take', async () => {
    const v = w.model();
    const p = props(v, 2, undefined, { RemovalPolicy: 'retain' });
    await w.cfn.settle(w.cfn.create('Widgets', p));
    w.cfn.stackStatus = 'DELETE_IN_PROGRESS';
    const answer = await w.cfn.settle(w.cfn.remove('Widgets', v, p));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', tags: {} });
    expect(w.sim.countCalls('StopProjectVersion')).toBe(0);
  });

  test('a model another stack owns is left alone', async () => {
    const v = w.model();
    await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    const other = w.newStack('OtherStack');
    const answer = await other.settle(other.remove('Widgets', 'made-up-id', props(v, 2)));
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v).status).toBe('RUNNING');
  });
});

describe('failures and rollbacks leave no model running unowned', () => {
  test('a Create interrupted by another resource: Delete with a made-up physical id while the waiter polls', async () => {
    const v = w.model();
    const p = props(v, 2);
    const created = w.cfn.create('Widgets', p);
    // The Create is STARTING when the stack fails elsewhere.
    await w.cfn.run(() => w.sim.status(v).status === 'STARTING');
    const deleted = w.cfn.remove('Widgets', 'WidgetsStack-Widgets-1A2B3C4D5E6F', p, w.clock.now + 30_000);
    const answer = await w.cfn.settle(deleted);
    expect(answer?.Status).toBe('SUCCESS');
    // Let every waiter run to its end: nothing may start the model again.
    await w.cfn.drain();
    expect(w.sim.status(v).status).toBe('STOPPED');
    const lastStop = w.sim.history(v).map((h) => h.status).lastIndexOf('STOPPED');
    expect(w.sim.history(v).slice(lastStop).map((h) => h.status)).toEqual(['STOPPED']);
    // The abandoned Create's waiter was answered (FAILED: superseded), not left to time out.
    expect(w.cfn.answers.get(created)?.Status).toBe('FAILED');
    expect(reasonOf(w.cfn.answers.get(created))).toContain('a later request');
  });

  test('RETAIN does not apply to a Create CloudFormation gave up on: the model is stopped', async () => {
    const v = w.model();
    const p = props(v, 2, undefined, { RemovalPolicy: 'retain' });
    w.cfn.create('Widgets', p);
    await w.cfn.run(() => w.sim.status(v).status === 'STARTING');
    w.cfn.stackStatus = 'ROLLBACK_IN_PROGRESS';
    const answer = await w.cfn.settle(w.cfn.remove('Widgets', 'WidgetsStack-Widgets-XYZ', p));
    expect(answer?.Status).toBe('SUCCESS');
    await w.cfn.drain();
    expect(w.sim.status(v).status).toBe('STOPPED');
  });

  test('RETAIN does not apply to a rollback of a Create that succeeded: the model is stopped', async () => {
    const v = w.model();
    const p = props(v, 2, undefined, { RemovalPolicy: 'retain' });
    expect((await w.cfn.settle(w.cfn.create('Widgets', p)))?.Status).toBe('SUCCESS');
    // Another resource of the stack fails: CloudFormation rolls the whole stack back.
    w.cfn.stackStatus = 'ROLLBACK_IN_PROGRESS';
    expect((await w.cfn.settle(w.cfn.remove('Widgets', v, p)))?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'STOPPED', tags: {} });
  });

  test('a start applied but its answer lost: no second model, no failure', async () => {
    const v = w.model();
    w.sim.loseNextAnswers('StartProjectVersion', 1);
    const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
    expect(w.sim.calls.filter((c) => c.operation === 'StartProjectVersion').map((c) => c.outcome)[0]).toBe('applied-but-lost');
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
  });

  test('a model stopped by someone else mid-deploy is started again', async () => {
    const v = w.model();
    w.sim.setStatus(v, 'RUNNING', { min: 1 });
    const created = w.cfn.create('Widgets', props(v, 2));
    await w.cfn.run(() => w.sim.status(v).status === 'STARTING');
    w.sim.setStatus(v, 'STOPPED');
    const answer = await w.cfn.settle(created);
    expect(answer?.Status).toBe('SUCCESS');
    expect(w.sim.status(v)).toMatchObject({ status: 'RUNNING', min: 2 });
  });
});
