// Issue 10, item 4: a stack runs models of its own account in any region. The handlers talk to the region in the
// model's ARN, and the ownership tag names the stack with its region there (a stack name is unique only within a
// region), under statements held to that form. Another account's model is refused at synth time when both are known,
// and at deploy time naming both otherwise. An imported model takes its account and region from its ARN, and its
// metrics read there.
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import { CustomLabelsModel } from '../lib';
import { GUARD_REGIONS } from '../lib/contract/resource-properties';
import { IamEnforcer, PolicyDocument, PolicyStatement } from './support/iam';
import { GuardCall, runStackGuard } from './support/scheduler';
import { StackDeployment } from './support/stack-deployment';
import { handlerPolicies, ModelDecl, synthModels } from './support/templates';
import { MIN } from './support/time';
import { props, World } from './support/world';
import { guardRegionsPhysicalId, regionsOfPhysicalId, rememberedRegions } from '../lambda/decisions/guard-regions';
import { guardVerdict, guardedRegions } from '../lambda/decisions/stack-guard';
import { onGuardRegionsEvent } from '../lambda/handlers/guard-regions';

const EAST = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';
const WEST = EAST.replace('us-east-1', 'eu-west-1');
const OTHER_ACCOUNT = EAST.replace('123456789012', '210987654321');

