// The stack guard's decisions (pure): which regions it looks in, which models it stops (owned by the stack, no longer
// declared, the stack settled), and what it does when a region cannot be listed.
import { parseProjectVersionArn } from '../../lib/contract/project-version-arn';
import { ownerValue, stackOfOwner } from '../../lib/contract/tags';
import { ServiceError, isTransient, regionUnusable } from './error-verdict';
import { OwnershipRecord } from './ownership-record';
/** Whether CloudFormation is acting on a stack in this status (or cannot say: the stack is unknown). */
export function cloudFormationActing(stackStatus: string | undefined): boolean {
  return stackStatus === undefined || stackStatus.endsWith('_IN_PROGRESS');
}

/** The statuses of the models the stack guard looks at: those that bill, and those it may be stopping. */
export const GUARD_LOOKS_AT: ReadonlySet<string> = new Set(['RUNNING', 'STARTING', 'STOPPING']);

/** Request ids the stack guard claims a model with. */
export const GUARD_REQUEST_PREFIX = 'guard:';

/** A resource of the stack as CloudFormation lists it. */
export interface StackModelResource {
  readonly logicalId: string;
  readonly physicalId?: string;
}

export interface GuardInput {
  readonly stackName: string;
  /**
   * The stack part of the owner values of the region looked at (lambda/decisions/ownership-record.ts ownerStack()): the stack's name
   * in its own region, `<name>@<stack region>` in another.
   * @default stackName
   */
  readonly ownerStack?: string;
  /** The stack's status; undefined when CloudFormation does not know the stack. */
  readonly stackStatus?: string;
  /** The stack's model resources now. */
  readonly declared: readonly StackModelResource[];
  readonly versionArn: string;
  readonly record: OwnershipRecord;
  readonly now: number;
}

export type GuardVerdict =
  | { readonly kind: 'leave'; readonly reason: string }
  /** Stop the model under this request id; `claim`: write the claim first. */
  | { readonly kind: 'stop'; readonly requestId: string; readonly claim: boolean; readonly reason: string };

/**
 * The stack guard's decision for one model: a model whose ownership tag names this stack, but which no resource of
 * the stack declares any more (a cleanup CloudFormation gave up on and dropped, say), is stopped. It acts only while
 * the stack is settled: during an operation, CloudFormation itself is creating, replacing or deleting models, and
 * a model between its update and its cleanup is still the stack's.
 */
export function guardVerdict(input: GuardInput): GuardVerdict {
  const { record, stackName, versionArn } = input;
  const owning = input.ownerStack ?? stackName;
  if (record.owner === undefined || stackOfOwner(record.owner) !== owning) return { kind: 'leave', reason: 'not owned by this stack' };
  if (input.stackStatus === undefined) return { kind: 'leave', reason: `stack ${stackName} not found` };
  if (cloudFormationActing(input.stackStatus)) return { kind: 'leave', reason: `the stack is ${input.stackStatus}: CloudFormation is acting` };
  if (input.declared.some((r) => ownerValue(owning, r.logicalId) === record.owner && r.physicalId === versionArn)) {
    return { kind: 'leave', reason: 'declared by the stack' };
  }
  const reason = `${versionArn} is owned by ${record.owner}, which the stack (${input.stackStatus}) no longer declares`;
  // With the stack settled, no CloudFormation request waits for this model: any claim on it is dead or abandoned.
  if (record.request?.startsWith(GUARD_REQUEST_PREFIX)) return { kind: 'stop', requestId: record.request, claim: false, reason };
  return { kind: 'stop', requestId: `${GUARD_REQUEST_PREFIX}${input.now}`, claim: true, reason };
}

/**
 * What the stack guard does when it cannot list a region's models. `skip`: a region only the guard regions resource
 * remembers, which the account cannot use (failing every run for it would only keep the alarm ringing); `next-run`:
 * a transient error, for the next run; `fail`: anything else, for the alarm.
 */
export function guardListingVerdict(error: ServiceError, rememberedOnly: boolean): 'skip' | 'next-run' | 'fail' {
  if (rememberedOnly && regionUnusable(error)) return 'skip';
  return isTransient(error) ? 'next-run' : 'fail';
}

/**
 * The regions the guard looks in: the stack's own, then those the guard regions resource remembers, then those of the
 * models the stack declares now (their ARNs'). `rememberedOnly`: a region only the guard regions resource names.
 */
export function guardedRegions(stackRegion: string, declared: readonly { readonly physicalId?: string }[], remembered: readonly string[] = []): { region: string; rememberedOnly: boolean }[] {
  const current = new Set([stackRegion, ...declared.map((r) => parseProjectVersionArn(r.physicalId ?? '')?.region).filter((r): r is string => r !== undefined)]);
  const regions = new Set([stackRegion, ...remembered.filter((r) => /^[a-z0-9-]+$/.test(r)), ...current]);
  return [...regions].map((region) => ({ region, rememberedOnly: !current.has(region) }));
}
