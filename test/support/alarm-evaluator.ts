// A CloudWatch metric alarm evaluated as the CloudWatch User Guide documents it ("Alarm evaluation", "Configuring how
// CloudWatch alarms treat missing data", "Metric math syntax and functions"), over synthetic metric samples:
//
// - an alarm with a period of a minute or more is evaluated every minute; one whose Period x EvaluationPeriods is
//   more than a day, once an hour, on the data up to the hour's :00;
// - the window slides (the default EvaluationWindow): at time t the most recent datapoint aggregates the samples of
//   [t - Period, t), the one before [t - 2 Period, t - Period), and so on;
// - a datapoint is the statistic (Sum, Average, Maximum, Minimum, SampleCount) of the samples in its period that have
//   arrived by t (a sample carries the time it was published and the time CloudWatch has it); no sample: missing;
// - metric math: the expression per datapoint; FILL(x, c) replaces a missing x; arithmetic with a missing operand is
//   missing ("the data point is considered missing if the math expression doesn't return a value");
// - of the last EvaluationPeriods datapoints, missing ones count as TreatMissingData says; ALARM when at least
//   DatapointsToAlarm breach, OK otherwise, INSUFFICIENT_DATA when all are missing and TreatMissingData is 'missing';
// - actions run on state transitions only.
//
// Functions CloudWatch advises against in alarms (RUNNING_SUM and the like) are refused rather than guessed at.
import { DAY, HOUR, MIN } from './time';

export interface Sample {
  /** When the value was measured (epoch ms). */
  readonly t: number;
  readonly value: number;
  /** When CloudWatch has it (epoch ms); defaults to `t`. */
  readonly arrivesAt?: number;
}

export interface MetricKey {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, unknown>;
}

/** The samples of a metric. */
export type MetricData = (metric: MetricKey) => readonly Sample[];

type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface Evaluation {
  /** The state after each evaluation. */
  readonly states: readonly { readonly t: number; readonly state: State }[];
  /** State changes (what actions run on). */
  readonly transitions: readonly { readonly t: number; readonly to: State }[];
  /** The state at a time (the last evaluation at or before it). */
  stateAt(t: number): State;
}

interface MetricStatQuery {
  readonly id: string;
  readonly metric: MetricKey;
  readonly stat: string;
  readonly periodMs: number;
}

/** The alarm's properties as a synthesized template has them (intrinsics resolved). */
export type AlarmProperties = Record<string, unknown>;

function statOf(stat: string, values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case 'Sum': return values.reduce((a, b) => a + b, 0);
    case 'Average': return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Maximum': return Math.max(...values);
    case 'Minimum': return Math.min(...values);
    case 'SampleCount': return values.length;
    default: throw new Error(`alarm evaluator: statistic ${stat} is not modelled`);
  }
}

/** Metric math expressions of the forms the library writes: + - * /, parentheses, numbers, ids, FILL(expr, number). */
type Expr = (values: Record<string, number | undefined>) => number | undefined;

function parseExpression(text: string): Expr {
  const tokens = text.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[()+\-*/,])/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join('') !== text.replace(/\s+/g, '')) throw new Error(`alarm evaluator: cannot read expression "${text}"`);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const binary = (l: number | undefined, r: number | undefined, op: string) => {
    if (l === undefined || r === undefined) return undefined;
    return op === '+' ? l + r : op === '-' ? l - r : op === '*' ? l * r : r === 0 ? undefined : l / r;
  };
  const primary = (): Expr => {
    const t = next();
    if (t === '(') {
      const e = sum();
      if (next() !== ')') throw new Error(`alarm evaluator: ) expected in "${text}"`);
      return e;
    }
    if (/^\d/.test(t)) return () => Number(t);
    if (peek() === '(') {
      next();
      if (t !== 'FILL') throw new Error(`alarm evaluator: ${t}() is not modelled (CloudWatch advises against some functions in alarms)`);
      const inner = sum();
      if (next() !== ',') throw new Error(`alarm evaluator: FILL takes a constant in "${text}"`);
      const fill = Number(next());
      if (next() !== ')') throw new Error(`alarm evaluator: ) expected in "${text}"`);
      return (v) => inner(v) ?? fill;
    }
    return (v) => v[t];
  };
  const product = (): Expr => {
    let left = primary();
    while (peek() === '*' || peek() === '/') {
      const op = next();
      const l = left;
      const r = primary();
      left = (v) => binary(l(v), r(v), op);
    }
    return left;
  };
  const sum = (): Expr => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = next();
      const l = left;
      const r = product();
      left = (v) => binary(l(v), r(v), op);
    }
    return left;
  };
  const e = sum();
  if (i !== tokens.length) throw new Error(`alarm evaluator: trailing "${tokens.slice(i).join('')}" in "${text}"`);
  return e;
}

