// Reads the inputs of what a model should be doing, for the deploy path (isComplete) and the scheduled path alike, so
// that both decide from the same inputs in the same way: the declaration and its calendar come with the resource's
// properties (model-spec.ts); this reads the rest, the hold parameter, the demand queue and the demand memory on the
// model's record. decisions/desired-state.ts desiredStateFrom() turns them into the goal.
import { readQueue } from './aws/demand-queue';
import { readHoldParameter } from './aws/hold-parameter';
import { clientFor, readRecord, toServiceError } from './aws/rekognition';
import type { DesiredStateInputs } from './decisions/desired-state';
import type { ServiceError } from './decisions/error-verdict';
import type { OwnershipRecord } from './decisions/ownership-record';
import type { ModelSpec } from './model-spec';

/**
 * What a path does with an input it cannot read: `retry` (this poll or pass does nothing; the next one reads again),
 * `fail` (the deploy fails, naming the input), or `without` (the scheduled pass goes on as if it were absent, and
 * notes it, so that a deleted queue or a denied read never keeps the windows from stopping the model).
 */
export type UnreadableInput = 'retry' | 'fail' | 'without';

export type InputsRead =
  | { readonly kind: 'read'; readonly inputs: DesiredStateInputs; readonly unreadable: readonly string[] }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

/**
 * Reads the model's hold and demand inputs. `record`: the ownership record when the caller has observed it already
 * (the scheduled path); otherwise the demand memory is read with the queue.
 */
export async function readDesiredStateInputs(
  spec: ModelSpec,
  record: OwnershipRecord | undefined,
  onUnreadable: (error: ServiceError) => UnreadableInput,
): Promise<InputsRead> {
  const unreadable: string[] = [];
  const read = async <T>(what: string, call: () => Promise<T>): Promise<{ value?: T; stop?: InputsRead }> => {
    try {
      return { value: await call() };
    } catch (e) {
      const error = toServiceError(e);
      const how = onUnreadable(error);
      if (how === 'retry') return { stop: { kind: 'retry', reason: `${error.name}: ${error.message ?? ''}`.trim() } };
      if (how === 'fail') return { stop: { kind: 'fail', reason: `${spec.projectVersionArn}: could not read its ${what}: ${error.name}: ${error.message ?? ''}` } };
      console.log(JSON.stringify({ message: 'unreadable: the pass goes on without it', model: spec.projectVersionArn, what, error }));
      unreadable.push(what);
      return {};
    }
  };

  let demand: { queue?: DesiredStateInputs['queue']; memory?: string } = {};
  if (spec.demand) {
    const queueUrl = spec.demand.queueUrl;
    const r = await read(`demand queue ${queueUrl}`, async () => {
      const [queue, memory] = await Promise.all([
        readQueue(queueUrl),
        record ? record.demandEmptySince : readRecord(clientFor(spec.projectVersionArn), spec.projectVersionArn).then((o) => o.record.demandEmptySince),
      ]);
      return { queue, memory };
    });
    if (r.stop) return r.stop;
    demand = r.value ?? { memory: record?.demandEmptySince };
  }
  let hold: DesiredStateInputs['hold'];
  if (spec.holdParameterName) {
    const name = spec.holdParameterName;
    const r = await read(`hold parameter ${name}`, () => readHoldParameter(name));
    if (r.stop) return r.stop;
    hold = r.value;
  }
  return { kind: 'read', inputs: { hold, queue: demand.queue, demandMemory: demand.memory }, unreadable };
}
