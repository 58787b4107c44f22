// Batch windows (the batchWindows prop): weekly windows in a time zone, with excluded dates and one-off windows, during
// which the model runs; resolved into the contract's window table (lib/contract/weekly-windows.ts) for the handlers.
import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { parseLocalDateTime } from './contract/local-time';
import { OneOffSpec, WindowTable } from './contract/weekly-windows';
import { LocalDate, LocalDateTime } from './local-date';
import { unscopedValidationError, validationError } from './private/errors';

/** A day of the week. */
export enum WeekDay {
  MONDAY = 'MONDAY',
  TUESDAY = 'TUESDAY',
  WEDNESDAY = 'WEDNESDAY',
  THURSDAY = 'THURSDAY',
  FRIDAY = 'FRIDAY',
  SATURDAY = 'SATURDAY',
  SUNDAY = 'SUNDAY',
}

/** The days in the order the week's minutes count them, from Monday. */
const WEEK_DAYS_FROM_MONDAY = [WeekDay.MONDAY, WeekDay.TUESDAY, WeekDay.WEDNESDAY, WeekDay.THURSDAY, WeekDay.FRIDAY, WeekDay.SATURDAY, WeekDay.SUNDAY];

/** A local wall-clock time of the week: a day, an hour and a minute. */
export class WeeklyTime {
  /**
   * @param day the day of the week
   * @param hour 0 to 23
   * @param minute 0 to 59
   */
  public static of(day: WeekDay, hour: number, minute: number = 0): WeeklyTime {
    const call = `WeeklyTime.of(${day}, ${hour}, ${minute})`;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw unscopedValidationError('InvalidWeeklyTime', `${call}: hour must be an integer from 0 to 23, got ${hour}`);
    if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw unscopedValidationError('InvalidWeeklyTime', `${call}: minute must be an integer from 0 to 59, got ${minute}`);
    return new WeeklyTime(day, hour, minute);
  }

  /**
   * The weekly time a number of minutes after Monday 00:00 (taken modulo a week).
   * @param minuteOfWeek minutes from Monday 00:00
   */
  public static fromMinuteOfWeek(minuteOfWeek: number): WeeklyTime {
    const week = 7 * 24 * 60;
    const m = ((Math.floor(minuteOfWeek) % week) + week) % week;
    return WeeklyTime.of(WEEK_DAYS_FROM_MONDAY[Math.floor(m / 1440)], Math.floor((m % 1440) / 60), m % 60);
  }

  private constructor(public readonly day: WeekDay, public readonly hour: number, public readonly minute: number) {}

  /** Minutes from Monday 00:00. */
  public get minuteOfWeek(): number {
    return WEEK_DAYS_FROM_MONDAY.indexOf(this.day) * 24 * 60 + this.hour * 60 + this.minute;
  }

  /** For messages: `MONDAY 08:00`. */
  public toString(): string {
    return `${this.day} ${String(this.hour).padStart(2, '0')}:${String(this.minute).padStart(2, '0')}`;
  }
}

/** One weekly window during which the model runs. */
export interface BatchWindow {
  /** When the window opens (the model is started `leadTime` earlier, so it is RUNNING by then). */
  readonly start: WeeklyTime;
  /** When the window closes and the model stops. Earlier in the week than `start`: the window runs past Sunday. */
  readonly end: WeeklyTime;
  /**
   * Units during this window; an integer >= 1.
   * @default - the model's minInferenceUnits
   */
  readonly minInferenceUnits?: number;
  /**
   * Most units during this window; when set, Rekognition autoscales between min and max.
   * @default - the model's maxInferenceUnits (when the window does not set minInferenceUnits either), else no autoscaling
   */
  readonly maxInferenceUnits?: number;
}

/**
 * A window that occurs once, besides the weekly ones: an extra batch on a Saturday, or a longer day. Its times are
 * local date-times in the windows' time zone; the model is started `leadTime` before `start`, as for a weekly window
 * (unless another window ends where it starts).
 */
export interface OneOffWindow {
  /** When the window opens, in the windows' time zone: `LocalDateTime.of(2027, 4, 3, 9, 0)`. */
  readonly start: LocalDateTime;
  /** When it closes and the model stops, after `start`. */
  readonly end: LocalDateTime;
  /**
   * Units during this window; an integer >= 1.
   * @default - the model's minInferenceUnits
   */
  readonly minInferenceUnits?: number;
  /**
   * Most units during this window; when set, Rekognition autoscales between min and max.
   * @default - the model's maxInferenceUnits (when the window does not set minInferenceUnits either), else no autoscaling
   */
  readonly maxInferenceUnits?: number;
}

/** Properties of weekly batch windows. */
export interface WeeklyBatchWindowsProps {
  /** The time zone the windows' times are in. Daylight-saving changes neither skip nor double a window. */
  readonly timeZone: TimeZone;
  /** The windows; they may not overlap, and may be adjacent (a change of units at their boundary is a restart). */
  readonly windows: BatchWindow[];
  /**
   * How long before a window opens the model is started, so that it is RUNNING when the window opens. A start takes
   * minutes (up to about 30). Not applied to a window that begins where another ends.
   *
   * @default Duration.minutes(30)
   */
  readonly leadTime?: Duration;
  /**
   * Local dates, in the windows' time zone, on which no weekly window opens: a weekly occurrence whose
   * opening (lead time included) falls on one of them is skipped whole (a window from Sunday 22:00 to Monday 06:00 is
   * skipped by excluding the Sunday). One-off windows are not affected.
   *
   * @default - no excluded dates
   */
  readonly excludedDates?: LocalDate[];
  /**
   * Windows that occur once, besides the weekly ones. A one-off window may overlap a weekly occurrence or another
   * one-off window only if they have the same units (they then run as one stretch).
   *
   * @default - no one-off windows
   */
  readonly oneOffWindows?: OneOffWindow[];
}

