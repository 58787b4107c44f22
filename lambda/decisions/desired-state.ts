// What a model should be doing now, and why (pure): from its declaration (units, weekly windows and calendar exceptions),
// its hold and its demand. Every pass (the deploy's and the scheduled path's), the events and a printed plan read it.
import { WindowTable, highestUnits, windowStateAt } from '../../lib/contract/weekly-windows';
import { DemandDecision, DemandDeclaration, demandDecision, DemandVerdict, demandRuns, QueueReading } from './demand';
import { HoldReading, HoldVerdict, holdVerdict } from './hold';
import { Goal } from './model-step';
/** What a model's declaration wants at an instant: its units, or, with batch windows, what the windows say. */
export function declaredGoal(
  declared: { readonly minInferenceUnits: number; readonly maxInferenceUnits?: number; readonly windows?: WindowTable },
  now: number,
): Goal {
  if (!declared.windows) return { kind: 'running', minInferenceUnits: declared.minInferenceUnits, maxInferenceUnits: declared.maxInferenceUnits };
  const state = windowStateAt(declared.windows, now);
  return state.running
    ? { kind: 'running', minInferenceUnits: state.minInferenceUnits, maxInferenceUnits: state.maxInferenceUnits }
    : { kind: 'stopped' };
}

/** What a model's declaration says about units and windows: the inputs of what it should be doing. */
export interface Declaration {
  readonly minInferenceUnits: number;
  readonly maxInferenceUnits?: number;
  readonly windows?: WindowTable;
  /** Demand-driven runs: outside the windows (or without any), the model runs while its queue holds messages. */
  readonly demand?: DemandDeclaration;
}

/**
 * Why a model should be doing what it should: a hold, a window open, no window open, its declaration (no windows, no
 * demand), its queue's demand, or no demand (a model with demand and no windows, its queue empty for the idle time).
 */
export type GoalReason = 'hold' | 'window' | 'outside-windows' | 'declaration' | 'demand' | 'no-demand';

export interface DesiredState {
  readonly goal: Goal;
  readonly reason: GoalReason;
  /** What the hold parameter said (none without holds). */
  readonly hold: HoldVerdict;
  /** The run id a start is attributed to under a hold: one FAILED start per hold written, not one every pass. */
  readonly holdRunId?: string;
  /** What the queue said (none without demand). */
  readonly demand?: DemandVerdict;
}

/** The most units the declaration ever runs the model with: its own (max, else min) or any window's. */
export function highestDeclaredUnits(declared: Declaration): number {
  const own = highestUnits(declared.minInferenceUnits, declared.maxInferenceUnits, declared.windows);
  const d = declared.demand;
  return d ? Math.max(own, d.maxInferenceUnits ?? d.minInferenceUnits) : own;
}

/**
 * What a model should be doing now, from its declaration, its windows and its hold as they are now (level-triggered:
 * every pass, the deploy's and the scheduled path's, computes it afresh). A hold in force wins over the windows: held
 * STOPPED it stays stopped even inside a window; held RUNNING it runs with the hold's units, or without units in the hold
 * with those of the window open now, else the model's own. A hold that cannot be used counts as none.
 */
export function desiredState(declared: Declaration, reading: HoldReading | undefined, now: number, demand: DemandVerdict = { kind: 'none' }): DesiredState {
  const hold = holdVerdict(reading, highestDeclaredUnits(declared), now);
  const base = withoutHold(declared, now, demand);
  const declaredNow = base.goal;
  if (hold.kind === 'active') {
    const h = hold.hold;
    const holdRunId = `hold:${reading?.modifiedAt ?? 0}:${h.until}`;
    if (h.state === 'STOPPED') return { goal: { kind: 'stopped' }, reason: 'hold', hold, holdRunId, demand };
    const units = h.minInferenceUnits !== undefined
      ? { minInferenceUnits: h.minInferenceUnits, maxInferenceUnits: h.maxInferenceUnits }
      : declaredNow.kind === 'running'
        ? { minInferenceUnits: declaredNow.minInferenceUnits, maxInferenceUnits: declaredNow.maxInferenceUnits }
        : { minInferenceUnits: declared.minInferenceUnits, maxInferenceUnits: declared.maxInferenceUnits };
    return { goal: { kind: 'running', ...units }, reason: 'hold', hold, holdRunId, demand };
  }
  return { ...base, hold, demand };
}

/**
 * The goal without a hold: a window open runs the model with the window's units; outside every window (or without
 * windows) a model with demand runs with the demand's units while its queue holds messages or has been empty for less
 * than the idle time; a model without windows and without demand runs all the time.
 */
function withoutHold(declared: Declaration, now: number, demand: DemandVerdict): { goal: Goal; reason: GoalReason } {
  const declaredNow = declaredGoal(declared, now);
  if (declared.windows && declaredNow.kind === 'running') return { goal: declaredNow, reason: 'window' };
  const d = declared.demand;
  if (!d) return { goal: declaredNow, reason: declared.windows ? 'outside-windows' : 'declaration' };
  if (demandRuns(demand)) return { goal: { kind: 'running', minInferenceUnits: d.minInferenceUnits, maxInferenceUnits: d.maxInferenceUnits }, reason: 'demand' };
  return { goal: { kind: 'stopped' }, reason: declared.windows ? 'outside-windows' : 'no-demand' };
}

/** The inputs of the desired state besides the declaration (desired-state-inputs.ts reads them). */
export interface DesiredStateInputs {
  /** What the hold parameter says; absent without holds, or unread. */
  readonly hold?: HoldReading;
  /** The demand queue's message counts; absent without demand, or unread. */
  readonly queue?: QueueReading;
  /** The demand memory (the record's TAG.demandEmptySince): `busy`, or since when the queue has been empty. */
  readonly demandMemory?: string;
}

/** The desired state from the declaration and its inputs, with the demand decision (and the memory it writes). */
export function desiredStateFrom(declared: Declaration, inputs: DesiredStateInputs, now: number): { readonly state: DesiredState; readonly demand: DemandDecision } {
  const demand = demandDecision(declared.demand, inputs.queue, inputs.demandMemory, now);
  return { state: desiredState(declared, inputs.hold, now, demand.verdict), demand };
}
