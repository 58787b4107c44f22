// Deploy-time figures, measured against the local Rekognition simulator through the real Provider framework
// runtime on a virtual clock: readiness lag, DescribeProjectVersions traffic, a 25-model stack under a Describe
// rate limit, and a short fault campaign.
import { runCampaign } from '../test/campaign/run-campaign';
import { props, World } from '../test/support/world';

const MIN = 60_000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function readiness(out: (line?: string) => void): Promise<void> {
  const starts = 60;
  const w = await new World({ timings: { startMs: 5 * MIN, stopMs: 2 * MIN, jitterMs: 10 * MIN }, seed: 42 }).start();
  const lags: number[] = [];
  const describesPerStart: number[] = [];
  const waitMinutes: number[] = [];
  let failed = 0;
  try {
    for (let i = 0; i < starts; i++) {
      const v = w.model('v1', 'TRAINING_COMPLETED', `readiness${i}`);
      const describesBefore = w.sim.countCalls('DescribeProjectVersions');
      const answer = await w.cfn.settle(w.cfn.create(`Model${i}`, props(v, 2)));
      if (answer?.Status !== 'SUCCESS') {
        failed++;
        continue;
      }
      const runningAt = w.sim.history(v).find((h) => h.status === 'RUNNING')!.at;
      lags.push((answer.at - runningAt) / 1000);
      describesPerStart.push(w.sim.countCalls('DescribeProjectVersions') - describesBefore);
      waitMinutes.push((answer.at - w.cfn.sent[w.cfn.sent.length - 1].sentAt) / MIN);
    }
  } finally {
    await w.stop();
  }
  out(`== Readiness lag: RUNNING in the simulator -> SUCCESS answer to CloudFormation (${starts} starts of 5-15 simulated minutes)`);
  out(`  median ${percentile(lags, 0.5).toFixed(1)} s, p95 ${percentile(lags, 0.95).toFixed(1)} s, worst ${Math.max(...lags).toFixed(1)} s; failed deploys: ${failed}`);
  out('  anchors: the JavaScript SDK waiter backs off 30-120 s; public samples poll every 3-15 min');
  out(`  ratio to the SDK waiter's shortest delay (30 s): ${(30 / Math.max(...lags)).toFixed(1)}x faster at worst`);
  const perStart = describesPerStart.reduce((a, b) => a + b, 0) / describesPerStart.length;
  const meanWait = waitMinutes.reduce((a, b) => a + b, 0) / waitMinutes.length;
  out(`  DescribeProjectVersions calls per model start: mean ${perStart.toFixed(1)} over a mean deploy of ${meanWait.toFixed(1)} minutes, ${(perStart / meanWait).toFixed(1)} per minute (one per 5 s poll)`);
  out();
}

async function crowdedStack(out: (line?: string) => void): Promise<void> {
  const models = 25;
  const w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 4 * MIN }, seed: 25 }).start();
  try {
    w.sim.faults.describeRatePerSecond = 5;
    const t0 = w.clock.now;
    const arns: string[] = [];
    const requests: string[] = [];
    for (let i = 0; i < models; i++) {
      const v = w.model('v1', 'TRAINING_COMPLETED', `crowd${i}`);
      arns.push(v);
      requests.push(w.cfn.create(`Model${i}`, props(v, 2)));
    }
    await w.cfn.run(() => requests.every((r) => w.cfn.answers.has(r)));
    const answers = requests.map((r) => w.cfn.answers.get(r));
    const failed = answers.filter((a) => a?.Status !== 'SUCCESS').length;
    const stackDone = Math.max(...answers.map((a) => a?.at ?? Infinity));
    const slowestRunning = Math.max(...arns.map((v) => w.sim.history(v).find((h) => h.status === 'RUNNING')?.at ?? Infinity));
    const describes = w.sim.calls.filter((c) => c.operation === 'DescribeProjectVersions');
    const throttled = describes.filter((c) => c.outcome === 'ThrottlingException').length;
    const minutes = (stackDone - t0) / MIN;
    out(`== ${models} models in one stack, simulator limited to 5 DescribeProjectVersions calls a second (starts of 8-12 simulated minutes)`);
    out(`  failed deploys: ${failed} of ${models}`);
    out(`  whole stack: ${((stackDone - t0) / 1000).toFixed(0)} s; slowest model RUNNING after ${((slowestRunning - t0) / 1000).toFixed(0)} s; overhead ${((stackDone - slowestRunning) / 1000).toFixed(1)} s (ratio ${((stackDone - t0) / (slowestRunning - t0)).toFixed(3)})`);
    out(`  DescribeProjectVersions: ${describes.length} calls, ${throttled} throttled (${((100 * throttled) / describes.length).toFixed(0)}%), ${(describes.length / minutes).toFixed(0)} per minute for the stack`);
    out();
  } finally {
    await w.stop();
  }
}

async function campaign(out: (line?: string) => void): Promise<void> {
  const runs = 100;
  const result = await runCampaign(runs, 20261122);
  out(`== Fault campaign (short; \`npm run campaign -- --runs N\` for more): ${result.scenarios} scenarios, ${result.requests} CloudFormation requests, ${result.violations.length} violations, ${result.realSeconds.toFixed(0)} s`);
}

export async function deployFigures(out: (line?: string) => void): Promise<void> {
  await readiness(out);
  await crowdedStack(out);
  await campaign(out);
}