/**
 * When the model runs: outside every window it is stopped and does not bill.
 *
 * @example
 * import { Duration, TimeZone } from 'aws-cdk-lib';
 *
 * // Mondays 08:00 to 18:00 with 5 units, Thursday night with 2 to 4; stopped the rest of the week. Not on Easter
 * // Monday 2027, and once on a Saturday with 3 units.
 * const windows = BatchWindows.weekly({
 *   timeZone: TimeZone.EUROPE_BERLIN,
 *   windows: [
 *     { start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18), minInferenceUnits: 5 },
 *     { start: WeeklyTime.of(WeekDay.THURSDAY, 22), end: WeeklyTime.of(WeekDay.FRIDAY, 6), minInferenceUnits: 2, maxInferenceUnits: 4 },
 *   ],
 *   leadTime: Duration.minutes(30),
 *   excludedDates: [LocalDate.of(2027, 3, 29)],
 *   oneOffWindows: [{ start: LocalDateTime.of(2027, 4, 3, 9, 0), end: LocalDateTime.of(2027, 4, 3, 13, 0), minInferenceUnits: 3 }],
 * });
 */
export class BatchWindows {
  /** Windows that repeat every week, in a time zone. */
  public static weekly(props: WeeklyBatchWindowsProps): BatchWindows {
    return new BatchWindows(props);
  }

  /** The time zone. */
  public readonly timeZone: TimeZone;
  /** The lead time. */
  public readonly leadTime: Duration;
  /** The windows. */
  public readonly windows: BatchWindow[];
  /** The excluded local dates. */
  public readonly excludedDates: LocalDate[];
  /** The one-off windows. */
  public readonly oneOffWindows: OneOffWindow[];

  private constructor(props: WeeklyBatchWindowsProps) {
    this.timeZone = props.timeZone;
    this.leadTime = props.leadTime ?? Duration.minutes(30);
    this.windows = [...props.windows];
    this.excludedDates = [...(props.excludedDates ?? [])];
    this.oneOffWindows = [...(props.oneOffWindows ?? [])];
  }

  /**
   * The window table with every window's units resolved against the model's own, validated.
   * @internal
   */
  public _resolve(scope: IConstruct, defaults: { min: number; max?: number }): WindowTable {
    const lead = this.leadTime.toMinutes({ integral: false });
    if (Token.isUnresolved(lead) || !Number.isInteger(lead) || lead < 0 || lead > 24 * 60) {
      throw validationError('InvalidBatchWindowLeadTime', scope, `batchWindows leadTime must be a whole number of minutes from 0 to 24 hours, got ${this.leadTime.toHumanString()}`);
    }
    const windows = this.windows.map((w, i) => {
      const name = `window ${i} (${w.start} to ${w.end})`;
      const min = w.minInferenceUnits ?? defaults.min;
      // A window that sets its own min sets its own scaling: no max unless it gives one.
      const max = w.maxInferenceUnits ?? (w.minInferenceUnits === undefined ? defaults.max : undefined);
      if (!Number.isInteger(min) || min < 1) throw validationError('InvalidBatchWindowUnits', scope, `batchWindows ${name}: minInferenceUnits must be an integer >= 1, got ${min}`);
      if (max !== undefined && (!Number.isInteger(max) || max < min)) {
        throw validationError('InvalidBatchWindowUnits', scope, `batchWindows ${name}: maxInferenceUnits must be an integer >= minInferenceUnits (${min}), got ${max}`);
      }
      return { startMinute: w.start.minuteOfWeek, endMinute: w.end.minuteOfWeek, minInferenceUnits: min, maxInferenceUnits: max };
    });
    // Dates and date-times were validated where they were made (LocalDate, LocalDateTime).
    const oneOffWindows = this.oneOffWindows.map((o, i): OneOffSpec => {
      const name = `batchWindows oneOffWindows[${i}] (${o.start} to ${o.end})`;
      if (parseLocalDateTime(o.end.toString())! <= parseLocalDateTime(o.start.toString())!) throw validationError('InvalidOneOffWindow', scope, `${name}: end must be after start`);
      const min = o.minInferenceUnits ?? defaults.min;
      // As for a weekly window: one that sets its own min sets its own scaling.
      const max = o.maxInferenceUnits ?? (o.minInferenceUnits === undefined ? defaults.max : undefined);
      if (!Number.isInteger(min) || min < 1) throw validationError('InvalidBatchWindowUnits', scope, `${name}: minInferenceUnits must be an integer >= 1, got ${min}`);
      if (max !== undefined && (!Number.isInteger(max) || max < min)) {
        throw validationError('InvalidBatchWindowUnits', scope, `${name}: maxInferenceUnits must be an integer >= minInferenceUnits (${min}), got ${max}`);
      }
      return { start: o.start.toString(), end: o.end.toString(), minInferenceUnits: min, maxInferenceUnits: max };
    });
    // The exceptions travel only when there are some: a table without them is the JSON it always was.
    return {
      timeZone: this.timeZone.timezoneName,
      leadMinutes: lead,
      windows,
      ...(this.excludedDates.length > 0 ? { excludedDates: this.excludedDates.map((d) => d.toString()) } : {}),
      ...(oneOffWindows.length > 0 ? { oneOffWindows } : {}),
    };
  }
}
