// Issue 10, item 2: the tags of Tags.of() and of the tags prop reach the project version (the thing that bills), are
// kept in sync on update and removed on release, under IAM that lets the role write exactly those keys besides the
// library's own. Deployed template by template in CloudFormation's order, IAM enforced as each phase's template says.
import { App, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomLabelsModel } from '../lib';
import { IamEnforcer, rolePolicies } from './support/iam';
import { StackDeployment } from './support/stack-deployment';
import { ACCOUNT, ModelDecl, synthModels } from './support/templates';
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

function deploy(models: ModelDecl[], stackTags: Record<string, string>) {
  return stack.deploy(synthModels(w.cfn.stackName, models, stackTags));
}

const denials = () => w.sim.calls.filter((c) => c.outcome === 'AccessDeniedException').map((c) => `${c.operation} ${c.target}`);
/** The model's tags but the library's ownership record. */
const userTags = (arn: string) => Object.fromEntries(Object.entries(w.sim.status(arn).tags).filter(([k]) => !k.startsWith('cdk-custom-labels:')));

describe('tags reach the model', () => {
  test('the model carries the stack\'s tags after create and after a tag change', async () => {
    const v1 = w.model('widgets.v1');
    const created = await deploy([{ id: 'Widgets', projectVersionArn: v1, tags: { App: 'shop' } }], { CostCenter: 'cc-1', Team: 'vision' });
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(userTags(v1)).toEqual({ App: 'shop', CostCenter: 'cc-1', Team: 'vision' });

    // A value changed, a key dropped: the same version, so only the tags change (no restart).
    const changed = await deploy([{ id: 'Widgets', projectVersionArn: v1, tags: { App: 'shop' } }], { CostCenter: 'cc-2' });
    expect(changed.status).toBe('UPDATE_COMPLETE');
    expect(userTags(v1)).toEqual({ App: 'shop', CostCenter: 'cc-2' });
    expect(w.sim.history(v1).filter((h) => h.status === 'STOPPING')).toEqual([]);
    expect(w.sim.status(v1)).toMatchObject({ status: 'RUNNING', min: 2 });
    expect(denials()).toEqual([]);
  });

  test('a swapped-out version and a destroyed stack lose the tags with the ownership record', async () => {
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    await deploy([{ id: 'Widgets', projectVersionArn: v1 }], { CostCenter: 'cc-1' });
    // The swap also drops a key: the cleanup delete of v1 runs under a policy that no longer names CostCenter.
    const swap = await deploy([{ id: 'Widgets', projectVersionArn: v2 }], { Owner: 'vision' });
    expect(swap.status).toBe('UPDATE_COMPLETE');
    expect(swap.dropped).toEqual([]);
    expect(w.sim.status(v1)).toMatchObject({ status: 'STOPPED', tags: {} });
    expect(userTags(v2)).toEqual({ Owner: 'vision' });
    const destroyed = await stack.destroy();
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(w.sim.status(v2)).toMatchObject({ status: 'STOPPED', tags: {} });
    expect(denials()).toEqual([]);
  });
});

describe('tags under IAM', () => {
  const arn = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';
  const stackId = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/WidgetsStack/6f1d7c3e-0000-4000-8000-000000000002`;

  function enforcer(): IamEnforcer {
    const s = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: 'us-east-1' } });
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: arn, minInferenceUnits: 2, tags: { App: 'shop' } });
    Tags.of(s).add('CostCenter', 'cc-1');
    const e = new IamEnforcer(`arn:aws:sts::${ACCOUNT}:assumed-role/WidgetsStack-HandlerRole/handler`);
    e.setPolicies(rolePolicies(Template.fromStack(s).toJSON(), 'RekognitionCustomLabelsProviderHandlerRole',
      { accountId: ACCOUNT, region: 'us-east-1', partition: 'aws', stackName: 'WidgetsStack', stackId }));
    return e;
  }
  const ownedBy = (owner: string | undefined): Record<string, string> => (owner ? { 'aws:ResourceTag/cdk-custom-labels:owner': owner } : {});

  test('tag writes: the library\'s keys and exactly the keys the model\'s tags use', async () => {
    const e = enforcer();
    const tag = (tags: Record<string, string>, owner?: string) => e.authorize({
      action: 'rekognition:TagResource',
      resource: arn,
      context: { 'aws:RequestedRegion': 'us-east-1', ...ownedBy(owner), ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(tags) },
    });
    expect((await tag({ 'cdk-custom-labels:owner': 'WidgetsStack/Widgets', App: 'shop', CostCenter: 'cc-1' })).allowed).toBe(true);
    expect((await tag({ CostCenter: 'cc-2' }, 'WidgetsStack/Widgets')).allowed).toBe(true);
    expect((await tag({ Other: 'x' }, 'WidgetsStack/Widgets')).allowed).toBe(false);
    expect((await tag({ 'cdk-custom-labels:owner': 'WidgetsStack/Widgets', Other: 'x' })).allowed).toBe(false);
  });

  test('tag removal: any key of a model this stack owns, only the library\'s keys otherwise', async () => {
    const e = enforcer();
    const untag = (keys: string[], owner?: string) => e.authorize({ action: 'rekognition:UntagResource', resource: arn, context: { ...ownedBy(owner), 'aws:TagKeys': keys } });
    expect((await untag(['Dropped'], 'WidgetsStack/Old')).allowed).toBe(true);
    expect((await untag(['Dropped'], 'OtherStack/Widgets')).allowed).toBe(false);
    expect((await untag(['Dropped'])).allowed).toBe(false); // nobody's model: its tags are not ours to remove
    expect((await untag(['cdk-custom-labels:request'])).allowed).toBe(true); // a retried release
  });
});

describe('tags at synth', () => {
  test('a tag Rekognition would refuse fails synth naming it and how to keep it off the model', () => {
    const app = new App();
    const s = new Stack(app, 'WidgetsStack');
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/v1/1', minInferenceUnits: 2 });
    Tags.of(s).add('Cost*Center', 'x');
    expect(() => app.synth()).toThrow(/tag "Cost\*Center": Rekognition takes keys of 1 to 128 letters.*excludeResourceTypes: \['Custom::RekognitionCustomLabelsModel'\]/);
  });

  test('the library\'s own prefix is refused in the tags prop', () => {
    const app = new App();
    const s = new Stack(app, 'WidgetsStack');
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/v1/1', minInferenceUnits: 2, tags: { 'cdk-custom-labels:owner': 'me' } });
    expect(() => app.synth()).toThrow(/tag "cdk-custom-labels:owner": keys beginning with cdk-custom-labels: are the library's own/);
  });

  test('a model without tags has no Tags property, and Tags.of() with excludeResourceTypes keeps a tag off it', () => {
    const s = new Stack(new App(), 'WidgetsStack');
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/v1/1', minInferenceUnits: 2 });
    Tags.of(s).add('Cost Center', 'x', { excludeResourceTypes: ['Custom::RekognitionCustomLabelsModel'] });
    const model = Object.values(Template.fromStack(s).findResources('Custom::RekognitionCustomLabelsModel'))[0] as { Properties: Record<string, unknown> };
    expect(model.Properties.Tags).toBeUndefined();
  });
});
