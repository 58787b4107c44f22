// Scale figures for `npm run bench`: how one stack of N models (each in its own project) sits against the
// CloudFormation and IAM quotas that a growing stack meets, and the largest N that fits them all.
//
// Every figure comes from a real in-process synth (App.synth()) of a stack in account 123456789012, us-east-1:
// - CloudFormation resources, against 500 a stack;
// - managed policies attached to the handlers' role (RekognitionCustomLabelsProviderHandlerRole...): the
//   AWS::IAM::ManagedPolicy resources that list it in `Roles` (aws-cdk-lib's OverflowPolicyN) plus the role's
//   `ManagedPolicyArns` (AWSLambdaBasicExecutionRole), against IAM's default 10 a role (20 at most on request);
// - the role's inline policy characters (its `Policies` plus every AWS::IAM::Policy whose `Roles` name it), against
//   10,240, and the largest of its customer managed policies, against 6,144. IAM counts a policy without its
//   whitespace, after CloudFormation has resolved the intrinsics, so the documents are resolved first (resolve()
//   below says how) and counted as minified JSON with every whitespace character removed;
// - the template's bytes as minified JSON, against 1,048,576 for a template in S3 (51,200 is the quota of a template
//   sent in the CreateStack request; cdk deploy uploads a larger one to the bootstrap bucket);
// - synth time: app.synth() wall time alone (not the constructs' creation), divided by the model count. A single
//   warm-up leaves the JIT cold for several more synths (the first ones take seconds), so each count is timed as the
//   median of ROUNDS rounds after the warm-up.
// The largest count within every quota is found by synthesizing: gallop from the count the 100 -> 400 trends
// predict, then bisect. The figures grow monotonically with the count (the managed policies in steps of ~50 models).
import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { CustomLabelsModel } from '../lib';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PARTITION = 'aws';

const QUOTA = {
  resources: 500,
  managedPolicies: 10,
  managedPoliciesOnRequest: 20,
  inlineCharacters: 10_240,
  managedPolicyCharacters: 6_144,
  templateBytesS3: 1_048_576,
  templateBytesDirect: 51_200,
};

/** The counts printed one by one. */
const COUNTS = [1, 100, 400];
/** The search for the largest stack that fits stops here (a stack this big is not a use case). */
const SEARCH_CAP = 4_000;
/** The handler role's logical ID begins with this. */
const HANDLER_ROLE_PREFIX = 'RekognitionCustomLabelsProviderHandlerRole';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
}
interface Template {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: Json }>;
  Mappings?: Record<string, Record<string, Record<string, Json>>>;
}

interface Figures {
  models: number;
  resources: number;
  /** Customer managed policies attached to the handler role (aws-cdk-lib's overflow policies). */
  customerManagedPolicies: number;
  /** AWS managed (or otherwise external) policies in the role's ManagedPolicyArns. */
  awsManagedPolicies: number;
  inlinePolicies: number;
  inlineCharacters: number;
  /** 0 when the role has no customer managed policy. */
  largestManagedCharacters: number;
  templateBytes: number;
  /** The template file as cdk.out holds it (indented JSON): what the DefaultStackSynthesizer uploads to S3. */
  templateFileBytes: number;
  synthMs: number;
  /** aws-cdk-lib's and the library's warnings and errors on the stack, "id: message". */
  messages: string[];
}

const managedPolicies = (f: Figures): number => f.customerManagedPolicies + f.awsManagedPolicies;

function versionArn(i: number): string {
  return `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/project${i}/version/v1/1767607200000`;
}

