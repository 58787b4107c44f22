// Issue 10, item 10: accounts governed by AWS Control Tower's proactive controls reject stacks that fail them. With the
// props a governed account sets, cfn-guard with the Control Tower rules (those @cdklabs/cdk-validator-cfnguard bundles,
// the rules of the managed controls) passes on every resource the library creates, except the (rule, resource kind)
// pairs of ALLOWED below, which the README lists with the same reasons. The rules run on the template `cdk synth` writes.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { BatchWindows, CustomLabelsModel, HandlerLogsOptions, WeekDay, WeeklyTime } from '../lib';

/**
 * The Control Tower rules the library's resources fail by design, by (rule, resource kind), with the reason. The
 * README's table "AWS Control Tower proactive controls" says the same. The test fails when one of them starts to pass,
 * so that the list stays true.
 */
const ALLOWED: Record<string, string> = {
  // The library has no VPC option for its functions (the handlers, the stack guard, the scheduled path) nor for the
  // Provider framework's three (aws-cdk-lib's Provider takes a VPC, the library does not pass one). They call only
  // public AWS endpoints: Rekognition and CloudFormation (the handlers), Lambda, Step Functions and the pre-signed S3
  // response URL of CloudFormation (the framework); in a VPC they would need a NAT gateway or interface endpoints.
  'CT.LAMBDA.PR.3 AWS::Lambda::Function': 'no VPC option: the functions call only public AWS endpoints, which a VPC would reach only through NAT or interface endpoints',
  // The one queue the library creates is itself the dead-letter queue of the scheduled calls (the stack guard's and the
  // scheduled path's Lambda on-failure destination, and Scheduler's dead-letter target); a dead-letter queue of a
  // dead-letter queue would only move the same messages one queue further.
  'CT.SQS.PR.1 AWS::SQS::Queue': 'the queue is the dead-letter queue of the scheduled calls; a dead-letter queue of it means nothing',
};

/**
 * Rules that evaluate the library's resources and pass with the governed props: the check is not vacuous (cfn-guard
 * reports a rule without a resource of its kinds as not applicable, which would pass as well).
 */
const APPLY_AND_PASS = [
  'CT.CLOUDWATCH.PR.1', // alarms have an action
  'CT.CLOUDWATCH.PR.2', // log groups kept at least a year
  'CT.CLOUDWATCH.PR.3', // log groups encrypted with a KMS key
  'CT.CLOUDWATCH.PR.4', // alarm actions enabled
  'CT.IAM.PR.1', // no inline statement with * in both Action and Resource
  'CT.SQS.PR.2', // the queue is encrypted
  'CT.STEPFUNCTIONS.PR.1', // state machines log
  'CT.STEPFUNCTIONS.PR.2', // state machines trace with X-Ray: the Provider framework's waiter too, turned on by the library
];

const PACKAGE_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
const RULES_DIR = path.join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');
const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.2026-01-05T10.00.00/1767607200000';

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The cfn-guard binary the package ships for this machine, copied and made executable if the install lost its mode. */
function guardBinary(): string {
  const platform = ({ linux: 'ubuntu', darwin: 'macos' } as Record<string, string>)[os.platform()];
  const arch = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[os.arch()];
  if (!platform || !arch) throw new Error(`@cdklabs/cdk-validator-cfnguard ships no cfn-guard for ${os.platform()}/${os.arch()}`);
  const shipped = path.join(PACKAGE_DIR, 'bin', platform, arch, 'cfn-guard');
  try {
    fs.accessSync(shipped, fs.constants.X_OK);
    return shipped;
  } catch {
    const copy = path.join(tempDir('cfn-guard-bin-'), 'cfn-guard');
    fs.copyFileSync(shipped, copy);
    fs.chmodSync(copy, 0o755);
    return copy;
  }
}
const GUARD = guardBinary();

/** Guard's name of each Control Tower rule (`lambda_inside_vpc_check`) to its control id (`CT.LAMBDA.PR.3`), from the rule files. */
function controlIds(): Map<string, string> {
  const ids = new Map<string, string>();
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(file);
        continue;
      }
      if (!entry.name.endsWith('.guard')) throw new Error(`not a rule file: ${file}`);
      const text = fs.readFileSync(file, 'utf8');
      // The primary rule of the file, and the control id its message starts with ("[CT.LAMBDA.PR.3]: Require ...").
      const names = new Set([...text.matchAll(/^rule (\w+) when is_cfn_template\(/gm)].map((r) => r[1]));
      const controls = new Set([...text.matchAll(/\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]:/g)].map((r) => r[1]));
      if (names.size !== 1 || controls.size !== 1) throw new Error(`${file}: expected one primary rule and one control id`);
      const [name] = names;
      const [id] = controls;
      if (ids.has(name)) throw new Error(`${file}: rule ${name} is also ${ids.get(name)}`);
      ids.set(name, id);
    }
  };
  visit(RULES_DIR);
  return ids;
}
const CONTROL_IDS = controlIds();

