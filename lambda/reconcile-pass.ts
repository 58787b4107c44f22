// One reconcile pass over one model, shared by CloudFormation's isComplete and the scheduled path: observe the
// model and its record, ask reconcile() for a step, take it. The decisions are reconcile()'s and judgeError()'s;
// this file does the I/O between them and never throws for a service error.
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import { TAG } from '../lib/contract/tags';
import { describeModel, eraseRecord, readRecord, startModel, stopModel, toServiceError, writeRecord } from './aws/rekognition';
import { isTransient, judgeError } from './decisions/error-verdict';
import { Goal, ModelObservation, Requester, Step, reconcile } from './decisions/model-step';
import { OwnershipRecord } from './decisions/ownership-record';
import { recordWrites } from './decisions/record-writes';
import { afterOwnStart } from './decisions/start-race';
import { ModelRef } from './model-spec';

export interface PassInput {
  readonly client: RekognitionClient;
  readonly spec: ModelRef;
  readonly projectArn: string;
  /** The goal, given the record (the scheduled path needs the record to know whom it acts for). */
  readonly goal: Goal;
  readonly self: Requester;
  readonly deadline: number;
  /** When the CloudFormation request began: access denials just after it are retried (IAM propagation). */
  readonly requestStartedAt?: number;
  /** The user's tag keys the declaration put on the model, removed with the record on release. */
  readonly userTagKeys?: readonly string[];
}

export type PassResult =
  | { readonly kind: 'done'; readonly step: Step }
  /** `acted`: the pass issued this call (its log line, say, tells an enforcement stop). */
  | { readonly kind: 'pending'; readonly reason: string; readonly acted?: 'start' | 'stop' }
  | { readonly kind: 'fail'; readonly reason: string };

/** A pass's result with what it observed before its step (its events' "from"), when it got that far. */
export type ObservedPassResult = PassResult & { readonly observed?: ModelObservation; readonly record?: OwnershipRecord };

const ALL_TAGS = Object.values(TAG);

export async function observe(client: RekognitionClient, spec: ModelRef, projectArn: string): Promise<{ model?: ModelObservation; record: OwnershipRecord }> {
  const [model, { record }] = await Promise.all([describeModel(client, spec, projectArn), readRecord(client, spec.projectVersionArn)]);
  return { model, record };
}

export async function reconcilePass(input: PassInput, observed?: { model?: ModelObservation; record: OwnershipRecord }): Promise<ObservedPassResult> {
  const { client, spec, projectArn, goal, self, deadline, requestStartedAt, userTagKeys } = input;
  const modelName = spec.projectVersionArn;
  let status: string | undefined;

  const onError = async (e: unknown): Promise<PassResult> => {
    const error = toServiceError(e);
    const ctx = { statusBefore: status, now: Date.now(), deadline, modelName, requestStartedAt };
    let verdict = judgeError(error, ctx);
    if (verdict.kind === 'recheck') {
      // Refused: has the model moved on (our own earlier call applied, say), or is the refusal final?
      try {
        const again = await describeModel(client, spec, projectArn);
        verdict = judgeError(error, { ...ctx, statusAfter: again?.status });
      } catch {
        verdict = { kind: 'retry', reason: 'could not look at the model again' };
      }
    }
    console.log(JSON.stringify({ message: 'service error', model: modelName, error, verdict }));
    if (verdict.kind === 'fail') return { kind: 'fail', reason: verdict.reason };
    return { kind: 'pending', reason: verdict.kind === 'retry' ? verdict.reason : 'the version was not found; looking again' };
  };

  let step: Step;
  let seen: { model?: ModelObservation; record?: OwnershipRecord } = {};
  try {
    const { model, record } = observed ?? (await observe(client, spec, projectArn));
    seen = { model, record };
    status = model?.status;
    step = reconcile({ goal, model, record, self, now: Date.now(), deadline, modelName });
    console.log(JSON.stringify({ message: 'step', model: modelName, self, goal, observed: model, record, step }));
  } catch (e) {
    return onError(e);
  }

  const withObserved = (r: PassResult): ObservedPassResult => ({ ...r, observed: seen.model, record: seen.record });
  switch (step.kind) {
    case 'fail':
    case 'abandon':
      return withObserved({ kind: 'fail', reason: step.reason });
    case 'wait':
      return withObserved({ kind: 'pending', reason: step.reason });
    default:
      try {
        return withObserved(await act(client, spec, projectArn, step, goal, self, userTagKeys ?? [], seen.record ?? {}));
      } catch (e) {
        return withObserved(await onError(e));
      }
  }
}

