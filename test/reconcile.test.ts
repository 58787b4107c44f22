// The decision function: every documented status against every desired state, plus the record and the clock.
import { spawnSync } from 'child_process';
import * as fc from 'fast-check';
import * as net from 'net';
import * as path from 'path';
import { toServiceError } from '../lambda/aws/rekognition';
import { admit, deadlineFor, goalForDelete, planRequest } from '../lambda/decisions/deploy-plan';
import { declaredGoal } from '../lambda/decisions/desired-state';
import { isTransient, judgeError, regionUnusable } from '../lambda/decisions/error-verdict';
import { Goal, KNOWN_STATUSES, ReconcileInput, Step, reconcile } from '../lambda/decisions/model-step';
import { OwnershipRecord } from '../lambda/decisions/ownership-record';
import { CLAIM_LIFETIME_MS, scheduledAccess } from '../lambda/decisions/scheduled-access';
import { guardListingVerdict, guardVerdict } from '../lambda/decisions/stack-guard';
import { afterOwnStart } from '../lambda/decisions/start-race';

const self = { owner: 'WidgetsStack/Widgets', requestId: 'req-1' };
const ours: OwnershipRecord = { owner: self.owner, request: self.requestId };
const NOW = 1_000_000;
const running: Goal = { kind: 'running', minInferenceUnits: 2, maxInferenceUnits: 5 };
const stopAndRelease: Goal = { kind: 'stopped-and-released' };
const releaseAsIs: Goal = { kind: 'released-as-is' };
const stopped: Goal = { kind: 'stopped' };

function step(goal: Goal, status: string | undefined, extra: Partial<ReconcileInput> = {}, units = { min: 2, max: 5 }): Step {
  const model = status === undefined ? undefined : { status, statusMessage: `message of ${status}`, minInferenceUnits: units.min, maxInferenceUnits: units.max };
  return reconcile({ goal, model, record: ours, self, now: NOW, deadline: NOW + 1, modelName: 'model-x', ...extra });
}

// The whole table: status -> step kind for each goal: running, stopAndRelease (Delete), releaseAsIs (RETAIN), stopped
// (a deploy or a schedule outside the batch windows).
const TABLE: [string | undefined, Step['kind'], Step['kind'], Step['kind'], Step['kind']][] = [
  [undefined, 'fail', 'done', 'done', 'fail'],
  ['TRAINING_IN_PROGRESS', 'fail', 'done', 'done', 'fail'],
  ['TRAINING_COMPLETED', 'start', 'done', 'done', 'done'],
  ['TRAINING_FAILED', 'fail', 'done', 'done', 'fail'],
  ['STARTING', 'wait', 'stop', 'done', 'stop'],
  ['RUNNING', 'done', 'stop', 'done', 'stop'],
  ['FAILED', 'start', 'done', 'done', 'done'],
  ['STOPPING', 'wait', 'wait', 'done', 'wait'],
  ['STOPPED', 'start', 'done', 'done', 'done'],
  ['DELETING', 'fail', 'done', 'done', 'fail'],
  ['COPYING_IN_PROGRESS', 'fail', 'done', 'done', 'fail'],
  ['COPYING_COMPLETED', 'start', 'done', 'done', 'done'],
  ['COPYING_FAILED', 'fail', 'done', 'done', 'fail'],
  ['DEPRECATED', 'fail', 'done', 'done', 'fail'],
  ['EXPIRED', 'fail', 'done', 'done', 'fail'],
  ['SOMETHING_NEW', 'fail', 'fail', 'done', 'fail'],
];

test('the table covers every documented status', () => {
  expect(TABLE.map((r) => r[0]).filter((s) => s && KNOWN_STATUSES.includes(s)).sort()).toEqual([...KNOWN_STATUSES].sort());
});

test.each(TABLE)('%s: running -> %s, stopAndRelease -> %s, releaseAsIs -> %s, stopped -> %s', (status, forRunning, forStopAndRelease, forReleaseAsIs, forStoppedOwned) => {
  expect(step(running, status).kind).toBe(forRunning);
  expect(step(stopAndRelease, status).kind).toBe(forStopAndRelease);
  expect(step(releaseAsIs, status).kind).toBe(forReleaseAsIs);
  expect(step(stopped, status).kind).toBe(forStoppedOwned);
});

test('a start carries exactly the requested units', () => {
  expect(step(running, 'STOPPED')).toEqual({ kind: 'start', minInferenceUnits: 2, maxInferenceUnits: 5 });
  expect(step({ kind: 'running', minInferenceUnits: 3 }, 'STOPPED')).toEqual({ kind: 'start', minInferenceUnits: 3, maxInferenceUnits: undefined });
});

