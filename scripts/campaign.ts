// `npm run campaign -- --runs N [--seed S] [--workers W] [--kind stack|request]`: the randomized fault campaign
// (default: stacks of several models under IAM, deployed template by template), as long as you like, on
// as many worker processes as you give it (each runs its share with its own seed). Prints what it ran and every
// violation; exits 1 if there was one.
import { fork } from 'child_process';
import { CampaignKind, CampaignResult, runCampaign } from '../test/campaign/run-campaign';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function worker(): Promise<void> {
  const runs = Number(process.env.CAMPAIGN_RUNS);
  const seed = Number(process.env.CAMPAIGN_SEED);
  const result = await runCampaign(runs, seed, process.env.CAMPAIGN_KIND as CampaignKind, (done, violations) => {
    if (done % 250 === 0) process.stderr.write(`  worker seed ${seed}: ${done}/${runs} scenarios, ${violations} violations\n`);
  }, (v) => process.stderr.write(`  VIOLATION (worker seed ${seed}): ${v.message}\n  scenario: ${JSON.stringify(v.scenario)}\n`));
  process.send!(result);
}

async function main(): Promise<void> {
  const runs = arg('runs', 200);
  const seed = arg('seed', 20261122);
  const workers = Math.max(1, Math.min(arg('workers', 2), runs));
  const kindAt = process.argv.indexOf('--kind');
  const kindArg = kindAt >= 0 ? process.argv[kindAt + 1] : 'stack';
  if (kindArg !== 'stack' && kindArg !== 'request') throw new Error(`--kind must be stack or request, got ${kindArg}`);
  const kind: CampaignKind = kindArg;
  process.stdout.write(`campaign: ${runs} ${kind} scenarios, seed ${seed}, ${workers} worker(s)\n`);
  const started = Date.now();
  const shares = Array.from({ length: workers }, (_, i) => Math.floor(runs / workers) + (i < runs % workers ? 1 : 0));
  const results = await Promise.all(shares.map((share, i) => new Promise<CampaignResult>((resolve, reject) => {
    const child = fork(__filename, [], {
      env: { ...process.env, CAMPAIGN_WORKER: '1', CAMPAIGN_RUNS: String(share), CAMPAIGN_SEED: String(seed + i), CAMPAIGN_KIND: kind },
      execArgv: process.execArgv,
    });
    child.on('message', (m) => resolve(m as CampaignResult));
    child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker ${i} exited ${code}`))));
  })));
  const scenarios = results.reduce((n, r) => n + r.scenarios, 0);
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const violations = results.flatMap((r) => r.violations);
  process.stdout.write(`scenarios run: ${scenarios}\n`);
  process.stdout.write(`CloudFormation requests answered: ${requests}\n`);
  process.stdout.write(`violations: ${violations.length}\n`);
  process.stdout.write(`real time: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  for (const v of violations.slice(0, 10)) process.stdout.write(`- ${v.message}\n  scenario: ${JSON.stringify(v.scenario)}\n`);
  process.exit(violations.length === 0 ? 0 : 1);
}

(process.env.CAMPAIGN_WORKER ? worker() : main()).catch((e) => {
  console.error(e);
  process.exit(2);
});
