// A model's CloudWatch dashboard widgets, built from the same metrics as the cost guard.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CustomLabelsModelBase } from '../custom-labels-model-base';
import { ModelMonitoringInputs } from './model-monitoring-inputs';

/** A model's dashboard widgets: units against desired and declared, IU-hours, failed transitions, and its alarms. */
export function modelDashboardWidgets(model: CustomLabelsModelBase, monitoring: ModelMonitoringInputs, alarms: readonly cloudwatch.Alarm[]): cloudwatch.IWidget[] {
  const name = model.node.id;
  const declared = monitoring.highestDeclaredUnits;
  const units = [
    model.metricInServiceInferenceUnits({ label: 'In service' }),
    model.metricDesiredInferenceUnits({ label: 'Desired' }),
    model.metricMinInferenceUnits({ label: 'Min (started with)' }),
    model.metricMaxInferenceUnits({ label: 'Max (started with)' }),
    ...(monitoring.expectedUnits ? [monitoring.expectedUnits.with({ label: 'Expected by the batch windows' })] : []),
  ];
  const hours = model.metricInferenceUnitHours({ label: 'IU-hours per hour' });
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: `${name}: inference units`,
      left: units,
      leftAnnotations: [{ value: declared, label: 'Highest declared units', color: cloudwatch.Color.RED }],
      leftYAxis: { min: 0 },
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: `${name}: inference-unit hours`,
      left: [hours],
      right: [new cloudwatch.MathExpression({
        expression: 'RUNNING_SUM(h)',
        usingMetrics: { h: hours },
        period: Duration.hours(1),
        label: 'Cumulative over the range (24 h: IU-hours per day)',
      })],
      leftYAxis: { min: 0 },
      rightYAxis: { min: 0 },
      width: 12,
    }),
  ];
  const path = monitoring.scheduledPath;
  if (path) {
    widgets.push(new cloudwatch.GraphWidget({
      title: 'Scheduled transitions that failed (all models of the stack)',
      left: [
        path.waiter.metricFailed({ statistic: cloudwatch.Stats.SUM, label: 'Waiter executions failed' }),
        path.waiter.metricTimedOut({ statistic: cloudwatch.Stats.SUM, label: 'Waiter executions timed out' }),
        path.deadLetterQueue.metricNumberOfMessagesSent({ statistic: cloudwatch.Stats.SUM, label: 'Calls sent to the dead-letter queue' }),
      ],
      leftYAxis: { min: 0 },
      width: 12,
    }));
  }
  if (alarms.length > 0) widgets.push(new cloudwatch.AlarmStatusWidget({ title: `${name}: alarms`, alarms: [...alarms], width: 12 }));
  return widgets;
}
