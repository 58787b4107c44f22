// The EventBridge Scheduler schedules of a model with batch windows: they start the stack's scheduled path
// (lib/private/scheduled-path.ts) at every window boundary (cron for the weekly windows, one-time `at()` schedules for the
// one-off windows) and every few minutes as a safety net. Excluded dates need no schedule of their own: the weekly
// schedules still fire, and the handler, reading the table, keeps the model stopped.
import { Duration, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { WeekDay, WeeklyTime } from '../batch-windows';
import { boundaryMinutes, oneOffOccurrences, WindowTable } from '../contract/weekly-windows';
import { formatNaive } from '../contract/local-time';
import { PROP } from '../contract/resource-properties';
import type { ScheduledPassEvent } from '../contract/scheduled-inputs';
import { scheduledPassTarget, schedulePeriodicPass } from './scheduled-pass';
import { ScheduledPath } from './scheduled-path';

const CRON_DAYS: Record<WeekDay, string> = {
  [WeekDay.MONDAY]: 'MON', [WeekDay.TUESDAY]: 'TUE', [WeekDay.WEDNESDAY]: 'WED', [WeekDay.THURSDAY]: 'THU',
  [WeekDay.FRIDAY]: 'FRI', [WeekDay.SATURDAY]: 'SAT', [WeekDay.SUNDAY]: 'SUN',
};

/** How often the safety-net schedule looks at a model with batch windows (and publishes its expected units). */
const SAFETY_NET_RATE = Duration.minutes(5);
/** How old an event of the windows' schedules (boundary or safety net) may be before it is stale. */
const WINDOW_EVENT_AGE = Duration.minutes(30);

/**
 * The schedules of one model's batch windows: a waiter run at every boundary, in the windows' time zone, and a
 * periodic safety net.
 */
export function scheduleBatchWindows(model: Construct, path: ScheduledPath, event: ScheduledPassEvent, timeZone: TimeZone, now: number): void {
  const table = JSON.parse(event.model.properties[PROP.batchWindows]) as WindowTable;
  // The safety net corrects a missed event, and a boundary a spring-forward skipped, within minutes.
  schedulePeriodicPass(model, path, event, {
    id: 'SafetyNet', rate: SAFETY_NET_RATE, maxEventAge: WINDOW_EVENT_AGE, description: `Keeps ${model.node.path} in step with its batch windows`,
  });
  const targetOptions = scheduledPassTarget(path, event, WINDOW_EVENT_AGE);
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