test.each([
  [{ min: 2, max: 5 }, 'done'],
  [{ min: 1, max: 5 }, 'stop'],
  [{ min: 2, max: 4 }, 'stop'],
  [{ min: 2, max: undefined }, 'stop'],
])('RUNNING with %o against 2..5: %s (changing units means a restart)', (units, kind) => {
  expect(step(running, 'RUNNING', {}, units as { min: number; max: number }).kind).toBe(kind);
});

test('no max and max = min are the same thing: no autoscaling', () => {
  const fixed: Goal = { kind: 'running', minInferenceUnits: 2 };
  expect(step(fixed, 'RUNNING', {}, { min: 2, max: undefined as unknown as number }).kind).toBe('done');
  expect(step(fixed, 'RUNNING', {}, { min: 2, max: 2 }).kind).toBe('done');
  expect(step({ kind: 'running', minInferenceUnits: 2, maxInferenceUnits: 2 }, 'RUNNING', {}, { min: 2, max: undefined as unknown as number }).kind).toBe('done');
});

test('FAILED after this request started it is final, with the StatusMessage', () => {
  const s = step(running, 'FAILED', { record: { ...ours, startedBy: self.requestId } });
  expect(s).toEqual({ kind: 'fail', reason: 'model-x failed to start with 2 to 5 inference units: message of FAILED' });
});

test('unusable statuses fail with the StatusMessage and what to do', () => {
  expect(step(running, 'TRAINING_FAILED')).toEqual({ kind: 'fail', reason: 'model-x cannot run: status TRAINING_FAILED (message of TRAINING_FAILED): training failed; train a new version and deploy that' });
  expect(step(running, undefined)).toEqual({ kind: 'fail', reason: 'model-x does not exist: check projectVersionArn (and projectArn), the account and the region' });
});

test('a request that is no longer the live one never acts: a running goal abandons', () => {
  for (const status of ['STOPPED', 'RUNNING', 'STARTING', 'FAILED']) {
    expect(step(running, status, { record: { owner: self.owner, request: 'req-2' } }).kind).toBe('abandon');
    expect(step(running, status, { record: { owner: 'OtherStack/X', request: self.requestId } }).kind).toBe('abandon');
  }
});

test('a stop goal leaves alone what it does not own, or what a later request manages', () => {
  expect(step(stopAndRelease, 'RUNNING', { record: { owner: 'OtherStack/Widgets', request: 'r' } })).toMatchObject({ kind: 'done', release: false });
  expect(step(stopAndRelease, 'RUNNING', { record: { owner: self.owner, request: 'req-2' } })).toMatchObject({ kind: 'done', release: false });
});

test('done releases the record for stop and release goals, never for a running goal', () => {
  expect(step(stopAndRelease, 'STOPPED')).toMatchObject({ kind: 'done', release: true });
  expect(step(releaseAsIs, 'RUNNING')).toMatchObject({ kind: 'done', release: true });
  expect(step(running, 'RUNNING')).toMatchObject({ kind: 'done', release: false });
});

test('past the deadline, waiting or acting turns into a failure naming the status', () => {
  const late = { now: NOW + 10, deadline: NOW };
  expect(step(running, 'STARTING', late)).toEqual({ kind: 'fail', reason: 'model-x did not reach RUNNING with 2 to 5 inference units before the deploy timeout: it is STARTING (message of STARTING); raise the timeout prop or check the model in the Rekognition console' });
  expect(step(stopAndRelease, 'STOPPING', late).kind).toBe('fail');
  expect(step(running, 'RUNNING', late).kind).toBe('done');
});

test('the same input always gives the same step (level-triggered)', () => {
  const statuses = [...KNOWN_STATUSES, 'SOMETHING_NEW', undefined];
  fc.assert(fc.property(
    fc.constantFrom(...statuses),
    fc.constantFrom<Goal>(running, stopAndRelease, releaseAsIs, stopped, { kind: 'running', minInferenceUnits: 1 }),
    fc.record({ owner: fc.constantFrom(self.owner, 'Other/X', undefined), request: fc.constantFrom(self.requestId, 'req-2', undefined), startedBy: fc.constantFrom(self.requestId, undefined) }),
    fc.integer({ min: -5, max: 5 }),
    (status, goal, record, dt) => {
      const input: ReconcileInput = {
        goal, record, self, now: NOW, deadline: NOW + dt, modelName: 'm',
        model: status === undefined ? undefined : { status, minInferenceUnits: 1 },
      };
      const a = reconcile(input);
      expect(reconcile(JSON.parse(JSON.stringify(input)))).toEqual(a);
      // Never acts for a request that is not the live one.
      if (record.request !== self.requestId || record.owner !== self.owner) expect(['start', 'stop']).not.toContain(a.kind);
      // Never starts a model that is meant to stop, never stops one meant to run with matching units.
      if (goal.kind !== 'running') expect(a.kind).not.toBe('start');
      // A stopped model never releases its record: the stack still owns it.
      if (goal.kind === 'stopped' && a.kind === 'done') expect(a.release).toBe(false);
    },
  ));
});

