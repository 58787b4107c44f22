// CloudFormation as it really calls a custom resource: requests go through the Provider framework's own runtime
// (the JavaScript aws-cdk-lib ships, loaded from node_modules by file path), whose onEvent invokes our onEvent,
// whose waiter calls isComplete at the provider's query interval until complete or timeout, and whose answer is
// captured where it would be sent to CloudFormation. Only what runs outside Lambda is stood in for: Lambda's
// Invoke, Step Functions' StartExecution and the HTTPS PUT to the ResponseURL, through the functions the runtime's
// `outbound` module exports. Everything runs on a virtual clock.
import { randomUUID } from 'crypto';
import * as path from 'path';
import { IamEnforcer, PolicyDocument } from './iam';
import { LoopbackServer, serveOnLoopback } from './loopback-server';
import { accessKeyOf, IamRequest } from './rekognition-simulator';
import { RESOURCE_TYPE } from '../../lib/contract/resource-properties';
import { handlerPolicies, synthModels } from './templates';
import { HOUR } from './time';
import { VirtualClock } from './virtual-time';

const RUNTIME_DIR = path.join(path.dirname(require.resolve('aws-cdk-lib')), 'custom-resources', 'lib', 'provider-framework', 'runtime');
/* eslint-disable @typescript-eslint/no-require-imports */
const framework = require(path.join(RUNTIME_DIR, 'framework.js'));
const outbound = require(path.join(RUNTIME_DIR, 'outbound.js'));
const cfnResponse = require(path.join(RUNTIME_DIR, 'cfn-response.js'));
/* eslint-enable @typescript-eslint/no-require-imports */

/** The handlers as shipped: the bundle `npm run build:handlers` writes. */
export const HANDLER_BUNDLE = path.join(__dirname, '..', '..', 'lambda', 'dist', 'index.js');

export const ON_EVENT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:RekognitionCustomLabelsOnEvent';
const IS_COMPLETE_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:RekognitionCustomLabelsIsComplete';
const WAITER_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:RekognitionCustomLabelsWaiter';

export interface Handlers {
  onEvent(event: unknown): Promise<unknown>;
  isComplete(event: unknown): Promise<unknown>;
  /** The scheduled path (lambda/handlers/on-schedule.ts), for the batch-window tests. */
  onSchedule(event: unknown): Promise<{ converged: boolean; reason: string }>;
  /** The stack guard (lambda/handlers/stack-guard.ts). */
  onGuard(event: { stack: string; regions?: string }): Promise<{ stopping: readonly string[]; reason: string }>;
}

export interface CfnAnswer {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly RequestId: string;
  readonly Data?: Record<string, string>;
  /** Virtual time of the answer. */
  readonly at: number;
}

export interface SentRequest {
  readonly requestId: string;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly sentAt: number;
  /** CloudFormation's own deadline for an answer. */
  readonly timeoutAt: number;
}

export interface ProviderSettings {
  /** Seconds between isComplete calls (the provider's queryInterval). */
  readonly queryIntervalSeconds: number;
  /** Seconds the waiter polls in all (the provider's totalTimeout). */
  readonly totalTimeoutSeconds: number;
  /** Environment of the onEvent and of the isComplete function, as the construct sets it. */
  readonly onEventEnv: Record<string, string>;
  readonly isCompleteEnv: Record<string, string>;
}

