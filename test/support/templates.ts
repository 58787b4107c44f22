// Stacks of models synthesized with the real construct, and what the test world reads from their templates: the
// handler role's identity policies (what IAM enforces in each phase) and the model resources' properties (what
// CloudFormation sends). A stack under test is declared once, as data (StackDecl: its models with their windows,
// holds and demand, a demand queue, an operator's and a client's role); stackTemplate() synthesizes it for the test
// world (cached by declaration: synthesis takes a fifth of a second), synthStack() for a test that reads or extends the
// constructs themselves.
import { App, Duration, RemovalPolicy, Stack, Tags, TimeZone } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../../lib';
import { RESOURCE_TYPE } from '../../lib/contract/resource-properties';
import { WindowTable } from '../../lib/contract/weekly-windows';
import { CfnTemplate, PolicyDocument, Pseudo, resolveIntrinsics, rolePolicies } from './iam';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
/** The stack name the tests deploy (and the CloudFormation emulator's default, world.ts). */
export const STACK_NAME = 'WidgetsStack';

/** The batch windows a declaration's `windows: true` means: Monday 08:00 to 18:00 UTC with 3 units, no lead time. */
export const MONDAY_WINDOW: WindowTable = { timeZone: 'UTC', leadMinutes: 0, windows: [{ startMinute: 8 * 60, endMinute: 18 * 60, minInferenceUnits: 3 }] };

/** The demand queue a stack declares with `queue: true`, or for a model with demand: construct id Work. */
export const DEMAND_QUEUE_NAME = 'widgets-work';

/** One model of a stack, as a user declares it. */
export interface ModelDecl {
  /** The construct id. */
  readonly id: string;
  readonly projectVersionArn: string;
  /** Default 2. */
  readonly minInferenceUnits?: number;
  readonly maxInferenceUnits?: number;
  readonly retain?: boolean;
  readonly timeoutMinutes?: number;
  /** The tags prop. */
  readonly tags?: Record<string, string>;
  /** The replacementGracePeriod prop, in seconds. */
  readonly graceSeconds?: number;
  /** Batch windows: `true` for MONDAY_WINDOW, or the batchWindows prop itself. */
  readonly windows?: boolean | BatchWindows;
  /** Holds (the hold prop, with the default parameter name). */
  readonly hold?: boolean;
  /** Demand on the stack's queue (DEMAND_QUEUE_NAME): its units and idle time. */
  readonly demand?: { readonly minInferenceUnits: number; readonly idleMinutes: number };
}

/** A stack under test: its models, and what else of the stack the scenario needs. */
export interface StackDecl {
  /** Default STACK_NAME. */
  readonly stackName?: string;
  /** Default REGION. */
  readonly region?: string;
  /** The app's context, e.g. the library's `cdk-rekognition-custom-labels:now`. */
  readonly context?: Record<string, string>;
  readonly models: readonly ModelDecl[];
  /** Tags on the whole stack (Tags.of(stack)). */
  readonly stackTags?: Record<string, string>;
  /** The SQS queue demand reads, also when no model declares demand (a deploy that removes it keeps the queue). */
  readonly queue?: boolean;
  /**
   * A role `Operator` (the account may assume it), given grantHold on these models (by construct id), and
   * grantReadStatus (what the command line's status and plan read) on `reads`.
   */
  readonly operator?: { readonly holds: readonly string[]; readonly reads?: readonly string[] };
  /** A role `Client` (a Lambda function's), given grantDetectCustomLabels and grantReadRunningVersion on these models. */
  readonly client?: { readonly detects: readonly string[] };
}

/** A stack of one model, construct id Widgets (logical id Widgets3DFF681B), and whatever else `stack` declares. */
export function widgetsStack(model: Omit<ModelDecl, 'id'>, stack: Omit<StackDecl, 'models'> = {}): StackDecl {
  return { ...stack, models: [{ id: 'Widgets', ...model }] };
}

/** The hold parameter of Widgets in STACK_NAME, by its default name: `/rekognition-custom-labels/<stack>/<construct path>/hold`. */
export const WIDGETS_HOLD = '/rekognition-custom-labels/WidgetsStack/Widgets/hold';

/** The constructs of a synthesized stack under test. */
export interface SynthesizedStack {
  readonly stack: Stack;
  /** The models by construct id. */
  readonly models: Readonly<Record<string, CustomLabelsModel>>;
  /** The first model. */
  readonly model: CustomLabelsModel;
}

/**
 * The stack as the construct builds it, for a test that reads or extends the constructs. In this order (the order of
 * the template's resources): the client's role, the queue, the models, the operator's role.
 */
