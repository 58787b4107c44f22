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

/** Each field of the record, under its tag key. */
const FIELDS: { readonly [F in keyof Required<OwnershipRecord>]: string } = {
  owner: TAG.owner, request: TAG.request, requestAt: TAG.requestAt, settled: TAG.settled, startedBy: TAG.startedBy, replaced: TAG.replaced, graceSeconds: TAG.graceSeconds,
  actedAt: TAG.actedAt, eventHold: TAG.eventHold, eventFailed: TAG.eventFailed, eventDiverged: TAG.eventDiverged, demandEmptySince: TAG.demandEmptySince,
};

export function recordFromTags(tags: Record<string, string> | undefined): OwnershipRecord {
  const t = tags ?? {};
  return Object.fromEntries(Object.entries(FIELDS).map(([field, key]) => [field, t[key]])) as OwnershipRecord;
}

/** The record's tags, as recordFromTags() read them (the fields it has). */
export function tagsOfRecord(record: OwnershipRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(FIELDS).filter(([field]) => record[field as keyof OwnershipRecord] !== undefined)
    .map(([field, key]) => [key, record[field as keyof OwnershipRecord] as string]));
}