function synthesize(models: number): Figures {
  // The 500-resource check of aws-cdk-lib is off (0), so that stacks beyond it can be measured: the bench checks it.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, `BenchScale${models}`, { env: { account: ACCOUNT, region: REGION } });
  for (let i = 0; i < models; i++) {
    new CustomLabelsModel(stack, `Model${i}`, { projectVersionArn: versionArn(i), minInferenceUnits: 2 });
  }
  // aws-cdk-lib's built-in template validation (CloudFormation Validate) prints its findings with console.error
  // during synth; they are kept with the stack's messages instead.
  const printed: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => { printed.push(args.map(String).join(' ')); };
  let assembly: ReturnType<App['synth']>;
  const started = process.hrtime.bigint();
  try {
    assembly = app.synth();
  } finally {
    console.error = consoleError;
  }
  const synthMs = Number(process.hrtime.bigint() - started) / 1e6;
  try {
    const artifact = assembly.getStackByName(stack.stackName);
    const template = artifact.template as Template;
    const messages = artifact.messages
      .filter((m) => m.level !== 'info')
      .map((m) => `${m.level} at ${m.id.split('/').slice(2).join('/') || 'the stack'}: ${String(m.entry.data)}`);
    messages.push(...validationFindings(printed.join('\n')));
    return {
      models,
      resources: Object.keys(template.Resources).length,
      ...rolePolicies(template, stack.stackName),
      templateBytes: Buffer.byteLength(JSON.stringify(template)),
      templateFileBytes: fs.statSync(artifact.templateFullPath).size,
      synthMs,
      messages,
    };
  } finally {
    fs.rmSync(assembly.directory, { recursive: true, force: true });
  }
}

/** The findings of aws-cdk-lib's validation report ("WARNING <message>" ... "Acknowledge with '<rule>'"). */
function validationFindings(text: string): string[] {
  const findings: string[] = [];
  const lines = text.split('\n').map((l) => l.trim());
  lines.forEach((line, i) => {
    const finding = /^(WARNING|ERROR|FATAL)\s+(.*)$/.exec(line);
    if (!finding) return;
    const rule = lines.slice(i + 1, i + 6).map((l) => /Acknowledge with '([^']+)'/.exec(l)?.[1]).find((x) => x);
    findings.push(`${finding[1].toLowerCase()} from aws-cdk-lib's template validation${rule ? ` (${rule})` : ''}: ${finding[2]}`);
  });
  if (findings.length === 0 && text.trim()) findings.push(`printed during synth: ${text.trim().split('\n')[0]}`);
  return findings;
}

function isRefTo(value: Json, logicalId: string): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && value.Ref === logicalId;
}

function listsRole(resource: CfnResource, roleId: string): boolean {
  const roles = resource.Properties?.Roles;
  return Array.isArray(roles) && roles.some((r) => isRefTo(r, roleId));
}

/** The handler role's managed and inline policies, counted as IAM counts them. */
function rolePolicies(template: Template, stackName: string): Pick<Figures,
'customerManagedPolicies' | 'awsManagedPolicies' | 'inlinePolicies' | 'inlineCharacters' | 'largestManagedCharacters'> {
  const roleIds = Object.keys(template.Resources).filter((id) =>
    id.startsWith(HANDLER_ROLE_PREFIX) && template.Resources[id].Type === 'AWS::IAM::Role');
  if (roleIds.length !== 1) throw new Error(`bench-scale: expected one ${HANDLER_ROLE_PREFIX}* role, found ${roleIds.length}`);
  const roleId = roleIds[0];
  const role = template.Resources[roleId];
  const characters = (document: Json): number => JSON.stringify(resolve(document, template, stackName)).replace(/\s/g, '').length;

  const inline: Json[] = [];
  const rolePoliciesProp = role.Properties?.Policies;
  if (Array.isArray(rolePoliciesProp)) {
    for (const p of rolePoliciesProp) inline.push((p as { PolicyDocument: Json }).PolicyDocument);
  }
  const customer = new Map<string, Json>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::IAM::Policy' && listsRole(r, roleId)) inline.push(r.Properties!.PolicyDocument);
    if (r.Type === 'AWS::IAM::ManagedPolicy' && listsRole(r, roleId)) customer.set(id, r.Properties!.PolicyDocument);
  }
  // ManagedPolicyArns: a Ref to a managed policy of the template is that policy (counted once); anything else is an
  // AWS managed policy (or one made elsewhere), whose document the template does not hold.
  let external = 0;
  const arns = role.Properties?.ManagedPolicyArns;
  for (const arn of Array.isArray(arns) ? arns : []) {
    const ref = typeof arn === 'object' && arn !== null && !Array.isArray(arn) ? arn.Ref : undefined;
    const target = typeof ref === 'string' ? template.Resources[ref] : undefined;
    if (target?.Type === 'AWS::IAM::ManagedPolicy') customer.set(ref as string, target.Properties!.PolicyDocument);
    else external++;
  }
  return {
    customerManagedPolicies: customer.size,
    awsManagedPolicies: external,
    inlinePolicies: inline.length,
    inlineCharacters: inline.reduce<number>((sum, d) => sum + characters(d), 0),
    largestManagedCharacters: Math.max(0, ...[...customer.values()].map(characters)),
  };
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * A template value as CloudFormation would deploy it in account 123456789012, us-east-1, partition aws:
 * - Ref AWS::Partition -> "aws", AWS::AccountId, AWS::Region, AWS::StackName, AWS::URLSuffix -> "amazonaws.com";
 *   AWS::StackId -> arn:aws:cloudformation:us-east-1:123456789012:stack/<stack name>/<a fixed 36-character uuid>;
 *   AWS::NoValue -> the key or element is dropped; a parameter -> its Default;
 * - Fn::GetAtt X.Arn -> physicalArn(X): an ARN of the resource's type of 90 characters, named as CloudFormation
 *   names what the template leaves unnamed (<stack name>-<logical id, cut short>-<13-character suffix>);
 *   Ref X of a resource -> that name (or the ARN for the types whose Ref is their ARN);
 * - Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::FindInMap -> evaluated on the resolved arguments; Fn::If -> the
 *   longer branch (the conditions are not evaluated; the longer one is the one that can overflow).
 * Any other intrinsic throws, so that a new one is given a realistic value here rather than counted as written.
 */