export const PROVIDER_AS_DEPLOYED: ProviderSettings = {
  queryIntervalSeconds: 5,
  totalTimeoutSeconds: 3600,
  onEventEnv: { AWS_MAX_ATTEMPTS: '10', AWS_RETRY_MODE: 'standard' },
  isCompleteEnv: { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' },
};

interface Task {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/**
 * One CloudFormation stack's view of custom resources served by one provider. Requests are sent with create(),
 * update() and remove(); run() advances virtual time, firing waiter polls, until a condition holds.
 *
 * IAM: every call a handler of this stack makes is evaluated against the identity policies of the stack's handler
 * role as a synthesized template defines them. Either a deployment sets them phase by phase (setPolicies(), see
 * stack-deployment.ts), or, for tests that send single requests, they follow the requests: a Create or an Update
 * applies the policy of a stack that declares the resources as that request leaves them (CloudFormation updates the
 * policy before the resource), a Delete leaves the policy as it is (a stack's delete and a create's rollback run
 * under the policy that declared the resource).
 */
export class CloudFormationEmulator {
  /** The handler invocation running now, whose role IAM evaluates the calls of. */
  public static active?: CloudFormationEmulator;

  public readonly answers = new Map<string, CfnAnswer>();
  public readonly sent: SentRequest[] = [];
  /** Every isComplete invocation's virtual time, per request. */
  public readonly polls = new Map<string, number[]>();
  private tasks: Task[] = [];
  private seq = 0;
  public readonly stackId: string;
  /** What DescribeStacks answers for this stack. */
  public stackStatus = 'CREATE_IN_PROGRESS';
  /** What ListStackResources answers: the model resources' logical ids and physical ids. */
  public readonly resources = new Map<string, string>();
  /** What GetTemplate answers: the template in force (stack-deployment.ts sets it), for the operator's command line. */
  public template?: object;
  /**
   * What the stack guard's schedule carries as its `regions`: the guard regions resource's Regions attribute as the
   * last deploy left it (stack-deployment.ts), undefined where no deploy wrote one.
   */
  public guardRegions?: string;
  /** The handler role, as IAM evaluates it. */
  public readonly iam: IamEnforcer;
  /** Policies besides the template's, e.g. an explicit deny an account adds (a permissions boundary, an SCP). */
  private extraPolicies: PolicyDocument[] = [];
  private readonly extraUntil = new Map<PolicyDocument, number>();
  private templatePolicies?: PolicyDocument[];
  private policiesFollowRequests = true;
  private readonly declared = new Map<string, string>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly handlers: Handlers,
    private readonly settings: ProviderSettings = PROVIDER_AS_DEPLOYED,
    stackName = 'WidgetsStack',
    stackUuid: string = randomUUID(),
  ) {
    this.stackId = `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackName}/${stackUuid}`;
    this.iam = new IamEnforcer(`arn:aws:sts::123456789012:assumed-role/${stackName}-HandlerRole/handler`);
  }

  public get stackName(): string {
    return this.stackId.split('/')[1];
  }

  /** Puts these identity policies of the handler role in force (a deployment's phase); requests no longer move them. */
  setPolicies(docs: PolicyDocument[]): void {
    this.policiesFollowRequests = false;
    this.templatePolicies = docs;
    this.iam.setPolicies([...docs, ...this.extraPolicies]);
  }

  /**
   * Adds an explicit deny, or any other policy, to the role from now on; with `until` (virtual epoch ms), only until
   * then (IAM answering with an older policy while an update propagates, say).
   */
  addPolicy(doc: PolicyDocument, until?: number): void {
    this.extraPolicies.push(doc);
    if (until !== undefined) this.extraUntil.set(doc, until);
    this.iam.setPolicies([...(this.templatePolicies ?? []), ...this.extraPolicies]);
  }

  /** Runs a handler call (one the test makes, or the scheduler's) under this stack's handler role. */
  async asHandler<T>(call: () => Promise<T>): Promise<T> {
    const outer = CloudFormationEmulator.active;
    CloudFormationEmulator.active = this;
    try {
      return await call();
    } finally {
      CloudFormationEmulator.active = outer;
    }
  }

  /** Takes away what addPolicy() added. */
  clearExtraPolicies(): void {
    this.extraPolicies = [];
    this.iam.setPolicies([...(this.templatePolicies ?? [])]);
  }

  /** The AccessDeniedException message for a call of this stack's handlers, or undefined when IAM allows it. */
  async authorize(request: IamRequest): Promise<string | undefined> {
    if (!this.templatePolicies) return `test world: a handler of ${this.stackName} called ${request.action} before any policy was in force`;
    const expired = this.extraPolicies.filter((d) => (this.extraUntil.get(d) ?? Infinity) <= this.clock.now);
    if (expired.length > 0) {
      this.extraPolicies = this.extraPolicies.filter((d) => !expired.includes(d));
      this.iam.setPolicies([...this.templatePolicies, ...this.extraPolicies]);
    }
    const result = await this.iam.authorize(request);
    return result.allowed ? undefined : result.message;
  }

  /** The policy of a stack declaring what the requests sent so far declare (see the class comment). */
  private followRequest(requestType: 'Create' | 'Update' | 'Delete', logicalId: string, versionArn: string): void {
    if (!this.policiesFollowRequests) return;
    if (requestType === 'Delete' && this.templatePolicies) return;
    this.declared.set(logicalId, versionArn);
    const models = [...this.declared].map(([id, arn]) => ({ id, projectVersionArn: arn }));
    this.templatePolicies = handlerPolicies(synthModels(this.stackName, models), this.stackId);
    this.iam.setPolicies([...this.templatePolicies, ...this.extraPolicies]);
  }

  /** Routes the runtime's outbound calls to this emulator. Call before sending requests. */
  install(): void {
    process.env.USER_ON_EVENT_FUNCTION_ARN = ON_EVENT_ARN;
    process.env.USER_IS_COMPLETE_FUNCTION_ARN = IS_COMPLETE_ARN;
    process.env.WAITER_STATE_MACHINE_ARN = WAITER_ARN;
    outbound.invokeFunction = (req: { FunctionName: string; Payload: string }) => this.invokeLambda(req);
    outbound.startExecution = async (req: { input: string }) => {
      this.startWaiter(JSON.parse(req.input));
      return { executionArn: `${WAITER_ARN}:${randomUUID()}` };
    };
    outbound.httpRequest = async (_options: unknown, body: string) => {
      const json = JSON.parse(body);
      if (!this.answers.has(json.RequestId)) this.answers.set(json.RequestId, { ...json, at: this.clock.now });
    };
  }

  private async invokeLambda(req: { FunctionName: string; Payload: string }): Promise<{ StatusCode: number; FunctionError?: string; Payload: Uint8Array }> {
    const isCompleteCall = req.FunctionName === IS_COMPLETE_ARN;
    const handler = isCompleteCall ? this.handlers.isComplete : this.handlers.onEvent;
    const env = isCompleteCall ? this.settings.isCompleteEnv : this.settings.onEventEnv;
    const event = JSON.parse(req.Payload);
    if (isCompleteCall) {
      const list = this.polls.get(event.RequestId) ?? [];
      list.push(this.clock.now);
      this.polls.set(event.RequestId, list);
    }
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const outer = CloudFormationEmulator.active;
    CloudFormationEmulator.active = this;
    try {
      const result = await handler(event);
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(result ?? null)) };
    } catch (e) {
      const err = e as Error;
      const payload = { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify(payload)) };
    } finally {
      CloudFormationEmulator.active = outer;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  /** The waiter state machine: isComplete now, then every interval until it stops asking to retry, then onTimeout. */
  private startWaiter(input: unknown): void {
    const maxAttempts = Math.floor(this.settings.totalTimeoutSeconds / this.settings.queryIntervalSeconds);
    let attempt = 0;
    const poll = async () => {
      try {
        await framework.isComplete(input);
      } catch (e) {
        if (!(e instanceof cfnResponse.Retry)) throw e;
        if (attempt++ < maxAttempts) {
          this.schedule(this.clock.now + this.settings.queryIntervalSeconds * 1000, poll);
        } else {
          await framework.onTimeout({ Cause: JSON.stringify({ errorMessage: (e as Error).message }) });
        }
      }
    };
    this.schedule(this.clock.now, poll);
  }

  /** Runs `run` at virtual time `at`, in order with every other task (waiter polls, requests, scheduled events). */
  schedule(at: number, run: () => Promise<void>): void {
    this.tasks.push({ at, seq: this.seq++, run });
  }

  private send(requestType: 'Create' | 'Update' | 'Delete', logicalId: string, props: Record<string, string | undefined>, extra: Record<string, unknown> = {}, at = this.clock.now): string {
    const requestId = randomUUID();
    const event = {
      RequestType: requestType,
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent',
      ResponseURL: `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/${requestId}?sig=x`,
      StackId: this.stackId,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResourceType: 'Custom::RekognitionCustomLabelsModel',
      ResourceProperties: { ServiceToken: 'token', ...stringProps(props) },
      ...extra,
    };
    if (event.ResourceType === RESOURCE_TYPE) this.followRequest(requestType, logicalId, String(props.ProjectVersionArn));
    // The construct sets the resource's serviceTimeout to CloudFormation's maximum, an hour.
    this.sent.push({ requestId, requestType, sentAt: at, timeoutAt: at + HOUR });
    // CloudFormation invokes the framework's onEvent asynchronously: it is a task like any other.
    this.schedule(at, () => framework.onEvent(event));
    return requestId;
  }

  create(logicalId: string, props: Record<string, string | undefined>, at?: number, resourceType = RESOURCE_TYPE): string {
    return this.send('Create', logicalId, props, { ResourceType: resourceType }, at);
  }

  update(logicalId: string, physicalId: string, props: Record<string, string | undefined>, oldProps: Record<string, string | undefined>, at?: number, resourceType = RESOURCE_TYPE): string {
    return this.send('Update', logicalId, props, { ResourceType: resourceType, PhysicalResourceId: physicalId, OldResourceProperties: { ServiceToken: 'token', ...stringProps(oldProps) } }, at);
  }

  remove(logicalId: string, physicalId: string, props: Record<string, string | undefined>, at?: number, resourceType = RESOURCE_TYPE): string {
    return this.send('Delete', logicalId, props, { ResourceType: resourceType, PhysicalResourceId: physicalId }, at);
  }

  /** Runs tasks in virtual-time order until `done()` holds, no task is left, or virtual time passes `until`. */
  async run(done: () => boolean, until = this.clock.now + 2 * HOUR): Promise<void> {
    while (!done()) {
      if (this.tasks.length === 0) return;
      this.tasks.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const task = this.tasks[0];
      if (task.at > until) return;
      this.tasks.shift();
      this.clock.advanceTo(task.at);
      await task.run();
    }
  }

  /** Runs until the request is answered (or nothing is left to run). */
  async settle(requestId: string): Promise<CfnAnswer | undefined> {
    await this.run(() => this.answers.has(requestId));
    return this.answers.get(requestId);
  }

  /** Runs until every task is done: every waiter has finished. */
  async drain(until?: number): Promise<void> {
    await this.run(() => false, until);
  }

  pendingTasks(): number {
    return this.tasks.length;
  }
}

