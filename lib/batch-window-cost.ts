// What batch windows cost (the model's batchWindowCost): the inference-unit hours a week they schedule, against running
// the same units all week. A weekly figure: calendar exceptions are named, not counted. Computed in
// lib/private/batch-window-cost.ts.

/** What batch windows schedule in a 168-hour week, against running the same units all week. */
export interface BatchWindowCost {
  /** Inference-unit hours a week the windows schedule at their minimum units, lead time included. */
  readonly scheduledInferenceUnitHoursPerWeek: number;
  /** The same at the windows' maximum units (an autoscaling window at its ceiling all the time). */
  readonly scheduledInferenceUnitHoursPerWeekAtMax: number;
  /** Inference-unit hours a week of running all week with the largest minimum units of any window. */
  readonly alwaysOnInferenceUnitHoursPerWeek: number;
  /** The same with the largest maximum units of any window. */
  readonly alwaysOnInferenceUnitHoursPerWeekAtMax: number;
  /** The price used for the costs below. */
  readonly inferenceUnitHourPrice: number;
  /** Scheduled cost a week at the minimum units. */
  readonly scheduledCostPerWeek: number;
  /** Scheduled cost a week at the maximum units. */
  readonly scheduledCostPerWeekAtMax: number;
  /** Always-on cost a week at the minimum units. */
  readonly alwaysOnCostPerWeek: number;
  /** Always-on cost a week at the maximum units. */
  readonly alwaysOnCostPerWeekAtMax: number;
  /**
   * What these weekly figures leave out: the calendar exceptions (excluded dates save a window's hours that week, a
   * one-off window adds its own), which are not a weekly cost. See `batchWindowPlan()` for the days they change.
   * @default - nothing: the windows have no exceptions
   */
  readonly notCounted?: string;
}
