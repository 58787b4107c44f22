// The randomized campaign: sequences of stack operations under random faults, against the shipped handlers behind
// the real Provider framework runtime and the local Rekognition simulator, with invariants checked after every step.
import * as fc from 'fast-check';
import { CfnAnswer } from '../support/cloudformation';
import { Faults } from '../support/rekognition-simulator';
import { HOUR, MIN } from '../support/time';
import { props, reasonOf, World } from '../support/world';

export type Op =
  | { readonly kind: 'create'; readonly min: number; readonly max?: number }
  | { readonly kind: 'updateUnits'; readonly min: number; readonly max?: number }
  | { readonly kind: 'updateVersion' }
  | { readonly kind: 'delete' }
  /** A create whose start ends FAILED, and CloudFormation's rollback Delete. */
  | { readonly kind: 'failedCreate'; readonly min: number }
  /** An update whose start ends FAILED, and CloudFormation's rollback Update (old and new swapped). */
  | { readonly kind: 'failedUpdate'; readonly min: number; readonly newVersion: boolean }
  /** An update that succeeds, then another resource fails: the rollback Update, and the cleanup of a new version. */
  | { readonly kind: 'updateRolledBack'; readonly min: number; readonly newVersion: boolean }
  /** A create interrupted by another resource's failure: a Delete with a made-up physical id while the waiter polls. */
  | { readonly kind: 'interruptedCreate'; readonly min: number; readonly afterSeconds: number }
  /** Someone stops the model by hand. */
  | { readonly kind: 'externalStop' }
  | { readonly kind: 'idle'; readonly minutes: number };

/** What a scenario of one resource and a scenario of a stack both have: see scenarioBasics. */
export interface ScenarioBasics {
  readonly seed: number;
  readonly retain: boolean;
  readonly faults: Faults;
  readonly startMinutes: number;
  readonly stopMinutes: number;
  readonly jitterMinutes: number;
}

export interface Scenario extends ScenarioBasics {
  readonly ops: readonly Op[];
}

const units = fc.integer({ min: 1, max: 4 }).chain((min) =>
  fc.option(fc.integer({ min, max: min + 3 }), { nil: undefined }).map((max) => ({ min, max })));

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: units.map((u) => ({ kind: 'create' as const, ...u })) },
  { weight: 3, arbitrary: units.map((u) => ({ kind: 'updateUnits' as const, ...u })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'updateVersion' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'delete' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((min) => ({ kind: 'failedCreate' as const, min })) },
  { weight: 1, arbitrary: fc.record({ min: fc.integer({ min: 1, max: 3 }), newVersion: fc.boolean() }).map((r) => ({ kind: 'failedUpdate' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ min: fc.integer({ min: 1, max: 3 }), newVersion: fc.boolean() }).map((r) => ({ kind: 'updateRolledBack' as const, ...r })) },
  { weight: 2, arbitrary: fc.record({ min: fc.integer({ min: 1, max: 3 }), afterSeconds: fc.integer({ min: 0, max: 900 }) }).map((r) => ({ kind: 'interruptedCreate' as const, ...r })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'externalStop' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((minutes) => ({ kind: 'idle' as const, minutes })) },
);

export const faultsArbitrary: fc.Arbitrary<Faults> = fc.record({
  throttleRate: fc.constantFrom(0, 0.05, 0.2),
  throughputRate: fc.constantFrom(0, 0.05),
  serverErrorRate: fc.constantFrom(0, 0.05),
  lostResponseRate: fc.constantFrom(0, 0.1),
  describeRatePerSecond: fc.constantFrom(Infinity, 5, 1),
  stopWhileStarting: fc.constantFrom('refuse' as const, 'allow' as const),
  // A FAILED model that could never be started again would be a service bug no library can work around; the
  // refusing variant is covered by the lifecycle tests (fail fast with the service's message).
  startWhileFailed: fc.constant('allow' as const),
});

/**
 * What every scenario, of one resource or of a stack, draws first (in this order, so that a seed gives the same
 * scenario): its seed, its removal policy, the faults and the service's start and stop times.
 */
export const scenarioBasics = {
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  retain: fc.boolean(),
  faults: faultsArbitrary,
  startMinutes: fc.integer({ min: 2, max: 6 }),
  stopMinutes: fc.integer({ min: 1, max: 2 }),
};

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  ...scenarioBasics,
  jitterMinutes: fc.integer({ min: 0, max: 3 }),
  // Every scenario begins by creating the resource in one of the three ways, so the rest has something to act on.
  ops: fc.tuple(
    fc.oneof(
      { weight: 4, arbitrary: units.map((u) => ({ kind: 'create' as const, ...u })) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((min) => ({ kind: 'failedCreate' as const, min })) },
      { weight: 1, arbitrary: fc.record({ min: fc.integer({ min: 1, max: 3 }), afterSeconds: fc.integer({ min: 0, max: 900 }) }).map((r) => ({ kind: 'interruptedCreate' as const, ...r })) },
    ),
    fc.array(op, { minLength: 0, maxLength: 5 }),
  ).map(([first, rest]): Op[] => [first, ...rest]),
});

