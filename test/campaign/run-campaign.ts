// Runs a number of randomized scenarios in one world and counts what broke. Shared by the CI-size jest test and
// `npm run campaign`.
import * as fc from 'fast-check';
import { World } from '../support/world';
import { runScenario, Scenario, scenarioArbitrary, Violation } from './scenario';

export interface CampaignResult {
  readonly scenarios: number;
  readonly requests: number;
  readonly violations: { readonly scenario: Scenario; readonly message: string }[];
  readonly realSeconds: number;
}

export async function runCampaign(
  runs: number,
  seed: number,
  onProgress?: (done: number, violations: number) => void,
  onViolation?: (v: CampaignResult['violations'][number]) => void,
): Promise<CampaignResult> {
  const scenarios = fc.sample(scenarioArbitrary, { seed, numRuns: runs });
  const w = await new World().start();
  const started = process.hrtime.bigint();
  const violations: CampaignResult['violations'] = [];
  let requests = 0;
  try {
    for (const [i, s] of scenarios.entries()) {
      try {
        requests += (await runScenario(w, s)).requests;
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
  return { scenarios: scenarios.length, requests, violations, realSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Shrinks a failing scenario to a smaller one that still fails, for a named regression test. */
export async function shrink(seed: number, runs: number): Promise<string | undefined> {
  const w = await new World().start();
  try {
    const out = await fc.check(fc.asyncProperty(scenarioArbitrary, async (s) => {
      await runScenario(w, s);
    }), { seed, numRuns: runs });
    return out.failed ? `${JSON.stringify(out.counterexample)}\n${String(out.errorInstance)}` : undefined;
  } finally {
    await w.stop();
  }
}