function resolve(value: Json, template: Template, stackName: string): Json {
  const r = (v: Json): Json | typeof NO_VALUE => {
    if (Array.isArray(v)) return v.map(r).filter((x): x is Json => x !== NO_VALUE);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return intrinsic(keys[0], v[keys[0]]);
    const o: Record<string, Json> = {};
    for (const k of keys) {
      const x = r(v[k]);
      if (x !== NO_VALUE) o[k] = x;
    }
    return o;
  };
  const str = (v: Json): string => {
    const x = r(v);
    if (typeof x !== 'string' && typeof x !== 'number') throw new Error(`bench-scale: expected a string, got ${JSON.stringify(x)}`);
    return String(x);
  };
  const ref = (name: string): Json | typeof NO_VALUE => {
    switch (name) {
      case 'AWS::Partition': return PARTITION;
      case 'AWS::AccountId': return ACCOUNT;
      case 'AWS::Region': return REGION;
      case 'AWS::StackName': return stackName;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackId': return `arn:${PARTITION}:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/5d2e6b10-ea21-11f0-8c1b-0e4f3a9d27c1`;
      case 'AWS::NoValue': return NO_VALUE;
    }
    const parameter = template.Parameters?.[name];
    if (parameter?.Default !== undefined) return parameter.Default;
    if (template.Resources[name]) return physicalRef(name, template, stackName);
    throw new Error(`bench-scale: no value for Ref ${name}`);
  };
  const getAtt = (id: string, attribute: string): string => {
    if (attribute === 'Arn' && template.Resources[id]) return physicalArn(id, template, stackName);
    throw new Error(`bench-scale: no realistic value for Fn::GetAtt ${id}.${attribute}`);
  };
  const intrinsic = (name: string, args: Json): Json | typeof NO_VALUE => {
    switch (name) {
      case 'Ref': return ref(args as string);
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof args === 'string' ? args.split(/\.(.*)/) : (args as string[]);
        return getAtt(id, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = args as [string, Json];
        return (r(parts) as Json[]).map(str).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof args === 'string' ? [args, {}] : (args as [string, Record<string, Json>]);
        return text.replace(/\$\{(!?)([^}]+)\}/g, (_m, literal: string, variable: string) => {
          if (literal) return `\${${variable}}`;
          if (variable in variables) return str(variables[variable]);
          const [id, attribute] = variable.split(/\.(.*)/);
          return attribute !== undefined && template.Resources[id] ? getAtt(id, attribute) : String(ref(variable));
        });
      }
      case 'Fn::Select': {
        const [index, list] = args as [Json, Json];
        return (r(list) as Json[])[Number(r(index))];
      }
      case 'Fn::Split': {
        const [separator, text] = args as [string, Json];
        return str(text).split(separator);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = (args as Json[]).map(str);
        return template.Mappings![map][top][second];
      }
      case 'Fn::If': {
        const [, a, b] = (args as Json[]).map(r);
        return JSON.stringify(a ?? '').length >= JSON.stringify(b ?? '').length ? a as Json : b as Json;
      }
    }
    throw new Error(`bench-scale: no realistic value for ${name} ${JSON.stringify(args)}`);
  };
  const resolved = r(value);
  return resolved === NO_VALUE ? null : resolved;
}