/** The first index whose sample is at or after t (samples sorted by t). */
function lowerBound(list: readonly Sample[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function dimensionsOf(list: unknown): Record<string, unknown> {
  return Object.fromEntries(((list ?? []) as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value]));
}

export function evaluateAlarm(p: AlarmProperties, data: MetricData, from: number, to: number): Evaluation {
  if (p.EvaluationWindow !== undefined) throw new Error('alarm evaluator: only the default (sliding) evaluation window is modelled');
  const evaluationPeriods = Number(p.EvaluationPeriods);
  const datapointsToAlarm = Number(p.DatapointsToAlarm ?? evaluationPeriods);
  const threshold = Number(p.Threshold);
  const treatMissing = String(p.TreatMissingData ?? 'missing');
  const compare = ({
    GreaterThanThreshold: (v: number) => v > threshold,
    GreaterThanOrEqualToThreshold: (v: number) => v >= threshold,
    LessThanThreshold: (v: number) => v < threshold,
    LessThanOrEqualToThreshold: (v: number) => v <= threshold,
  } as Record<string, (v: number) => boolean>)[String(p.ComparisonOperator)];
  if (!compare) throw new Error(`alarm evaluator: ComparisonOperator ${String(p.ComparisonOperator)} is not modelled`);

  // The queries, and what the alarm's value is per datapoint.
  let queries: MetricStatQuery[];
  let value: Expr;
  if (p.Metrics) {
    const metrics = p.Metrics as { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: unknown }; Stat: string; Period: number } }[];
    queries = metrics.filter((m) => m.MetricStat).map((m) => ({
      id: m.Id,
      metric: { namespace: m.MetricStat!.Metric.Namespace, metricName: m.MetricStat!.Metric.MetricName, dimensions: dimensionsOf(m.MetricStat!.Metric.Dimensions) },
      stat: m.MetricStat!.Stat,
      periodMs: m.MetricStat!.Period * 1000,
    }));
    const returned = metrics.filter((m) => m.ReturnData !== false);
    if (returned.length !== 1 || !returned[0].Expression) throw new Error('alarm evaluator: exactly one expression must return data');
    value = parseExpression(returned[0].Expression);
  } else {
    queries = [{
      id: 'm',
      metric: { namespace: String(p.Namespace), metricName: String(p.MetricName), dimensions: dimensionsOf(p.Dimensions) },
      stat: String(p.Statistic),
      periodMs: Number(p.Period) * 1000,
    }];
    value = (v) => v.m;
  }
  const periodMs = queries[0].periodMs;
  if (queries.some((q) => q.periodMs !== periodMs)) throw new Error('alarm evaluator: every metric of an alarm has the same period');
  const samples = new Map(queries.map((q) => [q.id, [...data(q.metric)].sort((a, b) => a.t - b.t)]));

  const everyMs = periodMs * evaluationPeriods > DAY ? HOUR : MIN;
  const states: { t: number; state: State }[] = [];
  const transitions: { t: number; to: State }[] = [];
  let state: State = 'INSUFFICIENT_DATA';
  for (let t = Math.ceil(from / everyMs) * everyMs; t <= to; t += everyMs) {
    const datapoints: (number | undefined)[] = [];
    for (let i = 0; i < evaluationPeriods; i++) {
      const end = t - i * periodMs;
      const start = end - periodMs;
      const values: Record<string, number | undefined> = {};
      for (const q of queries) {
        const list = samples.get(q.id)!;
        const inPeriod: number[] = [];
        for (let k = lowerBound(list, start); k < list.length && list[k].t < end; k++) {
          if ((list[k].arrivesAt ?? list[k].t) <= t) inPeriod.push(list[k].value);
        }
        values[q.id] = statOf(q.stat, inPeriod);
      }
      datapoints.push(value(values));
    }
    let next: State;
    const present = datapoints.filter((d): d is number => d !== undefined);
    if (present.length === 0 && treatMissing === 'missing') next = 'INSUFFICIENT_DATA';
    else if (present.length === 0 && treatMissing === 'ignore') next = state;
    else {
      const missingBreach = treatMissing === 'breaching' ? datapoints.length - present.length : 0;
      const breaching = present.filter(compare).length + missingBreach;
      next = breaching >= datapointsToAlarm ? 'ALARM' : 'OK';
    }
    if (next !== state) transitions.push({ t, to: next });
    state = next;
    states.push({ t, state });
  }
  return {
    states,
    transitions,
    stateAt(at: number): State {
      let found: State = 'INSUFFICIENT_DATA';
      for (const s of states) {
        if (s.t > at) break;
        found = s.state;
      }
      return found;
    },
  };
}

/** One sample a minute, in [from, to), with the units a function gives for each minute (undefined: none, stopped). */
export function perMinute(from: number, to: number, units: (t: number) => number | undefined): Sample[] {
  const out: Sample[] = [];
  for (let t = from; t < to; t += MIN) {
    const u = units(t);
    if (u !== undefined) out.push({ t, value: u });
  }
  return out;
}
