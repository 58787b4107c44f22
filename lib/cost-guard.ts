// The cost guard: alarms that warn before a bill surprises anyone. Built from the model's metrics (lib/custom-labels-
// model-base.ts) and, with batch windows, the scheduled path's expected units and failures.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CustomLabelsModelBase } from './custom-labels-model-base';
import { WatchedModel } from './private/watched-model';

/** Options of the cost guard alarms. */
export interface CostGuardOptions {
  /**
   * Where the alarms send their ALARM and OK notifications.
   * @default - the alarms notify nobody (they still show on the dashboard)
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Inference-unit hours allowed in any rolling 24 hours.
   * @default - no daily budget alarm
   */
  readonly dailyInferenceUnitHourBudget?: number;
  /**
   * Inference-unit hours allowed in any rolling 7 days.
   * @default - no weekly budget alarm
   */
  readonly weeklyInferenceUnitHourBudget?: number;
}

/** The topics each alarm already notifies. */
const NOTIFIED = new WeakMap<cloudwatch.Alarm, Set<sns.ITopic>>();

/** The cost guard alarms of one model, each notifying the options' topic on ALARM and OK. */
export function costGuardAlarms(model: CustomLabelsModelBase, watched: WatchedModel, options: CostGuardOptions): cloudwatch.Alarm[] {
  const declared = watched.highestDeclaredUnits;
  const alarms: cloudwatch.Alarm[] = [];
  alarms.push(new cloudwatch.Alarm(model, 'UnitsAboveDeclared', {
    alarmDescription: `${model.node.path}: more inference units in service than the ${declared} the stack declares`,
    metric: model.metricInServiceInferenceUnits({ statistic: cloudwatch.Stats.MAXIMUM }),
    threshold: declared,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    // A stopped model emits nothing: nothing in service, nothing to alarm on.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
  if (watched.expectedUnits && watched.scheduledFailures) {
    alarms.push(new cloudwatch.Alarm(model, 'RunningOutsideWindows', {
      alarmDescription: `${model.node.path}: inference units in service above what the batch windows expect (running outside its windows) for 30 minutes`,
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(inService, 0) - FILL(expected, 0)',
        usingMetrics: {
          inService: model.metricInServiceInferenceUnits({ statistic: cloudwatch.Stats.MAXIMUM }),
          expected: watched.expectedUnits,
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
    alarms.push(watched.scheduledFailures());
  }
  const budget = (id: string, hours: number, limit: number | undefined, what: string) => {
    if (limit === undefined) return;
    if (!(limit > 0)) throw new Error(`${model.node.path}: costGuard ${what} must be a number > 0, got ${limit}`);
    alarms.push(new cloudwatch.Alarm(model, id, {
      alarmDescription: `${model.node.path}: more than ${limit} inference-unit hours in the last ${hours} hours`,
      metric: new cloudwatch.MathExpression({
        // Each hourly point is the IU-hours of that hour; over the alarm's range (24 or 168 hours) the running
        // sum's last point is the rolling total, and the earlier ones are smaller.
        expression: 'RUNNING_SUM(FILL(units, 0))',
        usingMetrics: { units: model.metricInServiceInferenceUnits({ period: Duration.hours(1), statistic: cloudwatch.Stats.AVERAGE }) },
        period: Duration.hours(1),
        label: `IU-hours in the last ${hours} hours`,
      }),
      threshold: limit,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: hours,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  };
  budget('DailyBudget', 24, options.dailyInferenceUnitHourBudget, 'dailyInferenceUnitHourBudget');
  budget('WeeklyBudget', 168, options.weeklyInferenceUnitHourBudget, 'weeklyInferenceUnitHourBudget');
  if (options.alarmTopic) {
    const action = new cloudwatchActions.SnsAction(options.alarmTopic);
    for (const alarm of alarms) {
      // The scheduled-failure alarm is shared by the stack's models: add each topic once.
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