/** The ARN prefix of a resource type, up to its name. */
function arnPrefix(type: string): string {
  const regional = (service: string, resource: string) => `arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case 'AWS::Lambda::Function': return regional('lambda', 'function:');
    case 'AWS::SQS::Queue': return regional('sqs', '');
    case 'AWS::SNS::Topic': return regional('sns', '');
    case 'AWS::StepFunctions::StateMachine': return regional('states', 'stateMachine:');
    case 'AWS::Logs::LogGroup': return regional('logs', 'log-group:');
    case 'AWS::Scheduler::Schedule': return regional('scheduler', 'schedule/default/');
    case 'AWS::IAM::Role': return `arn:${PARTITION}:iam::${ACCOUNT}:role/`;
    case 'AWS::IAM::ManagedPolicy': return `arn:${PARTITION}:iam::${ACCOUNT}:policy/`;
  }
  const [, service, resource] = type.split('::');
  return regional(service.toLowerCase(), `${resource.toLowerCase()}/`);
}

const ARN_CHARACTERS = 90;

/** A name as CloudFormation generates it, cut so that the resource's ARN takes ARN_CHARACTERS. */
function physicalName(id: string, template: Template, stackName: string): string {
  const suffix = '-1A2B3C4D5E6F7';
  const room = Math.max(1, ARN_CHARACTERS - arnPrefix(template.Resources[id].Type).length - suffix.length);
  return `${stackName}-${id}`.slice(0, room) + suffix;
}

function physicalArn(id: string, template: Template, stackName: string): string {
  const type = template.Resources[id].Type;
  const arn = arnPrefix(type) + physicalName(id, template, stackName);
  return type === 'AWS::Logs::LogGroup' ? `${arn}:*` : arn;
}

function physicalRef(id: string, template: Template, stackName: string): string {
  const type = template.Resources[id].Type;
  if (type === 'AWS::SNS::Topic' || type === 'AWS::IAM::ManagedPolicy') return physicalArn(id, template, stackName);
  if (type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName(id, template, stackName)}`;
  return physicalName(id, template, stackName);
}

interface Quota {
  name: string;
  limit: number;
  unit: string;
  figure: (f: Figures) => number;
}

const RESOURCES: Quota = { name: 'CloudFormation resources', limit: QUOTA.resources, unit: '', figure: (f) => f.resources };
const MANAGED: Quota = { name: 'managed policies on the handler role', limit: QUOTA.managedPolicies, unit: '', figure: managedPolicies };
const MANAGED_ON_REQUEST: Quota = { ...MANAGED, name: `managed policies, ${QUOTA.managedPoliciesOnRequest} on request`, limit: QUOTA.managedPoliciesOnRequest };
const INLINE: Quota = { name: "the role's inline policy", limit: QUOTA.inlineCharacters, unit: ' characters', figure: (f) => f.inlineCharacters };
const MANAGED_CHARACTERS: Quota = { name: 'the largest managed policy', limit: QUOTA.managedPolicyCharacters, unit: ' characters', figure: (f) => f.largestManagedCharacters };
const TEMPLATE: Quota = { name: 'template in S3 (minified JSON)', limit: QUOTA.templateBytesS3, unit: ' bytes', figure: (f) => f.templateBytes };
const TEMPLATE_DIRECT: Quota = { ...TEMPLATE, name: 'template sent in the request', limit: QUOTA.templateBytesDirect };
/** The quotas a stack must fit (the default ones). */
const EVERY_QUOTA = [RESOURCES, MANAGED, INLINE, MANAGED_CHARACTERS, TEMPLATE];

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
/** A percentage, with a decimal where rounding would hide that a figure is over (or under) its quota. */
const pct = (x: number, of: number): string => {
  const p = (100 * x) / of;
  return `${Math.round(p) === 100 && x !== of ? p.toFixed(1) : Math.round(p)}%`;
};
const ratio = (x: number, of: number): string => `${n(x)} / ${n(of)}`.padStart(19);
const row = (label: string, value: string): string => `    ${label.padEnd(38)}${value}`;
const plural = (count: number, one: string, many = `${one}s`): string => `${n(count)} ${count === 1 ? one : many}`;
const against = (q: Quota, f: Figures): string => `${ratio(q.figure(f), q.limit)}${q.unit} (${pct(q.figure(f), q.limit)})`;

