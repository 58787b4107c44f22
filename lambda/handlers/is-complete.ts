// CloudFormation's isComplete handler, called by the Provider framework's waiter at every query interval: one
// reconcile pass. Returning IsComplete: false polls again; throwing fails the request at once with the reason.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ownerOf } from '../../lib/contract/tags';
import { readQueue } from '../aws/demand-queue';
import { logIgnoredHold, readHoldParameter } from '../aws/hold-parameter';
import { clientFor, readRecord, toServiceError } from '../aws/rekognition';
import { reportAction, reportOnce } from '../aws/transition-event-bus';
import { DemandVerdict, demandDecision } from '../decisions/demand';
import { desiredState } from '../decisions/desired-state';
import { onEventMayRunAgain } from '../decisions/error-verdict';
import type { HoldReading } from '../decisions/hold';
import { deleteFailure } from '../decisions/messages';
import { failedStartEvent } from '../decisions/transition-events';
import type { OnEventResponse } from './on-event';
import { parseModelSpec } from '../model-spec';
import { reconcilePass } from '../reconcile-pass';

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
  if (goal.kind === 'running' || goal.kind === 'parked') {
    let reading: HoldReading | undefined;
    if (spec.holdParameterName) {
      try {
        reading = await readHoldParameter(spec.holdParameterName);
      } catch (e) {
        const error = toServiceError(e);
        // Poll again after a transient error, or an access denial while IAM propagates the policy just updated.
        if (Date.now() < request.deadline && onEventMayRunAgain(error, Date.now() - (request.startedAt ?? 0))) return { IsComplete: false };
        throw new Error(`${spec.projectVersionArn}: could not read its hold parameter ${spec.holdParameterName}: ${error.name}: ${error.message ?? ''}`);
      }
    }
    // With demand, the deploy converges to what the queue says too: a create or update with an empty queue outside
    // the windows leaves the model parked, one while the queue holds messages (or within the idle time) runs it. The
    // memory tag is only read here; the scheduled path writes it.
    let demand: DemandVerdict = { kind: 'none' };
    if (spec.demand) {
      try {
        const [queue, { record }] = await Promise.all([readQueue(spec.demand.queueUrl), readRecord(clientFor(spec.projectVersionArn), spec.projectVersionArn)]);
        demand = demandDecision(spec.demand, queue, record.demandEmptySince, Date.now()).verdict;
      } catch (e) {
        const error = toServiceError(e);
        if (Date.now() < request.deadline && onEventMayRunAgain(error, Date.now() - (request.startedAt ?? 0))) return { IsComplete: false };
        throw new Error(`${spec.projectVersionArn}: could not read its demand queue ${spec.demand.queueUrl}: ${error.name}: ${error.message ?? ''}`);
      }
    }
    const state = desiredState(spec, reading, Date.now(), demand);
    if (spec.holdParameterName) logIgnoredHold(state.hold, spec.projectVersionArn, spec.holdParameterName);
    goal = state.goal;
  }
  const client = clientFor(spec.projectVersionArn);
  const result = await reconcilePass({
    client,
    spec,
    projectArn: request.projectArn,
    goal,
    self: { owner: ownerOf(event.StackId, event.LogicalResourceId, spec.projectVersionArn), requestId: event.RequestId },
    deadline: request.deadline,
    requestStartedAt: request.startedAt,
    userTagKeys: Object.keys(spec.tags),
  });
  // The deploy's events: a start or stop it issued, a start of this request that ended FAILED. Never thrown.
  const subject = { modelArn: spec.projectVersionArn, stackName: event.StackId.split('/')[1] ?? event.StackId, logicalId: event.LogicalResourceId };
  if (result.kind === 'pending' && result.acted) await reportAction(subject, result.acted, 'deploy', event.RequestId, result.observed, goal);
  if (result.kind === 'fail' && result.record) await reportOnce(client, subject, result.record, failedStartEvent(result.observed, result.record, event.RequestId, goal, 'deploy'));
  if (result.kind === 'fail') {
    // A stop that failed leaves a model that may bill: the message says how to stop it (not for RETAIN's release).
    throw new Error(goal.kind === 'stopped' ? deleteFailure(spec.projectVersionArn, result.reason) : result.reason);
  }
  return { IsComplete: result.kind === 'done' };
}