function stack(): Stack {
  return new Stack(new App(), 'WidgetsStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

describe('a model of another region than the stack\'s', () => {
  test('is accepted at synth time; another account\'s is refused, naming both', () => {
    expect(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: WEST, minInferenceUnits: 2 })).not.toThrow();
    expect(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: OTHER_ACCOUNT, minInferenceUnits: 2 }))
      .toThrow('WidgetsStack/Widgets: projectVersionArn: the model is in account 210987654321 and the stack in account 123456789012');
    // An env-agnostic stack cannot know: the deploy checks.
    expect(() => new CustomLabelsModel(new Stack(new App(), 'Agnostic'), 'Widgets', { projectVersionArn: OTHER_ACCOUNT, minInferenceUnits: 2 })).not.toThrow();
  });

  test('its metrics read its region, and a cost guard on it is refused, naming both regions', () => {
    const s = stack();
    const model = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: WEST, minInferenceUnits: 2 });
    expect(model.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(model.metricInServiceInferenceUnits().region).toBe('eu-west-1');
    expect(new CustomLabelsModel(s, 'East', { projectVersionArn: EAST, minInferenceUnits: 2 }).env.region).toBe('us-east-1');
    expect(() => new CustomLabelsModel(stack(), 'Guarded', { projectVersionArn: WEST, minInferenceUnits: 2, costGuard: {} }))
      .toThrow('WidgetsStack/Guarded: costGuard: the model is in eu-west-1 and the stack in us-east-1, and a CloudWatch alarm reads only the metrics of its own region');
  });

  describe('the role reaches it only under the owner value that names the stack with its region', () => {
    // The same-named stack of the model's region: its owner values are `WidgetsStack/...` there.
    const WEST_STACK = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/WidgetsStack/9a8b7c6d-0000-4000-8000-000000000002';
    const EAST_STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/WidgetsStack/9a8b7c6d-0000-4000-8000-000000000001';
    const roleOf = (stackId: string, region: string, models: ModelDecl[]) => {
      const role = new IamEnforcer(`arn:aws:sts::123456789012:assumed-role/${region}-HandlerRole/handler`);
      role.setPolicies(handlerPolicies(synthModels('WidgetsStack', models, {}, region), stackId));
      return role;
    };
    const request = (action: string, owner: string | undefined, requestOwner?: string) => ({
      action: `rekognition:${action}`,
      resource: WEST,
      context: {
        'aws:RequestedRegion': 'eu-west-1',
        ...(owner === undefined ? {} : { 'aws:ResourceTag/cdk-custom-labels:owner': owner }),
        ...(requestOwner === undefined ? {} : { 'aws:RequestTag/cdk-custom-labels:owner': requestOwner, 'aws:TagKeys': ['cdk-custom-labels:owner'] }),
      },
    });
    const allowed = async (role: IamEnforcer, r: ReturnType<typeof request>) => (await role.authorize(r)).allowed;

    test('the us-east-1 stack may start and claim it while it declares it, and stop it under its own owner value', async () => {
      const declaring = roleOf(EAST_STACK, 'us-east-1', [{ id: 'Widgets', projectVersionArn: WEST }]);
      expect(await allowed(declaring, request('StartProjectVersion', undefined))).toBe(true);
      expect(await allowed(declaring, request('TagResource', undefined, 'WidgetsStack@us-east-1/Widgets'))).toBe(true);
      // Stopping needs no declaration (a cleanup runs under a policy that no longer names the model).
      const empty = roleOf(EAST_STACK, 'us-east-1', [{ id: 'Other', projectVersionArn: EAST }]);
      expect(await allowed(empty, request('StopProjectVersion', 'WidgetsStack@us-east-1/Widgets'))).toBe(true);
      expect(await allowed(empty, request('UntagResource', 'WidgetsStack@us-east-1/Widgets'))).toBe(true);
      // Not the eu-west-1 stack's model, whose owner value is the plain name there.
      expect(await allowed(empty, request('StopProjectVersion', 'WidgetsStack/Widgets'))).toBe(false);
      expect(await allowed(declaring, request('StartProjectVersion', 'WidgetsStack/Widgets'))).toBe(false);
      expect(await allowed(declaring, request('TagResource', undefined, 'WidgetsStack/Widgets'))).toBe(false);
    });

    test('the same-named stack of the model\'s region can neither stop, claim nor start it', async () => {
      const declaring = roleOf(WEST_STACK, 'eu-west-1', [{ id: 'Widgets', projectVersionArn: WEST }]);
      const owner = 'WidgetsStack@us-east-1/Widgets';
      expect(await allowed(declaring, request('StopProjectVersion', owner))).toBe(false);
      expect(await allowed(declaring, request('StartProjectVersion', owner))).toBe(false);
      expect(await allowed(declaring, request('TagResource', owner, 'WidgetsStack/Widgets'))).toBe(false);
      expect(await allowed(declaring, request('UntagResource', owner))).toBe(false);
      // Its own model of that region it may stop, as before.
      expect(await allowed(declaring, request('StopProjectVersion', 'WidgetsStack/Widgets'))).toBe(true);
      // And its guard leaves the other stack's model alone.
      const verdict = guardVerdict({ stackName: 'WidgetsStack', ownerStack: 'WidgetsStack', stackStatus: 'UPDATE_COMPLETE', declared: [], versionArn: WEST, record: { owner }, now: 0 });
      expect(verdict).toEqual({ kind: 'leave', reason: 'not owned by this stack' });
    });

    test('the guard looks in the stack\'s region, those it remembers and those of the models it declares', () => {
      const regionsOf = (...args: Parameters<typeof guardedRegions>): string[] => guardedRegions(...args).map((r) => r.region);
      expect(regionsOf('us-east-1', [{ physicalId: WEST }, { physicalId: EAST }, { physicalId: WEST }, { physicalId: 'not-an-arn' }, {}])).toEqual(['us-east-1', 'eu-west-1']);
      expect(regionsOf('us-east-1', [{ physicalId: EAST }], ['us-east-1', 'ap-northeast-1', ''])).toEqual(['us-east-1', 'ap-northeast-1']);
      // Only a region that neither the stack nor a declared model is in counts as remembered only.
      expect(guardedRegions('us-east-1', [{ physicalId: WEST }], ['eu-west-1', 'ap-northeast-1'])).toEqual([
        { region: 'us-east-1', rememberedOnly: false }, { region: 'eu-west-1', rememberedOnly: false }, { region: 'ap-northeast-1', rememberedOnly: true }]);
    });

    test('the guard regions resource never forgets a region while the stack lives', () => {
      const created = rememberedRegions('us-east-1', undefined, [EAST, WEST]);
      expect(created).toEqual(['us-east-1', 'eu-west-1']);
      const id = guardRegionsPhysicalId(created);
      expect(regionsOfPhysicalId(id)).toEqual(created);
      // An update that declares no model of eu-west-1 keeps it, and adds a new region in order.
      expect(rememberedRegions('us-east-1', id, [EAST])).toEqual(['us-east-1', 'eu-west-1']);
      expect(rememberedRegions('us-east-1', id, [EAST.replace('us-east-1', 'ap-northeast-1')])).toEqual(['us-east-1', 'ap-northeast-1', 'eu-west-1']);
      // A physical id CloudFormation made up (an abandoned create) remembers nothing.
      expect(regionsOfPhysicalId('WidgetsStack-GuardRegions-ABC123')).toEqual([]);
    });

    test('the guard regions resource answers each request type', () => {
      const base = { ServiceToken: 'token', ResponseURL: 'https://example.invalid', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/WidgetsStack/1', RequestId: 'r', LogicalResourceId: 'GuardRegions', ResourceType: GUARD_REGIONS.resourceType };
      const properties = (arns: unknown) => ({ ServiceToken: 'token', [GUARD_REGIONS.versionArns]: JSON.stringify(arns) });
      const created = onGuardRegionsEvent({ ...base, RequestType: 'Create', ResourceProperties: properties([WEST]) });
      expect([created.PhysicalResourceId, created.Data]).toEqual(['guard-regions:us-east-1,eu-west-1', { Regions: 'us-east-1,eu-west-1' }]);
      // An update from an id CloudFormation made up (the framework's for a failed create) starts afresh.
      const update = (physicalId: string, arns: unknown) => onGuardRegionsEvent({ ...base, RequestType: 'Update', PhysicalResourceId: physicalId, ResourceProperties: properties(arns), OldResourceProperties: properties([]) });
      expect(update('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', [EAST]).Data).toEqual({ Regions: 'us-east-1' });
      expect(update(created.PhysicalResourceId, [EAST]).Data).toEqual({ Regions: 'us-east-1,eu-west-1' });
      // A Delete keeps the id it was given (the framework refuses another) and calls nothing.
      expect(onGuardRegionsEvent({ ...base, RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: properties([WEST]) }).PhysicalResourceId).toBe(created.PhysicalResourceId);
      expect(() => update(created.PhysicalResourceId, { not: 'a list' })).toThrow(`${GUARD_REGIONS.versionArns} must be a JSON list of version ARNs, got {"not":"a list"}`);
      expect(() => onGuardRegionsEvent({ ...base, RequestType: 'Create', ResourceProperties: { ServiceToken: 'token', [GUARD_REGIONS.versionArns]: 'not json' } })).toThrow('got not json');
    });
  });

  describe('deployed, under the policy CloudFormation has in force', () => {
    let w: World;
    let deployment: StackDeployment;
    beforeEach(async () => {
      w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
      deployment = new StackDeployment(w.cfn);
    });
    afterEach(async () => {
      await w.stop();
    });
    const deploy = (models: ModelDecl[]) => deployment.deploy(synthModels(w.cfn.stackName, models));
    const westModel = (version: string) => w.sim.addVersion(w.sim.addProject('widgets', 'eu-west-1'), version);
    /** Calls that went to a region's endpoint that does not hold their resource, and calls IAM refused. */
    const misdirected = () => w.sim.calls.filter((c) => c.outcome === 'ResourceNotFoundException' || c.outcome === 'AccessDeniedException');

    test('a model in eu-west-1 from a stack in us-east-1: RUNNING with its units, then new units, then STOPPED by the destroy', async () => {
      const west = westModel('widgets.v1');
      expect(west.split(':')[3]).toBe('eu-west-1');
      expect((await deploy([{ id: 'Widgets', projectVersionArn: west, minInferenceUnits: 2, maxInferenceUnits: 4 }])).status).toBe('CREATE_COMPLETE');
      expect(w.sim.status(west)).toMatchObject({ status: 'RUNNING', min: 2, max: 4 });
      expect(w.sim.status(west).tags['cdk-custom-labels:owner']).toMatch(new RegExp(`^${w.cfn.stackName}@us-east-1/Widgets[0-9A-F]{8}$`));
      expect((await deploy([{ id: 'Widgets', projectVersionArn: west, minInferenceUnits: 3 }])).status).toBe('UPDATE_COMPLETE');
      expect(w.sim.status(west)).toMatchObject({ status: 'RUNNING', min: 3, max: undefined });
      expect((await deployment.destroy()).status).toBe('DELETE_COMPLETE');
      expect(w.sim.status(west)).toMatchObject({ status: 'STOPPED', tags: {} });
      expect(misdirected()).toEqual([]);
    });

    test('a swap from the stack\'s region to another, then the model\'s removal: each old version is stopped', async () => {
      const east = w.model('widgets.v1');
      const west = westModel('widgets.v2');
      await deploy([{ id: 'Widgets', projectVersionArn: east }]);
      const swap = await deploy([{ id: 'Widgets', projectVersionArn: west, graceSeconds: 0 }]);
      expect([swap.status, swap.dropped]).toEqual(['UPDATE_COMPLETE', []]);
      expect(w.sim.status(east)).toMatchObject({ status: 'STOPPED', tags: {} });
      expect(w.sim.status(west)).toMatchObject({ status: 'RUNNING', min: 2 });
      // The removal's cleanup runs under a policy that names no model of eu-west-1.
      const removal = await deploy([{ id: 'Other', projectVersionArn: w.model('gadgets.v1', 'TRAINING_COMPLETED', 'gadgets') }]);
      expect([removal.status, removal.dropped]).toEqual(['UPDATE_COMPLETE', []]);
      expect(w.sim.status(west)).toMatchObject({ status: 'STOPPED', tags: {} });
      expect(misdirected()).toEqual([]);
    });

    // A Deny on StopProjectVersion makes a removal's cleanup leave its model running, for the guard to find.
    const DENY_STOP: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'rekognition:StopProjectVersion', Resource: '*' } as PolicyStatement] };

    /** Lifts DENY_STOP (if added), runs the stack guard every 5 minutes for 15 minutes, and returns its calls, none failed. */
    async function runGuardQuarterHour(): Promise<GuardCall[]> {
      w.cfn.clearExtraPolicies();
      const liftedAt = w.clock.now;
      const calls = runStackGuard(w.cfn, w.handlers.onGuard, liftedAt + 5 * MIN, liftedAt + 20 * MIN);
      await w.cfn.drain(liftedAt + 21 * MIN);
      expect(calls.filter((c) => c.error)).toEqual([]);
      return calls;
    }

    test('the stack guard stops a model of another region that the stack no longer declares', async () => {
      const w1 = westModel('widgets.v1');
      const w2 = westModel('widgets.v2');
      await deploy([{ id: 'Widgets', projectVersionArn: w1 }, { id: 'Gadgets', projectVersionArn: w2 }]);
      w.cfn.addPolicy(DENY_STOP);
      const removal = await deploy([{ id: 'Gadgets', projectVersionArn: w2 }]);
      expect(removal.dropped).toEqual([w1]);
      expect(w.sim.status(w1).status).toBe('RUNNING');
      const calls = await runGuardQuarterHour();
      expect(calls[0].stopping).toEqual([w1]);
      expect(w.sim.status(w1).status).toBe('STOPPED');
      expect(w.sim.status(w2)).toMatchObject({ status: 'RUNNING', min: 2 });
    });

    test('the stack guard stops a model of a region the stack no longer declares any model in', async () => {
      const east = w.model('widgets.v1');
      const west = westModel('gadgets.v1');
      await deploy([{ id: 'Widgets', projectVersionArn: east }, { id: 'Gadgets', projectVersionArn: west }]);
      expect(w.cfn.guardRegions).toBe('us-east-1,eu-west-1');
      w.cfn.addPolicy(DENY_STOP);
      const removal = await deploy([{ id: 'Widgets', projectVersionArn: east }]);
      expect(removal.dropped).toEqual([west]);
      // The template names no model of eu-west-1 any more; the guard regions resource still remembers the region.
      expect(w.cfn.guardRegions).toBe('us-east-1,eu-west-1');
      const calls = await runGuardQuarterHour();
      expect(calls[0].stopping).toEqual([west]);
      expect(w.sim.status(west).status).toBe('STOPPED');
      expect(w.sim.status(east)).toMatchObject({ status: 'RUNNING', min: 2 });
    });

    test('the stack guard skips a region it only remembers once the account cannot use it, and fails for a declared one', async () => {
      const east = w.model('widgets.v1');
      const west = westModel('gadgets.v1');
      await deploy([{ id: 'Widgets', projectVersionArn: east }, { id: 'Gadgets', projectVersionArn: west }]);
      await deploy([{ id: 'Widgets', projectVersionArn: east }]);
      expect(w.sim.status(west).status).toBe('STOPPED');
      expect(w.cfn.guardRegions).toBe('us-east-1,eu-west-1');
      // eu-west-1 is disabled for the account (as an opt-in region can be): the guard cannot list there, ever again.
      w.sim.disabledRegions.add('eu-west-1');
      const skipping = await runGuardQuarterHour();
      expect(skipping.map((c) => c.reason)).toEqual(Array(4).fill('nothing to stop; skipped eu-west-1, which this account cannot use'));
      expect(w.sim.calls.filter((c) => c.outcome === 'UnrecognizedClientException').length).toBe(4);
      // A region a declared model is in is no such leftover: there the same refusal fails the run, for the alarm.
      const west2 = westModel('gadgets.v2');
      w.sim.disabledRegions.delete('eu-west-1');
      await deploy([{ id: 'Widgets', projectVersionArn: east }, { id: 'Gadgets', projectVersionArn: west2 }]);
      w.sim.disabledRegions.add('eu-west-1');
      const liftedAt = w.clock.now;
      const failing = runStackGuard(w.cfn, w.handlers.onGuard, liftedAt + 5 * MIN, liftedAt + 5 * MIN);
      await w.cfn.drain(liftedAt + 6 * MIN);
      expect(failing).toEqual([expect.objectContaining({ error: expect.stringContaining('The stack guard could not list the models of eu-west-1: UnrecognizedClientException') })]);
    });

    test('the scheduled path reaches a model of another region under the same owner value', async () => {
      const west = westModel('widgets.v1');
      await deploy([{ id: 'Widgets', projectVersionArn: west }]);
      // Stopped by hand: the model runs all the time, so a pass starts it again, as the deploy's owner.
      w.sim.externalStop(west);
      w.clock.advanceTo(w.clock.now + 3 * MIN);
      expect(w.sim.status(west).status).toBe('STOPPED');
      const owner = w.sim.status(west).tags['cdk-custom-labels:owner'];
      const properties = props(west, 2) as Record<string, string>;
      const logicalId = owner.split('/')[1];
      const pass = await w.cfn.asHandler(() => w.handlers.onSchedule({ model: { properties, stackName: w.cfn.stackName, logicalId } }));
      expect(pass.converged).toBe(false);
      expect(w.sim.status(west)).toMatchObject({ status: 'STARTING', min: 2 });
      expect(w.sim.status(west).tags['cdk-custom-labels:owner']).toBe(`${w.cfn.stackName}@us-east-1/${logicalId}`);
      expect(misdirected()).toEqual([]);
    });
  });

  describe('at deploy time (a token ARN, an env-agnostic stack)', () => {
    let w: World;
    beforeEach(async () => {
      w = await new World().start();
    });
    afterEach(async () => {
      await w.stop();
    });

    const create = (versionArn: string): CloudFormationCustomResourceCreateEvent => ({
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent',
      ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/unused',
      StackId: w.cfn.stackId,
      RequestId: 'b1b1b1b1-0000-4000-8000-000000000001',
      LogicalResourceId: 'Widgets',
      ResourceType: 'Custom::RekognitionCustomLabelsModel',
      ResourceProperties: { ServiceToken: 'unused', ...(props(versionArn, 2) as Record<string, string>) },
    });

    test('another account\'s model is refused by onEvent, naming both, before any call', async () => {
      const handlers = w.handlers as { onEvent(e: CloudFormationCustomResourceCreateEvent): Promise<unknown> };
      await expect(handlers.onEvent(create(OTHER_ACCOUNT))).rejects.toThrow(`${OTHER_ACCOUNT}: the model is in account 210987654321 and the stack in account 123456789012`);
      expect(w.sim.calls).toEqual([]);
    });

    test('the rollback\'s delete of such a model succeeds without a call: it was never started', async () => {
      const handlers = w.handlers as { onEvent(e: unknown): Promise<{ CustomLabels: { skip?: string } }> };
      const answer = await handlers.onEvent({ ...create(OTHER_ACCOUNT), RequestType: 'Delete', PhysicalResourceId: 'made-up-by-cloudformation' });
      expect(answer.CustomLabels.skip).toContain('the model is in account 210987654321 and the stack in account 123456789012');
      expect(w.sim.calls).toEqual([]);
    });

    test('a model of the stack\'s own account and region is not', async () => {
      const v = w.model('widgets.v1');
      const answer = await w.cfn.settle(w.cfn.create('Widgets', props(v, 2)));
      expect(answer?.Status).toBe('SUCCESS');
    });
  });
});

