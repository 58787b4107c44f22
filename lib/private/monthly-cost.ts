// What a model's declaration costs a month (pure): the inference-unit hours it runs, at a price per inference-unit
// hour. The one function behind the note every model gets at synth (`npm run synth` prints it) and the README's table
// of common shapes. A month is 730 hours (365 days x 24 / 12), as AWS's pricing pages count it.
import { MINUTES_PER_WEEK, scheduledInferenceUnitHours, WindowTable } from '../contract/weekly-windows';

export const HOURS_PER_MONTH = 730;
const WEEKS_PER_MONTH = HOURS_PER_MONTH / 168;

/** What a model is declared to run, as the cost sees it. */
export interface CostedDeclaration {
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
  readonly windows?: WindowTable;
  readonly demand?: { readonly minInferenceUnits: number; readonly maxInferenceUnits?: number };
}

/** A month's cost in dollars: at the declared minimum units, and at the maximum (autoscaling at its ceiling). */
export interface MonthlyCost {
  readonly atMin: number;
  readonly atMax: number;
  /** Demand adds up to this much when its queue is never idle outside the windows; 0 without demand. */
  readonly demandUpToAtMin: number;
  readonly demandUpToAtMax: number;
  /** What the figure counts, for a person. */
  readonly basis: string;
}

const round = (n: number) => Math.round(n * 100) / 100;
const unitsText = (min: number, max: number | undefined) => (max === undefined || max === min ? `${min} unit${min === 1 ? '' : 's'}` : `${min} to ${max} units`);

export function monthlyCost(declared: CostedDeclaration, price: number): MonthlyCost {
  const { windows, demand } = declared;
  let hoursAtMin: number;
  let hoursAtMax: number;
  let basis: string;
  if (windows) {
    const week = scheduledInferenceUnitHours(windows);
    hoursAtMin = week.atMin * WEEKS_PER_MONTH;
    hoursAtMax = week.atMax * WEEKS_PER_MONTH;
    basis = `its batch windows: ${round(week.atMin)} inference-unit hours a week (${round(week.atMax)} at max units)`;
  } else if (demand) {
    hoursAtMin = 0;
    hoursAtMax = 0;
    basis = 'demand only: nothing while its queue is idle';
  } else {
    hoursAtMin = declared.minInferenceUnits * HOURS_PER_MONTH;
    hoursAtMax = (declared.maxInferenceUnits ?? declared.minInferenceUnits) * HOURS_PER_MONTH;
    basis = `always on with ${unitsText(declared.minInferenceUnits, declared.maxInferenceUnits)}, ${HOURS_PER_MONTH} hours a month`;
  }
  // Demand runs the model outside the windows (all the time without them) while its queue holds messages.
  const outsideHours = windows ? (HOURS_PER_MONTH * (MINUTES_PER_WEEK - windowedMinutes(windows))) / MINUTES_PER_WEEK : HOURS_PER_MONTH;
  const demandAtMin = demand ? demand.minInferenceUnits * outsideHours * price : 0;
  const demandAtMax = demand ? (demand.maxInferenceUnits ?? demand.minInferenceUnits) * outsideHours * price : 0;
  if (demand) basis += `; demand with ${unitsText(demand.minInferenceUnits, demand.maxInferenceUnits)} adds up to $${round(demandAtMin).toFixed(2)} if its queue is never idle`;
  return { atMin: round(hoursAtMin * price), atMax: round(hoursAtMax * price), demandUpToAtMin: round(demandAtMin), demandUpToAtMax: round(demandAtMax), basis };
}

/** Minutes a week the windows run, lead times included (overlaps are refused at synth, so a sum is exact). */
function windowedMinutes(table: WindowTable): number {
  const week = scheduledInferenceUnitHours({ ...table, windows: table.windows.map((w) => ({ ...w, minInferenceUnits: 1, maxInferenceUnits: 1 })) });
  return Math.min(MINUTES_PER_WEEK, week.atMin * 60);
}

/** The note `npm run synth` prints for a model. */
export function monthlyCostText(cost: MonthlyCost, price: number): string {
  const range = cost.atMax === cost.atMin ? `$${cost.atMin.toFixed(2)}` : `$${cost.atMin.toFixed(2)} ($${cost.atMax.toFixed(2)} at max units)`;
  return `costs ${range} a month at $${price} an inference-unit hour: ${cost.basis}`;
}