/** cfn-guard's structured JSON report of one data file (`validate --output-format json --structured`). */
interface GuardReport {
  name: string;
  status: string;
  compliant: string[];
  /** An array of `{ Rule: { name, checks } }`, or an empty object when nothing fails. */
  not_compliant: Record<string, { Rule?: { name?: string } }> | { Rule?: { name?: string } }[];
}

interface Outcome {
  /** Control id to the logical ids of the resources failing it. */
  failing: Map<string, Set<string>>;
  /** Control ids that evaluated at least one resource and passed on all of them. */
  passing: Set<string>;
}

/**
 * The resources a failed rule's report points at: the `path` (`/Resources/<logical id>/...`) of every value a check
 * traversed to or compared, not the right-hand side (`to`) of a comparison, which may be another resource or a literal.
 */
function resourcesIn(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) resourcesIn(n, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'to') continue;
      if (key === 'path' && typeof value === 'string') {
        const m = /^\/Resources\/([^/]+)/.exec(value);
        if (m) into.add(m[1]);
      }
      resourcesIn(value, into);
    }
  }
}

/** Runs the Control Tower rules over a template file. */
function controlTower(templateFile: string): Outcome {
  const run = spawnSync(GUARD, ['validate', '--rules', RULES_DIR, '--data', templateFile, '--output-format', 'json', '--show-summary', 'none', '--structured'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  // cfn-guard exits 0 when every rule passes or is not applicable, 19 when one fails; anything else is an error.
  if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard exited ${run.status}: ${run.error ?? run.stderr}`);
  const reports = JSON.parse(run.stdout) as GuardReport[];
  expect(reports).toHaveLength(1);
  const [report] = reports;
  const idOf = (name: string | undefined): string => {
    const id = name === undefined ? undefined : CONTROL_IDS.get(name);
    if (id === undefined) throw new Error(`cfn-guard reported a rule of no Control Tower rule file: ${name}`);
    return id;
  };
  const failing = new Map<string, Set<string>>();
  for (const failure of Object.values(report.not_compliant)) {
    const resources = new Set<string>();
    resourcesIn(failure, resources);
    if (resources.size === 0) throw new Error(`rule ${failure.Rule?.name} failed on no resource of the template`);
    failing.set(idOf(failure.Rule?.name), resources);
  }
  expect(run.status).toBe(failing.size > 0 ? 19 : 0);
  expect(report.status).toBe(failing.size > 0 ? 'FAIL' : 'PASS');
  // `compliant` names the rules that evaluated a resource and passed. (`not_applicable` names every rule: each has a
  // second form, for CloudFormation hooks, that a template never matches.)
  const passing = new Set(report.compliant.map(idOf));
  for (const id of failing.keys()) expect([id, passing.has(id)]).toEqual([id, false]);
  return { failing, passing };
}

/**
 * A key a governed account can have: rotated (CT.KMS.PR.1), and its policy lets only AWS services create grants
 * (CT.KMS.PR.3), with the statement the rule asks for.
 */
function governedKey(scope: Construct, id: string): kms.Key {
  const key = new kms.Key(scope, id, { enableKeyRotation: true });
  key.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  return key;
}

interface Synthesized {
  stack: Stack;
  templateFile: string;
  /** The resources the test adds (the alarm topic, the keys), apart from the library's. */
  own: IConstruct[];
}

/** A stack with every feature on: batch windows (the scheduled path), the cost guard with an encrypted topic, the stack guard, the Provider framework. */
function synthesize(handlerLogs: (scope: Construct) => HandlerLogsOptions | undefined): Synthesized {
  const app = new App({ outdir: tempDir('control-tower-') });
  const stack = new Stack(app, 'Governed', { env: { account: '123456789012', region: 'us-east-1' } });
  const alarmsKey = governedKey(stack, 'AlarmsKey');
  const alarmTopic = new sns.Topic(stack, 'Alarms', { masterKey: alarmsKey, enforceSSL: true });
  // Demand on a queue of another stack (the user's, imported: no resource here); the library adds its 1-minute pass and
  // the GetQueueAttributes right, which are checked.
  const work = sqs.Queue.fromQueueArn(stack, 'Work', 'arn:aws:sqs:us-east-1:123456789012:widgets-work');
  const own: IConstruct[] = [alarmsKey, alarmTopic];
  const options = handlerLogs(stack);
  if (options?.encryptionKey) own.push(options.encryptionKey);
  new CustomLabelsModel(stack, 'Widgets', {
    projectVersionArn: ARN,
    minInferenceUnits: 2,
    batchWindows: BatchWindows.weekly({
      timeZone: TimeZone.EUROPE_BERLIN,
      windows: [{ start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18) }],
    }),
    costGuard: { alarmTopic, dailyInferenceUnitHourBudget: 60, weeklyInferenceUnitHourBudget: 300 },
    demand: { queue: work },
  });
  if (options) CustomLabelsModel.configureStack(stack, { handlerLogs: options });
  const assembly = app.synth();
  return { stack, templateFile: assembly.getStackByName(stack.stackName).templateFullPath, own };
}

interface Resource {
  kind: string;
  library: boolean;
}

/** Every resource of the template by logical id: its kind, and whether the library created it (else the test did). */
function resourcesOf(s: Synthesized): Map<string, Resource> {
  const ownPaths = s.own.map((c) => c.node.path);
  const under = (p: string, root: string) => p === root || p.startsWith(`${root}/`);
  const resources = new Map<string, Resource>();
  for (const c of s.stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const p = c.node.path;
    const library = !ownPaths.some((root) => under(p, root));
    if (library && !under(p, 'Governed/Widgets') && !under(p, 'Governed/RekognitionCustomLabelsProvider')) {
      throw new Error(`${p} is neither the library's (the model, the provider) nor one the test adds`);
    }
    resources.set(s.stack.getLogicalId(c), { kind: c.cfnResourceType, library });
  }
  const template = JSON.parse(fs.readFileSync(s.templateFile, 'utf8')) as { Resources: Record<string, { Type: string }> };
  expect([...resources.keys()].sort()).toEqual(Object.keys(template.Resources).sort());
  return resources;
}

