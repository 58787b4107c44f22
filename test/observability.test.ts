// Metrics, cost guard alarms, dashboard widgets and imported models, as synthesized.
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CustomLabelsModel } from '../lib';
import { ALWAYS_ON_ARN, fullStack, IMPORTED_ARN } from './support/full-stack';

function alarmsOf(stack: Stack): Record<string, { Properties: Record<string, any> }> {
  return Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm') as Record<string, { Properties: Record<string, any> }>;
}

function alarm(stack: Stack, idPart: string): Record<string, any> {
  const found = Object.entries(alarmsOf(stack)).filter(([id]) => id.includes(idPart));
  expect(found).toHaveLength(1);
  return JSON.parse(JSON.stringify(found[0][1].Properties));
}

describe('metrics', () => {
  const s = new Stack(new App(), 'S');
  const model = new CustomLabelsModel(s, 'Widgets', { projectVersionArn: ALWAYS_ON_ARN, minInferenceUnits: 2 });
  test.each([
    ['metricInServiceInferenceUnits', 'InServiceInferenceUnits'],
    ['metricDesiredInferenceUnits', 'DesiredInferenceUnits'],
    ['metricMinInferenceUnits', 'MinInferenceUnits'],
    ['metricMaxInferenceUnits', 'MaxInferenceUnits'],
  ] as const)('%s: AWS/Rekognition %s by ProjectName and VersionName, Average over 5 minutes', (method, name) => {
    const m = model[method]();
    expect({ namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, statistic: m.statistic, period: m.period.toSeconds() }).toEqual({
      namespace: 'AWS/Rekognition',
      metricName: name,
      dimensions: { ProjectName: 'widgets', VersionName: 'widgets.2026-01-05T10.00.00' },
      statistic: 'Average',
      period: 300,
    });
  });

  test('metric() takes any name and overrides', () => {
    const m = model.metric('InServiceInferenceUnits', { statistic: cloudwatch.Stats.MAXIMUM });
    expect(m.statistic).toBe('Maximum');
  });

  test.each([[undefined, 3600], [Duration.days(1), 86400]])('inference-unit hours: the Sum of the per-minute units in service over %s, over 60', (period, seconds) => {
    const e = model.metricInferenceUnitHours({ period }) as cloudwatch.MathExpression;
    expect(e.expression).toBe('units / 60');
    expect(e.period.toSeconds()).toBe(seconds);
    const units = e.usingMetrics.units as cloudwatch.Metric;
    expect([units.metricName, units.statistic, units.period.toSeconds()]).toEqual(['InServiceInferenceUnits', 'Sum', seconds]);
  });

  test('every metric method works on a model without batch windows', () => {
    const s = new Stack(new App(), 'Metrics', { env: { account: '123456789012', region: 'us-east-1' } });
    const arn = (n: number) => `arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v${n}/1767607200000`;
    const models = {
      alwaysOn: new CustomLabelsModel(s, 'AlwaysOn', { projectVersionArn: arn(1), minInferenceUnits: 2, maxInferenceUnits: 3 }),
      held: new CustomLabelsModel(s, 'Held', { projectVersionArn: arn(2), minInferenceUnits: 2, hold: {} }),
      onDemand: new CustomLabelsModel(s, 'OnDemand', { projectVersionArn: arn(3), minInferenceUnits: 2, demand: { queue: new sqs.Queue(s, 'Work') } }),
    };
    // Every public metric* method of the class (its jsii API), so that a new one is covered without a new line here.
    const jsii = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf8')) as { types: Record<string, { methods?: { name: string }[]; base?: string }> };
    const methodsOf = (fqn: string | undefined): string[] => (fqn && jsii.types[fqn] ? [...(jsii.types[fqn].methods ?? []).map((m) => m.name), ...methodsOf(jsii.types[fqn].base)] : []);
    const methods = [...new Set(methodsOf('cdk-rekognition-custom-labels.CustomLabelsModel'))].filter((n) => n.startsWith('metric') && n !== 'metric');
    expect(methods).toEqual(expect.arrayContaining(['metricExpectedInferenceUnits', 'metricInServiceInferenceUnits', 'metricInferenceUnitHours']));
    for (const [name, model] of Object.entries(models)) {
      for (const method of methods) {
        const metric = (model as unknown as Record<string, () => cloudwatch.IMetric>)[method]();
        // Usable where a metric is: an alarm renders it.
        new cloudwatch.Alarm(s, `${name}-${method}`, { metric, threshold: 1, evaluationPeriods: 1 });
      }
    }
    const t = Template.fromStack(s);
    // Without a scheduled pass the expected units are the declaration's (max, else min) over the model's own metric.
    expect((models.alwaysOn.metricExpectedInferenceUnits() as cloudwatch.MathExpression).expression).toBe('0 * units + 3');
    // With a hold or demand, the scheduled path's passes publish them.
    for (const model of [models.held, models.onDemand]) expect((model.metricExpectedInferenceUnits() as cloudwatch.Metric).metricName).toBe('ExpectedInferenceUnits');
    t.resourceCountIs('AWS::CloudWatch::Alarm', 3 * methods.length);
  });

  test('the expected-units metric is what the scheduled path publishes, with batch windows', () => {
    const { batch } = fullStack();
    const m = batch.metricExpectedInferenceUnits() as cloudwatch.Metric;
    expect([m.namespace, m.metricName, m.statistic]).toEqual(['RekognitionCustomLabels/Schedule', 'ExpectedInferenceUnits', 'Maximum']);
  });
});