describe('planRequest: what a request does before waiting', () => {
  const base = { minInferenceUnits: 2, retainOnDelete: false, exists: true, record: {}, self, modelName: 'm', now: NOW } as const;
  test('Create of a missing version is rejected, nothing started', () => {
    expect(planRequest({ ...base, requestType: 'Create', exists: false }).kind).toBe('reject');
  });
  test('Create of a model another stack runs is rejected with the owner', () => {
    const plan = planRequest({ ...base, requestType: 'Create', record: { owner: 'OtherStack/Model' } });
    expect(plan).toMatchObject({ kind: 'reject' });
    expect((plan as { reason: string }).reason).toContain('already run by OtherStack/Model');
  });
  test('Create of a model a renamed resource of the same stack ran takes it over', () => {
    expect(planRequest({ ...base, requestType: 'Create', record: { owner: 'WidgetsStack/OldName' } }).kind).toBe('claim');
  });
  test('Delete skips what is missing or not its own', () => {
    expect(planRequest({ ...base, requestType: 'Delete', exists: false }).kind).toBe('skip');
    expect(planRequest({ ...base, requestType: 'Delete', record: { owner: 'OtherStack/Model' } }).kind).toBe('skip');
    expect(planRequest({ ...base, requestType: 'Delete', record: ours })).toEqual({ kind: 'claim', goal: { kind: 'stopped-and-released' } });
  });
  test('admit() accepts unowned and own models', () => {
    expect(admit({}, self, 'm').ok).toBe(true);
    expect(admit(ours, self, 'm').ok).toBe(true);
  });
});

describe('goalForDelete: RETAIN applies to settled models of a stack that is not rolling back', () => {
  const settled: OwnershipRecord = { ...ours, settled: self.requestId };
  test.each([
    [false, settled, 'DELETE_IN_PROGRESS', 'stopped-and-released'],
    [true, settled, 'DELETE_IN_PROGRESS', 'released-as-is'],
    [true, settled, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'released-as-is'],
    [true, settled, 'ROLLBACK_IN_PROGRESS', 'stopped-and-released'],
    [true, settled, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'stopped-and-released'],
    [true, ours, 'DELETE_IN_PROGRESS', 'stopped-and-released'],
    [true, { ...settled, replaced: 'req-9' }, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'stopped-and-released'],
  ])('retain=%s record=%o stack %s -> %s', (retain, record, stackStatus, kind) => {
    expect(goalForDelete(retain, record, stackStatus, 0).kind).toBe(kind);
  });
});

describe('judgeError', () => {
  const ctx = { now: NOW, deadline: NOW + 1000, modelName: 'm' };
  test.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalServerError', 'LimitExceededException', 'TimeoutError'])('%s is retried', (name) => {
    expect(judgeError({ name }, { ...ctx, statusBefore: 'STOPPED' }).kind).toBe('retry');
  });
  test('any 5xx is retried', () => {
    expect(judgeError({ name: 'Whatever', httpStatusCode: 503 }, ctx).kind).toBe('retry');
  });
  test('retried errors past the deadline fail with the last error', () => {
    expect(judgeError({ name: 'LimitExceededException', message: 'too many units' }, { ...ctx, now: NOW + 2000 })).toEqual({
      kind: 'fail', reason: 'm: the deploy timeout passed while Rekognition kept answering LimitExceededException: too many units',
    });
  });
  test('a refusal in a transitional status is retried; in a steady one it is checked again', () => {
    expect(judgeError({ name: 'ResourceInUseException' }, { ...ctx, statusBefore: 'STARTING' }).kind).toBe('retry');
    expect(judgeError({ name: 'ResourceInUseException' }, { ...ctx, statusBefore: 'STOPPED' }).kind).toBe('recheck');
    expect(judgeError({ name: 'InvalidParameterException' }, { ...ctx, statusBefore: 'STOPPED', statusAfter: 'STARTING' }).kind).toBe('retry');
    expect(judgeError({ name: 'ResourceInUseException', message: 'no' }, { ...ctx, statusBefore: 'FAILED', statusAfter: 'FAILED' })).toEqual({
      kind: 'fail', reason: 'm (status FAILED): Rekognition refused the call: ResourceInUseException: no',
    });
  });
  test('access denied and not found', () => {
    expect(judgeError({ name: 'AccessDeniedException', message: 'x' }, ctx).kind).toBe('fail');
    expect(judgeError({ name: 'ResourceNotFoundException' }, ctx).kind).toBe('gone');
  });
});

