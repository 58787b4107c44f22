// The fault campaign at CI size, with a fixed seed: `npm run campaign -- --runs N` runs the same scenarios longer.
import { runCampaign } from './run-campaign';

const RUNS = Number(process.env.CAMPAIGN_RUNS ?? 60);
const SEED = Number(process.env.CAMPAIGN_SEED ?? 20261122);

test(`${RUNS} randomized deploy/update/rollback/teardown scenarios under faults break no invariant`, async () => {
  const result = await runCampaign(RUNS, SEED);
  expect(result.scenarios).toBe(RUNS);
  expect(result.requests).toBeGreaterThan(RUNS);
  expect(result.violations.map((v) => `${v.message}\n  scenario: ${JSON.stringify(v.scenario)}`)).toEqual([]);
}, 15 * 60_000);
