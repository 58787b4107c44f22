// cdk-nag's AwsSolutions pack over a stack with every feature on: zero unacknowledged findings, and every
// acknowledgment the library makes names its reason.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fullStack } from './support/full-stack';

function checkedApp(): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'nag-')) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

test('every feature on: AwsSolutions finds nothing unacknowledged', () => {
  const app = checkedApp();
  fullStack(app);
  expect(() => app.synth()).not.toThrow();
});

test('the check is live: an unacknowledged finding fails the synth', () => {
  const app = checkedApp();
  const { stack } = fullStack(app);
  new sqs.Queue(stack, 'PlainQueue');
  expect(() => app.synth()).toThrow(/AwsSolutions-SQS3|AwsSolutions-SQS4/);
});

test('every acknowledgment is specific: a finding id and a reason that says why, in this library', () => {
  const { stack } = fullStack();
  const rules = stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))));
  expect(rules.length).toBeGreaterThanOrEqual(8);
  for (const r of rules) {
    expect(r.path).toMatch(/^FullStack\/RekognitionCustomLabelsProvider/); // only the library's own constructs
    expect(r.id).toMatch(/^AwsSolutions::AwsSolutions-(IAM4\[Policy::.+\]|IAM5\[Resource::.+\]|SF2|SQS3)$/);
    expect(r.reason.length).toBeGreaterThan(60);
  }
});
