// The fault campaign at CI size, with fixed seeds: `npm run campaign -- --runs N` runs the same scenarios longer.
import { CampaignKind, runCampaign } from './run-campaign';

const SEED = Number(process.env.CAMPAIGN_SEED ?? 20261122);
const RUNS: Record<CampaignKind, number> = {
  stack: Number(process.env.CAMPAIGN_STACK_RUNS ?? 30),
  request: Number(process.env.CAMPAIGN_RUNS ?? 60),
};
const WHAT: Record<CampaignKind, string> = {
  stack: 'stacks of one to three models: adds, removals, swaps within and across projects, unit changes and their rollbacks, under IAM and faults,',
  request: 'deploy/update/rollback/teardown scenarios of one resource under faults',
};

test.each(['stack', 'request'] as const)('%s campaign: randomized scenarios break no invariant', async (kind) => {
  const result = await runCampaign(RUNS[kind], SEED, kind);
  expect(`${result.scenarios} ${WHAT[kind]}`).toBe(`${RUNS[kind]} ${WHAT[kind]}`);
  expect(result.requests).toBeGreaterThan(RUNS[kind]);
  expect(result.violations.map((v) => `${v.message}\n  scenario: ${JSON.stringify(v.scenario)}`)).toEqual([]);
}, 15 * 60_000);
