// What the tests of the scheduled path share (holds, demand, transition events): a stack under test deployed through
// StackDeployment and checked to have deployed cleanly, EventBridge Scheduler driving the template's periodic pass and
// (with windows) MONDAY_WINDOW's boundaries, an operator who writes the hold parameter with the real SSM client, and
// the handlers' structured log lines. For jest tests only: the helpers assert with expect().
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { boundaryMinutes } from '../../lib/contract/weekly-windows';
import { CfnTemplate } from './iam';
import { periodicModelEvents, ScheduledModelEvent, SchedulerEmulator } from './scheduler';
import { StackDeployment } from './stack-deployment';
import { ACCOUNT, MONDAY_WINDOW, REGION, StackDecl, stackTemplate, WIDGETS_HOLD } from './templates';
import { World } from './world';

/** The access key of the operator, whose identity follows the template's Operator role (followOperator). */
export const OPERATOR_KEY = 'AKIAOPERATOREXAMPLE1';
/** The access key of someone who starts a model by hand, outside the stack. */
export const CONSOLE_KEY = 'AKIACONSOLEEXAMPLE01';

/** Credentials for a client of the world's endpoints signing with this access key. */
export const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'secret-for-loopback-tests' });

/** A hold parameter's value: `state` until `until`, with these units. */
export const holdValue = (state: string, until: number, units: Record<string, number> = {}) => JSON.stringify({ state, until: new Date(until).toISOString(), ...units });

/** Gives the operator's access key the policies of the template's Operator role, phase by phase. */
export function followOperator(w: World, stack: StackDeployment): void {
  stack.followRole(w.identity(OPERATOR_KEY, `arn:aws:sts::${ACCOUNT}:assumed-role/WidgetsStack-Operator/operator`, []), 'Operator');
}

/** Deploys the stack under test, expects every answer to be a SUCCESS, and returns its template. */
export async function deployCleanly(stack: StackDeployment, decl: StackDecl): Promise<CfnTemplate> {
  const t = stackTemplate(decl);
  const outcome = await stack.deploy(t);
  expect(outcome.answers.filter((a) => a.answer?.Status !== 'SUCCESS')).toEqual([]);
  return t;
}

/** The scheduled path's event, as the template's one periodic schedule of this rate carries it. */
export function periodicEvent(w: World, t: CfnTemplate, rate: string): ScheduledModelEvent {
  const periodic = periodicModelEvents(t, rate, w.cfn.stackId);
  expect(periodic).toHaveLength(1);
  return periodic[0];
}

export interface ScheduleRun {
  /** The periodic schedule's expression: 'rate(5 minutes)' (holds, windows) or 'rate(1 minute)' (demand). */
  readonly rate: string;
  readonly passMs: number;
  /** Every schedule event delivered this many times at once (default 1). */
  readonly copies?: number;
}

/** The periodic pass and, when the template has batch windows, MONDAY_WINDOW's boundaries, from now to `to`. */
export function runScheduledPath(w: World, t: CfnTemplate, to: number, run: ScheduleRun): SchedulerEmulator {
  const scheduler = new SchedulerEmulator(w.cfn, (e) => w.handlers.onSchedule(e), periodicEvent(w, t, run.rate));
  for (let copy = 0; copy < (run.copies ?? 1); copy++) {
    if (JSON.stringify(t).includes('BatchWindows')) scheduler.boundaries(boundaryMinutes(MONDAY_WINDOW), 'UTC', w.clock.now, to);
    scheduler.safetyNet(w.clock.now, to, run.passMs);
  }
  return scheduler;
}

/**
 * The operator writes WIDGETS_HOLD at `at`, as `aws ssm put-parameter --overwrite` does. Returns each put's outcome,
 * 'ok' or the error's name, as it happens; with `errors: 'throw'` an error fails the scheduled task instead.
 */
export function putHoldAt(w: World, at: number, value: string, errors: 'record' | 'throw' = 'record'): string[] {
  const outcomes: string[] = [];
  const operator = new SSMClient({ region: REGION, maxAttempts: 1, credentials: credentials(OPERATOR_KEY) });
  w.cfn.schedule(at, async () => {
    try {
      await operator.send(new PutParameterCommand({ Name: WIDGETS_HOLD, Value: value, Overwrite: true }));
      outcomes.push('ok');
    } catch (e) {
      if (errors === 'throw') throw e;
      outcomes.push((e as Error).name);
    }
  });
  return outcomes;
}

/**
 * The handlers' structured log lines from now on. The world silences the handlers' logs; this reads them instead
 * (w.stop() restores console.log).
 */
export function captureLogLines(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  console.log = (line: unknown) => {
    try {
      lines.push(JSON.parse(String(line)) as Record<string, unknown>);
    } catch {
      // not a structured line
    }
  };
  return lines;
}