describe('an imported model', () => {
  test('takes its account and region from the ARN', () => {
    const s = stack();
    const m = CustomLabelsModel.fromProjectVersionArn(s, 'Shared', WEST.replace('123456789012', '210987654321'));
    expect(m.env).toEqual({ account: '210987654321', region: 'eu-west-1' });
    expect(CustomLabelsModel.fromProjectVersionArn(s, 'Local', EAST).env).toEqual({ account: '123456789012', region: 'us-east-1' });
  });

  test('its metrics read its region and account where they are not the stack\'s', () => {
    const s = stack();
    const west = CustomLabelsModel.fromProjectVersionArn(s, 'West', WEST.replace('123456789012', '210987654321')).metricInServiceInferenceUnits();
    expect([west.region, west.account]).toEqual(['eu-west-1', '210987654321']);
    const east = CustomLabelsModel.fromProjectVersionArn(s, 'East', EAST).metricInServiceInferenceUnits();
    expect([east.region, east.account]).toEqual(['us-east-1', '123456789012']); // the stack's, as attachTo() gives every metric
    // A dashboard widget renders the region, so a dashboard in us-east-1 graphs the model in eu-west-1.
    const dashboard = new cloudwatch.Dashboard(s, 'Dashboard');
    dashboard.addWidgets(new cloudwatch.GraphWidget({ left: [west] }));
    const body = JSON.stringify(s.resolve((dashboard.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody));
    expect(body).toContain('\\"region\\":\\"eu-west-1\\"');
    expect(body).toContain('\\"accountId\\":\\"210987654321\\"');
  });

  test('a token ARN leaves the stack\'s environment', () => {
    const s = stack();
    const arn = new CfnParameter(s, 'Arn').valueAsString;
    const m = CustomLabelsModel.fromProjectVersionArn(s, 'Param', arn);
    expect(m.env).toEqual({ account: '123456789012', region: 'us-east-1' });
    expect(m.metricInServiceInferenceUnits().region).toBe('us-east-1');
  });
});