describe('errors as the SDK hands them over', () => {
  test('a refused connection, Node\'s own error named plain Error, is known by its code and retried', async () => {
    // A loopback port nothing listens on. The real SDK client runs in a plain Node process, as in Lambda: inside
    // jest's sandbox Node's errors are of another realm, and the SDK re-wraps them without their code.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const script = `const { RekognitionClient, DescribeProjectsCommand } = require('@aws-sdk/client-rekognition');
      new RekognitionClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:${port}', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' } })
        .send(new DescribeProjectsCommand({})).catch((e) => process.stdout.write(JSON.stringify({ name: e.name, code: e.code, message: e.message, $metadata: e.$metadata })));`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    const thrown = JSON.parse(child.stdout) as Record<string, unknown>;
    expect(thrown).toMatchObject({ name: 'Error', code: 'ECONNREFUSED' });
    const error = toServiceError(thrown);
    expect(error.name).toBe('ECONNREFUSED');
    expect(isTransient(error)).toBe(true);
    expect(judgeError(error, { now: NOW, deadline: NOW + 1000, modelName: 'm' }).kind).toBe('retry');
  });
  test('a region the account cannot use: no such endpoint, or not enabled', () => {
    // What getaddrinfo hands the SDK for a region that does not exist (rekognition.us-east-l.amazonaws.com).
    const notFound = toServiceError(Object.assign(new Error('getaddrinfo ENOTFOUND rekognition.us-east-l.amazonaws.com'), { code: 'ENOTFOUND' }));
    expect(notFound.name).toBe('ENOTFOUND');
    expect([regionUnusable(notFound), isTransient(notFound)]).toEqual([true, false]);
    expect(regionUnusable({ name: 'UnrecognizedClientException', httpStatusCode: 400 })).toBe(true);
    expect(regionUnusable({ name: 'AccessDeniedException' })).toBe(false);
    expect(regionUnusable({ name: 'EAI_AGAIN' })).toBe(false);
  });
  test('the stack guard skips only a region it merely remembers and cannot use, waits out a transient error, else fails', () => {
    expect(guardListingVerdict({ name: 'UnrecognizedClientException' }, true)).toBe('skip');
    expect(guardListingVerdict({ name: 'ENOTFOUND' }, true)).toBe('skip');
    expect(guardListingVerdict({ name: 'UnrecognizedClientException' }, false)).toBe('fail');
    expect(guardListingVerdict({ name: 'AccessDeniedException' }, true)).toBe('fail');
    expect(guardListingVerdict({ name: 'ThrottlingException' }, true)).toBe('next-run');
    expect(guardListingVerdict({ name: 'ECONNRESET' }, false)).toBe('next-run');
  });
});

test('a Delete waits as long as CloudFormation allows, a Create as long as the timeout says', () => {
  expect(deadlineFor('Create', 600, 0)).toBe(600_000);
  expect(deadlineFor('Update', 600, 0)).toBe(600_000);
  expect(deadlineFor('Delete', 600, 0)).toBe(55 * 60_000);
});

describe('the scheduled path', () => {
  const owner = self.owner;
  test('acts for the settled deploy of its own stack only', () => {
    expect(scheduledAccess({ owner, request: 'r1', settled: 'r1' }, owner, NOW)).toEqual({ ok: true, requestId: 'r1' });
    expect(scheduledAccess({ owner: 'Other/X', request: 'r1', settled: 'r1' }, owner, NOW)).toMatchObject({ ok: false, converged: true });
    expect(scheduledAccess({}, owner, NOW)).toMatchObject({ ok: false, converged: true });
  });
  test('waits while a CloudFormation request is in flight, until the claim is certainly dead', () => {
    const inFlight = { owner, request: 'r2', requestAt: String(NOW - 60_000), settled: 'r1' };
    expect(scheduledAccess(inFlight, owner, NOW)).toMatchObject({ ok: false, converged: false });
    expect(scheduledAccess(inFlight, owner, NOW + CLAIM_LIFETIME_MS)).toEqual({ ok: true, requestId: 'r2' });
  });
  test('a FAILED after a start of this window occurrence is final; one from an earlier occurrence gets a new start', () => {
    const me = { ...self, runId: 'window:0:123' };
    expect(step(running, 'FAILED', { self: me, record: { ...ours, startedBy: 'window:0:123' } }).kind).toBe('fail');
    expect(step(running, 'FAILED', { self: me, record: { ...ours, startedBy: 'window:0:1' } }).kind).toBe('start');
  });
});

test('declaredGoal: the units, or what the windows say at that instant', () => {
  const windows = { timeZone: 'UTC', leadMinutes: 0, windows: [{ startMinute: 8 * 60, endMinute: 18 * 60, minInferenceUnits: 5 }] };
  expect(declaredGoal({ minInferenceUnits: 2, maxInferenceUnits: 3 }, NOW)).toEqual({ kind: 'running', minInferenceUnits: 2, maxInferenceUnits: 3 });
  expect(declaredGoal({ minInferenceUnits: 2, windows }, Date.UTC(2026, 0, 5, 9))).toEqual({ kind: 'running', minInferenceUnits: 5, maxInferenceUnits: undefined });
  expect(declaredGoal({ minInferenceUnits: 2, windows }, Date.UTC(2026, 0, 10, 9))).toEqual({ kind: 'stopped' }); // a Saturday
});

describe('guardVerdict: the stack guard stops what the stack owns but no longer declares, only while the stack is settled', () => {
  const arn = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/v1/1767607200000';
  const base = { stackName: 'S', stackStatus: 'UPDATE_COMPLETE', declared: [{ logicalId: 'Model', physicalId: arn }], versionArn: arn, now: 1000 };
  test.each([
    ['declared by the resource it runs under', {}, { owner: 'S/Model', request: 'r1', settled: 'r1' }, 'leave'],
    ['another stack\'s model', { declared: [] }, { owner: 'T/Model' }, 'leave'],
    ['nobody\'s model', { declared: [] }, {}, 'leave'],
    ['owned, no longer declared, stack settled', { declared: [] }, { owner: 'S/Model', request: 'r1', settled: 'r1' }, 'stop'],
    ['owned, no longer declared, even with a claim in flight: no CloudFormation request waits in a settled stack', { declared: [] }, { owner: 'S/Model', request: 'r2', settled: 'r1', requestAt: '999' }, 'stop'],
    ['owned under another logical id than the stack declares for it (a renamed construct\'s old claim)', {}, { owner: 'S/Old' }, 'stop'],
    ['declared under a physical id that is another version', { declared: [{ logicalId: 'Model', physicalId: arn.replace('/v1/', '/v2/') }] }, { owner: 'S/Model' }, 'stop'],
    ['the stack is updating', { stackStatus: 'UPDATE_IN_PROGRESS', declared: [] }, { owner: 'S/Model' }, 'leave'],
    ['the stack is cleaning up an update', { stackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', declared: [] }, { owner: 'S/Model' }, 'leave'],
    ['the stack is rolling back', { stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', declared: [] }, { owner: 'S/Model' }, 'leave'],
    ['the stack is unknown', { stackStatus: undefined, declared: [] }, { owner: 'S/Model' }, 'leave'],
  ] as const)('%s: %s', (_what, input, record, kind) => {
    expect(guardVerdict({ ...base, ...input, record }).kind).toBe(kind);
  });

  test('its own claim is continued, a new one written otherwise', () => {
    expect(guardVerdict({ ...base, declared: [], record: { owner: 'S/Model', request: 'guard:5' } })).toMatchObject({ kind: 'stop', requestId: 'guard:5', claim: false });
    expect(guardVerdict({ ...base, declared: [], record: { owner: 'S/Model', request: 'r1' } })).toMatchObject({ kind: 'stop', requestId: 'guard:1000', claim: true });
  });
});

describe('afterOwnStart: a start another request overtook is undone, unless another stack owns the model now', () => {
  const self = { owner: 'S/Model', requestId: 'r1' };
  test.each([
    ['still our claim', { owner: 'S/Model', request: 'r1' }, { kind: 'ours' }],
    ['a Delete of this stack claimed it', { owner: 'S/Model', request: 'd1' }, { kind: 'undo', reclaim: false }],
    ['a Delete claimed and releaseAsIs it', {}, { kind: 'undo', reclaim: true }],
    ['another stack claimed it since', { owner: 'T/Model', request: 'x' }, { kind: 'theirs' }],
  ] as const)('%s', (_what, after, expected) => {
    expect(afterOwnStart(after, self)).toEqual(expected);
  });
});
