// The durable record kept on the model itself, as tags on the project version. It survives every Lambda invocation
// and tells the handlers which stack owns a model and which CloudFormation request is the live one, so that a waiter
// CloudFormation has given up on never acts again.
import { TAG, TAG_PREFIX } from '../../lib/contract/tags';

/** The tags a request writes to claim a model: who runs it, which request acts on it now, since when. */
export function claimTags(owner: string, requestId: string, now: number): Record<string, string> {
  return { [TAG.owner]: owner, [TAG.request]: requestId, [TAG.requestAt]: String(now) };
}

/** The user's tag keys an update no longer sets: they come off the model (the ones it still sets are written anew). */
export function droppedTags(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((k) => !(k in after) && !k.startsWith(TAG_PREFIX));
}

/** The record as read from the model's tags. */
export interface OwnershipRecord {
  readonly owner?: string;
  readonly request?: string;
  readonly requestAt?: string;
  readonly settled?: string;
  readonly startedBy?: string;
  readonly replaced?: string;
  readonly graceSeconds?: string;
  readonly actedAt?: string;
  readonly eventHold?: string;
  readonly eventFailed?: string;
  readonly eventDiverged?: string;
  readonly demandEmptySince?: string;
}

export function recordFromTags(tags: Record<string, string> | undefined): OwnershipRecord {
  const t = tags ?? {};
  return { owner: t[TAG.owner], request: t[TAG.request], requestAt: t[TAG.requestAt], settled: t[TAG.settled], startedBy: t[TAG.startedBy], replaced: t[TAG.replaced], graceSeconds: t[TAG.graceSeconds],
    actedAt: t[TAG.actedAt], eventHold: t[TAG.eventHold], eventFailed: t[TAG.eventFailed], eventDiverged: t[TAG.eventDiverged], demandEmptySince: t[TAG.demandEmptySince] };
}
