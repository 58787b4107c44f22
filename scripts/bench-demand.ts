// Demand-driven runs: the latency from the first message in the queue to StartProjectVersion, and from the end of the
// idle time (the queue emptied + idleTime) to StopProjectVersion. Measured through the CloudFormation emulator, the
// shipped handlers, the 1-minute demand pass (as the template schedules it) and the world's SQS stand-in on the
// simulator's virtual clock, with messages sent and deleted at several offsets within the pass's minute.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CustomLabelsModel } from '../lib';
import { CfnTemplate, resolveIntrinsics } from '../test/support/iam';
import { ScheduledModelEvent, SchedulerEmulator } from '../test/support/scheduler';
import { StackDeployment } from '../test/support/stack-deployment';
import { ACCOUNT, pseudoOf, REGION } from '../test/support/templates';
import { World } from '../test/support/world';

const MIN = 60_000;
const IDLE_MINUTES = 15;
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/widgets-work`;
/** Offsets of the first message (and of the queue's emptying) after a pass, in seconds. */
const OFFSETS = [0.5, 15, 30, 45, 59.5];

function template(): CfnTemplate {
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const stack = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: REGION } });
    const queue = new sqs.Queue(stack, 'Work', { queueName: 'widgets-work' });
    new CustomLabelsModel(stack, 'Widgets', {
      projectVersionArn: `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/widgets/version/widgets.v1/1767607200000`,
      minInferenceUnits: 2,
      demand: { queue, idleTime: Duration.minutes(IDLE_MINUTES) },
    });
    return Template.fromStack(stack).toJSON() as CfnTemplate;
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
}

async function run(t: CfnTemplate, offsetSeconds: number): Promise<{ startMs: number; stopMs: number; passes: number }> {
  const w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
  try {
    w.sqs.create(QUEUE_URL);
    w.model();
    const stack = new StackDeployment(w.cfn, undefined, w.ssm);
    const created = await stack.deploy(t);
    if (created.status !== 'CREATE_COMPLETE') throw new Error(`deploy failed: ${created.status}`);
    const schedule = Object.values(t.Resources ?? {}).find((r) => (r as { Properties?: { ScheduleExpression?: string } }).Properties?.ScheduleExpression === 'rate(1 minute)') as { Properties: { Target: { Input: unknown } } };
    const event = JSON.parse(String(resolveIntrinsics(schedule.Properties.Target.Input, t, pseudoOf(w.cfn.stackId)))) as ScheduledModelEvent;
    const grid = w.clock.now;
    const first = grid + 10 * MIN + offsetSeconds * 1000;
    let receipt = '';
    w.cfn.schedule(first, async () => {
      w.sqs.send(QUEUE_URL, 'image.jpg');
    });
    w.cfn.schedule(first + 20 * MIN, async () => {
      receipt = w.sqs.receive(QUEUE_URL, 1, 3600)[0].receipt;
    });
    const emptied = first + 30 * MIN;
    w.cfn.schedule(emptied, async () => w.sqs.delete(QUEUE_URL, receipt));
    const end = emptied + (IDLE_MINUTES + 10) * MIN;
    let passes = 0;
    new SchedulerEmulator(w.cfn, (e) => {
      passes++;
      return w.handlers.onSchedule(e);
    }, event).safetyNet(grid, end, MIN);
    await w.cfn.drain(end);
    const start = w.sim.calls.find((c) => c.operation === 'StartProjectVersion' && c.outcome === 'ok' && c.at >= first);
    const stop = w.sim.calls.find((c) => c.operation === 'StopProjectVersion' && c.outcome === 'ok' && c.at >= emptied);
    if (!start || !stop) throw new Error(`no start or no stop: ${JSON.stringify(w.sim.calls.filter((c) => c.operation.endsWith('ProjectVersion')))}`);
    return { startMs: start.at - first, stopMs: stop.at - (emptied + IDLE_MINUTES * MIN), passes };
  } finally {
    await w.stop();
  }
}

export async function demandFigures(out: (line?: string) => void): Promise<void> {
  const t = template();
  const results = [];
  for (const offset of OFFSETS) results.push({ offset, ...(await run(t, offset)) });
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  out(`== Demand-driven runs: 1-minute pass, idleTime ${IDLE_MINUTES} min, first message and the queue's emptying at ${OFFSETS.join(', ')} s after a pass`);
  for (const r of results) out(`  offset ${String(r.offset).padStart(4)} s: first message -> StartProjectVersion ${s(r.startMs)}; idle time's end -> StopProjectVersion ${s(r.stopMs)}`);
  const starts = results.map((r) => r.startMs);
  const stops = results.map((r) => r.stopMs);
  out(`  first message -> StartProjectVersion: min ${s(Math.min(...starts))}, max ${s(Math.max(...starts))} (bound: one pass, 60 s)`);
  out(`  idle time's end -> StopProjectVersion: min ${s(Math.min(...stops))}, max ${s(Math.max(...stops))} (bound: one pass, 60 s)`);
  out(`  the pass's cost: ${(30 * 24 * 60).toLocaleString('en-US')} scheduled invocations a 30-day month per model (EventBridge Scheduler: 14 million free a month, then $1.00 a million)`);
}