/** The quotas of the list that a stack breaks. */
const broken = (f: Figures, quotas: Quota[]): Quota[] => quotas.filter((q) => q.figure(f) > q.limit);

function describe(f: Figures, out: (line?: string) => void): void {
  out(row('CloudFormation resources', against(RESOURCES, f)));
  out(row('managed policies on the handler role', `${against(MANAGED, f)}; ${f.customerManagedPolicies} overflow + ${f.awsManagedPolicies} AWS managed; ` +
    `${pct(managedPolicies(f), QUOTA.managedPoliciesOnRequest)} of ${QUOTA.managedPoliciesOnRequest} on request`));
  out(row("the role's inline policy", `${against(INLINE, f)} in ${plural(f.inlinePolicies, 'policy', 'policies')}`));
  out(row('the largest managed policy', f.customerManagedPolicies === 0
    ? `${'-'.padStart(19)} (the role has no customer managed policy)`
    : against(MANAGED_CHARACTERS, f)));
  out(row('template (minified JSON)', `${against(TEMPLATE, f)}; ${f.templateBytes <= QUOTA.templateBytesDirect ? 'within' : 'over'} ` +
    `the ${n(QUOTA.templateBytesDirect)}-byte direct upload; cdk.out file ${n(f.templateFileBytes)} bytes`));
  out(row('synth', `${`${f.synthMs.toFixed(0)} ms`.padStart(19)} (${(f.synthMs / f.models).toFixed(2)} ms per model)`));
  for (const m of f.messages) out(row('message', m));
}

