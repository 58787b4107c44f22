// EventBridge Scheduler and the scheduled waiter, as they call the scheduled path: cron boundaries fired at their
// local wall-clock times (a time a spring-forward skips is not fired; a repeated fall-back time fires once), one-time
// `at()` schedules fired once at their local time (treated like a cron time at a spring-forward: not fired), the
// periodic safety net, and the Step Functions waiter that calls the handler until it reports converged, with the
// state machine's retries and timeout. Runs on the CloudFormation emulator's virtual-time task queue.
import type { ScheduledPassEvent } from '../../lib/contract/scheduled-inputs';
import { MINUTES_PER_WEEK } from '../../lib/contract/weekly-windows';
import { firstInstantReaching, localNaive, parseLocalDateTime } from '../../lib/contract/local-time';
import { GUARD_ENVIRONMENT } from '../../lib/private/handler-functions';
import { CloudFormationEmulator } from './cloudformation';
import { CfnTemplate, resolveIntrinsics } from './iam';
import { pseudoOf } from './templates';
import { DAY, MIN } from './time';

/** Runs a handler call with its function's environment (as the construct sets it), as Lambda would. */
async function withEnvironment<T>(env: Readonly<Record<string, string>>, call: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await call();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The scheduled path's event, as the construct writes it (the contract's type). */
export type ScheduledModelEvent = ScheduledPassEvent;

export interface WaiterRun {
  startedAt: number;
  endedAt?: number;
  outcome?: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  error?: string;
}

export interface SchedulerLog {
  readonly waiterRuns: WaiterRun[];
  readonly tickFailures: string[];
  readonly skippedBoundaries: number[];
}

type OnSchedule = (event: ScheduledModelEvent) => Promise<{ converged: boolean; reason: string }>;

const WAITER_POLL_MS = 30_000;
const WAITER_TIMEOUT_MS = 90 * MIN;

export class SchedulerEmulator {
  public readonly log: SchedulerLog = { waiterRuns: [], tickFailures: [], skippedBoundaries: [] };

  constructor(private readonly cfn: CloudFormationEmulator, private readonly onSchedule: OnSchedule, private readonly event: ScheduledModelEvent) {}

  /** Starts a waiter execution at `at` (a boundary event, or a late or duplicated one). */
  startWaiter(at: number): void {
    const run: WaiterRun = { startedAt: at };
    this.log.waiterRuns.push(run);
    let failures = 0;
    const step = async (): Promise<void> => {
      const now = Date.now();
      if (now - at > WAITER_TIMEOUT_MS) {
        Object.assign(run, { endedAt: now, outcome: 'TIMED_OUT' });
        return;
      }
      try {
        const result = await this.cfn.asHandler(() => this.onSchedule(this.event));
        failures = 0;
        if (result.converged) Object.assign(run, { endedAt: now, outcome: 'SUCCEEDED' });
        else this.cfn.schedule(now + WAITER_POLL_MS, step);
      } catch (e) {
        // The task's retry: 3 attempts, 30 s apart, doubling; then the execution fails.
        if (failures < 3) this.cfn.schedule(now + WAITER_POLL_MS * 2 ** failures++, step);
        else Object.assign(run, { endedAt: now, outcome: 'FAILED', error: (e as Error).message });
      }
    };
    this.cfn.schedule(at, step);
  }

