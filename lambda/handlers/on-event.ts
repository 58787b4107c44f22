// CloudFormation's onEvent handler: claims the model for this request and returns at once. It starts and stops
// nothing, so that nothing it began can be orphaned if it fails; isComplete does the work, poll by poll.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseProjectVersionArn, placementProblem, stackPlacement } from '../../lib/contract/project-version-arn';
import { ATTR, GUARD_REGIONS, PROP } from '../../lib/contract/resource-properties';
import { ownerOf, TAG } from '../../lib/contract/tags';
import type { RekognitionClient } from '@aws-sdk/client-rekognition';
import { stackStatus } from '../aws/cloudformation';
import { clientFor, eraseRecord, findProjectArn, noSuchProject, readRecord, toServiceError, writeRecord } from '../aws/rekognition';
import { deadlineFor, planRequest } from '../decisions/deploy-plan';
import { onEventMayRunAgain } from '../decisions/error-verdict';
import { deleteFailure } from '../decisions/messages';
import { Goal, Requester } from '../decisions/model-step';
import { claimTags, droppedTags } from '../decisions/ownership-record';
import { onGuardRegionsEvent } from './guard-regions';
import { ModelSpec, parseModelSpec } from '../model-spec';

/** What onEvent hands to isComplete; the Provider framework merges it into every isComplete event. */
export interface ReconcileRequest {
  /** Undefined when there is nothing to do (the skip reason says why). */
  readonly goal?: Goal;
  readonly skip?: string;
  readonly projectArn?: string;
  /** Epoch milliseconds. */
  readonly deadline: number;
  /** When the request began (epoch ms): access denials right after are IAM propagating a policy update. */
  readonly startedAt?: number;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  readonly CustomLabels: ReconcileRequest;
}

function log(message: string, detail: Record<string, unknown>): void {
  console.log(JSON.stringify({ message, ...detail }));
}

/** How many times onEvent runs again after a transient error, sleeping 1, 2, 4, 8 and then 15 s between runs. */
const ON_EVENT_RETRIES = 8;

/**
 * onEvent answers once, so a transient error (throttling, a 5xx, a lost connection) must not fail the deploy: it
 * runs again from the start, which is safe because every step is a read or an idempotent tag write. This is on top
 * of the SDK's own retries, whose retry quota a long spell of throttling can use up.
 */
export async function onEvent(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  if (event.ResourceType === GUARD_REGIONS.resourceType) return onGuardRegionsEvent(event);
  const startedAt = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await onEventOnce(event, startedAt);
    } catch (e) {
      const error = toServiceError(e);
      if (attempt < ON_EVENT_RETRIES && onEventMayRunAgain(error, Date.now() - startedAt)) {
        log('transient error, running onEvent again', { attempt, error });
        await new Promise((resolve) => setTimeout(resolve, Math.min(15_000, 1000 * 2 ** attempt)));
        continue;
      }
      // A Delete that cannot even claim the model (access denied, say) must say what is left running, and how to stop it.
      const arn = event.RequestType === 'Delete' ? String(event.ResourceProperties?.[PROP.projectVersionArn] ?? '') : '';
      if (arn) throw new Error(deleteFailure(arn, `The delete failed: ${(e as Error).message}`));
      throw e;
    }
  }
}

async function onEventOnce(event: CloudFormationCustomResourceEvent, startedAt: number): Promise<OnEventResponse> {
  // Each version is reached in its own region, and owned under the name its region gives the stack (ownerOf()).
  const requester = (versionArn: string): Requester => ({ owner: ownerOf(event.StackId, event.LogicalResourceId, versionArn), requestId: event.RequestId });
  if (event.RequestType === 'Delete') {
    // Delete uses the properties, never the physical id: CloudFormation may send one it made up.
    let spec: ModelSpec;
    try {
      spec = parseModelSpec(event.ResourceProperties);
    } catch (e) {
      // Properties that never parsed never started a model.
      return skip(event.PhysicalResourceId, `unreadable properties: ${(e as Error).message}`);
    }
    // A model of another account was refused at its create: this stack never started it.
    const foreign = placementOf(event.StackId, spec.projectVersionArn);
    if (foreign) return skip(event.PhysicalResourceId, foreign);
    return claim(clientFor(spec.projectVersionArn), event.PhysicalResourceId, spec, 'Delete', requester(spec.projectVersionArn), startedAt, event.StackId);
  }
  const spec = parseModelSpec(event.ResourceProperties);
  // A token ARN (a parameter) is known only now: a model of another account is refused, naming both.
  const problem = placementOf(event.StackId, spec.projectVersionArn);
  if (problem) throw new Error(`${spec.projectVersionArn}: ${problem}`);
  const self = requester(spec.projectVersionArn);
  let droppedTagKeys: string[] = [];
  if (event.RequestType === 'Update') {
    const old = parseModelSpec(event.OldResourceProperties);
    // On the same version, tags the template no longer sets come off; a replaced version loses its own on release.
    if (old.projectVersionArn === spec.projectVersionArn) droppedTagKeys = droppedTags(old.tags, spec.tags);
    if (old.projectVersionArn !== spec.projectVersionArn) {
      // A replacement: CloudFormation deletes the old version after this update succeeds. Mark it, so that its
      // Delete stops it even under RemovalPolicy.RETAIN, once the grace period this declaration gives has passed;
      // and unmark the new one (a rollback may swap them back).
      // The old version may be in another region than the new one: its own client, and its own owner value.
      const oldClient = clientFor(old.projectVersionArn);
      const oldRecord = await readRecord(oldClient, old.projectVersionArn);
      if (oldRecord.exists && oldRecord.record.owner === requester(old.projectVersionArn).owner) {
        await writeRecord(oldClient, old.projectVersionArn, { [TAG.replaced]: self.requestId, [TAG.graceSeconds]: String(spec.replacementGraceSeconds) });
      }
    }
  }
  return claim(clientFor(spec.projectVersionArn), spec.projectVersionArn, spec, event.RequestType, self, startedAt, undefined, droppedTagKeys);
}

