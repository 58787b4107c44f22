// A version swap that no client notices: the replaced version keeps serving for the grace period after the new one
// is RUNNING and published in the running-version parameter, and only then stops. Proved with a client that calls
// DetectCustomLabels every second through a swap, with the real AWS SDK clients speaking HTTP to the local
// Rekognition and SSM endpoints, IAM enforcing the client role's and the handler role's policies as the template of
// each CloudFormation phase defines them.
import { DetectCustomLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnTemplate, PolicyDocument } from './support/iam';
import { StackDeployment } from './support/stack-deployment';
import { ACCOUNT, handlerPolicies, ModelDecl, REGION, stackTemplate } from './support/templates';
import { MIN } from './support/time';
import { World } from './support/world';
import { goalForDelete } from '../lambda/decisions/deploy-plan';

const CLIENT_KEY = 'AKIAI44QH8DHBEXAMPLE';
/** The running-version parameter's default name: `/rekognition-custom-labels/<stack>/<construct path>/running-version`. */
const PARAMETER = '/rekognition-custom-labels/WidgetsStack/Widgets/running-version';

/** A stack with these models and a client role that may detect with the first and read its running version. */
function withClient(models: ModelDecl[]): CfnTemplate {
  return stackTemplate({ models, client: { detects: [models[0].id] } });
}

/**
 * A client as the README shows it: reads the running version from the parameter, keeps it for `cacheMs`, and calls
 * DetectCustomLabels with it. With `parameter` undefined it keeps calling the ARN it was configured with.
 */
class DetectingClient {
  public readonly failures: { at: number; arn: string; error: string }[] = [];
  public readonly successes: { at: number; arn: string }[] = [];
  private cached?: { arn: string; readAt: number };
  private readonly rekognition = new RekognitionClient({ region: REGION, maxAttempts: 1, credentials: { accessKeyId: CLIENT_KEY, secretAccessKey: 'client-secret-for-loopback-tests' } });
  private readonly ssm = new SSMClient({ region: REGION, maxAttempts: 1, credentials: { accessKeyId: CLIENT_KEY, secretAccessKey: 'client-secret-for-loopback-tests' } });

  constructor(private readonly cacheMs: number, private readonly configuredArn?: string) {}

  private async versionArn(now: number): Promise<string> {
    if (this.configuredArn) return this.configuredArn;
    if (!this.cached || now - this.cached.readAt >= this.cacheMs) {
      const out = await this.ssm.send(new GetParameterCommand({ Name: PARAMETER }));
      this.cached = { arn: out.Parameter!.Value!, readAt: now };
    }
    return this.cached.arn;
  }

  async call(): Promise<void> {
    const at = Date.now();
    let arn = '(parameter)';
    try {
      arn = await this.versionArn(at);
      await this.rekognition.send(new DetectCustomLabelsCommand({ ProjectVersionArn: arn, Image: { Bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) } }));
      this.successes.push({ at, arn });
    } catch (e) {
      this.failures.push({ at, arn, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  }
}

let w: World;
let stack: StackDeployment;

beforeEach(async () => {
  w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
  stack = new StackDeployment(w.cfn, undefined, w.ssm);
  stack.followRole(w.identity(CLIENT_KEY, `arn:aws:sts::${ACCOUNT}:assumed-role/WidgetsStack-Client/client`, []), 'Client');
});
afterEach(async () => {
  await w.stop();
});

/**
 * Calls every second for `minutes`, on the virtual clock, besides whatever the stack does meanwhile. From 30 s after
 * now: the new version is RUNNING a whole number of minutes after the update begins (the simulator's start time), so a
 * client whose cache turned over on the minute would read the parameter within milliseconds of its change.
 */
function callEverySecond(client: DetectingClient, minutes: number): number {
  const from = Date.now() + 30_000;
  for (let t = from; t <= from + minutes * MIN; t += 1000) w.cfn.schedule(t, () => client.call());
  return from + minutes * MIN;
}

/** A swap from v1 to v2 with a client calling throughout; returns what it saw and when things happened. */
async function swapWithClient(graceSeconds: number | undefined, client: DetectingClient) {
  const v1 = w.model('widgets.v1');
  const v2 = w.model('widgets.v2');
  expect((await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: v1, graceSeconds }]))).status).toBe('CREATE_COMPLETE');
  expect(w.ssm.get(PARAMETER)).toBe(v1);
  const end = callEverySecond(client, 25);
  const swap = await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: v2, graceSeconds }]));
  await w.cfn.drain(end);
  expect(swap.status).toBe('UPDATE_COMPLETE');
  expect(swap.answers.filter((a) => a.answer?.Status !== 'SUCCESS')).toEqual([]);
  expect(w.sim.status(v1).status).toBe('STOPPED');
  expect(w.sim.status(v2)).toMatchObject({ status: 'RUNNING', min: 2 });
  const published = w.ssm.changes.find((c) => c.name === PARAMETER && c.value === v2)!.at;
  const v1Stopping = w.sim.history(v1).find((h) => h.status === 'STOPPING')!.at;
  return { v1, v2, published, v1Stopping };
}

