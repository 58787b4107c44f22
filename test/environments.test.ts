// Issue 10, item 4: a stack runs models of its own account and region (its role, clients, ownership tag and guard all
// act there): another's is refused at synth time when both are known, and at deploy time naming both otherwise. An
// imported model takes its account and region from its ARN, and its metrics read there.
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import { CustomLabelsModel } from '../lib';
import { props, World } from './support/world';

const EAST = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';
const WEST = EAST.replace('us-east-1', 'eu-west-1');
const OTHER_ACCOUNT = EAST.replace('123456789012', '210987654321');

function stack(): Stack {
  return new Stack(new App(), 'WidgetsStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

describe('a model of another account or region', () => {
  test('is refused at synth time when both are known, naming both', () => {
    expect(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: WEST, minInferenceUnits: 2 }))
      .toThrow('WidgetsStack/Widgets: projectVersionArn: the model is in eu-west-1 and the stack in us-east-1: a stack runs only models of its own region; declare it in a stack whose env has region eu-west-1');
    expect(() => new CustomLabelsModel(stack(), 'Widgets', { projectVersionArn: OTHER_ACCOUNT, minInferenceUnits: 2 }))
      .toThrow('WidgetsStack/Widgets: projectVersionArn: the model is in account 210987654321 and the stack in account 123456789012');
    // An env-agnostic stack cannot know: the deploy checks.
    expect(() => new CustomLabelsModel(new Stack(new App(), 'Agnostic'), 'Widgets', { projectVersionArn: WEST, minInferenceUnits: 2 })).not.toThrow();
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

    test.each([
      [WEST, 'the model is in eu-west-1 and the stack in us-east-1'],
      [OTHER_ACCOUNT, 'the model is in account 210987654321 and the stack in account 123456789012'],
    ])('%s is refused by onEvent, naming both, before any call', async (arn, message) => {
      const handlers = w.handlers as { onEvent(e: CloudFormationCustomResourceCreateEvent): Promise<unknown> };
      await expect(handlers.onEvent(create(arn))).rejects.toThrow(`${arn}: ${message}`);
      expect(w.sim.calls).toEqual([]);
    });

    test('the rollback\'s delete of such a model succeeds without a call: it was never started', async () => {
      const handlers = w.handlers as { onEvent(e: unknown): Promise<{ CustomLabels: { skip?: string } }> };
      const answer = await handlers.onEvent({ ...create(WEST), RequestType: 'Delete', PhysicalResourceId: 'made-up-by-cloudformation' });
      expect(answer.CustomLabels.skip).toContain('the model is in eu-west-1 and the stack in us-east-1');
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