  /** The safety net: one handler call every `everyMs` from `from` to `to` (asynchronous invocations). */
  safetyNet(from: number, to: number, everyMs: number): void {
    for (let t = from; t <= to; t += everyMs) {
      this.cfn.schedule(t, async () => {
        // Lambda's asynchronous invocation: the first try and two retries, then the dead-letter queue.
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await this.cfn.asHandler(() => this.onSchedule(this.event));
            return;
          } catch (e) {
            if (attempt === 2) this.log.tickFailures.push((e as Error).message);
          }
        }
      });
    }
  }

  /** Cron boundaries at local weekly minutes in a time zone, fired between `from` and `to` as Scheduler fires them. */
  boundaries(minutesOfWeek: readonly number[], timeZone: string, from: number, to: number): number[] {
    const fired: number[] = [];
    const fromNaive = localNaive(from, timeZone);
    const day = (new Date(fromNaive).getUTCDay() + 6) % 7;
    const monday = Math.floor(fromNaive / DAY) * DAY - day * DAY;
    for (let week = 0; week * MINUTES_PER_WEEK * MIN + monday <= localNaive(to, timeZone); week++) {
      for (const m of minutesOfWeek) {
        const naive = monday + (week * MINUTES_PER_WEEK + m) * MIN;
        const at = firstInstantReaching(naive, timeZone);
        if (at < from || at > to) continue;
        if (localNaive(at, timeZone) !== naive) {
          this.log.skippedBoundaries.push(at); // the wall-clock time does not exist that day
          continue;
        }
        fired.push(at);
        this.startWaiter(at);
      }
    }
    return fired.sort((a, b) => a - b);
  }

  /**
   * One-time schedules, as the template writes them (`at(2027-04-03T08:30:00)`) with their time zone: each starts the
   * waiter once, at the first instant its local time is reached, if that lies between `from` and `to`.
   */
  oneTime(expressions: readonly string[], timeZone: string, from: number, to: number): number[] {
    const fired: number[] = [];
    for (const expression of expressions) {
      const m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):00\)$/.exec(expression);
      const naive = m ? parseLocalDateTime(m[1]) : undefined;
      if (naive === undefined) throw new Error(`not a one-time schedule expression of whole minutes: ${expression}`);
      const at = firstInstantReaching(naive, timeZone);
      if (at < from || at > to) continue;
      if (localNaive(at, timeZone) !== naive) {
        this.log.skippedBoundaries.push(at);
        continue;
      }
      fired.push(at);
      this.startWaiter(at);
    }
    return fired.sort((a, b) => a - b);
  }
}

/** What the stack guard did at each call, as the test reads it. */
export interface GuardCall {
  readonly at: number;
  readonly stopping?: readonly string[];
  readonly reason?: string;
  readonly error?: string;
}

type OnGuard = (event: { stack: string; regions?: string }) => Promise<{ stopping: readonly string[]; reason: string }>;

/**
 * The stack guard's schedule: one asynchronous invocation every `everyMs` from `from` to `to`, under the stack's
 * handler role; Lambda retries a failed one twice.
 */
export function runStackGuard(cfn: CloudFormationEmulator, onGuard: OnGuard, from: number, to: number, everyMs = 5 * MIN): GuardCall[] {
  const calls: GuardCall[] = [];
  for (let t = from; t <= to; t += everyMs) {
    cfn.schedule(t, async () => {
      // The guard's schedule and function go with the stack.
      if (cfn.stackStatus === 'DELETE_COMPLETE') return;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const result = await cfn.asHandler(() => withEnvironment(GUARD_ENVIRONMENT, () => onGuard({ stack: cfn.stackId, ...(cfn.guardRegions === undefined ? {} : { regions: cfn.guardRegions }) })));
          calls.push({ at: Date.now(), stopping: result.stopping, reason: result.reason });
          return;
        } catch (e) {
          if (attempt === 2) calls.push({ at: Date.now(), error: (e as Error).message });
        }
      }
    });
  }
  return calls;
}

/**
 * The scheduled-path events the template's schedules with this expression carry to the function (the stack guard's
 * schedule, which carries no model, left out), resolved as CloudFormation would for the stack.
 */
export function periodicModelEvents(t: CfnTemplate, expression: string, stackId: string): ScheduledModelEvent[] {
  const schedules = Object.values(t.Resources ?? {}).filter((r) => (r as { Type: string }).Type === 'AWS::Scheduler::Schedule') as { Properties: { ScheduleExpression: string; Target: { Input: unknown } } }[];
  return schedules.filter((s) => s.Properties.ScheduleExpression === expression)
    .map((s) => JSON.parse(String(resolveIntrinsics(s.Properties.Target.Input, t, pseudoOf(stackId)))) as Partial<ScheduledModelEvent>)
    .filter((i): i is ScheduledModelEvent => i.model !== undefined);
}
