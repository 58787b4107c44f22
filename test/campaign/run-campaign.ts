// Runs a number of randomized scenarios in one world and counts what broke. Shared by the CI-size jest test and
// `npm run campaign`. Two kinds: 'stack' (stacks of one to three models, deployed template by template under IAM,
// test/campaign/stack-scenario.ts) and 'request' (one resource, request by request, test/campaign/scenario.ts).
import * as fc from 'fast-check';
import { World } from '../support/world';
import { runScenario, scenarioArbitrary, Violation } from './scenario';
import { runStackScenario, stackScenarioArbitrary } from './stack-scenario';

export type CampaignKind = 'stack' | 'request';

export interface CampaignResult {
  readonly kind: CampaignKind;
  readonly scenarios: number;
  readonly requests: number;
  readonly violations: { readonly scenario: unknown; readonly message: string }[];
  readonly realSeconds: number;
}

export async function runCampaign(
  runs: number,
  seed: number,
  kind: CampaignKind = 'stack',
  onProgress?: (done: number, violations: number) => void,
  onViolation?: (v: CampaignResult['violations'][number]) => void,
): Promise<CampaignResult> {
  const w = await new World().start();
  const started = process.hrtime.bigint();
  const violations: CampaignResult['violations'] = [];
  let requests = 0;
  const scenarios: unknown[] = kind === 'stack'
    ? fc.sample(stackScenarioArbitrary, { seed, numRuns: runs })
    : fc.sample(scenarioArbitrary, { seed, numRuns: runs });
  try {
    for (const [i, s] of scenarios.entries()) {
      try {
        requests += kind === 'stack'
          ? (await runStackScenario(w, s as Parameters<typeof runStackScenario>[1])).requests
          : (await runScenario(w, s as Parameters<typeof runScenario>[1])).requests;
      } catch (e) {
        if (!(e instanceof Violation)) throw e;
        violations.push({ scenario: s, message: e.message });
        onViolation?.(violations[violations.length - 1]);
      }
      onProgress?.(i + 1, violations.length);
    }
  } finally {
    await w.stop();
  }
  return { kind, scenarios: scenarios.length, requests, violations, realSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
