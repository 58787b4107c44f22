// A local Amazon Rekognition Custom Labels endpoint for tests: the awsJson1_1 wire protocol over HTTP on loopback,
// the model lifecycle as a status machine on an injectable clock, the service's error shapes, injected faults, and
// a ledger of inference-unit time per model.
import { LoopbackServer, serveOnLoopback } from './loopback-server';
import { HOUR, MIN } from './time';

export type Clock = () => number;

/** A seeded PRNG (mulberry32), so that fault injection is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Timings {
  /** Milliseconds from StartProjectVersion to RUNNING (or FAILED). */
  readonly startMs: number;
  /** Milliseconds from StopProjectVersion to STOPPED. */
  readonly stopMs: number;
  /** Added to each transition: a uniform random extra of up to this many milliseconds. */
  readonly jitterMs: number;
}

export interface Faults {
  /** Probability that a call is answered ThrottlingException (before it is applied). */
  throttleRate: number;
  /** Probability that a call is answered ProvisionedThroughputExceededException (before it is applied). */
  throughputRate: number;
  /** Probability that a call is answered 500 InternalServerError (before it is applied). */
  serverErrorRate: number;
  /** Probability that a mutating call is applied but its answer lost (500 after the change). */
  lostResponseRate: number;
  /** DescribeProjectVersions calls allowed per (simulated) second; further calls get ThrottlingException. */
  describeRatePerSecond: number;
  /** What a Stop of a STARTING model does: 'refuse' (ResourceInUseException) or 'allow'. */
  stopWhileStarting: 'refuse' | 'allow';
  /** What a Start of a FAILED model does. */
  startWhileFailed: 'allow' | 'refuse';
}

export const NO_FAULTS: Faults = {
  throttleRate: 0,
  throughputRate: 0,
  serverErrorRate: 0,
  lostResponseRate: 0,
  describeRatePerSecond: Infinity,
  stopWhileStarting: 'refuse',
  startWhileFailed: 'allow',
};

interface Version {
  readonly arn: string;
  readonly name: string;
  readonly projectArn: string;
  status: string;
  statusMessage?: string;
  min?: number;
  max?: number;
  tags: Record<string, string>;
  /** A pending transition. */
  next?: { status: string; at: number; message?: string };
  /** The next start ends FAILED with this message. */
  failNextStartWith?: string;
  /** Since when the model bills, and with how many units. */
  billingSince?: number;
  /** Accumulated inference-unit milliseconds (at min units: what a model with no traffic costs). */
  iuMs: number;
  /** Every status the version went through, with its time: for assertions. */
  history: { at: number; status: string; min?: number; max?: number }[];
}

class ServiceFault extends Error {
  constructor(public readonly type: string, message: string, public readonly httpStatus = 400) {
    super(message);
  }
}

/** An API call as IAM evaluates it: the action, the resource it acts on, and the request's condition keys. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

/**
 * Decides whether a call is allowed; returns the AccessDeniedException message when it is not. `accessKeyId`: the
 * credential the request was signed with (SigV4's Authorization header), which tells a client from the handlers.
 */
export type Authorizer = (request: IamRequest, accessKeyId?: string) => Promise<string | undefined>;

/** The access key id of a SigV4-signed request (`Credential=<key>/<date>/...`), if it has one. */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