/** The failures of an outcome as `<control id> <resource kind>`, on the library's resources and on the test's own. */
function failures(s: Synthesized, outcome: Outcome): { library: string[]; own: string[] } {
  const resources = resourcesOf(s);
  const library = new Set<string>();
  const own: string[] = [];
  for (const [id, failed] of outcome.failing) {
    for (const logicalId of failed) {
      const r = resources.get(logicalId);
      if (!r) throw new Error(`${id} failed on ${logicalId}, which is not a resource of the template`);
      if (r.library) library.add(`${id} ${r.kind}`);
      else own.push(`${id} ${r.kind} ${logicalId}`);
    }
  }
  return { library: [...library].sort(), own };
}

/** The library's log groups, by logical id. */
function libraryLogGroups(s: Synthesized): string[] {
  return [...resourcesOf(s)].filter(([, r]) => r.library && r.kind === 'AWS::Logs::LogGroup').map(([id]) => id).sort();
}

describe('AWS Control Tower proactive controls (cfn-guard, the rules of @cdklabs/cdk-validator-cfnguard)', () => {
  test('governed props (handlerLogs with a KMS key, kept a year): the library fails only the allow-listed rules', () => {
    const s = synthesize((scope) => ({ encryptionKey: governedKey(scope, 'LogsKey'), retention: logs.RetentionDays.ONE_YEAR }));
    const outcome = controlTower(s.templateFile);
    const { library, own } = failures(s, outcome);
    expect(library).toEqual(Object.keys(ALLOWED).sort());
    expect(own).toEqual([]); // the topic and the keys the test adds pass: the keys are rotated and limit grants to AWS services
    for (const id of APPLY_AND_PASS) expect([id, outcome.passing.has(id)]).toEqual([id, true]);
    expect(outcome.passing.has('CT.KMS.PR.3')).toBe(true); // the test's keys were evaluated, not skipped
    // Each allow-listed rule fails on every library resource of its kind (all seven functions, the one queue).
    const resources = resourcesOf(s);
    for (const pair of Object.keys(ALLOWED)) {
      const [id, kind] = pair.split(' ');
      const ofKind = [...resources].filter(([, r]) => r.library && r.kind === kind).map(([logicalId]) => logicalId).sort();
      expect(ofKind.length).toBeGreaterThan(0);
      expect([...outcome.failing.get(id)!].sort()).toEqual(ofKind);
    }
    expect(resources.size).toBeGreaterThan(30);
  });

  test('defaults (no handlerLogs): every log group fails CT.CLOUDWATCH.PR.3 (no KMS key) and passes CT.CLOUDWATCH.PR.2 (one year)', () => {
    const s = synthesize(() => undefined);
    const outcome = controlTower(s.templateFile);
    const { library, own } = failures(s, outcome);
    expect(library).toEqual([...Object.keys(ALLOWED), 'CT.CLOUDWATCH.PR.3 AWS::Logs::LogGroup'].sort());
    expect(own).toEqual([]);
    const groups = libraryLogGroups(s);
    expect(groups).toHaveLength(7); // onEvent, isComplete, stack guard, scheduled path, framework functions, framework waiter, scheduled waiter
    expect([...outcome.failing.get('CT.CLOUDWATCH.PR.3')!].sort()).toEqual(groups);
    expect(outcome.passing.has('CT.CLOUDWATCH.PR.2')).toBe(true);
  });

  test('the retention rule is live: handlerLogs kept six months fails CT.CLOUDWATCH.PR.2 on every log group', () => {
    const s = synthesize((scope) => ({ encryptionKey: governedKey(scope, 'LogsKey'), retention: logs.RetentionDays.SIX_MONTHS }));
    const outcome = controlTower(s.templateFile);
    expect(failures(s, outcome).library).toEqual([...Object.keys(ALLOWED), 'CT.CLOUDWATCH.PR.2 AWS::Logs::LogGroup'].sort());
    expect([...outcome.failing.get('CT.CLOUDWATCH.PR.2')!].sort()).toEqual(libraryLogGroups(s));
    expect(outcome.passing.has('CT.CLOUDWATCH.PR.3')).toBe(true);
  });
});
