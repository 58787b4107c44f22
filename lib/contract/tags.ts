// The contract's tags: the keys of the ownership record the handlers keep on each model, and the owner value that
// names the resource running it. The construct's IAM statements match these keys and values; the handlers write them.
import { createHash } from 'crypto';

/** The prefix of every tag key the library writes; a user's tags may not use it. */
export const TAG_PREFIX = 'cdk-custom-labels:';

/** Tag keys of the ownership record. */
export const TAG = {
  /** `<stack name>/<logical id>` of the resource that runs the model. */
  owner: `${TAG_PREFIX}owner`,
  /** RequestId of the newest CloudFormation request that acts on the model: only it may start or stop the model. */
  request: `${TAG_PREFIX}request`,
  /** When that request claimed the model (epoch milliseconds), so a claim CloudFormation abandoned expires. */
  requestAt: `${TAG_PREFIX}request-at`,
  /** RequestId of the newest request that finished successfully; equal to `request` when nothing is in flight. */
  settled: `${TAG_PREFIX}settled`,
  /** RequestId of the request that issued the last StartProjectVersion, to tell our own FAILED start from an old one. */
  startedBy: `${TAG_PREFIX}started-by`,
  /** Set on a version that an update replaced: its Delete stops it whatever the removal policy says. */
  replaced: `${TAG_PREFIX}replaced`,
  /** Written with `replaced`: the seconds the replaced version keeps serving after the update (the grace period). */
  graceSeconds: `${TAG_PREFIX}grace-seconds`,
  /** When the scheduled path last issued a start or stop the service accepted (epoch ms): divergence counts from it. */
  actedAt: `${TAG_PREFIX}acted-at`,
  /** Idempotency keys of the last transition events reported per family (lambda/decisions/transition-events.ts): one event per key. */
  eventHold: `${TAG_PREFIX}event-hold`,
  eventFailed: `${TAG_PREFIX}event-failed`,
  eventDiverged: `${TAG_PREFIX}event-diverged`,
  /** Demand-driven runs: `busy` once a pass saw messages, then when the queue was first found empty (epoch ms). */
  demandEmptySince: `${TAG_PREFIX}demand-empty-since`,
} as const;

const MAX_TAG_VALUE = 256;

/**
 * The owner value of a resource: its stack's name and its logical id. The stack name (not the stack id) so that a
 * stack deleted and created again under the same name can take its model back. A stack name is unique only within a
 * region, so a model in another region than its stack's names the stack with its region (ownerStack()). Clipped with
 * a hash to the tag value limit, and restricted to the characters tag values allow.
 */
export function ownerOf(stackId: string, logicalResourceId: string, versionArn: string): string {
  // StackId: arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>
  return ownerValue(ownerStack(stackId.split('/')[1] ?? stackId, stackId.split(':')[3] ?? '', versionArn.split(':')[3] ?? ''), logicalResourceId);
}

/**
 * The stack part of the owner value of a model: the stack's name in its own region, `<name>@<stack region>` in
 * another. A stack named alike in the model's region owns `<name>/...` there, so neither can take the other's model
 * (the handler policies hold each stack to its own form, lib/private/handler-policy.ts). Stack names have no `@`.
 */
export function ownerStack(stackName: string, stackRegion: string, modelRegion: string): string {
  return modelRegion === stackRegion ? stackName : `${stackName}@${stackRegion}`;
}

/** The owner value from a stack name and a logical id (the scheduled path knows these, not the stack id). */
export function ownerValue(stackName: string, logicalResourceId: string): string {
  const value = `${stackName}/${logicalResourceId}`.replace(/[^a-zA-Z0-9_.:/=+\-@]/g, '_');
  if (value.length <= MAX_TAG_VALUE) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 16);
  return `${value.slice(0, MAX_TAG_VALUE - hash.length - 1)}/${hash}`;
}

/** The stack part of an owner value. */
export function stackOfOwner(owner: string): string {
  return owner.split('/')[0];
}