/** The region a SigV4-signed request is for (`Credential=<key>/<date>/<region>/<service>/aws4_request`), if signed. */
export function regionOf(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

export interface CallRecord {
  readonly at: number;
  readonly operation: string;
  readonly target?: string;
  readonly outcome: string;
}

export class RekognitionSimulator {
  public faults: Faults = { ...NO_FAULTS };
  public readonly calls: CallRecord[] = [];
  private readonly projects = new Map<string, { name: string; arn: string }>();
  private readonly versions = new Map<string, Version>();
  private server?: LoopbackServer;
  private random: () => number;
  private describeWindow = { second: -1, count: 0 };
  private readonly answersToLose = new Map<string, number>();
  private toThrottle: { count: number; operation?: string } = { count: 0 };
  private readonly pendingBefore = new Map<string, () => void>();
  /** When set, every call over HTTP is authorized first, as the service does before anything else. */
  public authorize?: Authorizer;
  /**
   * Regions not enabled for the account: like an opt-in region that is not, their endpoint refuses every request's
   * credentials (UnrecognizedClientException) before anything else.
   */
  public readonly disabledRegions = new Set<string>();
  /** DetectCustomLabels calls answered with labels. */
  public detections = 0;

  constructor(public clock: Clock = Date.now, public timings: Timings = { startMs: 8 * MIN, stopMs: 2 * MIN, jitterMs: 0 }, seed = 1) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** Forgets every project, version and call. */
  reset(): void {
    this.projects.clear();
    this.versions.clear();
    this.calls.length = 0;
    this.faults = { ...NO_FAULTS };
    this.describeWindow = { second: -1, count: 0 };
    this.answersToLose.clear();
    this.toThrottle = { count: 0 };
    this.pendingBefore.clear();
    this.detections = 0;
  }

  // ---- setting up the world ----

  addProject(name: string, region = 'us-east-1', account = '123456789012', createdMs = 1767000000000): string {
    const arn = `arn:aws:rekognition:${region}:${account}:project/${name}/${createdMs}`;
    this.projects.set(arn, { name, arn });
    return arn;
  }

  addVersion(projectArn: string, versionName: string, status = 'TRAINING_COMPLETED', createdMs = 1767607200000, statusMessage?: string): string {
    const project = this.projects.get(projectArn);
    if (!project) throw new Error(`no project ${projectArn}`);
    const arn = `${projectArn.slice(0, projectArn.lastIndexOf('/'))}/version/${versionName}/${createdMs}`;
    this.versions.set(arn, { arn, name: versionName, projectArn, status, statusMessage, tags: {}, iuMs: 0, history: [{ at: this.clock(), status }] });
    return arn;
  }

  /** The next start of this version ends FAILED with this StatusMessage. */
  failNextStart(versionArn: string, message: string): void {
    this.version(versionArn).failNextStartWith = message;
  }

  /** Runs `action` just before the next call of `operation` is handled: what another writer does meanwhile. */
  beforeNextCall(operation: string, action: () => void): void {
    this.pendingBefore.set(operation, action);
  }

  /** Takes back a failNextStart() whose start never came. */
  clearFailNextStart(versionArn: string): void {
    this.version(versionArn).failNextStartWith = undefined;
  }

  /** The next `count` calls (of `operation`, or of any operation) are answered ThrottlingException. */
  throttleNextCalls(count: number, operation?: string): void {
    this.toThrottle = { count, operation };
  }

  /** The next `count` calls of `operation` are applied, but their answers lost (a 500 after the change). */
  loseNextAnswers(operation: string, count = 1): void {
    this.answersToLose.set(operation, count);
  }

  /** Replaces a version's tags, as another writer (a Delete that claimed and released it, an operator) might. */
  setTags(versionArn: string, tags: Record<string, string>): void {
    this.version(versionArn).tags = { ...tags };
  }

  /** Puts a version into a status directly, as an operator or the service might. */
  setStatus(versionArn: string, status: string, units?: { min: number; max?: number }, statusMessage?: string): void {
    const v = this.version(versionArn);
    this.advance(v);
    v.next = undefined;
    this.enter(v, status, statusMessage, units);
  }

  /** Someone else stops the model (console, script). */
  externalStop(versionArn: string): void {
    const v = this.version(versionArn);
    this.advance(v);
    if (v.status === 'RUNNING') this.beginTransition(v, 'STOPPING', 'STOPPED', this.timings.stopMs);
  }

  // ---- reading the world ----

  status(versionArn: string): { status: string; min?: number; max?: number; statusMessage?: string; tags: Record<string, string> } {
    const v = this.version(versionArn);
    this.advance(v);
    return { status: v.status, min: v.min, max: v.max, statusMessage: v.statusMessage, tags: { ...v.tags } };
  }

  /** Inference-unit hours billed so far (at the minimum units: a model with no traffic). */
  inferenceUnitHours(versionArn: string): number {
    const v = this.version(versionArn);
    this.advance(v);
    const open = v.billingSince !== undefined ? (this.clock() - v.billingSince) * (v.min ?? 0) : 0;
    return (v.iuMs + open) / HOUR;
  }

  history(versionArn: string): readonly { at: number; status: string; min?: number; max?: number }[] {
    const v = this.version(versionArn);
    this.advance(v);
    return v.history;
  }

  /** The version's first move to this status at or after `from`. */
  firstAfter(versionArn: string, status: string, from: number): { at: number; status: string; min?: number; max?: number } | undefined {
    return this.history(versionArn).find((h) => h.status === status && h.at >= from);
  }

  /** The statuses the version moved to from `from` to `to`, both included. */
  statusesBetween(versionArn: string, from: number, to: number): string[] {
    return this.history(versionArn).filter((h) => h.at >= from && h.at <= to).map((h) => h.status);
  }

  /** When the version's pending transition completes, if it has one. */
  nextTransitionAt(): number | undefined {
    let best: number | undefined;
    for (const v of this.versions.values()) if (v.next && (best === undefined || v.next.at < best)) best = v.next.at;
    return best;
  }

  countCalls(operation: string, target?: string): number {
    return this.calls.filter((c) => c.operation === operation && (target === undefined || c.target === target)).length;
  }

  // ---- the status machine ----

  private version(arn: string): Version {
    const v = this.versions.get(arn);
    if (!v) throw new Error(`no version ${arn}`);
    return v;
  }

  private enter(v: Version, status: string, message?: string, units?: { min: number; max?: number }, now = this.clock()): void {
    if (v.billingSince !== undefined) {
      v.iuMs += (now - v.billingSince) * (v.min ?? 0);
      v.billingSince = undefined;
    }
    v.status = status;
    v.statusMessage = message;
    if (units) {
      v.min = units.min;
      v.max = units.max;
    }
    // A model bills from when it is RUNNING until it has STOPPED (STOPPING included, conservatively).
    if (status === 'RUNNING' || status === 'STOPPING') v.billingSince = now;
    v.history.push({ at: now, status, min: v.min, max: v.max });
  }

  private beginTransition(v: Version, during: string, to: string, ms: number, message?: string): void {
    this.enter(v, during);
    v.next = { status: to, at: this.clock() + ms + Math.floor(this.random() * (this.timings.jitterMs + 1)), message };
  }

  /** Applies the pending transition of a version if its time has come. */
  private advance(v: Version): void {
    if (v.next && this.clock() >= v.next.at) {
      const { status, message, at } = v.next;
      v.next = undefined;
      // The transition happened at its own time, not when it was noticed: that is what the ledger bills.
      this.enter(v, status, message, undefined, at);
    }
  }

  // ---- the operations ----

  private handle(operation: string, input: Record<string, unknown>, region?: string): unknown {
    switch (operation) {
      case 'DescribeProjects': {
        const names = input.ProjectNames as string[] | undefined;
        return {
          // A regional endpoint lists the projects of its region only.
          ProjectDescriptions: [...this.projects.values()]
            .filter((p) => (!names || names.includes(p.name)) && (region === undefined || p.arn.split(':')[3] === region))
            .map((p) => ({ ProjectArn: p.arn, Status: 'CREATED', CreationTimestamp: 1767000000 })),
        };
      }
      case 'DescribeProjectVersions': {
        const projectArn = String(input.ProjectArn ?? '');
        if (!this.projects.has(projectArn)) throw new ServiceFault('ResourceNotFoundException', `The project ${projectArn} does not exist.`);
        const names = input.VersionNames as string[] | undefined;
        const list = [...this.versions.values()].filter((v) => v.projectArn === projectArn && (!names || names.includes(v.name)));
        return {
          ProjectVersionDescriptions: list.map((v) => {
            this.advance(v);
            return {
              ProjectVersionArn: v.arn,
              Status: v.status,
              StatusMessage: v.statusMessage,
              MinInferenceUnits: v.min,
              MaxInferenceUnits: v.max,
              CreationTimestamp: 1767607200,
            };
          }),
        };
      }
      case 'StartProjectVersion': {
        const v = this.versionOrFault(input.ProjectVersionArn);
        const min = input.MinInferenceUnits;
        const max = input.MaxInferenceUnits;
        if (typeof min !== 'number' || !Number.isInteger(min) || min < 1) {
          throw new ServiceFault('InvalidParameterException', 'MinInferenceUnits must be an integer >= 1.');
        }
        if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
          throw new ServiceFault('InvalidParameterException', 'MaxInferenceUnits must be an integer >= 1.');
        }
        const startable = ['STOPPED', 'TRAINING_COMPLETED', 'COPYING_COMPLETED'].includes(v.status) ||
          (v.status === 'FAILED' && this.faults.startWhileFailed === 'allow');
        if (!startable) throw new ServiceFault('ResourceInUseException', `The model is ${v.status} and cannot be started.`);
        v.min = min;
        v.max = max as number | undefined;
        const failWith = v.failNextStartWith;
        v.failNextStartWith = undefined;
        this.beginTransition(v, 'STARTING', failWith ? 'FAILED' : 'RUNNING', this.timings.startMs, failWith);
        return { Status: 'STARTING' };
      }
      case 'StopProjectVersion': {
        const v = this.versionOrFault(input.ProjectVersionArn);
        if (v.status === 'RUNNING' || (v.status === 'STARTING' && this.faults.stopWhileStarting === 'allow')) {
          this.beginTransition(v, 'STOPPING', 'STOPPED', this.timings.stopMs);
          return { Status: 'STOPPING' };
        }
        throw new ServiceFault('ResourceInUseException', `The model is ${v.status} and cannot be stopped.`);
      }
      case 'DetectCustomLabels': {
        const v = this.versionOrFault(input.ProjectVersionArn);
        const image = input.Image as { Bytes?: string } | undefined;
        if (!image?.Bytes) throw new ServiceFault('InvalidParameterException', 'Image must have Bytes or S3Object.');
        if (Buffer.from(image.Bytes, 'base64').length > 4 * 1024 * 1024) throw new ServiceFault('ImageTooLargeException', 'Image size is too large.');
        // The API reference: ResourceNotReadyException "occurs when you call DetectCustomLabels with a model version
        // that isn't deployed".
        if (v.status !== 'RUNNING') {
          throw new ServiceFault('ResourceNotReadyException', `The requested resource isn't ready. The model version ${v.arn} is ${v.status}.`);
        }
        this.detections++;
        return { CustomLabels: [{ Name: v.name, Confidence: 99.5 }] };
      }
      case 'ListTagsForResource':
        return { Tags: { ...this.versionOrFault(input.ResourceArn).tags } };
      case 'TagResource': {
        const v = this.versionOrFault(input.ResourceArn);
        const tags = (input.Tags ?? {}) as Record<string, string>;
        for (const [k, value] of Object.entries(tags)) {
          if (!/^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(k) || k.length < 1 || k.length > 128) {
            throw new ServiceFault('ValidationException', `Tag key ${k} fails to satisfy the constraint.`);
          }
          if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(value) || value.length > 256) {
            throw new ServiceFault('ValidationException', `Tag value for ${k} fails to satisfy the constraint.`);
          }
        }
        Object.assign(v.tags, tags);
        return {};
      }
      case 'UntagResource': {
        const v = this.versionOrFault(input.ResourceArn);
        for (const k of (input.TagKeys ?? []) as string[]) delete v.tags[k];
        return {};
      }
      default:
        throw new ServiceFault('UnknownOperationException', `${operation} is not simulated.`);
    }
  }

  /**
   * The call as IAM sees it (the service authorization reference: Start/Stop/Tag/Untag/ListTags act on the
   * projectversion, DescribeProjectVersions on the project, DescribeProjects on *). The projectversion resource type
   * carries aws:ResourceTag/<key> from the version's tags; TagResource adds aws:RequestTag/<key> and aws:TagKeys,
   * UntagResource aws:TagKeys.
   */
  iamRequest(operation: string, input: Record<string, unknown>, region?: string): IamRequest {
    const action = `rekognition:${operation}`;
    // aws:RequestedRegion, a global key: the region of the endpoint the request went to.
    const requested: Record<string, string> = region === undefined ? {} : { 'aws:RequestedRegion': region };
    if (operation === 'DescribeProjects') return { action, resource: '*', context: { ...requested } };
    if (operation === 'DescribeProjectVersions') return { action, resource: String(input.ProjectArn ?? ''), context: { ...requested } };
    const resource = String(input.ProjectVersionArn ?? input.ResourceArn ?? '');
    const context: Record<string, string | string[]> = { ...requested };
    for (const [k, v] of Object.entries(this.versions.get(resource)?.tags ?? {})) context[`aws:ResourceTag/${k}`] = v;
    if (operation === 'TagResource') {
      const tags = (input.Tags ?? {}) as Record<string, string>;
      for (const [k, v] of Object.entries(tags)) context[`aws:RequestTag/${k}`] = v;
      context['aws:TagKeys'] = Object.keys(tags);
    }
    if (operation === 'UntagResource') context['aws:TagKeys'] = (input.TagKeys ?? []) as string[];
    return { action, resource, context };
  }

  private versionOrFault(arn: unknown): Version {
    const v = this.versions.get(String(arn));
    if (!v) throw new ServiceFault('ResourceNotFoundException', `The resource ${String(arn)} does not exist.`);
    this.advance(v);
    return v;
  }

  /**
   * One request over HTTP: authorized first (when an authorizer is set), then as call() handles it. `region`: the
   * region the request was signed for, that is the regional endpoint it went to. Every region's endpoint is this one
   * server; a resource of another region is not found there, as at a real regional endpoint.
   */
  async callOverHttp(operation: string, input: Record<string, unknown>, accessKeyId?: string, region?: string): Promise<{ status: number; body: unknown; lost?: boolean }> {
    const target = (input.ProjectVersionArn ?? input.ResourceArn ?? input.ProjectArn) as string | undefined;
    if (region !== undefined && this.disabledRegions.has(region)) {
      this.calls.push({ at: this.clock(), operation, target, outcome: 'UnrecognizedClientException' });
      const message = 'The security token included in the request is invalid.';
      return { status: 400, body: { __type: 'UnrecognizedClientException', Message: message, message } };
    }
    const denied = await this.authorize?.(this.iamRequest(operation, input, region), accessKeyId);
    if (denied !== undefined) {
      this.calls.push({ at: this.clock(), operation, target, outcome: 'AccessDeniedException' });
      return { status: 400, body: { __type: 'AccessDeniedException', Message: denied, message: denied } };
    }
    if (region !== undefined && target !== undefined && String(target).split(':')[3] !== region) {
      this.calls.push({ at: this.clock(), operation, target, outcome: 'ResourceNotFoundException' });
      const message = `The resource ${String(target)} does not exist in ${region}.`;
      return { status: 400, body: { __type: 'ResourceNotFoundException', Message: message, message } };
    }
    return this.call(operation, input, region);
  }

  /** One request as the wire sees it: faults, then the operation (at the endpoint of `region`, when given). */
  call(operation: string, input: Record<string, unknown>, region?: string): { status: number; body: unknown; lost?: boolean } {
    const before = this.pendingBefore.get(operation);
    if (before) {
      this.pendingBefore.delete(operation);
      before();
    }
    const target = (input.ProjectVersionArn ?? input.ResourceArn ?? input.ProjectArn) as string | undefined;
    const record = (outcome: string) => this.calls.push({ at: this.clock(), operation, target, outcome });
    const fault = (type: string, message: string, status = 400) => {
      record(type);
      return { status, body: { __type: type, Message: message, message } };
    };
    const f = this.faults;
    if (operation === 'DescribeProjectVersions' && Number.isFinite(f.describeRatePerSecond)) {
      const second = Math.floor(this.clock() / 1000);
      if (second !== this.describeWindow.second) this.describeWindow = { second, count: 0 };
      if (++this.describeWindow.count > f.describeRatePerSecond) return fault('ThrottlingException', 'Rate exceeded');
    }
    if (this.toThrottle.count > 0 && (this.toThrottle.operation === undefined || this.toThrottle.operation === operation)) {
      this.toThrottle.count--;
      return fault('ThrottlingException', 'Rate exceeded');
    }
    const r = this.random();
    if (r < f.throttleRate) return fault('ThrottlingException', 'Rate exceeded');
    if (r < f.throttleRate + f.throughputRate) return fault('ProvisionedThroughputExceededException', 'Provisioned rate exceeded');
    if (r < f.throttleRate + f.throughputRate + f.serverErrorRate) return fault('InternalServerError', 'Internal server error', 500);
    try {
      const body = this.handle(operation, input, region);
      const mutating = ['StartProjectVersion', 'StopProjectVersion', 'TagResource', 'UntagResource'].includes(operation);
      const toLose = this.answersToLose.get(operation) ?? 0;
      if (toLose > 0) this.answersToLose.set(operation, toLose - 1);
      if (toLose > 0 || (mutating && this.random() < f.lostResponseRate)) {
        record('applied-but-lost');
        return { status: 500, body: { __type: 'InternalServerError', Message: 'Internal server error' }, lost: true };
      }
      record('ok');
      return { status: 200, body };
    } catch (e) {
      if (e instanceof ServiceFault) return fault(e.type, e.message, e.httpStatus);
      throw e;
    }
  }

  // ---- the HTTP endpoint ----

  /** Serves the simulator on 127.0.0.1 and returns its URL. */
  async listen(): Promise<string> {
    this.server = await serveOnLoopback(async (raw, req) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('RekognitionService.') ? target.slice('RekognitionService.'.length) : '';
      let input: Record<string, unknown>;
      try {
        input = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'SerializationException', Message: 'bad JSON' }) };
      }
      const out = await this.callOverHttp(operation, input, accessKeyOf(req.headers.authorization), regionOf(req.headers.authorization));
      const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${this.calls.length}` };
      if (out.status !== 200) headers['x-amzn-errortype'] = String((out.body as { __type: string }).__type);
      return { status: out.status, headers, body: JSON.stringify(out.body) };
    });
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