/** Why the stack cannot run this version (another account), or undefined. */
function placementOf(stackId: string, versionArn: string): string | undefined {
  const placement = stackPlacement(stackId);
  const version = parseProjectVersionArn(versionArn);
  return placement && version ? placementProblem(version, placement) : undefined;
}

function skip(physicalResourceId: string, reason: string): OnEventResponse {
  log('nothing to do', { reason });
  return { PhysicalResourceId: physicalResourceId, CustomLabels: { skip: reason, deadline: 0 } };
}

/**
 * The stack's status for a Delete. Under RETAIN a failure to read it fails the Delete (a guess could release a model a
 * rollback must stop, or stop one the user keeps). For a replaced version it only decides the grace period: unread, the
 * version stops at once, rather than the Delete failing and CloudFormation dropping a RUNNING model.
 */
async function deleteStackStatus(stackId: string, retainOnDelete: boolean): Promise<string | undefined> {
  if (retainOnDelete) return stackStatus(stackId);
  try {
    return await stackStatus(stackId);
  } catch (e) {
    log('stack status unread: no grace period', { stackId, error: String(e) });
    return undefined;
  }
}

async function claim(
  client: RekognitionClient,
  physicalResourceId: string,
  spec: ModelSpec,
  requestType: 'Create' | 'Update' | 'Delete',
  self: Requester,
  startedAt: number,
  stackId?: string,
  droppedTagKeys: string[] = [],
): Promise<OnEventResponse> {
  const { exists, record } = await readRecord(client, spec.projectVersionArn);
  // A Delete reads the stack's status where it decides: under RETAIN it tells a rollback (stop anyway) from a
  // removal (keep running); for a replaced version it tells an update's cleanup (grace period) from a rollback's.
  const status = requestType === 'Delete' && exists && stackId !== undefined && (spec.retainOnDelete || record.replaced !== undefined)
    ? await deleteStackStatus(stackId, spec.retainOnDelete) : undefined;
  const plan = planRequest({ requestType, ...spec, stackStatus: status, exists, record, self, modelName: spec.projectVersionArn, now: Date.now() });
  log('plan', { requestType, model: spec.projectVersionArn, record, stackStatus: status, plan });
  if (plan.kind === 'reject') throw new Error(plan.reason);
  if (plan.kind === 'skip') return skip(physicalResourceId, plan.reason);

  const projectArn = spec.projectArn ?? (await findProjectArn(client, spec.projectName));
  if (!projectArn) {
    if (requestType === 'Delete') return skip(physicalResourceId, `project ${spec.projectName} does not exist`);
    throw new Error(noSuchProject(spec));
  }
  // A version claimed to run is no longer one an update replaced (a rollback may swap them back, a removed version
  // may be declared again); cleared only once admitted, as the role may not untag another stack's model.
  if (requestType !== 'Delete' && record.replaced !== undefined) await eraseRecord(client, spec.projectVersionArn, [TAG.replaced, TAG.graceSeconds]);
  // A create or update writes the user's tags with the claim (one write, allowed by the statement that lets it claim
  // the model); a delete writes none, as its policy may no longer name their keys. Keys an update dropped come off
  // once the model is ours.
  const userTags = requestType === 'Delete' ? {} : spec.tags;
  await writeRecord(client, spec.projectVersionArn, { ...userTags, ...claimTags(self.owner, self.requestId, Date.now()) });
  if (droppedTagKeys.length > 0) await eraseRecord(client, spec.projectVersionArn, droppedTagKeys);
  return {
    PhysicalResourceId: physicalResourceId,
    Data: { [ATTR.projectArn]: projectArn },
    CustomLabels: { goal: plan.goal, projectArn, deadline: deadlineFor(requestType, spec.timeoutSeconds, Date.now()), startedAt },
  };
}