/** Takes one step: the Rekognition calls only. `record`: the record the pass observed before its step. */
async function act(
  client: RekognitionClient,
  spec: ModelRef,
  projectArn: string,
  step: Extract<Step, { kind: 'start' | 'stop' | 'done' }>,
  goal: Goal,
  self: Requester,
  userTagKeys: readonly string[],
  record: OwnershipRecord,
): Promise<PassResult> {
  const versionArn = spec.projectVersionArn;
  switch (step.kind) {
    case 'stop':
      await stopModel(client, versionArn);
      return { kind: 'pending', reason: 'stopping', acted: 'stop' };
    case 'start': {
      // Whether this call was the one the service accepted: a refused start found STARTING may be a concurrent pass's,
      // so only an accepted one counts as acted (its START event is put once, by the pass whose call it was).
      let accepted = true;
      try {
        await startModel(client, versionArn, step.minInferenceUnits, step.maxInferenceUnits);
      } catch (e) {
        accepted = false;
        // A start whose answer was lost is retried by the SDK and refused, the first call having been applied: a
        // model STARTING right after our start is ours (we hold the claim). Anything else was not started.
        let after: ModelObservation | undefined;
        await withTransientRetries(async () => {
          after = await describeModel(client, spec, projectArn);
        });
        if (after?.status !== 'STARTING') throw e;
      }
      // Only a start the service accepted is ours: recorded before it, a throttled start would make the next poll
      // take an older FAILED for this request's own. Recorded withTransientRetries: a lost record would cost a FAILED start
      // its prompt report (the next poll would start once more instead).
      await withTransientRetries(() => writeRecord(client, versionArn, { [TAG.startedBy]: self.runId ?? self.requestId }));
      // A Delete may have claimed the model between our read and our start. It claims before it looks, we look
      // again after we start: one of the two always sees the other, and here we undo our start.
      let after: OwnershipRecord = {};
      await withTransientRetries(async () => {
        after = (await readRecord(client, versionArn)).record;
      });
      const next = afterOwnStart(after, self);
      if (next.kind === 'ours') return accepted ? { kind: 'pending', reason: 'starting', acted: 'start' } : { kind: 'pending', reason: 'starting' };
      if (next.kind === 'theirs') return { kind: 'fail', reason: `${versionArn} was claimed by another stack (${after.owner}) while this request started it` };
      if (next.reclaim) await withTransientRetries(() => writeRecord(client, versionArn, { [TAG.owner]: self.owner }));
      // A stop refused while the model is STARTING is left to the stack guard, which finds the model by its tag.
      const stopped = await withTransientRetries(() => stopModel(client, versionArn)).then(() => true, () => false);
      return {
        kind: 'fail',
        reason: `a later request (${after.request ?? 'none'}) took over ${versionArn} while this one started it; ` +
          (stopped ? 'it was stopped again' : 'its stop was refused, and the stack guard stops it once the stack settles'),
      };
    }
    case 'done':
      if (step.release) {
        // The user's tags first, while the ownership tag still names this stack (the role may remove them only then),
        // then the record: each call allowed again if its answer was lost and it is retried.
        if (userTagKeys.length > 0) await eraseRecord(client, versionArn, [...userTagKeys]);
        await eraseRecord(client, versionArn, ALL_TAGS);
      } else if (goal.kind === 'running' || goal.kind === 'stopped') {
        // The request has settled: written once, by the pass that first finds it so (a deploy's last poll, or the
        // scheduled pass that settles a dead claim); a pass that finds it written already writes nothing.
        const writes = recordWrites(record, { [TAG.settled]: self.requestId });
        if (writes) await writeRecord(client, versionArn, writes);
      }
      return { kind: 'done', step };
  }
}

/** Runs an idempotent call again after transient errors (on top of the SDK's retries), a few times. */
async function withTransientRetries(call: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (attempt >= 4 || !isTransient(toServiceError(e))) throw e;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}
