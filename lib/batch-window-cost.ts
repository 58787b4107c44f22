// What batch windows cost: the inference-unit hours a week they schedule, against running the same units all week.
// A weekly figure: calendar exceptions are named, not counted.
import { scheduledInferenceUnitHours, WindowTable } from './contract/weekly-windows';

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
    ...notCounted(table),
  };
}

/** The exceptions the weekly figures leave out, as a sentence; nothing without exceptions. */
function notCounted(table: WindowTable): { notCounted?: string } {
  const excluded = table.excludedDates?.length ?? 0;
  const oneOffs = table.oneOffWindows?.length ?? 0;
  if (excluded + oneOffs === 0) return {};
  const parts = [];
  if (excluded > 0) parts.push(`${excluded} excluded date${excluded === 1 ? '' : 's'}`);
  if (oneOffs > 0) parts.push(`${oneOffs} one-off window${oneOffs === 1 ? '' : 's'}`);
  return { notCounted: `${parts.join(' and ')} not counted: the figures are those of a week of the weekly windows` };
}
