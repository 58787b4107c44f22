// Issue 10, item 6: the log groups of every function and state machine the library creates, the Provider
// framework's included, take the handlerLogs options.
import * as fs from 'fs';
import * as path from 'path';
import { App, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BatchWindows, CustomLabelsModel, CustomLabelsModelProps, WeekDay, WeeklyTime } from '../lib';

const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000';
const OTHER = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-02-02T09.00.00/1770022800000';

function stack(): Stack {
  return new Stack(new App(), 'WidgetsStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** A stack with every kind of function and state machine the library makes: handlers, guard, scheduled path, framework. */
function everything(s: Stack, props: Partial<CustomLabelsModelProps>): void {
  new CustomLabelsModel(s, 'Widgets', {
    projectVersionArn: ARN,
    minInferenceUnits: 2,
    batchWindows: BatchWindows.weekly({
      timeZone: TimeZone.EUROPE_BERLIN,
      windows: [{ start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18) }],
    }),
    ...props,
  });
}

type Resources = Record<string, { Properties: Record<string, unknown>; DeletionPolicy?: string }>;

/** Every log group a function or state machine of the template logs to, by logical id. */
function logGroupsInUse(t: Template): string[] {
  const ref = (v: unknown): string => {
    const r = v as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    const id = r.Ref ?? r['Fn::GetAtt']?.[0];
    if (id === undefined) throw new Error(`not a reference to a log group of the template: ${JSON.stringify(v)}`);
    return id;
  };
  const functions = Object.entries(t.findResources('AWS::Lambda::Function') as Resources);
  const machines = Object.entries(t.findResources('AWS::StepFunctions::StateMachine') as Resources);
  expect(functions.length).toBeGreaterThanOrEqual(6); // onEvent, isComplete, guard, onSchedule, 3 framework functions
  expect(machines).toHaveLength(2); // the Provider's waiter, the scheduled waiter
  const used = new Set<string>();
  for (const [id, fn] of functions) {
    const config = fn.Properties.LoggingConfig as { LogGroup?: unknown } | undefined;
    if (config?.LogGroup === undefined) throw new Error(`function ${id} logs to a log group Lambda makes itself`);
    used.add(ref(config.LogGroup));
  }
  for (const [id, sm] of machines) {
    const config = sm.Properties.LoggingConfiguration as { Destinations?: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[] } | undefined;
    if (!config?.Destinations?.length) throw new Error(`state machine ${id} has no log destination`);
    for (const d of config.Destinations) used.add(ref(d.CloudWatchLogsLogGroup.LogGroupArn));
  }
  return [...used];
}

describe('handler log groups', () => {
  test('every function and state machine the library creates logs to a log group of the stack, kept one year and retained by default', () => {
    const s = stack();
    everything(s, {});
    const t = Template.fromStack(s);
    const groups = t.findResources('AWS::Logs::LogGroup') as Resources;
    const used = logGroupsInUse(t);
    expect(used.length).toBeGreaterThanOrEqual(7);
    expect(Object.keys(groups).sort()).toEqual([...used].sort()); // no log group of other settings beside them
    for (const id of used) {
      expect(groups[id]).toBeDefined();
      expect(groups[id].Properties.RetentionInDays).toBe(365);
      expect(groups[id].DeletionPolicy).toBe('Retain');
      expect(groups[id].Properties.KmsKeyId).toBeUndefined();
    }
  });

  test('handlerLogs sets retention, removal policy and key on all of them, and lets CloudWatch Logs use the key', () => {
    const s = stack();
    const key = new kms.Key(s, 'LogsKey', { enableKeyRotation: true });
    CustomLabelsModel.configureStack(s, { handlerLogs: { retention: logs.RetentionDays.TWO_YEARS, removalPolicy: RemovalPolicy.DESTROY, encryptionKey: key } });
    everything(s, {});
    const t = Template.fromStack(s);
    const groups = t.findResources('AWS::Logs::LogGroup') as Resources;
    const keyId = s.getLogicalId(key.node.defaultChild as kms.CfnKey);
    for (const id of logGroupsInUse(t)) {
      expect(groups[id].Properties.RetentionInDays).toBe(731);
      expect(groups[id].DeletionPolicy).toBe('Delete');
      expect(groups[id].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Action: Match.arrayWith(['kms:Encrypt*', 'kms:GenerateDataKey*']),
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        })]),
      },
    });
  });

  test('a log group created after the options were given (the scheduled path of a later model) takes them too', () => {
    const s = stack();
    new CustomLabelsModel(s, 'Plain', { projectVersionArn: OTHER, minInferenceUnits: 2 });
    CustomLabelsModel.configureStack(s, { handlerLogs: { retention: logs.RetentionDays.FIVE_YEARS } });
    everything(s, {});
    const t = Template.fromStack(s);
    const groups = t.findResources('AWS::Logs::LogGroup') as Resources;
    for (const id of logGroupsInUse(t)) expect(groups[id].Properties.RetentionInDays).toBe(1827);
  });

  test('stack-wide settings are set once per stack', () => {
    // The log groups are the stack's, not a model's: the props have no handlerLogs, and the stack is configured once.
    const jsii = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8')) as { types: Record<string, { properties?: { name: string }[] }> };
    expect(jsii.types['cdk-rekognition-custom-labels.CustomLabelsModelProps'].properties!.map((p) => p.name)).not.toContain('handlerLogs');
    const s = stack();
    CustomLabelsModel.configureStack(s, { handlerLogs: { retention: logs.RetentionDays.ONE_YEAR } });
    new CustomLabelsModel(s, 'A', { projectVersionArn: ARN, minInferenceUnits: 2 });
    expect(() => CustomLabelsModel.configureStack(s, { handlerLogs: { removalPolicy: RemovalPolicy.DESTROY } }))
      .toThrow('WidgetsStack: configureStack: stack WidgetsStack was configured already (at WidgetsStack); its settings act on every model of the stack, so they are set once');
    // Another stack is configured on its own, from any construct in it.
    const other = stack();
    const model = new CustomLabelsModel(other, 'B', { projectVersionArn: OTHER, minInferenceUnits: 2 });
    expect(() => CustomLabelsModel.configureStack(model, { handlerLogs: { removalPolicy: RemovalPolicy.SNAPSHOT } }))
      .toThrow('WidgetsStack/B: handlerLogs.removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got snapshot');
  });

  test('an imported key draws a warning: its policy must let CloudWatch Logs use it', () => {
    const s = stack();
    const key = kms.Key.fromKeyArn(s, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ARN, minInferenceUnits: 2 });
    CustomLabelsModel.configureStack(s, { handlerLogs: { encryptionKey: key } });
    Annotations.fromStack(s).hasWarning('/WidgetsStack', Match.stringLikeRegexp('handlerLogs.encryptionKey is imported.*logs.us-east-1.amazonaws.com'));
  });
});
