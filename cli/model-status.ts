// A model's status line (pure): what it is doing, what its declaration, calendar, hold and demand want it to be doing
// now (the handlers' own desiredStateFrom()), whether the two agree, and the next transition of its plan.
import { desiredStateFrom } from '../lambda/decisions/desired-state';
import type { HoldVerdict } from '../lambda/decisions/hold';
import { unitsMatch } from '../lambda/decisions/model-step';
import { planOf } from '../lib/private/batch-window-plan';
import { BatchWindowPlanEventKind } from '../lib/batch-window-plan';
import { windowName } from '../lib/contract/weekly-windows';
import type { DeployedModel } from './deployed-models';
import type { ModelReadings } from './model-readings';

/** Units: at least one, at most `max` with autoscaling. */
export interface Units {
  readonly min: number;
  readonly max?: number;
}

/** One model's status, as `status --json` prints it (a documented shape: see the README's operations section). */
export interface ModelStatus {
  readonly stack: string;
  /** `<stack>/<construct path>`. */
  readonly model: string;
  readonly versionArn: string;
  readonly version: string;
  /** DescribeProjectVersions' status, or NOT_FOUND. */
  readonly status: string;
  readonly statusMessage?: string;
  /** The units the declaration gives (without windows, demand or a hold). */
  readonly declaredUnits: Units;
  /** The units the service reports, while it runs. */
  readonly inServiceUnits?: Units;
  /** What the model should be doing now: RUNNING with units, or STOPPED, and why. */
  readonly wants: { readonly state: 'RUNNING' | 'STOPPED'; readonly units?: Units; readonly reason: string };
  /** The hold: none, in force, or ignored (and why); absent when holds are not enabled. */
  readonly hold?: { readonly kind: 'none' | 'active' | 'ignored'; readonly state?: 'RUNNING' | 'STOPPED'; readonly until?: string; readonly units?: Units; readonly reason?: string };
  /** Whether the model is where its schedule wants it (STARTING towards RUNNING, or STOPPING towards STOPPED, is on its way). */
  readonly placement: 'in-place' | 'on-its-way' | 'out-of-place';
  /** The next opening or closing of its windows, or the end of the hold in force. */
  readonly next?: { readonly at: string; readonly what: string };
}

function units(min: number | undefined, max: number | undefined): Units | undefined {
  if (min === undefined) return undefined;
  return max === undefined || max === min ? { min } : { min, max };
}

export function unitsText(u: Units | undefined): string {
  if (!u) return '-';
  return u.max === undefined ? String(u.min) : `${u.min}-${u.max}`;
}

function holdOf(verdict: HoldVerdict): ModelStatus['hold'] {
  if (verdict.kind === 'none') return { kind: 'none' };
  if (verdict.kind === 'ignored') return { kind: 'ignored', reason: verdict.reason, ...(verdict.until !== undefined ? { until: new Date(verdict.until).toISOString() } : {}) };
  const h = verdict.hold;
  return { kind: 'active', state: h.state, until: new Date(h.until).toISOString(), units: units(h.minInferenceUnits, h.maxInferenceUnits) };
}

const REASONS: Record<string, string> = {
  'hold': 'a hold',
  'window': 'a window is open',
  'outside-windows': 'outside its windows',
  'declaration': 'its declaration (no windows)',
  'demand': 'its queue holds messages (or did within the idle time)',
  'no-demand': 'its queue is idle',
};

/** The next transition: the hold's end, else the windows' next opening or closing after now. */
function nextTransition(model: DeployedModel, hold: HoldVerdict, now: number): ModelStatus['next'] {
  if (hold.kind === 'active') return { at: new Date(hold.hold.until).toISOString(), what: `the hold (${hold.hold.state}) ends` };
  const table = model.spec.windows;
  if (!table) return undefined;
  const plan = planOf(table, now, 8, (o) => windowName(table, o.source, o.index), model.name);
  const next = plan.entries.find((e) => (e.kind === BatchWindowPlanEventKind.OPEN || e.kind === BatchWindowPlanEventKind.CLOSE) && Date.parse(e.utc) > now);
  return next ? { at: next.utc, what: `${next.kind} ${next.local} ${next.window ?? ''}: ${next.description}`.replace(/ +:/, ':') } : undefined;
}

export function statusOf(model: DeployedModel, readings: ModelReadings, now: number): ModelStatus {
  const spec = model.spec;
  const { state } = desiredStateFrom(spec, readings.inputs, now);
  const observed = readings.observed;
  const status = observed?.status ?? 'NOT_FOUND';
  const goal = state.goal;
  const wantsRunning = goal.kind === 'running';
  let placement: ModelStatus['placement'];
  if (wantsRunning) {
    placement = status === 'RUNNING' && unitsMatch(observed!, goal.minInferenceUnits, goal.maxInferenceUnits) ? 'in-place' : status === 'STARTING' ? 'on-its-way' : 'out-of-place';
  } else {
    placement = status === 'RUNNING' || status === 'STARTING' ? 'out-of-place' : status === 'STOPPING' ? 'on-its-way' : 'in-place';
  }
  return {
    stack: model.stackName,
    model: model.name,
    versionArn: spec.projectVersionArn,
    version: spec.versionName,
    status,
    ...(observed?.statusMessage ? { statusMessage: observed.statusMessage } : {}),
    declaredUnits: units(spec.minInferenceUnits, spec.maxInferenceUnits)!,
    ...(status === 'RUNNING' ? { inServiceUnits: units(observed?.minInferenceUnits, observed?.maxInferenceUnits) } : {}),
    wants: {
      state: wantsRunning ? 'RUNNING' : 'STOPPED',
      ...(wantsRunning ? { units: units(goal.minInferenceUnits, goal.maxInferenceUnits) } : {}),
      reason: REASONS[state.reason] ?? state.reason,
    },
    ...(spec.holdParameterName ? { hold: holdOf(state.hold) } : {}),
    placement,
    next: nextTransition(model, state.hold, now),
  };
}

/** The status as one line of text; a `*` first where the model is not where its schedule wants it. */
export function statusLine(s: ModelStatus): string {
  const mark = s.placement === 'out-of-place' ? '*' : ' ';
  const served = s.inServiceUnits ? ` (in service ${unitsText(s.inServiceUnits)})` : '';
  const wants = `wants ${s.wants.state}${s.wants.units ? ` ${unitsText(s.wants.units)}` : ''}: ${s.wants.reason}`;
  const hold = !s.hold ? 'holds off' : s.hold.kind === 'none' ? 'no hold'
    : s.hold.kind === 'active' ? `held ${s.hold.state}${s.hold.units ? ` ${unitsText(s.hold.units)}` : ''} until ${s.hold.until}`
      : `hold ignored: ${s.hold.reason}`;
  const next = s.next ? `next: ${s.next.what} (${s.next.at})` : 'next: none';
  return `${mark} ${s.model}  ${s.version}  ${s.status}  units ${unitsText(s.declaredUnits)}${served}  ${wants}  ${hold}  ${next}`;
}
