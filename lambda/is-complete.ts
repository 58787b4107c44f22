// CloudFormation's isComplete handler, called by the Provider framework's waiter at every query interval: observe
// the model, ask reconcile() for one step, take it. Returning IsComplete: false polls again; throwing fails the
// request at once with the message.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseModelSpec } from './model-spec';
import { ownerOf, TAG } from './ownership';
import { judgeError, reconcile, Requester, Step } from './reconcile';
import { describeModel, eraseRecord, newClient, readRecord, startModel, stopModel, toServiceError, writeRecord } from './rekognition-api';
import type { OnEventResponse } from './on-event';
import type { RekognitionClient } from '@aws-sdk/client-rekognition';

export type IsCompleteEvent = CloudFormationCustomResourceEvent & OnEventResponse;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
}

const ALL_TAGS = Object.values(TAG);

export async function isComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const request = event.CustomLabels;
  if (!request.goal || !request.projectArn) return { IsComplete: true };
  const spec = parseModelSpec(event.ResourceProperties);
  const self: Requester = { owner: ownerOf(event.StackId, event.LogicalResourceId), requestId: event.RequestId };
  const modelName = spec.projectVersionArn;
  const client = newClient();
  let status: string | undefined;

  const onError = async (e: unknown): Promise<IsCompleteResponse> => {
    const error = toServiceError(e);
    const ctx = { statusBefore: status, now: Date.now(), deadline: request.deadline, modelName };
    let verdict = judgeError(error, ctx);
    if (verdict.kind === 'recheck') {
      // Refused: has the model moved on (our own earlier call applied, say), or is the refusal final?
      try {
        const again = await describeModel(client, spec, request.projectArn!);
        verdict = judgeError(error, { ...ctx, statusAfter: again?.status });
      } catch {
        verdict = { kind: 'retry', reason: 'could not look at the model again' };
      }
    }
    console.log(JSON.stringify({ message: 'service error', model: modelName, error, verdict }));
    if (verdict.kind === 'fail') throw new Error(verdict.reason);
    return { IsComplete: false }; // retry, or gone: the next observation decides
  };

  let step: Step;
  try {
    const [model, { record }] = await Promise.all([describeModel(client, spec, request.projectArn), readRecord(client, spec.projectVersionArn)]);
    status = model?.status;
    step = reconcile({ goal: request.goal, model, record, self, now: Date.now(), deadline: request.deadline, modelName });
    console.log(JSON.stringify({ message: 'step', model: modelName, requestId: self.requestId, goal: request.goal, observed: model, record, step }));
  } catch (e) {
    return onError(e);
  }

  if (step.kind === 'fail' || step.kind === 'abandon') throw new Error(step.reason);
  if (step.kind === 'wait') return { IsComplete: false };
  let outcome: IsCompleteResponse | { readonly lostClaim: string };
  try {
    outcome = await act(client, spec.projectVersionArn, step, request.goal.kind === 'running', self);
  } catch (e) {
    return onError(e);
  }
  if ('lostClaim' in outcome) {
    throw new Error(`a later request (${outcome.lostClaim}) took over ${modelName} while this one started it; it was stopped again`);
  }
  return outcome;
}

/** Takes one step: the Rekognition calls only. */
async function act(
  client: RekognitionClient,
  versionArn: string,
  step: Extract<Step, { kind: 'start' | 'stop' | 'done' }>,
  wantsRunning: boolean,
  self: Requester,
): Promise<IsCompleteResponse | { readonly lostClaim: string }> {
  switch (step.kind) {
    case 'stop':
      await stopModel(client, versionArn);
      return { IsComplete: false };
    case 'start': {
      await writeRecord(client, versionArn, { [TAG.startedBy]: self.requestId });
      await startModel(client, versionArn, step.minInferenceUnits, step.maxInferenceUnits);
      // A Delete may have claimed the model between our read and our start. It claims before it looks, we look
      // again after we start: one of the two always sees the other, and here we undo our start.
      const after = await readRecord(client, versionArn);
      if (after.record.request !== self.requestId) {
        await stopModel(client, versionArn);
        return { lostClaim: after.record.request ?? 'none' };
      }
      return { IsComplete: false };
    }
    case 'done':
      if (step.release) {
        await eraseRecord(client, versionArn, ALL_TAGS);
      } else if (wantsRunning) {
        await writeRecord(client, versionArn, { [TAG.settled]: self.requestId });
      }
      return { IsComplete: true };
  }
}