export function synthStack(decl: StackDecl): SynthesizedStack {
  const stack = emptyStack(decl);
  const client = decl.client ? new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }) : undefined;
  const queue = decl.queue || decl.models.some((m) => m.demand) ? new sqs.Queue(stack, 'Work', { queueName: DEMAND_QUEUE_NAME }) : undefined;
  const models: Record<string, CustomLabelsModel> = {};
  for (const m of decl.models) {
    models[m.id] = new CustomLabelsModel(stack, m.id, {
      projectVersionArn: m.projectVersionArn,
      minInferenceUnits: m.minInferenceUnits ?? 2,
      maxInferenceUnits: m.maxInferenceUnits,
      removalPolicy: m.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      timeout: m.timeoutMinutes ? Duration.minutes(m.timeoutMinutes) : undefined,
      tags: m.tags,
      replacementGracePeriod: m.graceSeconds === undefined ? undefined : Duration.seconds(m.graceSeconds),
      hold: m.hold ? {} : undefined,
      batchWindows: m.windows === true ? mondayWindow() : m.windows || undefined,
      demand: m.demand ? { queue: queue!, idleTime: Duration.minutes(m.demand.idleMinutes), minInferenceUnits: m.demand.minInferenceUnits } : undefined,
    });
  }
  if (decl.operator) {
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    for (const id of decl.operator.reads ?? []) models[id].grantReadStatus(operator);
    for (const id of decl.operator.holds) models[id].grantHold(operator);
  }
  for (const id of decl.client?.detects ?? []) {
    models[id].grantDetectCustomLabels(client!);
    models[id].grantReadRunningVersion(client!);
  }
  for (const [k, v] of Object.entries(decl.stackTags ?? {})) Tags.of(stack).add(k, v);
  return { stack, models, model: models[decl.models[0]?.id] };
}

/** The stack of a declaration, with nothing in it yet: its name, account, region and the app's context. */
export function emptyStack(decl: Omit<StackDecl, 'models'> = {}): Stack {
  return new Stack(new App({ context: decl.context }), decl.stackName ?? STACK_NAME, { env: { account: ACCOUNT, region: decl.region ?? REGION } });
}

/** MONDAY_WINDOW as the construct's prop. */
function mondayWindow(): BatchWindows {
  return BatchWindows.weekly({
    timeZone: TimeZone.ETC_UTC,
    windows: [{ start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18), minInferenceUnits: 3 }],
    leadTime: Duration.minutes(0),
  });
}

/** A template of a stack, without aws-cdk-lib's CloudFormation schema validation. */
export function templateOf(stack: Stack): CfnTemplate {
  // aws-cdk-lib's CloudFormation schema validation (a WebAssembly cfn-lint) takes most of a synth; the construct tests
  // and `npm run synth` keep it on, the test world's many stacks skip it.
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return Template.fromStack(stack).toJSON() as CfnTemplate;
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
}

const cache = new Map<string, CfnTemplate>();

/**
 * The template of a stack under test, as StackDeployment deploys it: the same object for the same declaration (one
 * whose windows are a BatchWindows object is synthesized every time: an object is no cache key).
 */
export function stackTemplate(decl: StackDecl): CfnTemplate {
  if (decl.models.some((m) => typeof m.windows === 'object')) return templateOf(synthStack(decl).stack);
  const key = JSON.stringify(decl);
  let template = cache.get(key);
  if (!template) {
    template = templateOf(synthStack(decl).stack);
    cache.set(key, template);
  }
  return template;
}

/** The template of a stack declaring these models (nothing else): stackTemplate's shorthand. */
export function synthModels(stackName: string, models: readonly ModelDecl[], stackTags: Record<string, string> = {}, region = REGION): CfnTemplate {
  return stackTemplate({ stackName, models, stackTags, region });
}

export function pseudoOf(stackId: string): Pseudo {
  return { accountId: ACCOUNT, region: stackId.split(':')[3] || REGION, partition: 'aws', stackName: stackId.split('/')[1], stackId };
}

/** The identity policies of the handlers' role, as the template defines them, resolved for this stack. */
export function handlerPolicies(template: CfnTemplate, stackId: string): PolicyDocument[] {
  return rolePolicies(template, 'RekognitionCustomLabelsProviderHandlerRole', pseudoOf(stackId));
}

/**
 * The model resources of a template (or those of another custom resource type): logical id to the properties
 * CloudFormation sends (strings, no ServiceToken).
 */
export function modelResources(template: CfnTemplate, stackId: string, resourceType: string = RESOURCE_TYPE): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const r = resource as { Type: string; Properties?: Record<string, unknown> };
    if (r.Type !== resourceType) continue;
    const props = { ...(resolveIntrinsics(r.Properties ?? {}, template, pseudoOf(stackId)) as Record<string, unknown>) };
    delete props.ServiceToken;
    out.set(logicalId, Object.fromEntries(Object.entries(props).map(([k, v]) => [k, String(v)])));
  }
  return out;
}

/** An AWS::SSM::Parameter of a template: its name, and its value or the model resource whose Ref it is. */
export interface TemplateParameter {
  readonly logicalId: string;
  readonly name: string;
  /** The value, when it refers to no model resource. */
  readonly value?: string;
  /** The model resource whose physical id (Ref) the value is: CloudFormation writes the parameter after it. */
  readonly refersTo?: string;
}

export function ssmParameters(template: CfnTemplate, stackId: string): TemplateParameter[] {
  const out: TemplateParameter[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const r = resource as { Type: string; Properties?: { Name?: unknown; Value?: unknown } };
    if (r.Type !== 'AWS::SSM::Parameter') continue;
    const name = String(resolveIntrinsics(r.Properties?.Name, template, pseudoOf(stackId)));
    const value = r.Properties?.Value as { Ref?: string } | string | undefined;
    const ref = typeof value === 'object' && value !== null ? value.Ref : undefined;
    const isModel = ref !== undefined && (template.Resources?.[ref] as { Type?: string } | undefined)?.Type === RESOURCE_TYPE;
    out.push(isModel ? { logicalId, name, refersTo: ref } : { logicalId, name, value: String(resolveIntrinsics(value, template, pseudoOf(stackId))) });
  }
  return out;
}