describe('cost guard alarms', () => {
  const { stack, topic } = fullStack();
  const topicRef = JSON.parse(JSON.stringify(Stack.of(topic).resolve(topic.topicArn)));

  test('units in service above the highest declared: Average over 5 minutes, 3 of 3, missing data not breaching', () => {
    const p = alarm(stack, 'WidgetsUnitsAboveDeclared');
    expect(p).toMatchObject({
      MetricName: 'InServiceInferenceUnits', Namespace: 'AWS/Rekognition', Statistic: 'Average', Period: 300,
      Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef], OKActions: [topicRef],
    });
    // With batch windows the highest declared is the highest of any window.
    expect(alarm(stack, 'WeeklyBatchUnitsAboveDeclared').Threshold).toBe(5);
  });

  test('running outside the windows: in service minus expected, for 30 minutes', () => {
    const p = alarm(stack, 'RunningOutsideWindows');
    const expression = p.Metrics.find((m: { Expression?: string }) => m.Expression);
    expect(expression.Expression).toBe('FILL(inService, 0) - FILL(expected, 0)');
    const byId = Object.fromEntries(p.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map((m: { Id: string; MetricStat: any }) => [m.Id, m.MetricStat]));
    expect(byId.inService).toMatchObject({ Metric: { Namespace: 'AWS/Rekognition', MetricName: 'InServiceInferenceUnits' }, Stat: 'Average', Period: 300 });
    expect(byId.expected).toMatchObject({ Metric: { Namespace: 'RekognitionCustomLabels/Schedule', MetricName: 'ExpectedInferenceUnits' }, Stat: 'Maximum', Period: 300 });
    expect(p).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 6, DatapointsToAlarm: 6, TreatMissingData: 'notBreaching' });
  });

  test.each([
    ['WidgetsDailyBudget', 60, 86400],
    ['WidgetsWeeklyBudget', 400, 604800],
    ['WeeklyBatchWeeklyBudget', 100, 604800],
  ])('%s: one datapoint, the IU-hours of the last %d... period %d s, no RUNNING_SUM', (id, threshold, seconds) => {
    const p = alarm(stack, id);
    const expression = p.Metrics.find((m: { Expression?: string }) => m.Expression);
    expect(expression.Expression).toBe('units / 60');
    expect(p.Metrics.find((m: { Id: string }) => m.Id === 'units').MetricStat).toMatchObject({ Metric: { MetricName: 'InServiceInferenceUnits' }, Stat: 'Sum', Period: seconds });
    expect(p).toMatchObject({ Threshold: threshold, EvaluationPeriods: 1, DatapointsToAlarm: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    expect(p.EvaluationWindow).toBeUndefined(); // CloudWatch's default: a sliding, rolling window
  });

  test('failed scheduled transitions: one alarm per stack, counting the waiter\'s failed and timed-out executions', () => {
    const p = alarm(stack, 'ScheduledTransitionsFailed');
    expect(p.Metrics.find((m: { Expression?: string }) => m.Expression).Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0)');
    const names = p.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map((m: { MetricStat: { Metric: { MetricName: string } } }) => m.MetricStat.Metric.MetricName).sort();
    expect(names).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(p).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, DatapointsToAlarm: 1, AlarmActions: [topicRef] });
  });

  test('failed scheduled calls: one alarm per stack, on messages sent to the dead-letter queue, for every cost guard (every stack has a guard)', () => {
    const p = alarm(stack, 'ScheduledCallsFailed');
    expect(p).toMatchObject({
      MetricName: 'NumberOfMessagesSent', Namespace: 'AWS/SQS', Statistic: 'Sum', Period: 300,
      Threshold: 1, EvaluationPeriods: 4, DatapointsToAlarm: 1, TreatMissingData: 'notBreaching', AlarmActions: [topicRef], OKActions: [topicRef],
    });
    const s = new Stack(new App(), 'NoWindows');
    new CustomLabelsModel(s, 'M', { projectVersionArn: ALWAYS_ON_ARN, minInferenceUnits: 2, costGuard: { dailyInferenceUnitHourBudget: 10 } });
    expect(Object.keys(alarmsOf(s)).filter((id) => id.includes('ScheduledCallsFailed'))).toHaveLength(1);
  });

  test('no costGuard, no alarms; a budget must be positive', () => {
    const s = new Stack(new App(), 'S');
    new CustomLabelsModel(s, 'M', { projectVersionArn: ALWAYS_ON_ARN, minInferenceUnits: 2 });
    Template.fromStack(s).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(() => new CustomLabelsModel(new Stack(new App(), 'T'), 'M', { projectVersionArn: ALWAYS_ON_ARN, minInferenceUnits: 2, costGuard: { dailyInferenceUnitHourBudget: 0 } }))
      .toThrow('T/M: costGuard dailyInferenceUnitHourBudget must be a number > 0, got 0');
  });
});