describe('a version swap no client notices', () => {
  test('a client that follows the parameter sees no failed call through a swap', async () => {
    const client = new DetectingClient(MIN);
    const { v1, v2, published, v1Stopping } = await swapWithClient(undefined, client);
    expect(client.failures).toEqual([]);
    // It called through the whole swap: the old version before the switch, the new one after.
    expect(client.successes.length).toBe(25 * 60 + 1);
    expect(client.successes.filter((s) => s.arn === v1).length).toBeGreaterThan(7 * 60);
    expect(client.successes.filter((s) => s.arn === v2).length).toBeGreaterThan(10 * 60);
    // The old version kept serving for the default grace period (5 minutes) after the parameter changed.
    expect(v1Stopping - published).toBeGreaterThanOrEqual(5 * MIN);
    expect(v1Stopping - published).toBeLessThan(5 * MIN + 10_000);
    expect(w.sim.calls.filter((c) => c.outcome === 'AccessDeniedException')).toEqual([]);
  });

  test('with no grace period a stale client fails', async () => {
    const client = new DetectingClient(MIN);
    const { v1, published, v1Stopping } = await swapWithClient(0, client);
    expect(v1Stopping - published).toBeLessThan(10_000);
    // Calls with the cached old ARN fail once it stops, until the cache expires: what the grace period prevents.
    expect(client.failures.length).toBeGreaterThan(0);
    expect(client.failures.every((f) => f.arn === v1 && f.error.startsWith('ResourceNotReadyException'))).toBe(true);
    expect(Math.max(...client.failures.map((f) => f.at)) - published).toBeLessThanOrEqual(MIN);
  });

  test('a client with the old ARN in its configuration fails once the grace period ends (the parameter is the way to follow a swap)', async () => {
    const v1Arn = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';
    const client = new DetectingClient(MIN, v1Arn);
    const { published, v1Stopping } = await swapWithClient(undefined, client);
    expect(client.failures.length).toBeGreaterThan(0);
    expect(Math.min(...client.failures.map((f) => f.at))).toBeGreaterThanOrEqual(v1Stopping);
    expect(v1Stopping - published).toBeGreaterThanOrEqual(5 * MIN);
  });

  test('the parameter changes only once the new version is RUNNING', async () => {
    const client = new DetectingClient(MIN);
    const { v2, published } = await swapWithClient(undefined, client);
    const v2Running = w.sim.history(v2).find((h) => h.status === 'RUNNING')!.at;
    expect(published).toBeGreaterThanOrEqual(v2Running);
    // Written once per version, and never with anything but the version that serves.
    expect(w.ssm.changes.filter((c) => c.name === PARAMETER).map((c) => c.value)).toEqual([expect.stringContaining('widgets.v1'), v2]);
    // What makes CloudFormation order it so: the parameter's value is the model resource's Ref.
    const t = Template.fromJSON(withClient([{ id: 'Widgets', projectVersionArn: v2 }]) as Record<string, unknown>);
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: PARAMETER, Type: 'String', Value: { Ref: 'Widgets3DFF681B' } });
    t.hasResource('Custom::RekognitionCustomLabelsModel', Match.objectLike({ Properties: Match.objectLike({ ProjectVersionArn: v2 }) }));
    expect(Object.keys(t.findResources('Custom::RekognitionCustomLabelsModel'))).toEqual(['Widgets3DFF681B']);
  });

  test('a removed model is stopped without a grace period', async () => {
    const a = w.model('widgets.v1');
    const b = w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets');
    await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: a }, { id: 'Gadgets', projectVersionArn: b, graceSeconds: 20 * 60 }]));
    const removedAt = Date.now();
    const outcome = await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: a }]));
    expect(outcome.status).toBe('UPDATE_COMPLETE');
    expect(w.sim.status(b).status).toBe('STOPPED');
    const stopping = w.sim.history(b).find((h) => h.status === 'STOPPING')!.at;
    expect(stopping - removedAt).toBeLessThan(10_000);
    expect(w.ssm.get('/rekognition-custom-labels/WidgetsStack/Gadgets/running-version')).toBeUndefined();
    expect(w.ssm.changes.map((c) => [c.name, c.value === undefined ? 'deleted' : 'written'])).toContainEqual(['/rekognition-custom-labels/WidgetsStack/Gadgets/running-version', 'deleted']);
  });

  test('a rollback stops the new version without a grace period', async () => {
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: v1, graceSeconds: 20 * 60 }]));
    const outcome = await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: v2, graceSeconds: 20 * 60 }]), { failElsewhereAfterSeconds: 0 });
    expect(outcome.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(w.sim.status(v1)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(w.sim.status(v2).status).toBe('STOPPED');
    const cleanup = w.cfn.sent.filter((r) => r.requestType === 'Delete').pop()!;
    const stopping = w.sim.history(v2).find((h) => h.status === 'STOPPING')!.at;
    expect(stopping - cleanup.sentAt).toBeLessThan(10_000);
    expect(w.ssm.get(PARAMETER)).toBe(v1);
    // The old version was never stopped: it served throughout.
    expect(w.sim.history(v1).filter((h) => h.status === 'STOPPING')).toEqual([]);
  });
});

