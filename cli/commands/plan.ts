// `plan`: the next days of one model as its deployed stack runs them: its windows with their calendar exceptions, in
// local time and UTC as `npm run synth` prints them, the hold in force, and a week at a glance.
import { readHoldParameter } from '../../lambda/aws/hold-parameter';
import { desiredState } from '../../lambda/decisions/desired-state';
import { alwaysOnPlan, planOf } from '../../lib/private/batch-window-plan';
import { windowName } from '../../lib/contract/weekly-windows';
import { firstInstantReaching, formatNaive, localNaive } from '../../lib/contract/local-time';
import type { AwsClients } from '../aws-clients';
import { DeployedModel, deployedModels, findModel } from '../deployed-models';
import { statusOf } from '../model-status';
import type { Output } from '../output';
import type { HoldReading } from '../../lambda/decisions/hold';

const HOUR = 3_600_000;
const SAMPLES_PER_HOUR = 12;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * A week at a glance (pure): one line a local day from today, one cell an hour, `#` running all the hour, `+` part of
 * it, `.` not at all, as the windows and the hold want it (demand is not foreseeable and is not drawn); hours gone by
 * are blank.
 */
export function weekAtAGlance(model: DeployedModel, hold: HoldReading | undefined, now: number, days = 7): string[] {
  const spec = { ...model.spec, demand: undefined };
  const tz = model.spec.windows?.timeZone ?? 'UTC';
  const lines = [`week at a glance (${tz}; # running the whole hour, + part of it, . stopped, blank: past), hours 00 to 23:`];
  const todayNaive = Math.floor(localNaive(now, tz) / 86_400_000) * 86_400_000;
  for (let d = 0; d < days; d++) {
    const dayNaive = todayNaive + d * 86_400_000;
    let cells = '';
    let running = 0;
    for (let h = 0; h < 24; h++) {
      const hourStart = firstInstantReaching(dayNaive + h * HOUR, tz);
      // Only what is to come: an hour gone by is blank, the hour now counts from now.
      const samples = Array.from({ length: SAMPLES_PER_HOUR }, (_, s) => hourStart + (s * HOUR) / SAMPLES_PER_HOUR).filter((t) => t + HOUR / SAMPLES_PER_HOUR > now);
      const on = samples.filter((t) => desiredState(spec, hold, Math.max(t, now)).goal.kind === 'running').length;
      running += on;
      cells += samples.length === 0 ? ' ' : on === samples.length ? '#' : on > 0 ? '+' : '.';
    }
    const hours = running / SAMPLES_PER_HOUR;
    lines.push(`  ${DAY_NAMES[new Date(dayNaive).getUTCDay()]} ${formatNaive(dayNaive).slice(0, 10)} |${cells}| ${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`);
  }
  return lines;
}

export async function planCommand(aws: AwsClients, name: string, days: number, stacks: readonly string[], out: Output): Promise<number> {
  const model = findModel(await deployedModels(aws.cloudformation, stacks), name);
  const hold = model.spec.holdParameterName ? await readHoldParameter(model.spec.holdParameterName, aws.ssm) : undefined;
  const now = Date.now();
  const table = model.spec.windows;
  const plan = table ? planOf(table, now, days, (o) => windowName(table, o.source, o.index), model.name) : alwaysOnPlan(now, days, model.name);
  const status = statusOf(model, { inputs: { hold } }, now);
  if (status.hold?.kind === 'active') out.print(`hold in force: ${status.hold.state} until ${status.hold.until}; the plan below resumes after it`);
  else if (status.hold?.kind === 'ignored') out.print(`hold ignored: ${status.hold.reason}`);
  if (model.spec.demand) out.print(`demand: outside its windows the model also runs while ${model.spec.demand.queueUrl} holds messages`);
  out.print(plan.text);
  out.print('');
  for (const line of weekAtAGlance(model, hold, now, Math.min(days, 7))) out.print(line);
  return 0;
}
