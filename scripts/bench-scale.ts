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
// - the template's bytes as minified JSON, against 1,048,576 for a template in S3;
// - synth time.
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

