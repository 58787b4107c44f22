// Finds the models that stacks of this library run in an account and region, from CloudFormation alone: the stacks
// (DescribeStacks), their model resources (ListStackResources: the physical id is the version ARN) and what each
// declares (GetTemplate: the resource's properties, which the handlers read too, and its construct path). Two calls per
// stack, whatever its number of models.
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { PROP, RESOURCE_TYPE } from '../lib/contract/resource-properties';
import { ModelSpec, parseModelSpec } from '../lambda/model-spec';
import { inParallel } from './aws-clients';

/** A model resource of a deployed stack, with what its template declares. */
export interface DeployedModel {
  readonly stackName: string;
  readonly stackStatus: string;
  readonly logicalId: string;
  /** `<stack>/<construct path>`: the name an operator gives the command line. */
  readonly name: string;
  readonly spec: ModelSpec;
}

/** Stacks CloudFormation is deleting or has failed to create hold no model worth listing. */
const GONE = new Set(['DELETE_COMPLETE', 'DELETE_IN_PROGRESS', 'ROLLBACK_COMPLETE']);

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/**
 * The model's name: its construct path as the CDK CLI records it (`aws:cdk:path`, without the custom resource's own
 * `Resource/Default`), else `<stack>/<logical id>` for a template synthesized without path metadata.
 */
export function modelName(stackName: string, logicalId: string, metadata: Record<string, unknown> | undefined): string {
  const path = metadata?.['aws:cdk:path'];
  if (typeof path === 'string' && path.length > 0) return path.replace(/\/Resource\/Default$/, '').replace(/\/Resource$/, '');
  return `${stackName}/${logicalId}`;
}

/**
 * The resource's properties as the handlers receive them: strings. A property the template computes (a reference
 * or a function) is unknown here: the version ARN is then the resource's physical id, and the others are left out.
 */
export function propertiesOf(resource: TemplateResource, physicalId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(resource.Properties ?? {})) {
    if (key === 'ServiceToken') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  out[PROP.projectVersionArn] = physicalId;
  return out;
}

async function allStacks(cfn: CloudFormationClient, names: readonly string[]): Promise<Stack[]> {
  if (names.length > 0) {
    return inParallel(names, 4, async (name) => {
      const out = await cfn.send(new DescribeStacksCommand({ StackName: name }));
      const stack = out.Stacks?.[0];
      if (!stack) throw new Error(`stack ${name} not found`);
      return stack;
    });
  }
  const stacks: Stack[] = [];
  let token: string | undefined;
  do {
    const out = await cfn.send(new DescribeStacksCommand({ NextToken: token }));
    stacks.push(...(out.Stacks ?? []));
    token = out.NextToken;
  } while (token);
  return stacks;
}

async function modelsOf(cfn: CloudFormationClient, stack: Stack): Promise<DeployedModel[]> {
  const stackName = stack.StackName ?? '';
  const physical = new Map<string, string>();
  let token: string | undefined;
  do {
    const out = await cfn.send(new ListStackResourcesCommand({ StackName: stack.StackId ?? stackName, NextToken: token }));
    for (const r of out.StackResourceSummaries ?? []) {
      if (r.ResourceType === RESOURCE_TYPE && r.LogicalResourceId && r.PhysicalResourceId) physical.set(r.LogicalResourceId, r.PhysicalResourceId);
    }
    token = out.NextToken;
  } while (token);
  if (physical.size === 0) return [];
  const template = await cfn.send(new GetTemplateCommand({ StackName: stack.StackId ?? stackName, TemplateStage: 'Original' }));
  const resources = (JSON.parse(template.TemplateBody ?? '{}') as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
  const models: DeployedModel[] = [];
  for (const [logicalId, physicalId] of physical) {
    const resource = resources[logicalId] ?? {};
    let spec: ModelSpec;
    try {
      spec = parseModelSpec(propertiesOf(resource, physicalId));
    } catch {
      // A resource whose create failed (its physical id is not a version ARN) runs nothing.
      continue;
    }
    models.push({ stackName, stackStatus: stack.StackStatus ?? '', logicalId, name: modelName(stackName, logicalId, resource.Metadata), spec });
  }
  return models;
}

/** Every model the library's stacks run in the client's region, or in the named stacks only. */
export async function deployedModels(cfn: CloudFormationClient, stackNames: readonly string[] = []): Promise<DeployedModel[]> {
  const stacks = (await allStacks(cfn, stackNames)).filter((s) => !GONE.has(s.StackStatus ?? ''));
  const perStack = await inParallel(stacks, 4, (s) => modelsOf(cfn, s));
  return perStack.flat().sort((a, b) => a.name.localeCompare(b.name));
}

/** The model an operator names: `<stack>/<construct path>` or its version ARN. */
export function findModel(models: readonly DeployedModel[], name: string): DeployedModel {
  const found = models.filter((m) => m.name === name || m.spec.projectVersionArn === name || `${m.stackName}/${m.logicalId}` === name);
  if (found.length === 1) return found[0];
  if (found.length > 1) throw new Error(`${name} names ${found.length} models (${found.map((m) => m.name).join(', ')}): name it by <stack>/<construct path>`);
  const known = models.length > 0 ? `; the stacks run: ${models.map((m) => m.name).join(', ')}` : '; no stack of this library runs a model in this account and region';
  throw new Error(`no model named ${name}${known}`);
}
