// What batch windows cost: the inference-unit hours a week they schedule, against running the same units all week.
import { scheduledInferenceUnitHours, WindowTable } from './private/weekly-windows';

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
}

/** What a window table schedules a week, against running all week, at a price per inference-unit hour. */
export function batchWindowCost(table: WindowTable, price: number): BatchWindowCost {
  const hours = scheduledInferenceUnitHours(table);
  const round = (n: number) => Math.round(n * 100) / 100;
  const alwaysOn = 168 * Math.max(...table.windows.map((w) => w.minInferenceUnits));
  const alwaysOnAtMax = 168 * Math.max(...table.windows.map((w) => w.maxInferenceUnits ?? w.minInferenceUnits));
  return {
    scheduledInferenceUnitHoursPerWeek: round(hours.atMin),
    scheduledInferenceUnitHoursPerWeekAtMax: round(hours.atMax),
    alwaysOnInferenceUnitHoursPerWeek: alwaysOn,
    alwaysOnInferenceUnitHoursPerWeekAtMax: alwaysOnAtMax,
    inferenceUnitHourPrice: price,
    scheduledCostPerWeek: round(hours.atMin * price),
    scheduledCostPerWeekAtMax: round(hours.atMax * price),
    alwaysOnCostPerWeek: round(alwaysOn * price),
    alwaysOnCostPerWeekAtMax: round(alwaysOnAtMax * price),
  };
}
