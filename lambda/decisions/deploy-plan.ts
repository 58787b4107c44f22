// What a CloudFormation request does first, before any waiting (pure): claim the model, leave it, or fail at once;
// which goal a Delete claims it for (stop, stop after a grace period, or release under RETAIN); and its deadline.
import { GRACE_BOUNDS, TIMEOUT_BOUNDS } from '../../lib/contract/resource-properties';
import { TAG, stackOfOwner } from '../../lib/contract/tags';
import { WindowTable } from '../../lib/contract/weekly-windows';
import { declaredGoal } from './desired-state';
import { Goal, Requester } from './model-step';
import { OwnershipRecord } from './ownership-record';
/**
 * Whether a request may claim a model: a model another stack runs is refused, so that two stacks never fight over
 * one model. A different resource of the same stack (a renamed construct) takes the model over.
 */
export function admit(record: OwnershipRecord, self: Requester, modelName: string): { ok: true } | { ok: false; reason: string } {
  if (record.owner === undefined || record.owner === self.owner || stackOfOwner(record.owner) === stackOfOwner(self.owner)) {
    return { ok: true };
  }
  return {
    ok: false,
    reason: `Model ${modelName} is already run by ${record.owner} (stack/resource). One model can be run by one stack only: ` +
      'use CustomLabelsModel.fromProjectVersionArn() to use it from this stack, or, if that stack no longer exists, ' +
      `remove the tag "${TAG.owner}" from the model and deploy again.`,
  };
}

/**
 * What a Delete must do, decided before it claims the model. RETAIN leaves a settled model running when the stack
 * or the construct goes away. It does not apply, and the model is stopped, when the stack is rolling back (a
 * Create or an Update undone), when the model's last request never finished (a Create CloudFormation gave up on),
 * or when an update replaced this version: no failure path leaves a model running that no stack owns.
 *
 * A version an update replaced, deleted in the update's cleanup, first keeps serving for the grace period the update
 * wrote on it: the new version is RUNNING and published by then. Never in a rollback's cleanup, a removal or a stack
 * delete: there nothing replaces the version, or what replaced it is itself being undone.
 */
export function goalForDelete(retainOnDelete: boolean, record: OwnershipRecord, stackStatus: string | undefined, now: number): Goal {
  const rollingBack = stackStatus !== undefined && stackStatus.includes('ROLLBACK');
  if (retainOnDelete) {
    const settled = record.request !== undefined && record.settled === record.request;
    if (settled && record.replaced === undefined && !rollingBack) return { kind: 'released-as-is' };
  }
  const graceMs = record.replaced !== undefined && stackStatus === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' ? graceSecondsOf(record) * 1000 : 0;
  return graceMs > 0 ? { kind: 'stopped-and-released', graceUntil: now + graceMs } : { kind: 'stopped-and-released' };
}

/** The grace period a replacing update wrote on the version, within the library's bounds (a tag anyone may edit). */
function graceSecondsOf(record: OwnershipRecord): number {
  const seconds = Number(record.graceSeconds ?? 0);
  return Number.isInteger(seconds) && seconds > 0 ? Math.min(seconds, GRACE_BOUNDS.maxSeconds) : 0;
}

/** What a CloudFormation request does first, before any waiting: claim the model, leave it, or fail at once. */
export type Plan =
  /** Write this request into the model's record, then reconcile towards the goal. */
  | { readonly kind: 'claim'; readonly goal: Goal }
  /** Nothing of this resource's to do. */
  | { readonly kind: 'skip'; readonly reason: string }
  /** Fail the request now; nothing has been started. */
  | { readonly kind: 'reject'; readonly reason: string };

export interface PlanInput {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
  readonly retainOnDelete: boolean;
  readonly windows?: WindowTable;
  readonly now: number;
  /** The stack's status, read for a Delete under RETAIN or of a replaced version only. */
  readonly stackStatus?: string;
  /** Whether the version exists. */
  readonly exists: boolean;
  readonly record: OwnershipRecord;
  readonly self: Requester;
  readonly modelName: string;
}

export function planRequest(input: PlanInput): Plan {
  const { record, self, modelName } = input;
  if (input.requestType === 'Delete') {
    if (!input.exists) return { kind: 'skip', reason: `${modelName} does not exist` };
    if (record.owner !== self.owner) return { kind: 'skip', reason: `${modelName} is not owned by ${self.owner} (owner: ${record.owner ?? 'none'}): left alone` };
    return { kind: 'claim', goal: goalForDelete(input.retainOnDelete, record, input.stackStatus, input.now) };
  }
  if (!input.exists) {
    return { kind: 'reject', reason: `${modelName} does not exist: check projectVersionArn, the account and the region` };
  }
  const admitted = admit(record, self, modelName);
  if (!admitted.ok) return { kind: 'reject', reason: admitted.reason };
  return { kind: 'claim', goal: declaredGoal(input, input.now) };
}

/**
 * When a request stops waiting. A Create or Update waits as long as the user's timeout; a Delete as long as
 * CloudFormation allows, since giving up on a stop could leave a model running that no stack owns.
 */
export function deadlineFor(requestType: 'Create' | 'Update' | 'Delete', timeoutSeconds: number, now: number): number {
  return now + (requestType === 'Delete' ? TIMEOUT_BOUNDS.maxSeconds : timeoutSeconds) * 1000;
}