/** The handler role's policies with cloudformation:DescribeStacks taken out: the stack's status cannot be read. */
function withoutDescribeStacks(t: CfnTemplate, stackId: string): PolicyDocument[] {
  return handlerPolicies(t, stackId).map((doc) => ({
    ...doc,
    Statement: (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).map((st) => {
      const actions = st.Action === undefined ? undefined : (Array.isArray(st.Action) ? st.Action : [st.Action]);
      return actions ? { ...st, Action: actions.filter((a) => a !== 'cloudformation:DescribeStacks') } : st;
    }).filter((st) => st.Action === undefined || st.Action.length > 0),
  }));
}

test('a replaced version whose stack status cannot be read stops at once: no grace, and the update completes', async () => {
  stack = new StackDeployment(w.cfn, withoutDescribeStacks, w.ssm);
  const v1 = w.model('widgets.v1');
  const v2 = w.model('widgets.v2');
  expect((await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: v1 }]))).status).toBe('CREATE_COMPLETE');
  const swap = await stack.deploy(withClient([{ id: 'Widgets', projectVersionArn: v2 }]));
  expect(swap.status).toBe('UPDATE_COMPLETE');
  expect(swap.dropped).toEqual([]);
  expect(swap.answers.filter((a) => a.answer?.Status !== 'SUCCESS')).toEqual([]);
  const cleanup = w.cfn.sent.filter((r) => r.requestType === 'Delete').pop()!;
  const stopping = w.sim.history(v1).find((h) => h.status === 'STOPPING')!.at;
  expect(stopping - cleanup.sentAt).toBeLessThan(10_000);
  expect(w.sim.status(v1).status).toBe('STOPPED');
  expect(w.sim.status(v2)).toMatchObject({ status: 'RUNNING', min: 2 });
});

describe('goalForDelete: the grace period applies only to a version an update replaced, in that update\'s cleanup', () => {
  const replaced = { owner: 'WidgetsStack/Widgets', request: 'r1', settled: 'r1', replaced: 'r2', graceSeconds: '300' };
  test.each([
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', replaced, 1000 + 300_000],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', replaced, undefined],
    ['DELETE_IN_PROGRESS', replaced, undefined],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', { ...replaced, replaced: undefined }, undefined],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', { ...replaced, graceSeconds: '0' }, undefined],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', { ...replaced, graceSeconds: 'soon' }, undefined],
    // A tag anyone with TagResource may edit never holds a model past the library's bound.
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', { ...replaced, graceSeconds: '86400' }, 1000 + 30 * MIN],
  ])('%s, %j: grace until %s', (status, record, graceUntil) => {
    for (const retain of record.replaced ? [false, true] : [false]) {
      expect(goalForDelete(retain, record, status, 1000)).toEqual(graceUntil === undefined ? { kind: 'stopped-and-released' } : { kind: 'stopped-and-released', graceUntil });
    }
  });
});
