// A stack with every feature of the library on: two models (one with batch windows, one with holds), cost guard
// alarms with a topic, a dashboard, an imported model, grants (a hold's among them). The cdk-nag check and the observability tests read it.
import { App, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../../lib';

export const ALWAYS_ON_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000';
export const BATCH_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-02-02T09.00.00/1770022800000';
export const IMPORTED_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/gadgets/version/gadgets.v3/1767000000001';

export function fullStack(app = new App()) {
  const stack = new Stack(app, 'FullStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const topic = new sns.Topic(stack, 'Alarms', { masterKey: new kms.Key(stack, 'AlarmsKey', { enableKeyRotation: true }), enforceSSL: true });
  const alwaysOn = new CustomLabelsModel(stack, 'Widgets', {
    projectVersionArn: ALWAYS_ON_ARN,
    minInferenceUnits: 2,
    maxInferenceUnits: 5,
    costGuard: { alarmTopic: topic, dailyInferenceUnitHourBudget: 60, weeklyInferenceUnitHourBudget: 400 },
    // Holds on a model without batch windows: its hold parameter and 5-minute pass are in the cdk-nag check too.
    hold: {},
  });
  const batch = new CustomLabelsModel(stack, 'WeeklyBatch', {
    projectVersionArn: BATCH_ARN,
    minInferenceUnits: 2,
    batchWindows: BatchWindows.weekly({
      timeZone: TimeZone.EUROPE_BERLIN,
      windows: [
        { start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18), minInferenceUnits: 5 },
        { start: WeeklyTime.of(WeekDay.THURSDAY, 22), end: WeeklyTime.of(WeekDay.FRIDAY, 6), minInferenceUnits: 2, maxInferenceUnits: 4 },
      ],
      leadTime: Duration.minutes(30),
    }),
    costGuard: { alarmTopic: topic, weeklyInferenceUnitHourBudget: 100 },
  });
  const imported = CustomLabelsModel.fromProjectVersionArn(stack, 'Gadgets', IMPORTED_ARN);
  const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  for (const m of [alwaysOn, batch, imported]) m.grantDetectCustomLabels(caller);
  alwaysOn.grantHold(caller);
  // What an app that runs cdk-nag writes, as the README says: the grant on a model the stack runs covers every version
  // of its project, so that a client keeps its right through a version swap.
  Validations.of(caller).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/*]',
    reason: 'DetectCustomLabels on every version of the project: the running version changes on a swap and clients follow it',
  });
  const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { dashboardName: 'custom-labels' });
  alwaysOn.addToDashboard(dashboard);
  batch.addToDashboard(dashboard);
  return { app, stack, topic, alwaysOn, batch, imported, caller, dashboard };
}
