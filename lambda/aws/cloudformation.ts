// The CloudFormation calls the handlers make, on their own stack only: its status, which tells a Delete that rolls a
// stack back (stop the model, whatever the removal policy) from one that removes it, and tells the stack guard when
// the stack is settled; and its model resources, which tell the guard what the stack still declares.
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { RESOURCE_TYPE } from '../../lib/contract/resource-properties';
import { cachedClient } from './sdk-clients';
import type { StackModelResource } from '../decisions/stack-guard';

/** The CloudFormation client, created once and reused (lambda/aws/sdk-clients.ts). */
function client(): CloudFormationClient {
  return cachedClient('CLOUDFORMATION', () => new CloudFormationClient({}));
}

export async function stackStatus(stackId: string): Promise<string | undefined> {
  const out = await client().send(new DescribeStacksCommand({ StackName: stackId }));
  return out.Stacks?.[0]?.StackStatus;
}

/** The stack's Custom::RekognitionCustomLabelsModel resources. */
export async function listModelResources(stackId: string): Promise<StackModelResource[]> {
  const resources: StackModelResource[] = [];
  let token: string | undefined;
  do {
    const out = await client().send(new ListStackResourcesCommand({ StackName: stackId, NextToken: token }));
    for (const r of out.StackResourceSummaries ?? []) {
      if (r.ResourceType === RESOURCE_TYPE && r.LogicalResourceId) resources.push({ logicalId: r.LogicalResourceId, physicalId: r.PhysicalResourceId });
    }
    token = out.NextToken;
  } while (token);
  return resources;
}
