// The computation of what batch windows cost (the public BatchWindowCost, lib/batch-window-cost.ts) from a window
// table and a price: weekly figures, with the calendar exceptions named, not counted.
import { BatchWindowCost } from '../batch-window-cost';
import { scheduledInferenceUnitHours, WindowTable } from '../contract/weekly-windows';

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