/** The model count at which a figure that grows linearly from a to b passes limit (Infinity when it does not grow). */
function extrapolate(a: Figures, b: Figures, q: Quota): number {
  const slope = (q.figure(b) - q.figure(a)) / (b.models - a.models);
  if (slope <= 0) return Infinity;
  return Math.max(0, Math.floor(b.models + (q.limit - q.figure(b)) / slope));
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Synth timing: rounds of the printed counts, after one warm-up synth; each count's time is its median. */
const ROUNDS = 5;

export async function scaleFigures(out: (line?: string) => void): Promise<void> {
  out('== Scale: one stack of N models in distinct projects (account 123456789012, us-east-1), against CloudFormation and IAM quotas');
  out(`   IAM characters: the documents with their intrinsics resolved, without whitespace. Synth: in-process app.synth(), median of ${ROUNDS} rounds after a warm-up synth`);
  const started = Date.now();
  // Warm up module loading and the JIT with the largest printed stack, so that the figures measure synthesis, not require().
  synthesize(COUNTS[COUNTS.length - 1]);
  const rounds: Figures[][] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(COUNTS.map(synthesize));
  const figures = COUNTS.map((_, i) => ({ ...rounds[ROUNDS - 1][i], synthMs: median(rounds.map((round) => round[i].synthMs)) }));
  for (const f of figures) {
    out(`  ${plural(f.models, 'model')}:`);
    describe(f, out);
  }
  const [first, mid, last] = figures;
  const span = last.models - mid.models;
  out(`  per additional model (${mid.models} -> ${last.models}): ${((last.resources - mid.resources) / span).toFixed(2)} resources, ` +
    `${((last.templateBytes - mid.templateBytes) / span).toFixed(0)} template bytes, ${((last.synthMs - mid.synthMs) / span).toFixed(2)} ms of synth; ` +
    `the provider's fixed cost: ${first.resources - 1} resources, ${n(first.templateBytes)} template bytes`);
  out(`  templates over ${n(QUOTA.templateBytesDirect)} bytes cannot go in the CreateStack request: cdk deploy uploads them to the bootstrap bucket ` +
    '(with the DefaultStackSynthesizer it always deploys the cdk.out file from S3)');

  // The largest count that fits a list of quotas: gallop from the count the 100 -> 400 trend predicts, then bisect.
  const tried = new Map<number, Figures>(figures.map((f) => [f.models, f]));
  const measure = (models: number): Figures => {
    let f = tried.get(models);
    if (!f) tried.set(models, (f = synthesize(models)));
    return f;
  };
  const largestWithin = (quotas: Quota[]): { fits: number; breaks?: number } => {
    const fits = (models: number): boolean => broken(measure(models), quotas).length === 0;
    let hi = Math.min(SEARCH_CAP + 1, ...[...tried.values()].filter((f) => broken(f, quotas).length > 0).map((f) => f.models));
    let lo = Math.max(0, ...[...tried.values()].filter((f) => f.models < hi && broken(f, quotas).length === 0).map((f) => f.models));
    const predicted = Math.min(...quotas.map((q) => extrapolate(mid, last, q)));
    const guess = Math.min(hi - 1, Math.max(lo + 1, Number.isFinite(predicted) ? predicted : 2 * lo));
    if (lo < guess && guess < hi) {
      if (fits(guess)) {
        lo = guess;
        for (let step = 1; lo + step < hi; step *= 2) {
          if (!fits(lo + step)) { hi = lo + step; break; }
          lo += step;
        }
      } else {
        hi = guess;
        for (let step = 1; hi - step > lo; step *= 2) {
          if (fits(hi - step)) { lo = hi - step; break; }
          hi -= step;
        }
      }
    }
    while (hi - lo > 1) {
      const m = Math.floor((lo + hi) / 2);
      if (fits(m)) lo = m;
      else hi = m;
    }
    return { fits: lo, breaks: hi <= SEARCH_CAP ? hi : undefined };
  };

  const every = largestWithin(EVERY_QUOTA);
  out(`  largest stack within every quota: ${plural(every.fits, 'model')}`);
  if (every.fits > 0) describe(measure(every.fits), out);
  if (every.breaks !== undefined) {
    const over = measure(every.breaks);
    out(`  first quota to bind, at ${plural(every.breaks, 'model')}: ${broken(over, EVERY_QUOTA).map((q) => `${q.name} ${against(q, over).trim()}`).join('; ')}`);
    for (const m of over.messages) out(row('message', m));
  } else {
    out(`  no quota binds up to ${n(SEARCH_CAP)} models (the search stops there)`);
  }

  out('  each quota alone:');
  const alone = (q: Quota): void => {
    const limit = every.breaks !== undefined && broken(measure(every.breaks), [q]).length > 0 ? every : largestWithin([q]);
    if (limit.breaks === undefined) {
      out(row(q.name, `fits up to ${n(SEARCH_CAP)} models (the search stops there)`));
      return;
    }
    const over = measure(limit.breaks);
    out(row(q.name, `${plural(limit.fits, 'model')} (measured: ${n(limit.breaks)} models take ${against(q, over).trim()})`));
    for (const m of over.messages.filter((x) => !measure(limit.fits).messages.includes(x))) out(row('  new message there', m));
  };
  alone(RESOURCES);
  alone(MANAGED);
  const linear = (q: Quota, a: Figures, b: Figures, note = ''): void =>
    out(row(q.name, `~${plural(extrapolate(a, b, q), 'model')} (extrapolated linearly from ${a.models} -> ${b.models} models${note})`));
  linear(MANAGED_ON_REQUEST, mid, last, '; they grow in steps');
  linear(TEMPLATE, mid, last);
  linear(TEMPLATE_DIRECT, first, mid, '; not a quota for cdk deploy, which uploads larger ones to S3');
  const all = [...tried.values()];
  for (const q of [INLINE, MANAGED_CHARACTERS]) {
    const worst = all.reduce((a, b) => (q.figure(b) > q.figure(a) ? b : a));
    out(row(q.name, `never binds: aws-cdk-lib moves statements past ${q === INLINE ? '10,000' : '6,000'} characters of its own estimate into new policies; ` +
      `largest in the ${all.length} stacks measured: ${against(q, worst).trim()} at ${plural(worst.models, 'model')}`));
  }
  out(`  (${tried.size - COUNTS.length} synths for the search, ${((Date.now() - started) / 1000).toFixed(1)} s for this whole section)`);
}
