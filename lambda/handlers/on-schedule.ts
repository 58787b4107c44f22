// The scheduled path: EventBridge Scheduler calls it at every batch-window boundary (through the waiter state
// machine, which calls it again until the model has converged) and every few minutes (directly, as a safety net
// for a missed or skipped boundary). What the model should be doing is computed from the window table and the
// current time, never from the event, so a late, retried or duplicated event cannot start a model outside its
// windows. It reuses the CloudFormation path's decision function, and stands aside while a deploy is in flight. A
// model with holds enabled (and no windows) gets the periodic call too: its hold parameter is read at every pass.
import { regionOfArn } from '../../lib/contract/project-version-arn';
import { EXPECTED_UNITS_METRIC } from '../../lib/contract/resource-properties';
import type { ScheduledPassEvent } from '../../lib/contract/scheduled-inputs';
import { ownerStack, ownerValue, TAG } from '../../lib/contract/tags';
import { logIgnoredHold } from '../aws/hold-parameter';
import { clientFor, forgetProjectArn, noSuchProject, projectArnOf, toServiceError, writeRecord } from '../aws/rekognition';
import { demandRunId } from '../decisions/demand';
import { desiredStateFrom } from '../decisions/desired-state';
import { judgeError } from '../decisions/error-verdict';
import { Goal } from '../decisions/model-step';
import { recordWrites } from '../decisions/record-writes';
import { scheduledAccess, scheduledRunId } from '../decisions/scheduled-access';
import { stopCause } from '../decisions/stop-cause';
import { parseModelSpec } from '../model-spec';
import { observe, reconcilePass } from '../reconcile-pass';
import { reportScheduledEvents } from '../scheduled-events';
import { readDesiredStateInputs } from '../desired-state-inputs';

export interface ScheduleResult {
  /** Whether the model is where the windows want it: the waiter state machine stops polling then. */
  readonly converged: boolean;
  readonly reason: string;
}

/** The expected-units datapoint, as a CloudWatch Embedded Metric Format log line (no API call, no extra IAM). */
function publishExpectedUnits(projectName: string, versionName: string, goal: Goal, now: number): void {
  const value = goal.kind === 'running' ? goal.maxInferenceUnits ?? goal.minInferenceUnits : 0;
  console.log(JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: EXPECTED_UNITS_METRIC.namespace, Dimensions: [['ProjectName', 'VersionName']], Metrics: [{ Name: EXPECTED_UNITS_METRIC.metricName, Unit: 'Count' }] }],
    },
    ProjectName: projectName,
    VersionName: versionName,
    [EXPECTED_UNITS_METRIC.metricName]: value,
  }));
}

