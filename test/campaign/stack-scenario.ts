// The stack campaign: stacks of one to three models deployed template by template, in CloudFormation's order, with
// IAM enforcing the handler role's policy as each phase's template defines it (test/support/stack-deployment.ts):
// models added and removed, versions swapped within and across projects, units changed, each of them also rolled
// back (a start that ends FAILED, another resource failing after the models answered or while they still start),
// under the simulator's faults, with the stack guard running every 5 minutes throughout. Invariants after every step.
import * as fc from 'fast-check';
import { runStackGuard } from '../support/scheduler';
import { StackDeployment, Outcome } from '../support/stack-deployment';
import { ModelDecl, synthModels } from '../support/templates';
import { HOUR, MIN } from '../support/time';
import { World } from '../support/world';
import { scenarioBasics, ScenarioBasics, Violation } from './scenario';

/**
 * The versions a stack may declare: two projects of two versions each, one in the stack's region and one in another
 * (so swaps, removals and rollbacks cross regions, and the guard looks in both).
 */
const POOL = [['widgets', 'widgets.v1', 'us-east-1'], ['widgets', 'widgets.v2', 'us-east-1'], ['gadgets', 'gadgets.v1', 'eu-west-1'], ['gadgets', 'gadgets.v2', 'eu-west-1']] as const;
/**
 * How long after a deploy settles a model the stack no longer declares may still bill: a model still STARTING may
 * refuse a stop until it is RUNNING (the rest of a start), then the guard's next run (5 minutes), then the stop.
 */
export function guardBoundMs(s: { startMinutes: number; stopMinutes: number; jitterMinutes: number }): number {
  return (s.startMinutes + s.jitterMinutes + 5 + s.stopMinutes + s.jitterMinutes + 1) * MIN;
}
const BILLING = ['RUNNING', 'STARTING'];

export type Change =
  | { readonly kind: 'add'; readonly version: number; readonly min: number; readonly max?: number }
  | { readonly kind: 'remove'; readonly slot: number }
  | { readonly kind: 'swap'; readonly slot: number; readonly version: number }
  | { readonly kind: 'units'; readonly slot: number; readonly min: number; readonly max?: number };

/** How the deploy ends: as planned, a start that ends FAILED, or another resource failing (after the models, or at `seconds`). */
export type Fault = { readonly kind: 'none' } | { readonly kind: 'startFails' } | { readonly kind: 'elsewhere'; readonly seconds: number };

export type StackOp =
  | { readonly kind: 'deploy'; readonly change: Change; readonly fault: Fault }
  | { readonly kind: 'idle'; readonly minutes: number };

export interface StackScenario extends ScenarioBasics {
  /** The first deploy's models: versions (indexes into the pool), each with its units. */
  readonly initial: readonly { readonly version: number; readonly min: number; readonly max?: number }[];
  readonly ops: readonly StackOp[];
}

const unitsArb = fc.integer({ min: 1, max: 3 }).chain((min) => fc.option(fc.integer({ min, max: min + 2 }), { nil: undefined }).map((max) => ({ min, max })));
const version = fc.integer({ min: 0, max: POOL.length - 1 });
const slot = fc.integer({ min: 0, max: 2 });
const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(version, unitsArb).map(([v, u]) => ({ kind: 'add' as const, version: v, ...u })) },
  { weight: 2, arbitrary: slot.map((s) => ({ kind: 'remove' as const, slot: s })) },
  { weight: 3, arbitrary: fc.tuple(slot, version).map(([s, v]) => ({ kind: 'swap' as const, slot: s, version: v })) },
  { weight: 2, arbitrary: fc.tuple(slot, unitsArb).map(([s, u]) => ({ kind: 'units' as const, slot: s, ...u })) },
);
const fault: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'startFails' as const }) },
  { weight: 2, arbitrary: fc.oneof(fc.constant(0), fc.integer({ min: 30, max: 600 })).map((seconds) => ({ kind: 'elsewhere' as const, seconds })) },
);

