// The cost guard: alarms that warn before a bill surprises anyone. Built from the model's metrics (lib/custom-labels-
// model-base.ts) and, with batch windows, the scheduled path's expected units and failures; their options are the
// public CostGuardOptions (lib/cost-guard.ts).
import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CostGuardOptions } from '../cost-guard';
import { CustomLabelsModelBase } from '../custom-labels-model-base';
import { validationError } from './errors';
import { ModelMonitoringInputs } from './model-monitoring-inputs';

/** The topics each alarm already notifies. */
const NOTIFIED = new WeakMap<cloudwatch.Alarm, Set<sns.ITopic>>();

/** The keys whose policy already lets CloudWatch publish. */
const KEYS_GRANTED = new WeakSet<kms.IKey>();

/**
 * An encrypted topic receives alarm notifications only if its key lets CloudWatch use it (the SNS Developer Guide,
 * "AWS services that publish to encrypted topics"): granted when the stack defines the key, warned about otherwise.
 */
function letCloudWatchUseTopicKey(model: CustomLabelsModelBase, topic: sns.ITopic): void {
  const key = topic.masterKey;
  if (!key || KEYS_GRANTED.has(key)) return;
  KEYS_GRANTED.add(key);
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
  }), true);
  if (!statementAdded) {
    Annotations.of(model).addWarningV2('cdk-rekognition-custom-labels:alarmTopicKey',
      `costGuard.alarmTopic is encrypted with a key this stack cannot change (${key.keyArn}): add to its key policy a statement that allows the ` +
      'service principal cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* on *, or CloudWatch cannot deliver the alarm notifications');
  }
}

/** The cost guard alarms of one model, each notifying the options' topic on ALARM and OK. */
export function costGuardAlarms(model: CustomLabelsModelBase, monitoring: ModelMonitoringInputs, options: CostGuardOptions): cloudwatch.Alarm[] {
  const declared = monitoring.highestDeclaredUnits;
  const alarms: cloudwatch.Alarm[] = [];
  alarms.push(new cloudwatch.Alarm(model, 'UnitsAboveDeclared', {
    alarmDescription: `${model.node.path}: more inference units in service than the ${declared} the stack declares`,
    // Average: the statistic Rekognition lists for InServiceInferenceUnits (one value a minute).
    metric: model.metricInServiceInferenceUnits({ statistic: cloudwatch.Stats.AVERAGE }),
    threshold: declared,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    // A stopped model emits nothing: nothing in service, nothing to alarm on.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
  if (monitoring.expectedUnits && monitoring.scheduledFailures) {
    alarms.push(new cloudwatch.Alarm(model, 'RunningOutsideWindows', {
      alarmDescription: `${model.node.path}: inference units in service above what the batch windows expect (running outside its windows) for 30 minutes`,
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(inService, 0) - FILL(expected, 0)',
        usingMetrics: {
          inService: model.metricInServiceInferenceUnits({ statistic: cloudwatch.Stats.AVERAGE }),
          expected: monitoring.expectedUnits,
        },
        period: Duration.minutes(5),
        label: 'Units in service above expected',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // 30 minutes: a window's close is followed by a stop of a few minutes; a restart at an adjacent boundary too.
      evaluationPeriods: 6,
      datapointsToAlarm: 6,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    alarms.push(monitoring.scheduledFailures());
  }
  alarms.push(monitoring.deadLetters());
  // One datapoint per alarm: the inference-unit hours of the last 24 hours (or 7 days), rolling (CloudWatch's default
  // sliding evaluation window). InServiceInferenceUnits has one value a minute while the model runs and none while it
  // is stopped, so the Sum over the window, over 60, is the inference-unit hours used in it. No RUNNING_SUM: the
  // CloudWatch User Guide advises against it in alarms, which fetch more datapoints than their evaluation periods.
  const budget = (id: string, window: Duration, limit: number | undefined, what: string) => {
    if (limit === undefined) return;
    if (!(limit > 0)) throw validationError('InvalidCostGuardBudget', model, `costGuard ${what} must be a number > 0, got ${limit}`);
    alarms.push(new cloudwatch.Alarm(model, id, {
      alarmDescription: `${model.node.path}: more than ${limit} inference-unit hours in the last ${window.toHumanString()} (rolling)`,
      metric: model.metricInferenceUnitHours({ period: window, label: `IU-hours in the last ${window.toHumanString()}` }),
      threshold: limit,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  };
  budget('DailyBudget', Duration.days(1), options.dailyInferenceUnitHourBudget, 'dailyInferenceUnitHourBudget');
  budget('WeeklyBudget', Duration.days(7), options.weeklyInferenceUnitHourBudget, 'weeklyInferenceUnitHourBudget');
  if (options.alarmTopic) {
    letCloudWatchUseTopicKey(model, options.alarmTopic);
    const action = new cloudwatchActions.SnsAction(options.alarmTopic);
    for (const alarm of alarms) {
      // The scheduled-failure and dead-letter alarms are shared by the stack's models: add each topic once.
      const topics = NOTIFIED.get(alarm) ?? new Set<sns.ITopic>();
      NOTIFIED.set(alarm, topics);
      if (topics.has(options.alarmTopic)) continue;
      topics.add(options.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
  return alarms;
}
