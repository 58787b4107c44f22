// `hold` and `release`: write a model's hold parameter, after checking the hold with the scheduled path's own
// holdVerdict(), so that a hold the command accepts is never one the next pass ignores. A refused hold writes nothing.
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { readHoldParameter } from '../../lambda/aws/hold-parameter';
import { highestDeclaredUnits } from '../../lambda/decisions/desired-state';
import { holdVerdict } from '../../lambda/decisions/hold';
import { DEMAND, HOLD } from '../../lib/contract/resource-properties';
import type { AwsClients } from '../aws-clients';
import { DeployedModel, deployedModels, findModel } from '../deployed-models';
import { unitsText } from '../model-status';
import type { Output } from '../output';

export interface HoldRequest {
  readonly model: string;
  readonly state: 'RUNNING' | 'STOPPED';
  readonly minInferenceUnits?: number;
  readonly maxInferenceUnits?: number;
  /** Epoch milliseconds. */
  readonly until: number;
}

/** When a written hold takes effect: the model's next scheduled pass. */
function takesEffect(model: DeployedModel): string {
  return `the next pass applies it, within ${model.spec.demand ? DEMAND.passMinutes : HOLD.passMinutes} minute(s)`;
}

/** The hold parameter's value for a request: the JSON the scheduled path reads. */
export function holdValue(request: HoldRequest): string {
  return JSON.stringify({
    state: request.state,
    until: new Date(request.until).toISOString(),
    ...(request.minInferenceUnits !== undefined ? { minInferenceUnits: request.minInferenceUnits } : {}),
    ...(request.maxInferenceUnits !== undefined ? { maxInferenceUnits: request.maxInferenceUnits } : {}),
  });
}

async function heldModel(aws: AwsClients, name: string, stacks: readonly string[]): Promise<{ model: DeployedModel; parameter: string }> {
  const model = findModel(await deployedModels(aws.cloudformation, stacks), name);
  const parameter = model.spec.holdParameterName;
  if (!parameter) throw new Error(`${model.name} does not have holds enabled: give the construct the hold option and deploy, then hold it`);
  return { model, parameter };
}

export async function holdCommand(aws: AwsClients, request: HoldRequest, stacks: readonly string[], out: Output): Promise<number> {
  const { model, parameter } = await heldModel(aws, request.model, stacks);
  const value = holdValue(request);
  const now = Date.now();
  // Judged as the scheduled path will judge it: written now, read at the next pass.
  const verdict = holdVerdict({ value, modifiedAt: now }, highestDeclaredUnits(model.spec), now);
  if (verdict.kind !== 'active') throw new Error(`${model.name}: hold refused, nothing written: ${verdict.kind === 'ignored' ? verdict.reason : 'not a hold'}`);
  await aws.ssm.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'String', Overwrite: true }));
  const units = request.minInferenceUnits !== undefined ? ` with ${unitsText({ min: request.minInferenceUnits, max: request.maxInferenceUnits })} unit(s)` : '';
  out.print(`${model.name}: held ${request.state}${units} until ${new Date(request.until).toISOString()} (${parameter}); ${takesEffect(model)}`);
  return 0;
}

export async function releaseCommand(aws: AwsClients, name: string, stacks: readonly string[], out: Output): Promise<number> {
  const { model, parameter } = await heldModel(aws, name, stacks);
  const reading = await readHoldParameter(parameter, aws.ssm);
  if (reading === undefined || reading.value.trim().toLowerCase() === HOLD.none) {
    out.print(`${model.name}: no hold to release (${parameter} is "${HOLD.none}"): nothing written`);
    return 0;
  }
  await aws.ssm.send(new PutParameterCommand({ Name: parameter, Value: HOLD.none, Type: 'String', Overwrite: true }));
  out.print(`${model.name}: released (${parameter} is "${HOLD.none}"); ${takesEffect(model)}, back to its schedule`);
  return 0;
}
