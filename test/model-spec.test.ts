// The handler's reading of the custom resource's properties, which CloudFormation delivers as strings.
import { ownerOf } from '../lib/contract/tags';
import { parseModelSpec } from '../lambda/model-spec';

const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000';

test('strings become numbers and flags', () => {
  expect(parseModelSpec({ ProjectVersionArn: ARN, MinInferenceUnits: '2', MaxInferenceUnits: '5', RemovalPolicy: 'retain', TimeoutSeconds: '1800' })).toEqual({
    projectVersionArn: ARN,
    projectName: 'widgets',
    versionName: 'widgets.2026-01-05T10.00.00',
    projectArn: undefined,
    minInferenceUnits: 2,
    maxInferenceUnits: 5,
    retainOnDelete: true,
    timeoutSeconds: 1800,
    windows: undefined,
    tags: {},
    replacementGraceSeconds: 300,
  });
});

test('the HoldParameterName property: the hold parameter the passes read; absent or empty, no holds', () => {
  expect(parseModelSpec({ ProjectVersionArn: ARN, HoldParameterName: '/ops/widgets/hold' }).holdParameterName).toBe('/ops/widgets/hold');
  expect(parseModelSpec({ ProjectVersionArn: ARN }).holdParameterName).toBeUndefined();
  expect(parseModelSpec({ ProjectVersionArn: ARN, HoldParameterName: '' }).holdParameterName).toBeUndefined();
});

test('the Tags property: a JSON object of the user\'s tags', () => {
  expect(parseModelSpec({ ProjectVersionArn: ARN, Tags: '{"CostCenter":"42","App":"shop"}' }).tags).toEqual({ CostCenter: '42', App: 'shop' });
});

test('defaults: one unit, no autoscaling, destroy, 55 minutes, a 5-minute grace period for a replaced version', () => {
  expect(parseModelSpec({ ProjectVersionArn: ARN })).toMatchObject({ minInferenceUnits: 1, maxInferenceUnits: undefined, retainOnDelete: false, timeoutSeconds: 3300, replacementGraceSeconds: 300 });
});

test('the grace period: seconds from 0 to 1800', () => {
  expect(parseModelSpec({ ProjectVersionArn: ARN, ReplacementGracePeriodSeconds: '0' }).replacementGraceSeconds).toBe(0);
  expect(parseModelSpec({ ProjectVersionArn: ARN, ReplacementGracePeriodSeconds: '1800' }).replacementGraceSeconds).toBe(1800);
});

test.each([
  [{ ProjectVersionArn: 'arn:aws:s3:::bucket' }, 'ProjectVersionArn must be a Rekognition project version ARN'],
  [{ ProjectVersionArn: ARN, MinInferenceUnits: '0' }, 'MinInferenceUnits must be an integer >= 1, got "0"'],
  [{ ProjectVersionArn: ARN, MinInferenceUnits: '1.5' }, 'MinInferenceUnits must be an integer >= 1, got "1.5"'],
  [{ ProjectVersionArn: ARN, MinInferenceUnits: 'true' }, 'MinInferenceUnits must be an integer >= 1, got "true"'],
  [{ ProjectVersionArn: ARN, MinInferenceUnits: '3', MaxInferenceUnits: '2' }, 'MaxInferenceUnits (2) must be >= MinInferenceUnits (3)'],
  [{ ProjectVersionArn: ARN, RemovalPolicy: 'snapshot' }, 'RemovalPolicy must be "destroy" or "retain", got "snapshot"'],
  [{ ProjectVersionArn: ARN, TimeoutSeconds: '7200' }, 'TimeoutSeconds must be an integer from 60 to 3300, got "7200"'],
  [{ ProjectVersionArn: ARN, ReplacementGracePeriodSeconds: '1801' }, 'ReplacementGracePeriodSeconds must be an integer from 0 to 1800, got "1801"'],
  [{ ProjectVersionArn: ARN, ReplacementGracePeriodSeconds: '-1' }, 'ReplacementGracePeriodSeconds must be an integer from 0 to 1800, got "-1"'],
  [{ ProjectVersionArn: ARN, ProjectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/other/1' }, 'is not the project of'],
  [{ ProjectVersionArn: ARN, Tags: '["CostCenter"]' }, 'Tags must be a JSON object of string values'],
  [{ ProjectVersionArn: ARN, Tags: '{"cdk-custom-labels:owner":"x"}' }, 'Tags may not set the library\'s own tags (cdk-custom-labels:owner)'],
])('%o is refused: %s', (props, message) => {
  expect(() => parseModelSpec(props)).toThrow(message);
});

test('the owner is the stack name and logical id, within the tag value limit', () => {
  expect(ownerOf('arn:aws:cloudformation:us-east-1:123456789012:stack/WidgetsStack/0f1e2d3c', 'Widgets1A2B3C', ARN)).toBe('WidgetsStack/Widgets1A2B3C');
  const long = ownerOf(`arn:aws:cloudformation:us-east-1:123456789012:stack/${'S'.repeat(128)}/id`, 'L'.repeat(255), ARN);
  expect(long.length).toBe(256);
  expect(long).toMatch(/^S{128}\/L+\/[0-9a-f]{16}$/);
});

test('on a model of another region the owner names the stack with its region: a stack name is unique only within one', () => {
  const west = ARN.replace('us-east-1', 'eu-west-1');
  expect(ownerOf('arn:aws:cloudformation:us-east-1:123456789012:stack/WidgetsStack/0f1e2d3c', 'Widgets1A2B3C', west)).toBe('WidgetsStack@us-east-1/Widgets1A2B3C');
  // The same-named stack of the model's region owns its models under the plain name: the two never meet.
  expect(ownerOf('arn:aws:cloudformation:eu-west-1:123456789012:stack/WidgetsStack/9a8b7c6d', 'Widgets1A2B3C', west)).toBe('WidgetsStack/Widgets1A2B3C');
});