export const stackScenarioArbitrary: fc.Arbitrary<StackScenario> = fc.record({
  ...scenarioBasics,
  jitterMinutes: fc.integer({ min: 0, max: 2 }),
  initial: fc.uniqueArray(fc.tuple(version, unitsArb).map(([v, u]) => ({ version: v, ...u })), { minLength: 1, maxLength: 3, selector: (m) => m.version }),
  ops: fc.array(fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('deploy' as const), change, fault }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((minutes) => ({ kind: 'idle' as const, minutes })) },
  ), { minLength: 1, maxLength: 5 }),
});

function check(condition: boolean, message: string): void {
  if (!condition) throw new Violation(message);
}

/** The declaration a change leads to, or undefined when it does not apply (nothing to remove, a version in use). */
function applyChange(decl: readonly ModelDecl[], c: Change, arns: readonly string[], nextId: () => string): ModelDecl[] | undefined {
  const used = new Set(decl.map((m) => m.projectVersionArn));
  switch (c.kind) {
    case 'add':
      if (decl.length >= 3 || used.has(arns[c.version])) return undefined;
      return [...decl, { id: nextId(), projectVersionArn: arns[c.version], minInferenceUnits: c.min, maxInferenceUnits: c.max }];
    case 'remove':
      // A stack keeps at least one model: removing the last removes the provider itself, another story.
      if (decl.length <= 1) return undefined;
      return decl.filter((_, i) => i !== c.slot % decl.length);
    case 'swap':
      if (used.has(arns[c.version])) return undefined;
      return decl.map((m, i) => (i === c.slot % decl.length ? { ...m, projectVersionArn: arns[c.version] } : m));
    case 'units': {
      const i = c.slot % decl.length;
      const m = decl[i];
      if (m.minInferenceUnits === c.min && (m.maxInferenceUnits ?? c.min) === (c.max ?? c.min)) return undefined;
      return decl.map((x, j) => (j === i ? { ...x, minInferenceUnits: c.min, maxInferenceUnits: c.max } : x));
    }
  }
}

