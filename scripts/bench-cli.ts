// The command line's `status`: its calls and its time for a stack of 1, 10 and 100 models, through the test world's
// local CloudFormation, Rekognition and SSM endpoints (every model with a hold parameter, all in one project, so the
// project is looked up once). The calls are what the command makes; the time is the local endpoints' and this
// machine's, not AWS's, and is printed as measured, beside the bound the calls set.
import { main } from '../cli/main';
import { RESOURCE_TYPE } from '../lib/contract/resource-properties';
import { PolicyDocument } from '../test/support/iam';
import { stackTemplate } from '../test/support/templates';
import { World } from '../test/support/world';

const OPERATOR_KEY = 'AKIABENCHOPERATOR001';
const ALLOW_ALL: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

async function statusOf(models: number): Promise<{ ms: number; lines: number; calls: Record<string, number> }> {
  const w = await new World().start();
  try {
    w.identity(OPERATOR_KEY, 'arn:aws:sts::123456789012:assumed-role/Operator/bench', [ALLOW_ALL]);
    const arns = Array.from({ length: models }, (_, i) => w.model(`widgets.v${i + 1}`));
    for (const arn of arns) w.sim.setStatus(arn, 'RUNNING', { min: 2 });
    const template = stackTemplate({ context: { 'aws:cdk:enable-path-metadata': 'true' }, models: arns.map((arn, i) => ({ id: `Model${i + 1}`, projectVersionArn: arn, hold: true })) });
    // The stack as CloudFormation holds it once deployed: its template and its model resources' physical ids.
    w.cfn.template = template;
    w.cfn.stackStatus = 'CREATE_COMPLETE';
    const resources = (template.Resources ?? {}) as Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
    for (const [logicalId, r] of Object.entries(resources)) {
      if (r.Type === RESOURCE_TYPE) w.cfn.resources.set(logicalId, String(r.Properties?.ProjectVersionArn));
    }
    for (const p of Object.values(resources).filter((r) => r.Type === 'AWS::SSM::Parameter')) {
      const props = (p.Properties ?? {}) as { Name?: unknown; Value?: unknown };
      if (typeof props.Name === 'string' && props.Value === 'none') w.ssm.put(props.Name, 'none');
    }
    w.sim.calls.length = 0;
    w.stacks.calls.length = 0;
    const ssmBefore = w.ssm.calls.length;
    process.env.AWS_ACCESS_KEY_ID = OPERATOR_KEY;
    const lines: string[] = [];
    const started = performance.now();
    const code = await main(['status'], { out: { print: (l) => lines.push(l), error: (l) => lines.push(l) } });
    const ms = performance.now() - started;
    if (code !== 0) throw new Error(`status exited ${code}: ${lines.join('\n')}`);
    const calls: Record<string, number> = {};
    for (const c of w.stacks.calls) calls[`CloudFormation ${c}`] = (calls[`CloudFormation ${c}`] ?? 0) + 1;
    for (const c of w.sim.calls) calls[`Rekognition ${c.operation}`] = (calls[`Rekognition ${c.operation}`] ?? 0) + 1;
    for (const c of w.ssm.calls.slice(ssmBefore)) { const api = `SSM ${c.action.replace(/^ssm:/, "")}`; calls[api] = (calls[api] ?? 0) + 1; }
    return { ms, lines: lines.length - 1, calls };
  } finally {
    await w.stop();
  }
}

export async function cliFigures(out: (line?: string) => void): Promise<void> {
  out('== The command line: `status` over one stack of 1, 10 and 100 models with holds (local endpoints)');
  const results: { models: number; ms: number; total: number }[] = [];
  for (const models of [1, 10, 100]) {
    const r = await statusOf(models);
    const total = Object.values(r.calls).reduce((a, b) => a + b, 0);
    results.push({ models, ms: r.ms, total });
    const byApi = Object.entries(r.calls).sort().map(([api, n]) => `${api} ${n}`).join(', ');
    out(`  ${String(models).padStart(3)} model(s): ${r.lines} line(s) in ${r.ms.toFixed(0)} ms; ${total} calls (${(total / models).toFixed(2)} per model): ${byApi}`);
  }
  const [one, , hundred] = results;
  out(`  100 models against 1: ${(hundred.ms / one.ms).toFixed(1)}x the time, ${(hundred.total / one.total).toFixed(1)}x the calls ` +
    '(per model: DescribeProjectVersions and GetParameter; per stack: DescribeStacks, ListStackResources, GetTemplate; per project: DescribeProjects)');
}
