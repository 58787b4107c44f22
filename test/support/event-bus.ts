// A local EventBridge default bus for tests: PutEvents over the awsJson1_1 wire protocol on loopback, authorized
// first (as EventBridge does) against the identity that signed it, with the request's context keys `events:source`
// and `events:detail-type` (both multivalued: every entry's), and a log of the entries it accepted.
import { LoopbackServer, serveOnLoopback } from './loopback-server';
import { accessKeyOf, Authorizer } from './rekognition-simulator';

export interface BusEntry {
  /** Virtual time of the put. */
  readonly at: number;
  readonly source: string;
  readonly detailType: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  readonly accessKeyId?: string;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** The default bus's ARN in the world's account and region. */
export const DEFAULT_BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;

interface WireEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  EventBusName?: string;
}

export class EventBus {
  /** The entries accepted, in order. */
  public readonly entries: BusEntry[] = [];
  /** Every PutEvents over HTTP and how it ended. */
  public readonly calls: { at: number; sources: string[]; accessKeyId?: string; outcome: string }[] = [];
  /** When set, every call is authorized first. */
  public authorize?: Authorizer;
  /** Answers this many next calls with a 500 (the SDK retries them). */
  public failNext = 0;
  private server?: LoopbackServer;

  constructor(private readonly clock: () => number) {}

  /** The details of the accepted entries of one detail-type (every one by default). */
  details(detailType?: string): Record<string, unknown>[] {
    return this.entries.filter((e) => detailType === undefined || e.detailType === detailType).map((e) => e.detail);
  }

  async listen(): Promise<string> {
    this.server = await serveOnLoopback(async (raw, req) => {
      const headers = { 'content-type': 'application/x-amz-json-1.1' };
      const error = (type: string, message: string, status = 400) => ({ status, headers: { ...headers, 'x-amzn-errortype': type }, body: JSON.stringify({ __type: type, message }) });
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'AWSEvents.PutEvents') return error('UnknownOperationException', `${target} is not emulated`);
      const input = JSON.parse(raw.toString('utf8') || '{}') as { Entries?: WireEntry[] };
      const entries = input.Entries ?? [];
      if (entries.length < 1 || entries.length > 10) return error('ValidationException', 'Entries must hold 1 to 10 entries');
      const sources = entries.map((e) => String(e.Source ?? ''));
      const accessKeyId = accessKeyOf(req.headers.authorization);
      if (this.failNext > 0) {
        this.failNext--;
        this.calls.push({ at: this.clock(), sources, accessKeyId, outcome: 'InternalException' });
        return error('InternalException', 'injected fault', 500);
      }
      // Only the default bus is emulated: a named bus is another resource the policy would have to name.
      const bus = entries.map((e) => e.EventBusName ?? 'default');
      if (bus.some((b) => b !== 'default' && b !== DEFAULT_BUS_ARN)) return error('ResourceNotFoundException', `Event bus ${bus.find((b) => b !== 'default')} does not exist.`);
      const context = { 'events:source': [...new Set(sources)], 'events:detail-type': [...new Set(entries.map((e) => String(e.DetailType ?? '')))] };
      const denied = await this.authorize?.({ action: 'events:PutEvents', resource: DEFAULT_BUS_ARN, context }, accessKeyId);
      this.calls.push({ at: this.clock(), sources, accessKeyId, outcome: denied === undefined ? 'allowed' : 'AccessDeniedException' });
      if (denied !== undefined) return error('AccessDeniedException', denied);
      const ids: { EventId: string }[] = [];
      for (const e of entries) {
        this.entries.push({ at: this.clock(), source: String(e.Source), detailType: String(e.DetailType), resources: e.Resources ?? [], detail: JSON.parse(e.Detail ?? '{}') as Record<string, unknown>, accessKeyId });
        ids.push({ EventId: `${this.entries.length}-${this.clock()}` });
      }
      return { status: 200, headers, body: JSON.stringify({ FailedEntryCount: 0, Entries: ids }) };
    });
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
