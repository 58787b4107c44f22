// A plan a person can read (the model's batchWindowPlan()): its options, entries and kinds of entry. Built in
// lib/private/batch-window-plan.ts.

/** What a plan entry marks. */
export enum BatchWindowPlanEventKind {
  /** The model is started (a window opens; the lead time is included). */
  OPEN = 'OPEN',
  /** The model is stopped (a window closes). */
  CLOSE = 'CLOSE',
  /** A weekly occurrence that an excluded date skips: the model stays stopped. */
  SKIPPED = 'SKIPPED',
  /** The time zone's offset from UTC changes (daylight saving time begins or ends). */
  DST_CHANGE = 'DST_CHANGE',
}

/** Which days a plan covers. */
export interface BatchWindowPlanOptions {
  /**
   * Where the plan begins.
   * @default - now: the context key `cdk-rekognition-custom-labels:now` when set, else the clock
   */
  readonly from?: Date;
  /**
   * How many days the plan covers; an integer from 1 to 366.
   * @default 14
   */
  readonly days?: number;
}

/** One line of a plan. */
export interface BatchWindowPlanEntry {
  /** What happens. */
  readonly kind: BatchWindowPlanEventKind;
  /** When, in UTC: `2027-03-22T06:30:00Z`. */
  readonly utc: string;
  /** When, in the windows' local time with its offset: `2027-03-22T07:30+01:00`. */
  readonly local: string;
  /**
   * The window it concerns: `window 0 (MONDAY 08:00 to MONDAY 18:00)` or `oneOffWindows[0] (2027-04-03T09:00 to 2027-04-03T13:00)`.
   * @default - none: a daylight-saving change
   */
  readonly window?: string;
  /**
   * The units the model is started with (OPEN only).
   * @default - not an opening
   */
  readonly minInferenceUnits?: number;
  /**
   * The most units it autoscales to (OPEN of an autoscaling window only).
   * @default - no autoscaling, or not an opening
   */
  readonly maxInferenceUnits?: number;
  /** What happens, for a person. */
  readonly description: string;
}

/** A model's batch windows over some days, as a person reads them. */
export interface BatchWindowPlan {
  /**
   * The windows' time zone.
   * @default - none: the model has no batch windows and runs all the time
   */
  readonly timeZone?: string;
  /** Where the plan begins (UTC). */
  readonly from: string;
  /** Where it ends (UTC). A window running at either end is shown whole. */
  readonly to: string;
  /** Every opening, closing, skipped occurrence and daylight-saving change, in order. */
  readonly entries: BatchWindowPlanEntry[];
  /** The plan as lines of text, for a terminal or a README. */
  readonly text: string;
}
