// CloudFormation's isComplete handler, called by the Provider framework's waiter at every query interval: one
// reconcile pass. Returning IsComplete: false polls again; throwing fails the request at once with the reason.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ownerOf } from '../../lib/contract/tags';
import { logIgnoredHold } from '../aws/hold-parameter';
import { clientFor } from '../aws/rekognition';
import { reportAction, reportOnce } from '../aws/transition-event-bus';
import { desiredStateFrom } from '../decisions/desired-state';
import { onEventMayRunAgain } from '../decisions/error-verdict';
import { deleteFailure } from '../decisions/messages';
import { failedStartEvent } from '../decisions/transition-events';
import type { OnEventResponse } from './on-event';
import { parseModelSpec } from '../model-spec';
import { observe, reconcilePass } from '../reconcile-pass';
import { readDesiredStateInputs } from '../desired-state-inputs';

export type IsCompleteEvent = CloudFormationCustomResourceEvent & OnEventResponse;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
}

export async function isComplete(event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const request = event.CustomLabels;
  if (!request.goal || !request.projectArn) return { IsComplete: true };
  const spec = parseModelSpec(event.ResourceProperties);
  // A create or update converges to what the declaration, the windows and the hold want now (windows move with the
  // clock, a hold changes without a deploy); a delete keeps the goal onEvent chose, whatever a hold says.
  let goal = request.goal;
  const client = clientFor(spec.projectVersionArn);
  let observed: Awaited<ReturnType<typeof observe>> | undefined;
  if (goal.kind === 'running' || goal.kind === 'stopped') {
    // With demand the memory tag (only read here; the scheduled path writes it) is on the record the pass observes
    // anyway: observed once, here, for both. Should the observation fail, the input reader and the pass read again and
    // each says what its error means, as without it.
    if (spec.demand) observed = await observe(client, spec, request.projectArn).catch(() => undefined);
    // Poll again after a transient error, or an access denial while IAM propagates the policy just updated; fail
    // otherwise.
    const read = await readDesiredStateInputs(spec, observed?.record, (error) =>
      Date.now() < request.deadline && onEventMayRunAgain(error, Date.now() - (request.startedAt ?? 0)) ? 'retry' : 'fail');
    if (read.kind === 'retry') return { IsComplete: false };
    if (read.kind === 'fail') throw new Error(read.reason);
    const { state } = desiredStateFrom(spec, read.inputs, Date.now());
    if (spec.holdParameterName) logIgnoredHold(state.hold, spec.projectVersionArn, spec.holdParameterName);
    goal = state.goal;
  }
  const result = await reconcilePass({
    client,
    spec,
    projectArn: request.projectArn,
    goal,
    self: { owner: ownerOf(event.StackId, event.LogicalResourceId, spec.projectVersionArn), requestId: event.RequestId },
    deadline: request.deadline,
    requestStartedAt: request.startedAt,
    userTagKeys: Object.keys(spec.tags),
  }, observed);
  // The deploy's events: a start or stop it issued, a start of this request that ended FAILED. Never thrown.
  const subject = { modelArn: spec.projectVersionArn, stackName: event.StackId.split('/')[1] ?? event.StackId, logicalId: event.LogicalResourceId };
  if (result.kind === 'pending' && result.acted) await reportAction(subject, result.acted, 'deploy', event.RequestId, result.observed, goal);
  if (result.kind === 'fail' && result.record) await reportOnce(client, subject, result.record, failedStartEvent(result.observed, result.record, event.RequestId, goal, 'deploy'));
  if (result.kind === 'fail') {
    // A stop that failed leaves a model that may bill: the message says how to stop it (not for RETAIN's release).
    throw new Error(goal.kind === 'stopped-and-released' ? deleteFailure(spec.projectVersionArn, result.reason) : result.reason);
  }
  return { IsComplete: result.kind === 'done' };
}
