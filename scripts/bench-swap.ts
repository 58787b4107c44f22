// What a version swap costs: the time both versions run, from the new one RUNNING to the old one no longer RUNNING,
// in inference-unit hours and dollars, with the default grace period and with none. Measured through the
// CloudFormation emulator and the shipped handlers on the simulator's virtual clock (starts of 8 minutes, stops of 2).
import { StackDeployment } from '../test/support/stack-deployment';
import { synthModels } from '../test/support/templates';
import { World } from '../test/support/world';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The price the README and the construct's cost figures use: us-east-1, as the seeds price it. */
const PRICE = 4;
const UNITS = 2;

interface Overlap {
  readonly bothRunningMs: number;
  readonly oldBillingMs: number;
}

async function swap(graceSeconds: number | undefined): Promise<Overlap> {
  const w = await new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } }).start();
  try {
    const stack = new StackDeployment(w.cfn, undefined, w.ssm);
    const v1 = w.model('widgets.v1');
    const v2 = w.model('widgets.v2');
    const created = await stack.deploy(synthModels('WidgetsStack', [{ id: 'Widgets', projectVersionArn: v1, minInferenceUnits: UNITS, graceSeconds }]));
    const updated = await stack.deploy(synthModels('WidgetsStack', [{ id: 'Widgets', projectVersionArn: v2, minInferenceUnits: UNITS, graceSeconds }]));
    if (created.status !== 'CREATE_COMPLETE' || updated.status !== 'UPDATE_COMPLETE') throw new Error(`swap failed: ${created.status}, ${updated.status}`);
    const v2Running = w.sim.history(v2).find((h) => h.status === 'RUNNING')!.at;
    const v1Stopping = w.sim.history(v1).find((h) => h.status === 'STOPPING')!.at;
    const v1Stopped = w.sim.history(v1).find((h) => h.status === 'STOPPED' && h.at >= v1Stopping)!.at;
    return { bothRunningMs: v1Stopping - v2Running, oldBillingMs: v1Stopped - v2Running };
  } finally {
    await w.stop();
  }
}

export async function swapFigures(out: (line?: string) => void): Promise<void> {
  const withGrace = await swap(undefined);
  const without = await swap(0);
  const iuHours = (ms: number) => (UNITS * ms) / HOUR;
  const row = (label: string, o: Overlap) =>
    `  ${label}: both RUNNING ${(o.bothRunningMs / 1000).toFixed(0)} s = ${iuHours(o.bothRunningMs).toFixed(3)} IU-hours = $${(PRICE * iuHours(o.bothRunningMs)).toFixed(2)}` +
    `; counting the old version's stop (${((o.oldBillingMs - o.bothRunningMs) / 1000).toFixed(0)} s) ${iuHours(o.oldBillingMs).toFixed(3)} IU-hours = $${(PRICE * iuHours(o.oldBillingMs)).toFixed(2)}`;
  out(`== Version swap overlap: v1 -> v2, ${UNITS} inference units, $${PRICE} an IU-hour (old version's units from the new version RUNNING until the old one leaves RUNNING)`);
  out(row('default grace period (5 min)', withGrace));
  out(row('replacementGracePeriod: 0    ', without));
  out(`  the grace period's own cost: ${iuHours(withGrace.bothRunningMs - without.bothRunningMs).toFixed(3)} IU-hours = $${(PRICE * iuHours(withGrace.bothRunningMs - without.bothRunningMs)).toFixed(2)} a swap, ${((100 * (withGrace.bothRunningMs - without.bothRunningMs)) / (24 * HOUR)).toFixed(2)}% of what the model bills in a day`);
}