function stringProps(props: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/**
 * CloudFormation's DescribeStacks (awsQuery protocol: a form-encoded POST, an XML answer) for the stacks of the
 * emulators registered with it: the handlers read their own stack's status.
 */
export class StackStatusEndpoint {
  private readonly stacks = new Map<string, CloudFormationEmulator>();
  private server?: LoopbackServer;
  /**
   * IAM for an identity other than a stack's handlers (the operator's command line), by the request's access key:
   * the world answers for the identities it knows, and undefined for the rest, which the handlers' role governs.
   */
  public authorizeIdentity?: (request: IamRequest, accessKeyId: string | undefined) => Promise<string | undefined> | undefined;
  /** Every action called, in order (the command line's bench counts them). */
  public readonly calls: string[] = [];

  register(stack: CloudFormationEmulator): void {
    this.stacks.set(stack.stackId, stack);
  }

  async listen(): Promise<string> {
    this.server = await serveOnLoopback(async (raw, req) => {
      const form = new URLSearchParams(raw.toString('utf8'));
      const action = form.get('Action') ?? '';
      this.calls.push(action);
      const name = form.get('StackName') ?? '';
      const stack = [...this.stacks.values()].find((s) => s.stackId === name || s.stackName === name);
      const stackMember = (s: CloudFormationEmulator) => `<member><StackId>${s.stackId}</StackId><StackName>${s.stackName}</StackName>` +
        `<CreationTime>2026-01-05T10:00:00Z</CreationTime><StackStatus>${s.stackStatus}</StackStatus></member>`;
      const headers = { 'content-type': 'text/xml' };
      const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const error = (code: string, message: string) => ({
        status: code === 'AccessDenied' ? 403 : 400,
        headers,
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      });
      // The caller is the stack whose handler runs now; IAM evaluates the call against its role. An identity the
      // world knows (an operator's) is evaluated against its own policies, whatever it calls.
      const caller = CloudFormationEmulator.active ?? stack;
      const asIdentity = this.authorizeIdentity?.({ action: `cloudformation:${action}`, resource: stack?.stackId ?? `arn:aws:cloudformation:us-east-1:123456789012:stack/${name || '*'}/*`, context: {} }, accessKeyOf(req.headers.authorization));
      if (asIdentity !== undefined) {
        const denied = await asIdentity;
        if (denied) return error('AccessDenied', denied);
      } else if (caller && (action === 'DescribeStacks' || action === 'ListStackResources')) {
        const denied = await caller.authorize({ action: `cloudformation:${action}`, resource: stack?.stackId ?? `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/*`, context: {} });
        if (denied) return error('AccessDenied', denied);
      }
      // DescribeStacks without a name: every stack of the account and region (the operator's command line lists them).
      if (action === 'DescribeStacks' && name === '') {
        return { status: 200, headers, body: '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks>' +
          `${[...this.stacks.values()].map(stackMember).join('')}</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>` };
      }
      if (!stack) return error('ValidationError', `Stack with id ${name} does not exist`);
      const ok = (body: string) => ({ status: 200, headers, body: `${body}<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>` });
      if (action === 'DescribeStacks') {
        return ok(`<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks>${stackMember(stack)}` +
          '</Stacks></DescribeStacksResult></DescribeStacksResponse>');
      }
      if (action === 'ListStackResources') {
        const members = [...stack.resources].map(([logicalId, physicalId]) => '<member>' +
          `<LogicalResourceId>${logicalId}</LogicalResourceId><PhysicalResourceId>${physicalId}</PhysicalResourceId>` +
          `<ResourceType>Custom::RekognitionCustomLabelsModel</ResourceType><ResourceStatus>UPDATE_COMPLETE</ResourceStatus>` +
          '<LastUpdatedTimestamp>2026-01-05T10:00:00Z</LastUpdatedTimestamp></member>').join('');
        return ok('<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult>' +
          `<StackResourceSummaries>${members}</StackResourceSummaries></ListStackResourcesResult></ListStackResourcesResponse>`);
      }
      if (action === 'GetTemplate') {
        return ok('<GetTemplateResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><GetTemplateResult>' +
          `<TemplateBody>${xml(JSON.stringify(stack.template ?? {}))}</TemplateBody></GetTemplateResult></GetTemplateResponse>`);
      }
      return error('ValidationError', `${action} is not emulated`);
    });
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