export async function onSchedule(event: ScheduledPassEvent): Promise<ScheduleResult> {
  const spec = parseModelSpec(event.model.properties);
  // The function runs in its stack's region (AWS_REGION, which Lambda sets); the model may be in another.
  const owner = ownerValue(ownerStack(event.model.stackName, process.env.AWS_REGION ?? '', regionOfArn(spec.projectVersionArn) ?? ''), event.model.logicalId);
  const now = Date.now();
  const client = clientFor(spec.projectVersionArn);
  const modelName = spec.projectVersionArn;

  let projectArn: string | undefined;
  let observed;
  try {
    // Looked up once per function instance (DescribeProjects), not at every pass, unless the declaration gives it.
    let found = await projectArnOf(client, spec);
    if (!found.arn) throw new Error(noSuchProject(spec));
    observed = await observe(client, spec, found.arn);
    if (!observed.model && found.remembered) {
      // Not found with the project ARN remembered: the project may have gone since. Looked up afresh, and looked again.
      forgetProjectArn(spec);
      found = await projectArnOf(client, spec);
      if (!found.arn) throw new Error(noSuchProject(spec));
      observed = await observe(client, spec, found.arn);
    }
    projectArn = found.arn;
  } catch (e) {
    // Transient: this pass does nothing and the next one tries again.
    const verdict = judgeError(toServiceError(e), { now, deadline: Infinity, modelName });
    if (verdict.kind === 'retry') return { converged: false, reason: verdict.reason };
    throw e;
  }
  // The hold and the demand as they are now, at every pass: an operator's change takes effect at the next pass. A
  // transient error: this pass does nothing (a hold unread must not stop a held model). What cannot be read for good
  // (a deleted queue, a denied read): the pass still stops what the windows and the declaration want stopped, starts
  // nothing, and fails at its end, so that the dead-letter alarm says so.
  const read = await readDesiredStateInputs(spec, observed.record, (error) =>
    judgeError(error, { now, deadline: Infinity, modelName }).kind === 'retry' ? 'retry' : 'without');
  if (read.kind !== 'read') return { converged: false, reason: read.reason };
  const { unreadable } = read;
  const reading = read.inputs.hold;
  const { state, demand } = desiredStateFrom(spec, read.inputs, now);
  if (spec.holdParameterName) logIgnoredHold(state.hold, modelName, spec.holdParameterName);
  const goal = state.goal;
  publishExpectedUnits(spec.projectName, spec.versionName, goal, now);

  const access = scheduledAccess(observed.record, owner, now);
  if (!access.ok) {
    console.log(JSON.stringify({ message: 'scheduled path stands aside', model: modelName, reason: access.reason }));
    return { converged: access.converged, reason: access.reason };
  }
  const memory = recordWrites(observed.record, { [TAG.demandEmptySince]: demand.writeTag });
  if (memory) {
    // The memory of "empty since when", on the model's own record, before the step that depends on it: written when
    // it changes (twice per busy period), never by a pass that finds it as it should be.
    await writeRecord(client, spec.projectVersionArn, memory);
    console.log(JSON.stringify({ message: 'demand', model: modelName, queue: spec.demand?.queueUrl, verdict: demand.verdict.kind, emptySince: demand.writeTag }));
  }
  if (unreadable.length > 0 && goal.kind === 'running' && observed.model?.status !== 'RUNNING') {
    // Unread, a hold may say STOPPED: no start on a guess. (A running model keeps running; a stop still happens.)
    throw new Error(`${modelName}: could not read its ${unreadable.join(' and ')}: not started this pass`);
  }
  const runId = state.holdRunId ?? (state.reason === 'demand' ? demandRunId(demand.verdict) : undefined) ?? scheduledRunId(spec.windows, now, access.requestId);
  const result = await reconcilePass(
    { client, spec, projectArn, goal, self: { owner, requestId: access.requestId, runId }, deadline: Infinity },
    observed,
  );
  if (result.kind === 'pending' && result.acted === 'stop' && goal.kind === 'stopped') {
    const cause = stopCause(spec, state, reading, now);
    console.log(JSON.stringify({
      message: cause === 'enforcement' ? 'enforcement stop' : 'scheduled stop',
      model: modelName,
      cause,
      observed: observed.model?.status,
      ...(cause === 'enforcement' ? { why: 'running outside its batch windows without a hold (started by hand?): stopped' } : {}),
    }));
  }
  // The pass's events (lambda/scheduled-events.ts): never a reason for the pass to fail.
  await reportScheduledEvents({
    client, spec, subject: { modelArn: modelName, stackName: event.model.stackName, logicalId: event.model.logicalId },
    state, reading, observed, result, runId, now,
  }).catch((e: unknown) => console.log(JSON.stringify({ message: 'transition events not reported', error: String(e) })));
  // A failure is thrown, so that it is retried and then surfaced: the waiter's execution fails (alarmed), and the
  // periodic invocation ends in the dead-letter queue (alarmed).
  if (result.kind === 'fail') throw new Error(result.reason);
  if (unreadable.length > 0) throw new Error(`${modelName}: could not read its ${unreadable.join(' and ')}; the pass went on without them (${result.kind === 'pending' ? result.reason : 'converged'})`);
  return { converged: result.kind === 'done', reason: result.kind === 'pending' ? result.reason : 'converged' };
}
