// The one CloudFormation call the handlers make: the status of their own stack, which tells a Delete that rolls
// a stack back (stop the model, whatever the removal policy) from one that removes it (RETAIN may keep it).
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export async function stackStatus(stackId: string): Promise<string | undefined> {
  const out = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackId }));
  return out.Stacks?.[0]?.StackStatus;
}
