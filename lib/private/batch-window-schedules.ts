// The EventBridge Scheduler schedules of a model with batch windows: they start the stack's scheduled path
// (lib/private/scheduled-path.ts) at every window boundary (cron for the weekly windows, one-time `at()` schedules for the
// one-off windows) and every few minutes as a safety net. Excluded dates need no schedule of their own: the weekly
// schedules still fire, and the handler, reading the table, keeps the model stopped.
import { CfnResource, CustomResource, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { WeekDay, WeeklyTime } from '../batch-windows';
import { boundaryMinutes, formatNaive, oneOffOccurrences, WindowTable } from '../contract/weekly-windows';
import { PROP } from '../contract/resource-properties';
import { ScheduledPath } from './scheduled-path';

const CRON_DAYS: Record<WeekDay, string> = {
  [WeekDay.MONDAY]: 'MON', [WeekDay.TUESDAY]: 'TUE', [WeekDay.WEDNESDAY]: 'WED', [WeekDay.THURSDAY]: 'THU',
  [WeekDay.FRIDAY]: 'FRI', [WeekDay.SATURDAY]: 'SAT', [WeekDay.SUNDAY]: 'SUN',
};

/** How often the safety-net schedule looks at a model with batch windows (and publishes its expected units). */
const SAFETY_NET_RATE = Duration.minutes(5);

/**
 * The schedules of one model's batch windows: a waiter run at every boundary, in the windows' time zone, and a
 * periodic safety net.
 */
export function scheduleBatchWindows(model: Construct, path: ScheduledPath, resource: CustomResource, properties: Record<string, string>, timeZone: TimeZone, now: number): void {
  const stack = Stack.of(model);
  const table = JSON.parse(properties[PROP.batchWindows]) as WindowTable;
  const input = scheduler.ScheduleTargetInput.fromObject({
    model: { properties, stackName: stack.stackName, logicalId: stack.getLogicalId(resource.node.defaultChild as CfnResource) },
  });
  const targetOptions = { input, role: path.schedulerRole, deadLetterQueue: path.deadLetterQueue, retryAttempts: 3, maxEventAge: Duration.minutes(30) };
  // The safety net corrects a missed event, and a boundary a spring-forward skipped, within minutes.
  new scheduler.Schedule(model, 'SafetyNet', {
    schedule: scheduler.ScheduleExpression.rate(SAFETY_NET_RATE),
    target: new targets.LambdaInvoke(path.function, targetOptions),
    description: `Keeps ${model.node.path} in step with its batch windows`,
  });
  boundaryMinutes(table).forEach((minute, i) => {
    const t = WeeklyTime.fromMinuteOfWeek(minute);
    new scheduler.Schedule(model, `Boundary${i}`, {
      schedule: scheduler.ScheduleExpression.cron({ minute: String(t.minute), hour: String(t.hour), weekDay: CRON_DAYS[t.day], timeZone }),
      target: new targets.StepFunctionsStartExecution(path.waiter, targetOptions),
      description: `${model.node.path}: batch-window boundary at ${t} ${timeZone.timezoneName}`,
    });
  });
  // A one-off window's opening (lead time included) and close, each once, in local time; none for a time already
  // past at synth (the safety net covers a window that is open when the stack deploys).
  for (const o of oneOffOccurrences(table)) {
    for (const [what, naive, at] of [['Open', o.openNaive, o.openAt], ['Close', o.closeNaive, o.closeAt]] as const) {
      if (at <= now) continue;
      const local = `${formatNaive(naive)}:00`;
      new scheduler.Schedule(model, `OneOff${o.index}${what}`, {
        schedule: scheduler.ScheduleExpression.expression(`at(${local})`, timeZone),
        target: new targets.StepFunctionsStartExecution(path.waiter, targetOptions),
        description: `${model.node.path}: one-off window ${o.index} ${what === 'Open' ? 'opens' : 'closes'} at ${local} ${timeZone.timezoneName}`,
      });
    }
  }
}
