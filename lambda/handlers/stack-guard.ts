// The stack guard: every few minutes, EventBridge Scheduler calls it with its stack's name. It looks at every model
// of the account that bills (or is stopping) and stops those whose ownership tag names this stack but which the stack
// no longer declares: a cleanup delete CloudFormation gave up on and dropped from the stack, say. Level-triggered like
// the rest: what it does follows from what it sees now; the decision is guardVerdict()'s, the stop reconcile()'s.
import type { GuardEvent } from '../../lib/contract/scheduled-inputs';
import { regionOfArn } from '../../lib/contract/project-version-arn';
import { ownerStack } from '../../lib/contract/tags';
import { listModelResources, stackStatus } from '../aws/cloudformation';
import { listProjectArns, listVersions, readRecord, rekognitionClient, toServiceError, writeRecord } from '../aws/rekognition';
import { reportAction } from '../aws/transition-event-bus';
import { isTransient } from '../decisions/error-verdict';
import { deleteFailure } from '../decisions/messages';
import { claimTags } from '../decisions/ownership-record';
import { GUARD_LOOKS_AT, cloudFormationActing, guardListingVerdict, guardVerdict } from '../decisions/stack-guard';
import { modelRef } from '../model-spec';
import { reconcilePass } from '../reconcile-pass';
import { guardedRegions } from '../decisions/stack-guard';

export interface GuardResult {
  /** Models the guard is stopping (or found stopping under its claim). */
  readonly stopping: readonly string[];
  readonly reason: string;
}

function log(message: string, detail: Record<string, unknown>): void {
  console.log(JSON.stringify({ message, ...detail }));
}

export async function onGuard(event: GuardEvent): Promise<GuardResult> {
  const stackName = event.stack.split('/')[1];
  const stackRegion = regionOfArn(event.stack) ?? '';
  const status = await stackStatus(event.stack);
  // Nothing to do while CloudFormation acts; the verdict says the same per model, this saves the scan.
  if (cloudFormationActing(status)) return { stopping: [], reason: `stack ${stackName} is ${status ?? 'not found'}` };
  const declared = await listModelResources(event.stack);
  const stopping: string[] = [];
  const failures: string[] = [];
  // The stack's own region, and every region a model it declares or has declared is in: there the models it owns
  // carry its name with its region (ownerStack()).
  const skipped: string[] = [];
  for (const { region, rememberedOnly } of guardedRegions(stackRegion, declared, event.regions?.split(',') ?? [])) {
    const client = rekognitionClient(region);
    const ownerStackName = ownerStack(stackName, stackRegion, region);
    let projectArns: string[];
    try {
      projectArns = await listProjectArns(client);
    } catch (e) {
      const error = toServiceError(e);
      const verdict = guardListingVerdict(error, rememberedOnly);
      if (verdict === 'skip') {
        log('stack guard skips a region it cannot use', { region, error: `${error.name}: ${error.message}` });
        skipped.push(region);
      } else if (verdict === 'fail') {
        failures.push(`The stack guard could not list the models of ${region}: ${error.name}: ${error.message}`);
      }
      continue;
    }
    for (const projectArn of projectArns) {
      for (const version of await listVersions(client, projectArn)) {
        if (!GUARD_LOOKS_AT.has(version.status)) continue;
        try {
          const { record } = await readRecord(client, version.arn);
          const first = guardVerdict({ stackName, ownerStack: ownerStackName, stackStatus: status, declared, versionArn: version.arn, record, now: Date.now() });
          if (first.kind === 'leave') continue;
          // Decided on a scan that may be minutes old: look at the stack and the model again just before acting (a
          // deploy may have begun, renamed the resource that runs it, or claimed it meanwhile).
          const [statusNow, declaredNow, recordNow] = await Promise.all([stackStatus(event.stack), listModelResources(event.stack), readRecord(client, version.arn)]);
          const verdict = guardVerdict({ stackName, ownerStack: ownerStackName, stackStatus: statusNow, declared: declaredNow, versionArn: version.arn, record: recordNow.record, now: Date.now() });
          if (verdict.kind === 'leave') continue;
          log('stack guard acts', { model: version.arn, verdict });
          const owner = recordNow.record.owner!;
          if (verdict.claim) await writeRecord(client, version.arn, claimTags(owner, verdict.requestId, Date.now()));
          const result = await reconcilePass({
            client,
            spec: modelRef(version.arn),
            projectArn,
            goal: { kind: 'stopped-and-released' },
            self: { owner, requestId: verdict.requestId },
            deadline: Infinity,
          });
          if (result.kind === 'pending' && result.acted === 'stop') {
            await reportAction({ modelArn: version.arn, stackName, logicalId: owner.split('/').slice(1).join('/') }, 'stop', 'guard', verdict.requestId, result.observed, { kind: 'stopped-and-released' });
          }
          if (result.kind === 'fail') failures.push(deleteFailure(version.arn, `The stack guard could not stop it: ${result.reason}`));
          else stopping.push(version.arn);
        } catch (e) {
          const error = toServiceError(e);
          if (!isTransient(error)) failures.push(deleteFailure(version.arn, `The stack guard could not look at it: ${error.name}: ${error.message}`));
        }
      }
    }
  }
  // Thrown, so that Lambda retries and then the dead-letter queue (alarmed) receives it.
  if (failures.length > 0) throw new Error(failures.join('\n'));
  const reason = stopping.length ? `stopping ${stopping.length} model(s) the stack no longer declares` : 'nothing to stop';
  return { stopping, reason: skipped.length ? `${reason}; skipped ${skipped.join(', ')}, which this account cannot use` : reason };
}
