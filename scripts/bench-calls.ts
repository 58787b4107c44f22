// API calls per model-hour, by API, of a model run by the library: a quiet hour (the model stopped where it should be,
// no hold, an empty queue), a steady hour (running where it should be, nothing to change) and a busy hour (the hour the
// model starts), for each kind of scheduled model (weekly windows, holds, demand), and the monthly count for 1 and 100
// models. Measured through the world: a stack synthesized by the construct and deployed template by template, the
// shipped handlers, EventBridge Scheduler's boundaries, periodic passes and the stack guard every 5 minutes, every call
// counted where it lands (the simulators' ledgers; CloudFormation through a counting proxy in front of its endpoint).
import * as http from 'http';
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BatchWindows, CustomLabelsModel, WeekDay, WeeklyTime } from '../lib';
import { boundaryMinutes, WindowTable } from '../lib/contract/weekly-windows';
import { CfnTemplate } from '../test/support/iam';
import { periodicModelEvents, runStackGuard, SchedulerEmulator } from '../test/support/scheduler';
import { StackDeployment } from '../test/support/stack-deployment';
import { ACCOUNT, REGION, templateOf as stackTemplateOf } from '../test/support/templates';
import { FAKE_ENV, World } from '../test/support/world';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** Saturday 10 January 2026, 00:00 UTC: the scenarios run on this day. */
export const SATURDAY = Date.UTC(2026, 0, 10);
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/widgets-work`;
export const HOLD = '/rekognition-custom-labels/WidgetsStack/Widgets/hold';
export const ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/widgets/version/widgets.v1/1767607200000';

/** windows: weekly windows only; holds: windows and holds (the hold starts it); demand: a demand queue only. */
export type Kind = 'windows' | 'holds' | 'demand';
export const KINDS: readonly Kind[] = ['windows', 'holds', 'demand'];

/** The windows model's window: Saturday 03:00 to 09:00 UTC. The holds model's: Monday 08:00 to 18:00 (not today). */
const SATURDAY_WINDOW: WindowTable = { timeZone: 'UTC', leadMinutes: 0, windows: [{ startMinute: 5 * 1440 + 3 * 60, endMinute: 5 * 1440 + 9 * 60, minInferenceUnits: 2 }] };
const MONDAY_WINDOW: WindowTable = { timeZone: 'UTC', leadMinutes: 0, windows: [{ startMinute: 8 * 60, endMinute: 18 * 60, minInferenceUnits: 2 }] };

export function templateOf(kind: Kind): CfnTemplate {
  const stack = new Stack(new App(), 'WidgetsStack', { env: { account: ACCOUNT, region: REGION } });
  const queue = new sqs.Queue(stack, 'Work', { queueName: 'widgets-work' });
  const window = kind === 'windows'
    ? { start: WeeklyTime.of(WeekDay.SATURDAY, 3), end: WeeklyTime.of(WeekDay.SATURDAY, 9), minInferenceUnits: 2 }
    : { start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18), minInferenceUnits: 2 };
  new CustomLabelsModel(stack, 'Widgets', {
    projectVersionArn: ARN,
    minInferenceUnits: 2,
    hold: kind === 'holds' ? {} : undefined,
    demand: kind === 'demand' ? { queue, idleTime: Duration.minutes(15) } : undefined,
    batchWindows: kind === 'demand' ? undefined : BatchWindows.weekly({ timeZone: TimeZone.ETC_UTC, windows: [window], leadTime: Duration.minutes(0) }),
  });
  return stackTemplateOf(stack);
}

/** A call as the ledgers record it: when, which API, and whether the stack guard made it. */
export interface Call {
  readonly at: number;
  readonly api: string;
  readonly guard: boolean;
  /** TagResource: the keys written; UntagResource: the keys removed. */
  readonly keys?: readonly string[];
}

/** Counts CloudFormation's calls on their way to the world's endpoint (its ledger keeps none). */
async function countingProxy(target: string, onCall: (action: string) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      onCall(new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown');
      const out = http.request({ hostname: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      out.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * One model of a kind, deployed on Saturday 00:00 UTC and stopped (outside its windows, no hold, an empty queue), with
 * its schedules and the stack guard running from then to `until`. `calls()` lists every call the handlers made.
 */
export class CallWorld {
  public readonly w: World;
  public t!: CfnTemplate;
  public scheduler!: SchedulerEmulator;
  /** When each scheduled pass (a periodic one or a waiter's poll) began. */
  public readonly passes: number[] = [];
  private readonly cfnCalls: { at: number; api: string; guard: boolean }[] = [];
  private readonly tagCalls = new Map<number, readonly string[]>();
  private guardRunning = false;
  private readonly guardSpans: { from: number; to: number }[] = [];
  private proxy?: { close: () => Promise<void> };

  constructor(public readonly kind: Kind) {
    this.w = new World({ timings: { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 } });
  }

  async start(): Promise<this> {
    const w = this.w;
    await w.start();
    // The keys of every tag write and removal, by the index of its ledger entry.
    const call = w.sim.call.bind(w.sim);
    w.sim.call = (operation, input, region) => {
      const index = w.sim.calls.length;
      const out = call(operation, input, region);
      if (operation === 'TagResource') this.tagCalls.set(index, Object.keys((input.Tags ?? {}) as Record<string, string>));
      if (operation === 'UntagResource') this.tagCalls.set(index, (input.TagKeys ?? []) as string[]);
      return out;
    };
    const proxy = await countingProxy(process.env.AWS_ENDPOINT_URL_CLOUDFORMATION!, (api) => this.cfnCalls.push({ at: w.clock.now, api, guard: this.guardRunning }));
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = proxy.url;
    this.proxy = proxy;
    w.clock.advanceTo(SATURDAY);
    w.model();
    w.sqs.create(QUEUE_URL);
    this.t = templateOf(this.kind);
    const outcome = await new StackDeployment(w.cfn, undefined, w.ssm).deploy(this.t);
    const failed = outcome.answers.filter((a) => a.answer?.Status !== 'SUCCESS');
    if (failed.length > 0) throw new Error(`deploy failed: ${JSON.stringify(failed)}`);
    return this;
  }

  /** The schedules as the template has them, and the stack guard every 5 minutes, from now to `until`. */
  runSchedules(until: number): void {
    const w = this.w;
    const rate = this.kind === 'demand' ? 'rate(1 minute)' : 'rate(5 minutes)';
    const events = periodicModelEvents(this.t, rate, w.cfn.stackId);
    if (events.length !== 1) throw new Error(`expected one ${rate} schedule, found ${events.length}`);
    this.scheduler = new SchedulerEmulator(w.cfn, (e) => {
      this.passes.push(w.clock.now);
      return w.handlers.onSchedule(e);
    }, events[0]);
    const now = w.clock.now;
    if (this.kind !== 'demand') this.scheduler.boundaries(boundaryMinutes(this.kind === 'windows' ? SATURDAY_WINDOW : MONDAY_WINDOW), 'UTC', now, until);
    this.scheduler.safetyNet(now, until, this.kind === 'demand' ? MIN : 5 * MIN);
    runStackGuard(w.cfn, async (e) => {
      this.guardRunning = true;
      const from = w.sim.calls.length;
      try {
        return await w.handlers.onGuard(e);
      } finally {
        this.guardRunning = false;
        this.guardSpans.push({ from, to: w.sim.calls.length });
      }
    }, now, until);
  }

  /** Every call the handlers made, in time order, each API under its own name (an error answer counts: it was a call). */
  calls(): Call[] {
    const w = this.w;
    const inGuard = (i: number) => this.guardSpans.some((s) => i >= s.from && i < s.to);
    const handler = FAKE_ENV.AWS_ACCESS_KEY_ID;
    return [
      ...w.sim.calls.map((c, i) => ({ at: c.at, api: c.operation, guard: inGuard(i), keys: this.tagCalls.get(i) })),
      ...w.sqs.calls.filter((c) => c.accessKeyId === handler).map((c) => ({ at: c.at, api: c.action.split(':')[1], guard: false })),
      ...w.ssm.calls.filter((c) => c.accessKeyId === handler).map((c) => ({ at: c.at, api: c.action.split(':')[1], guard: false })),
      ...w.events.calls.filter((c) => c.accessKeyId === handler).map((c) => ({ at: c.at, api: 'PutEvents', guard: false })),
      ...this.cfnCalls,
    ].sort((a, b) => a.at - b.at);
  }

  /** The calls in [from, to). */
  between(from: number, to: number): Call[] {
    return this.calls().filter((c) => c.at >= from && c.at < to);
  }

  /** What makes the model busy at `at`: the window opens (windows), a hold RUNNING for 6 hours, messages queued. */
  makeBusyAt(at: number): void {
    const w = this.w;
    if (this.kind === 'holds') w.cfn.schedule(at, async () => w.ssm.put(HOLD, JSON.stringify({ state: 'RUNNING', until: new Date(at + 6 * HOUR).toISOString() })));
    if (this.kind === 'demand') {
      w.cfn.schedule(at, async () => {
        w.sqs.send(QUEUE_URL, 'image.jpg');
        // Received and kept in flight for hours: the queue stays busy.
        w.sqs.receive(QUEUE_URL, 1, 6 * 3600);
      });
    }
    // windows: the template's window opens at Saturday 03:00.
  }

  async stop(): Promise<void> {
    await this.w.stop();
    await this.proxy?.close();
  }
}

/** The APIs the figures show, in this order (any other that occurs is added after them). */
const APIS = [
  'DescribeProjects', 'DescribeProjectVersions', 'ListTagsForResource', 'TagResource', 'UntagResource', 'StartProjectVersion', 'StopProjectVersion',
  'GetQueueAttributes', 'GetParameter', 'PutEvents', 'DescribeStacks', 'ListStackResources',
];
export const WRITES = new Set(['TagResource', 'UntagResource', 'StartProjectVersion', 'StopProjectVersion', 'PutEvents']);
/** The stack guard's calls that are per stack, whatever the number of models. */
const PER_STACK = new Set(['DescribeStacks', 'ListStackResources', 'DescribeProjects']);

type Counts = Record<string, number>;
function count(calls: readonly Call[]): Counts {
  const out: Counts = {};
  for (const c of calls) out[c.api] = (out[c.api] ?? 0) + 1;
  return out;
}
const total = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);
const writes = (c: Counts) => Object.entries(c).filter(([api]) => WRITES.has(api)).reduce((a, [, n]) => a + n, 0);

interface Hour { readonly name: string; readonly model: Counts; readonly guard: Counts }

/** Runs one kind: a quiet hour (01:00), the busy hour (03:00, the model starts) and a steady hour (05:00). */
async function measureKind(kind: Kind): Promise<Hour[]> {
  const cw = await new CallWorld(kind).start();
  try {
    cw.runSchedules(SATURDAY + 6 * HOUR);
    cw.makeBusyAt(SATURDAY + 3 * HOUR);
    await cw.w.cfn.drain(SATURDAY + 6 * HOUR);
    const hour = (name: string, from: number): Hour => {
      const calls = cw.between(from, from + HOUR);
      return { name, model: count(calls.filter((c) => !c.guard)), guard: count(calls.filter((c) => c.guard)) };
    };
    return [hour('quiet (stopped)', SATURDAY + HOUR), hour('busy (starts)', SATURDAY + 3 * HOUR), hour('steady (running)', SATURDAY + 5 * HOUR)];
  } finally {
    await cw.stop();
  }
}

const short = (a: string) => a.replace('ProjectVersions', 'PV').replace('ProjectVersion', 'PV').replace('ForResource', '').replace('Describe', 'Desc').replace('GetQueueAttributes', 'GetQueueAttr').replace('ListStackResources', 'ListStackRes');
const width = (a: string) => Math.max(short(a).length, 4) + 1;

function row(label: string, c: Counts, apis: readonly string[]): string {
  return `  ${label.padEnd(26)}${apis.map((a) => String(c[a] ?? 0).padStart(width(a))).join('')}  | writes ${writes(c)}, all ${total(c)}`;
}

export async function callFigures(out: (line?: string) => void): Promise<void> {
  const results: { kind: Kind; hours: Hour[] }[] = [];
  for (const kind of KINDS) results.push({ kind, hours: await measureKind(kind) });
  const seen = new Set(results.flatMap((r) => r.hours.flatMap((h) => [...Object.keys(h.model), ...Object.keys(h.guard)])));
  const apis = [...APIS.filter((a) => seen.has(a)), ...[...seen].filter((a) => !APIS.includes(a)).sort()];
  out('== API calls per model-hour, by API (one model, one stack; the stack guard\'s calls on a line of their own, per stack)');
  out(`  ${''.padEnd(26)}${apis.map((a) => short(a).padStart(width(a))).join('')}`);
  for (const r of results) {
    out(`  -- ${r.kind}${r.kind === 'windows' ? ' (5-minute pass + boundaries)' : r.kind === 'holds' ? ' (windows + hold, 5-minute pass)' : ' (1-minute pass)'}`);
    for (const h of r.hours) out(row(h.name, h.model, apis));
    for (const h of [r.hours[0], r.hours[2]]) out(row(`  stack guard, ${h.name.split(' ')[0]}`, h.guard, apis));
  }
  out('  a 30-day month (720 hours) all quiet, or all steady: one stack, each model in its own project; the guard\'s DescribeStacks,');
  out('  ListStackResources and DescribeProjects are per stack, its other calls per model');
  const fmt = (n: number) => n.toLocaleString('en-US');
  for (const r of results) {
    for (const h of [r.hours[0], r.hours[2]]) {
      const month = (models: number) => {
        let all = 0;
        let w = 0;
        const add = (c: Counts, perStack: boolean) => {
          for (const [api, n] of Object.entries(c)) {
            const k = perStack && PER_STACK.has(api) ? 1 : models;
            all += n * k;
            if (WRITES.has(api)) w += n * k;
          }
        };
        add(h.model, false);
        add(h.guard, true);
        return `${fmt(all * 720)} calls (${fmt(w * 720)} writes)`;
      };
      out(`  ${r.kind.padEnd(8)} ${h.name.padEnd(17)} 1 model: ${month(1)}; 100 models: ${month(100)}`);
    }
  }
}

if (require.main === module) {
  callFigures((line = '') => process.stdout.write(`${line}\n`)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
