// CloudFormation's isComplete handler, called by the Provider framework's waiter at every query interval: one
// reconcile pass. Returning IsComplete: false polls again; throwing fails the request at once with the reason.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseModelSpec } from './model-spec';
import type { OnEventResponse } from './on-event';
import { ownerOf } from './ownership';
import { declaredGoal, deleteFailure } from './reconcile';
import { reconcilePass } from './reconcile-pass';
import { rekognitionClient } from './rekognition-api';

export type IsCompleteEvent = CloudFormationCustomResourceEvent & OnEventResponse;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
}

export async function isComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const request = event.CustomLabels;
  if (!request.goal || !request.projectArn) return { IsComplete: true };
  const spec = parseModelSpec(event.ResourceProperties);
  // A create or update converges to what the declaration wants now (batch windows move with the clock); a delete
  // keeps the goal onEvent chose.
  const goal = request.goal.kind === 'running' || request.goal.kind === 'parked' ? declaredGoal(spec, Date.now()) : request.goal;
  const result = await reconcilePass({
    client: rekognitionClient(),
    spec,
    projectArn: request.projectArn,
    goal,
    self: { owner: ownerOf(event.StackId, event.LogicalResourceId), requestId: event.RequestId },
    deadline: request.deadline,
    requestStartedAt: request.startedAt,
    userTagKeys: Object.keys(spec.tags),
  });
  if (result.kind === 'fail') {
    // A stop that failed leaves a model that may bill: the message says how to stop it (not for RETAIN's release).
    throw new Error(goal.kind === 'stopped' ? deleteFailure(spec.projectVersionArn, result.reason) : result.reason);
  }
  return { IsComplete: result.kind === 'done' };
}
