// The race between a start and a Delete that claims the model at the same moment (pure): what a request does when it
// looks at the record again right after its own start.
import { stackOfOwner } from '../../lib/contract/tags';
import { Requester } from './model-step';
import { OwnershipRecord } from './ownership-record';
/**
 * What a request does when it looks at the model's record right after its own start. Still its claim: carry on.
 * Another request's: a Delete claimed (and may already have released) the model between our look and our start, so
 * the start is undone; if the Delete released it, the ownership tag is written back first, so that the role may stop
 * it (and, should the stop be refused while the model is STARTING, the stack guard finds it). Another stack's: it
 * runs the model now.
 */
export type AfterStart =
  | { readonly kind: 'ours' }
  | { readonly kind: 'undo'; readonly reclaim: boolean }
  | { readonly kind: 'theirs' };

export function afterOwnStart(after: OwnershipRecord, self: Requester): AfterStart {
  if (after.request === self.requestId) return { kind: 'ours' };
  if (after.owner !== undefined && stackOfOwner(after.owner) !== stackOfOwner(self.owner)) return { kind: 'theirs' };
  return { kind: 'undo', reclaim: after.owner === undefined };
}