/** What went wrong in a scenario, if anything. */
export class Violation extends Error {}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Violation(message);
}

const BILLING = ['RUNNING', 'STARTING'];

/** Runs one scenario in the world (reset first) and throws a Violation when an invariant breaks. */
export async function runScenario(w: World, s: Scenario): Promise<{ requests: number }> {
  w.sim.reset();
  w.sim.reseed(s.seed);
  w.sim.timings = { startMs: s.startMinutes * MIN, stopMs: s.stopMinutes * MIN, jitterMs: s.jitterMinutes * MIN };
  const cfn = w.newStack('CampaignStack');
  const versions = [w.model('v1'), w.model('v2')];
  w.sim.faults = { ...s.faults };
  const removal = { RemovalPolicy: s.retain ? 'retain' : 'destroy' };
  const logicalId = 'Model';

  // The stack's view of the resource: what CloudFormation believes exists.
  let current: { physicalId: string; props: Record<string, string | undefined> } | undefined;
  let requests = 0;

  const answered = async (requestId: string, what: string): Promise<CfnAnswer> => {
    requests++;
    const answer = await cfn.settle(requestId);
    const sent = cfn.sent.find((r) => r.requestId === requestId)!;
    check(answer !== undefined, `${what}: no answer at all (left hanging)`);
    check(answer!.at <= sent.timeoutAt, `${what}: answered after CloudFormation's timeout`);
    if (answer!.Status === 'FAILED') {
      const reason = reasonOf(answer);
      check(/arn:aws:rekognition:/.test(reason) && reason.length > 40, `${what}: FAILED without an actionable reason: "${reason}"`);
    }
    return answer!;
  };
  const succeeded = (a: CfnAnswer, what: string) => check(a.Status === 'SUCCESS', `${what}: unexpected FAILED: ${reasonOf(a)}`);
  const assertRunning = (arn: string, p: Record<string, string | undefined>, what: string) => {
    const st = w.sim.status(arn);
    const min = Number(p.MinInferenceUnits);
    const max = p.MaxInferenceUnits === undefined ? undefined : Number(p.MaxInferenceUnits);
    check(st.status === 'RUNNING' && st.min === min && (st.max ?? st.min) === (max ?? min),
      `${what}: expected ${arn.split('/')[3]} RUNNING with ${min}..${max ?? min}, found ${st.status} ${st.min}..${st.max}`);
  };
  /** The model must not bill now, nor ever again once every waiter has run its course. */
  const assertStaysStopped = async (arn: string, what: string) => {
    const since = w.clock.now;
    await cfn.drain(w.clock.now + 3 * HOUR);
    check(cfn.pendingTasks() === 0, `${what}: a waiter is still polling after three hours`);
    const st = w.sim.status(arn);
    check(!BILLING.includes(st.status), `${what}: ${arn.split('/')[3]} is ${st.status} after every waiter finished`);
    const restarted = w.sim.calls.some((c) => c.operation === 'StartProjectVersion' && c.target === arn && c.at > since && c.outcome !== 'ThrottlingException');
    check(!restarted, `${what}: something started ${arn.split('/')[3]} again after it was released`);
  };
  const other = (arn: string) => (arn === versions[0] ? versions[1] : versions[0]);

  for (const [i, o] of s.ops.entries()) {
    const what = `step ${i} (${o.kind})`;
    switch (o.kind) {
      case 'create': {
        if (current) break;
        const p = props(versions[0], o.min, o.max, removal);
        const a = await answered(cfn.create(logicalId, p), what);
        succeeded(a, what);
        assertRunning(versions[0], p, what);
        current = { physicalId: a.PhysicalResourceId, props: p };
        break;
      }
      case 'updateUnits': {
        if (!current) break;
        const arn = current.props.ProjectVersionArn!;
        const p = props(arn, o.min, o.max, removal);
        const a = await answered(cfn.update(logicalId, current.physicalId, p, current.props), what);
        succeeded(a, what);
        assertRunning(arn, p, what);
        current = { physicalId: a.PhysicalResourceId, props: p };
        break;
      }
      case 'updateVersion': {
        if (!current) break;
        const from = current.props.ProjectVersionArn!;
        const to = other(from);
        const p = { ...current.props, ProjectVersionArn: to };
        const a = await answered(cfn.update(logicalId, current.physicalId, p, current.props), what);
        succeeded(a, what);
        assertRunning(to, p, what);
        check(a.PhysicalResourceId === to, `${what}: a new version must be a new physical id`);
        // Cleanup: CloudFormation deletes the old physical resource.
        cfn.stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
        const cleanup = await answered(cfn.remove(logicalId, current.physicalId, current.props), `${what} cleanup`);
        succeeded(cleanup, `${what} cleanup`);
        await assertStaysStopped(from, `${what} cleanup`);
        assertRunning(to, p, `${what} after cleanup`);
        cfn.stackStatus = 'UPDATE_COMPLETE';
        current = { physicalId: a.PhysicalResourceId, props: p };
        break;
      }
      case 'delete': {
        if (!current) break;
        const arn = current.props.ProjectVersionArn!;
        cfn.stackStatus = 'DELETE_IN_PROGRESS';
        const a = await answered(cfn.remove(logicalId, current.physicalId, current.props), what);
        succeeded(a, what);
        if (s.retain) {
          // RETAIN of a settled model: left running, released.
          await cfn.drain(w.clock.now + 3 * HOUR);
          const st = w.sim.status(arn);
          check(st.tags['cdk-custom-labels:owner'] === undefined, `${what}: a retained model must be released`);
          // Leave the retained model to the next scenario's reset; stop it here so later creates start clean.
          if (BILLING.includes(st.status)) w.sim.setStatus(arn, 'STOPPED');
        } else {
          await assertStaysStopped(arn, what);
        }
        cfn.stackStatus = 'UPDATE_COMPLETE';
        current = undefined;
        break;
      }
      case 'failedCreate': {
        if (current) break;
        const arn = versions[0];
        w.sim.failNextStart(arn, 'Simulated: not enough capacity in the Availability Zones.');
        const p = props(arn, o.min, undefined, removal);
        const a = await answered(cfn.create(logicalId, p), what);
        check(a.Status === 'FAILED', `${what}: a start that ends FAILED must fail the create`);
        if (a.PhysicalResourceId !== 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED') {
          cfn.stackStatus = 'ROLLBACK_IN_PROGRESS';
          const rollback = await answered(cfn.remove(logicalId, a.PhysicalResourceId, p), `${what} rollback`);
          succeeded(rollback, `${what} rollback`);
        }
        await assertStaysStopped(arn, `${what} rollback`);
        cfn.stackStatus = 'UPDATE_COMPLETE';
        break;
      }
      case 'failedUpdate':
      case 'updateRolledBack': {
        if (!current) break;
        const from = current.props.ProjectVersionArn!;
        const to = o.newVersion ? other(from) : from;
        // Without a new version the units must change, or there is nothing to start (and nothing to fail).
        const currentMin = Number(current.props.MinInferenceUnits);
        const sameUnits = o.min === currentMin && (current.props.MaxInferenceUnits === undefined || Number(current.props.MaxInferenceUnits) === currentMin);
        const p = props(to, !o.newVersion && sameUnits ? currentMin + 1 : o.min, undefined, removal);
        if (o.kind === 'failedUpdate') w.sim.failNextStart(to, 'Simulated: the requested inference units are not available.');
        const a = await answered(cfn.update(logicalId, current.physicalId, p, current.props), what);
        if (o.kind === 'failedUpdate') check(a.Status === 'FAILED', `${what}: a start that ends FAILED must fail the update`);
        else succeeded(a, what);
        // Rollback: the same update with old and new swapped, from the physical id the failed update left.
        cfn.stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
        const physicalAfterUpdate = a.Status === 'SUCCESS' ? a.PhysicalResourceId : (to === from ? current.physicalId : to);
        const rb = await answered(cfn.update(logicalId, physicalAfterUpdate, current.props, p), `${what} rollback`);
        succeeded(rb, `${what} rollback`);
        assertRunning(from, current.props, `${what} rollback`);
        if (to !== from) {
          cfn.stackStatus = 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
          const cleanup = await answered(cfn.remove(logicalId, to, p), `${what} rollback cleanup`);
          succeeded(cleanup, `${what} rollback cleanup`);
          await assertStaysStopped(to, `${what} rollback cleanup`);
          assertRunning(from, current.props, `${what} after cleanup`);
        }
        cfn.stackStatus = 'UPDATE_COMPLETE';
        current = { physicalId: rb.PhysicalResourceId, props: current.props };
        break;
      }
      case 'interruptedCreate': {
        if (current) break;
        const arn = versions[0];
        const p = props(arn, o.min, undefined, removal);
        const created = cfn.create(logicalId, p);
        requests++;
        // Another resource fails; CloudFormation stops waiting for this one and deletes it with a made-up id.
        const deleteAt = w.clock.now + o.afterSeconds * 1000;
        await cfn.run(() => cfn.answers.has(created) || w.clock.now >= deleteAt);
        cfn.stackStatus = 'ROLLBACK_IN_PROGRESS';
        const physical = cfn.answers.get(created)?.PhysicalResourceId ?? `CampaignStack-Model-${s.seed.toString(36).toUpperCase()}`;
        if (physical !== 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED') {
          const d = await answered(cfn.remove(logicalId, physical, p, Math.max(w.clock.now, deleteAt)), `${what} delete`);
          succeeded(d, `${what} delete`);
        }
        await assertStaysStopped(arn, what);
        check(cfn.answers.has(created), `${what}: the interrupted create's waiter never answered`);
        cfn.stackStatus = 'UPDATE_COMPLETE';
        break;
      }
      case 'externalStop': {
        if (!current) break;
        w.sim.externalStop(current.props.ProjectVersionArn!);
        break;
      }
      case 'idle':
        await cfn.drain(w.clock.now + o.minutes * MIN);
        w.clock.advanceTo(w.clock.now + o.minutes * MIN);
        break;
    }
  }
  // The end of every scenario: the stack is deleted, and nothing bills afterwards.
  if (current) {
    cfn.stackStatus = 'DELETE_IN_PROGRESS';
    const arn = current.props.ProjectVersionArn!;
    const d = await answered(cfn.remove(logicalId, current.physicalId, current.props), 'final delete');
    succeeded(d, 'final delete');
    if (!s.retain) await assertStaysStopped(arn, 'final delete');
  }
  return { requests };
}
