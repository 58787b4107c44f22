// The example app that cdk.json runs: one autoscaling model and a function allowed to call it. It synthesizes
// offline with no AWS credentials: `npm run synth`.
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BatchWindows, CustomLabelsModel, LocalDate, LocalDateTime, WeekDay, WeeklyTime } from '../lib';

const app = new App();
const stack = new Stack(app, 'CustomLabelsExample', {
  description: 'Runs a Rekognition Custom Labels model with 2 to 5 inference units while the stack exists',
});

// Where the cost guard alarms notify.
const alarms = new sns.Topic(stack, 'CostAlarms', { masterKey: new kms.Key(stack, 'CostAlarmsKey', { enableKeyRotation: true }), enforceSSL: true });

const model = new CustomLabelsModel(stack, 'Widgets', {
  projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000',
  projectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000',
  minInferenceUnits: 2,
  maxInferenceUnits: 5,
  timeout: Duration.minutes(40),
  costGuard: { alarmTopic: alarms, dailyInferenceUnitHourBudget: 60, weeklyInferenceUnitHourBudget: 400 },
});

const detector = new lambda.Function(stack, 'Detector', {
  runtime: lambda.determineLatestNodeRuntime(stack),
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
  environment: { MODEL_ARN: model.projectVersionArn },
});
model.grantDetectCustomLabels(detector);

// A second model for weekly batch work: stopped outside its windows, restarted with each window's units.
const batch = new CustomLabelsModel(stack, 'WeeklyBatch', {
  projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-02-02T09.00.00/1770022800000',
  projectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000',
  minInferenceUnits: 2,
  batchWindows: BatchWindows.weekly({
    timeZone: TimeZone.EUROPE_BERLIN,
    windows: [
      { start: WeeklyTime.of(WeekDay.MONDAY, 8, 0), end: WeeklyTime.of(WeekDay.MONDAY, 18, 0), minInferenceUnits: 5 },
      { start: WeeklyTime.of(WeekDay.THURSDAY, 22, 0), end: WeeklyTime.of(WeekDay.FRIDAY, 6, 0), minInferenceUnits: 2, maxInferenceUnits: 4 },
    ],
    leadTime: Duration.minutes(30),
    // Not on Easter Monday 2027; once on the Saturday after, with 3 units.
    excludedDates: [LocalDate.of(2027, 3, 29)],
    oneOffWindows: [{ start: LocalDateTime.of(2027, 4, 3, 9, 0), end: LocalDateTime.of(2027, 4, 3, 13, 0), minInferenceUnits: 3 }],
  }),
  costGuard: { alarmTopic: alarms, weeklyInferenceUnitHourBudget: 100 },
});
batch.grantDetectCustomLabels(detector);

// A model another stack runs: grants and metrics only.
const shared = CustomLabelsModel.fromProjectVersionArn(stack, 'Gadgets',
  'arn:aws:rekognition:us-east-1:123456789012:project/gadgets/version/gadgets.v3/1767000000001');
shared.grantDetectCustomLabels(detector);

const dashboard = new cloudwatch.Dashboard(stack, 'Dashboard', { dashboardName: 'custom-labels-example' });
model.addToDashboard(dashboard);
batch.addToDashboard(dashboard);

app.synth();

// The next 14 days of each model, from the context key cdk-rekognition-custom-labels:now (cdk.json sets it, so the
// plan is the same on every machine; `npx cdk synth -c cdk-rekognition-custom-labels:now=<ISO instant>` plans from
// another). Written beside the templates; scripts/summarize-synth.js prints it.
const plans = [model, batch].map((m) => m.batchWindowPlan().text);
fs.writeFileSync(path.join(app.outdir, 'batch-window-plans.txt'), `${plans.join('\n\n')}\n`);
