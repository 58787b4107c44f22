// `status`: every model the library's stacks run in the account and region, one line each (or JSON for scripts).
import type { AwsClients } from '../aws-clients';
import { inParallel } from '../aws-clients';
import { deployedModels } from '../deployed-models';
import { readModel } from '../model-readings';
import { ModelStatus, statusLine, statusOf } from '../model-status';
import type { Output } from '../output';

/** Models read at once: within Rekognition's and SSM's default request rates, with the SDK's adaptive retries. */
const MODELS_IN_FLIGHT = 5;

export async function statusCommand(aws: AwsClients, options: { readonly stacks: readonly string[]; readonly json: boolean }, out: Output): Promise<number> {
  const models = await deployedModels(aws.cloudformation, options.stacks);
  const projects = new Map<string, Promise<string | undefined>>();
  const now = Date.now();
  const statuses: ModelStatus[] = await inParallel(models, MODELS_IN_FLIGHT, async (m) => statusOf(m, await readModel(aws, m, projects), now));
  if (options.json) {
    out.print(JSON.stringify(statuses, undefined, 2));
    return 0;
  }
  if (statuses.length === 0) {
    out.print(`no model of this library runs in ${options.stacks.length ? `the stacks ${options.stacks.join(', ')}` : 'this account and region'}`);
    return 0;
  }
  for (const s of statuses) out.print(statusLine(s));
  const away = statuses.filter((s) => s.placement === 'out-of-place').length;
  out.print(`${statuses.length} model(s)${away ? `; * ${away} not where its schedule wants it (the next pass converges it, or see the scheduled path's alarms)` : ''}`);
  return 0;
}