describe('dashboard', () => {
  test('per model: units against desired, min/max and (with windows) expected; IU-hours; failed transitions; alarms', () => {
    const { stack } = fullStack();
    const body = JSON.stringify(Stack.of(stack).resolve(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard')));
    for (const title of ['Widgets: inference units', 'Widgets: inference-unit hours', 'WeeklyBatch: inference units', 'Scheduled transitions that failed', 'Widgets: alarms', 'WeeklyBatch: alarms']) {
      expect(body).toContain(title);
    }
    for (const metric of ['InServiceInferenceUnits', 'DesiredInferenceUnits', 'MinInferenceUnits', 'MaxInferenceUnits', 'ExpectedInferenceUnits', 'RUNNING_SUM(h)', 'ExecutionsFailed']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('Highest declared units');
  });
});

describe('imported models', () => {
  test('grants and metrics work as for a model the stack runs', () => {
    const { stack, imported, caller } = fullStack();
    expect([imported.projectName, imported.versionName]).toEqual(['gadgets', 'gadgets.v3']);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'rekognition:DetectCustomLabels', Resource: IMPORTED_ARN }]) },
    });
    expect(imported.metricInServiceInferenceUnits().dimensions).toEqual({ ProjectName: 'gadgets', VersionName: 'gadgets.v3' });
    expect(caller).toBeInstanceOf(iam.Role);
    // An import adds no custom resource: the stack does not run it.
    Template.fromStack(stack).resourceCountIs('Custom::RekognitionCustomLabelsModel', 2);
  });

  test('a malformed ARN is refused', () => {
    expect(() => CustomLabelsModel.fromProjectVersionArn(new Stack(new App(), 'S'), 'X', 'arn:aws:s3:::bucket'))
      .toThrow('S/X: fromProjectVersionArn needs a Rekognition project version ARN');
  });
});
