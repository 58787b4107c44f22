// Stacks of models synthesized with the real construct, and what the test world reads from their templates: the
// handler role's identity policies (what IAM enforces in each phase) and the model resources' properties (what
// CloudFormation sends). Templates are cached by declaration: synthesis takes a fifth of a second.
import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomLabelsModel } from '../../lib';
import { RESOURCE_TYPE } from '../../lib/contract/resource-properties';
import { CfnTemplate, PolicyDocument, Pseudo, resolveIntrinsics, rolePolicies } from './iam';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** One model of a stack, as a user declares it. */
export interface ModelDecl {
  /** The construct id. */
  readonly id: string;
  readonly projectVersionArn: string;
  readonly minInferenceUnits?: number;
  readonly maxInferenceUnits?: number;
  readonly retain?: boolean;
  readonly timeoutMinutes?: number;
  /** The tags prop. */
  readonly tags?: Record<string, string>;
  /** The replacementGracePeriod prop, in seconds. */
  readonly graceSeconds?: number;
}

const cache = new Map<string, CfnTemplate>();

/** The template of a stack declaring these models. */
export function synthModels(stackName: string, models: readonly ModelDecl[], stackTags: Record<string, string> = {}, region = REGION): CfnTemplate {
  const key = JSON.stringify([stackName, models, stackTags, region]);
  let template = cache.get(key);
  if (!template) {
    const app = new App();
    const stack = new Stack(app, stackName, { env: { account: ACCOUNT, region } });
    for (const m of models) {
      new CustomLabelsModel(stack, m.id, {
        projectVersionArn: m.projectVersionArn,
        minInferenceUnits: m.minInferenceUnits ?? 2,
        maxInferenceUnits: m.maxInferenceUnits,
        removalPolicy: m.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        timeout: m.timeoutMinutes ? Duration.minutes(m.timeoutMinutes) : undefined,
        tags: m.tags,
        replacementGracePeriod: m.graceSeconds === undefined ? undefined : Duration.seconds(m.graceSeconds),
      });
    }
    for (const [k, v] of Object.entries(stackTags)) Tags.of(stack).add(k, v);
    // aws-cdk-lib's CloudFormation schema validation (a WebAssembly cfn-lint) takes most of a synth; the construct tests
    // and `npm run synth` keep it on, the test world's many stacks skip it.
    const validation = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'false';
    try {
      template = Template.fromStack(stack).toJSON() as CfnTemplate;
    } finally {
      if (validation === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = validation;
    }
    cache.set(key, template);
  }
  return template;
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
