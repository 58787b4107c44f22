// The example app that cdk.json runs: one autoscaling model and a function allowed to call it. It synthesizes
// offline with no AWS credentials: `npm run synth`.
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../lib';

const app = new App();
const stack = new Stack(app, 'CustomLabelsExample', {
  description: 'Runs a Rekognition Custom Labels model with 2 to 5 inference units while the stack exists',
});

const model = new CustomLabelsModel(stack, 'Widgets', {
  projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000',
  projectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/1767000000000',
  minInferenceUnits: 2,
  maxInferenceUnits: 5,
  timeout: Duration.minutes(40),
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
  }),
});
batch.grantDetectCustomLabels(detector);

app.synth();