/** Runs one scenario and throws a Violation when an invariant breaks. */
export async function runStackScenario(w: World, s: StackScenario): Promise<{ requests: number }> {
  w.sim.reset();
  w.sim.reseed(s.seed);
  w.sim.timings = { startMs: s.startMinutes * MIN, stopMs: s.stopMinutes * MIN, jitterMs: s.jitterMinutes * MIN };
  // One stack id for every scenario (each starts from an empty world): IAM answers carry over between them.
  const cfn = w.newStack('CampaignStack', '6f1d7c3e-0000-4000-8000-000000000001');
  const stack = new StackDeployment(cfn);
  const arns = POOL.map(([project, name, region]) => w.sim.addVersion(w.sim.addProject(project, region), name));
  w.sim.faults = { ...s.faults };
  let ids = 0;
  const nextId = () => `Model${ids++}`;
  const withRetain = (d: ModelDecl[]) => d.map((m) => ({ ...m, retain: s.retain }));
  let requests = 0;
  let guardUntil = w.clock.now;
  const guardCalls: { error?: string }[] = [];
  /** The guard every 5 minutes, as far ahead as the next step can reach. */
  const guardAhead = () => {
    if (guardUntil > w.clock.now + 3 * HOUR) return;
    guardCalls.push(...runStackGuard(cfn, w.handlers.onGuard, guardUntil + 5 * MIN, guardUntil + 6 * HOUR));
    guardUntil += 6 * HOUR;
  };
  /** IU-hours of each version the stack no longer declares, as the last settled step left it. */
  let undeclaredLedger = new Map<string, number>();
  /** Between steps nothing may start a version the stack does not declare: its ledger stays as the last step left it. */
  const assertNoBillingSince = (what: string) => {
    for (const [arn, hours] of undeclaredLedger) {
      const now = w.sim.inferenceUnitHours(arn);
      check(now - hours < 1e-9, `${what}: ${short(arn)} billed ${(now - hours).toFixed(3)} IU-hours while the stack did not declare it`);
    }
  };
  let callsChecked = 0;
  /** Versions RETAIN may leave running: removed from the stack (or the stack deleted) by a deploy that succeeded. */
  const retainedOnPurpose = new Set<string>();
  const short = (arn: string) => arn.split('/').slice(1, 4).join('/');

  const checkAnswers = (outcome: Outcome, what: string) => {
    for (const { what: request, answer, abandoned } of outcome.answers) {
      requests++;
      if (abandoned) continue; // CloudFormation no longer waits for it; what it left running, the other checks see
      check(answer !== undefined, `${what}: ${request}: no answer at all (left hanging)`);
      const sent = cfn.sent.find((r) => r.requestId === answer!.RequestId)!;
      check(answer!.at <= sent.timeoutAt, `${what}: ${request}: answered after CloudFormation's timeout`);
      if (answer!.Status === 'FAILED') check(/arn:aws:rekognition:/.test(answer!.Reason), `${what}: ${request}: FAILED without naming the model: ${answer!.Reason.split('\n')[0]}`);
    }
  };
  const succeeded = (outcome: Outcome, what: string) => {
    const failed = outcome.answers.filter((a) => a.answer?.Status !== 'SUCCESS');
    check(failed.length === 0, `${what}: ${failed.map((f) => `${f.what}: ${(f.answer?.Reason ?? 'no answer').split('\n')[0]}`).join('; ')}`);
  };
  const assertRunning = (decl: readonly ModelDecl[], what: string) => {
    for (const m of decl) {
      const st = w.sim.status(m.projectVersionArn);
      const min = m.minInferenceUnits ?? 2;
      check(st.status === 'RUNNING' && st.min === min && (st.max ?? st.min) === (m.maxInferenceUnits ?? min),
        `${what}: expected ${short(m.projectVersionArn)} RUNNING with ${min}..${m.maxInferenceUnits ?? min}, found ${st.status} ${st.min}..${st.max}`);
    }
  };
  /**
   * Within the guard's bound of the stack settling, no version the stack does not declare bills, unless RETAIN
   * released it (no ownership tag left: a removal under RETAIN keeps it running on purpose); nor does one bill again.
   */
  const assertUndeclaredStop = async (decl: readonly ModelDecl[], what: string) => {
    const settledAt = w.clock.now;
    const bound = guardBoundMs(s);
    guardAhead();
    await cfn.drain(settledAt + bound);
    w.clock.advanceTo(settledAt + bound);
    const declared = new Set(decl.map((m) => m.projectVersionArn));
    const ledger = new Map<string, number>();
    for (const arn of arns.filter((a) => !declared.has(a))) {
      const st = w.sim.status(arn);
      const released = st.tags['cdk-custom-labels:owner'] === undefined;
      if (BILLING.includes(st.status) && released && retainedOnPurpose.has(arn)) {
        w.sim.setStatus(arn, 'STOPPED'); // retained on purpose; stopped here so later steps start from a clean slate
      } else {
        check(!BILLING.includes(st.status), `${what}: ${short(arn)} is ${st.status} ${bound / MIN} minutes after the stack settled, and the stack does not declare it (tags ${JSON.stringify(st.tags)})`);
      }
      ledger.set(arn, w.sim.inferenceUnitHours(arn));
    }
    undeclaredLedger = ledger;
    retainedOnPurpose.clear();
    // A start the policy refuses is by design when the version is no longer declared: the waiter of a create that
    // CloudFormation abandoned keeps polling under the restored policy. Any other denial is a design fault.
    const denied = w.sim.calls.slice(callsChecked).filter((c) => c.outcome === 'AccessDeniedException' && !(c.operation === 'StartProjectVersion' && !declared.has(c.target ?? '')));
    callsChecked = w.sim.calls.length;
    check(denied.length === 0, `${what}: IAM denied ${denied.map((d) => `${d.operation} ${short(d.target ?? '')}`).join(', ')}`);
    const guardErrors = guardCalls.filter((g) => g.error);
    check(guardErrors.length === 0, `${what}: the stack guard failed: ${guardErrors.map((g) => g.error).join('; ')}`);
  };

  guardAhead();
  let decl: ModelDecl[] = withRetain(s.initial.map((m) => ({ id: nextId(), projectVersionArn: arns[m.version], minInferenceUnits: m.min, maxInferenceUnits: m.max })));
  const created = await stack.deploy(synthModels(cfn.stackName, decl));
  checkAnswers(created, 'create');
  check(created.status === 'CREATE_COMPLETE', `create: stack ${created.status}`);
  succeeded(created, 'create');
  assertRunning(decl, 'create');
  await assertUndeclaredStop(decl, 'create');

  for (const [i, o] of s.ops.entries()) {
    const what = `step ${i} (${o.kind === 'deploy' ? `${o.change.kind}, fault ${o.fault.kind}` : 'idle'})`;
    if (o.kind === 'idle') {
      guardAhead();
      await cfn.drain(w.clock.now + o.minutes * MIN);
      w.clock.advanceTo(w.clock.now + o.minutes * MIN);
      assertNoBillingSince(what);
      continue;
    }
    assertNoBillingSince(`before ${what}`);
    const next = applyChange(decl, o.change, arns, nextId);
    if (!next) continue;
    const after = withRetain(next);
    // The model a failed start hits: the one this change starts.
    const started = after.find((m) => !decl.some((d) => JSON.stringify(d) === JSON.stringify(m)));
    const fault = o.fault.kind === 'startFails' && !started ? { kind: 'elsewhere' as const, seconds: 0 } : o.fault;
    if (fault.kind === 'startFails') w.sim.failNextStart(started!.projectVersionArn, 'Simulated: the requested inference units are not available.');
    guardAhead();
    const outcome = await stack.deploy(synthModels(cfn.stackName, after), fault.kind === 'elsewhere' ? { failElsewhereAfterSeconds: fault.seconds } : {});
    if (started) w.sim.clearFailNextStart(started.projectVersionArn); // a start that never came must not fail a later one
    checkAnswers(outcome, what);
    if (fault.kind === 'none') {
      check(outcome.status === 'UPDATE_COMPLETE', `${what}: stack ${outcome.status}`);
      succeeded(outcome, what);
      check(outcome.dropped.length === 0, `${what}: cleanup dropped ${outcome.dropped.map(short).join(', ')}`);
      if (s.retain && o.change.kind === 'remove') {
        for (const m of decl) if (!after.some((a) => a.projectVersionArn === m.projectVersionArn)) retainedOnPurpose.add(m.projectVersionArn);
      }
      decl = after;
    } else {
      check(outcome.status === 'UPDATE_ROLLBACK_COMPLETE', `${what}: stack ${outcome.status}`);
      const rollback = outcome.answers.filter((a) => a.what.includes('rollback') || a.what.startsWith('Delete'));
      succeeded({ ...outcome, answers: rollback }, `${what} rollback`);
      check(outcome.dropped.length === 0, `${what}: rollback cleanup dropped ${outcome.dropped.map(short).join(', ')}`);
    }
    assertRunning(decl, what);
    await assertUndeclaredStop(decl, what);
    assertRunning(decl, `${what}, after the guard's bound`);
  }

  assertNoBillingSince('before delete');
  if (s.retain) for (const m of decl) retainedOnPurpose.add(m.projectVersionArn);
  const destroyed = await stack.destroy();
  checkAnswers(destroyed, 'delete');
  check(destroyed.status === 'DELETE_COMPLETE', `delete: stack ${destroyed.status}`);
  succeeded(destroyed, 'delete');
  await assertUndeclaredStop([], 'delete');
  return { requests };
}
