// One test world: a local Rekognition endpoint, a virtual clock, the shipped handlers behind the real Provider
// framework runtime, and a CloudFormation stack sending requests to them.
import { CfnAnswer, CloudFormationEmulator, HANDLER_BUNDLE, Handlers, PROVIDER_AS_DEPLOYED, ProviderSettings, StackStatusEndpoint } from './cloudformation';
import { EventBus } from './event-bus';
import { IamEnforcer, PolicyDocument } from './iam';
import { ParameterStore } from './parameter-store';
import { QueueService } from './queue';
import { IamRequest, RekognitionSimulator, Timings } from './rekognition-simulator';
import { scaleTimers, VirtualClock } from './virtual-time';

export interface WorldOptions {
  readonly timings?: Timings;
  readonly seed?: number;
  readonly provider?: ProviderSettings;
  /** Print the handlers' and the framework's logs. */
  readonly verbose?: boolean;
}

export const FAKE_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret-for-loopback-tests',
} as const;

export class World {
  public readonly clock = new VirtualClock();
  public readonly sim: RekognitionSimulator;
  public readonly stacks = new StackStatusEndpoint();
  /** SSM Parameter Store, which the stacks' AWS::SSM::Parameter resources write (stack-deployment.ts). */
  public readonly ssm: ParameterStore;
  /** The account's default EventBridge bus, which the handlers put transition events on. */
  public readonly events: EventBus;
  /** Amazon SQS: demand queues the scheduled path reads (GetQueueAttributes); tests send and receive through it. */
  public readonly sqs: QueueService;
  /** Identities besides the handlers' (a client's role), by the access key id their requests are signed with. */
  private readonly identities = new Map<string, IamEnforcer>();
  public cfn!: CloudFormationEmulator;
  public handlers!: Handlers;
  private restore: (() => void)[] = [];

  constructor(private readonly options: WorldOptions = {}) {
    this.sim = new RekognitionSimulator(() => this.clock.now, options.timings, options.seed);
    this.ssm = new ParameterStore(() => this.clock.now);
    this.events = new EventBus(() => this.clock.now);
    this.sqs = new QueueService(() => this.clock.now);
  }

  /**
   * An identity of its own (a client's role): requests signed with this access key id are evaluated against these
   * policies, and none of the handlers'. Returns the enforcer, whose policies a test may change phase by phase.
   */
  identity(accessKeyId: string, roleArn: string, policies: PolicyDocument[]): IamEnforcer {
    const enforcer = new IamEnforcer(roleArn);
    enforcer.setPolicies(policies);
    this.identities.set(accessKeyId, enforcer);
    return enforcer;
  }

  /** Who a request is: a registered identity by its access key, else the handler running now (or the stack's). */
  private async authorizeCall(request: IamRequest, accessKeyId?: string): Promise<string | undefined> {
    const identity = accessKeyId === undefined ? undefined : this.identities.get(accessKeyId);
    if (identity) {
      const result = await identity.authorize(request);
      return result.allowed ? undefined : result.message;
    }
    return (CloudFormationEmulator.active ?? this.cfn).authorize(request);
  }

  async start(): Promise<this> {
    // Every Rekognition call is evaluated against the role of the stack whose handler makes it.
    this.sim.authorize = (request, accessKeyId) => this.authorizeCall(request, accessKeyId);
    this.ssm.authorize = (request, accessKeyId) => this.authorizeCall(request, accessKeyId);
    this.events.authorize = (request, accessKeyId) => this.authorizeCall(request, accessKeyId);
    this.sqs.authorize = (request, accessKeyId) => this.authorizeCall(request, accessKeyId);
    this.stacks.authorizeIdentity = (request, accessKeyId) => {
      const identity = accessKeyId === undefined ? undefined : this.identities.get(accessKeyId);
      return identity?.authorize(request).then((r) => (r.allowed ? undefined : r.message));
    };
    const url = await this.sim.listen();
    const cloudformationUrl = await this.stacks.listen();
    const ssmUrl = await this.ssm.listen();
    const eventsUrl = await this.events.listen();
    const sqsUrl = await this.sqs.listen();
    const saved = { ...process.env };
    Object.assign(process.env, FAKE_ENV, {
      AWS_ENDPOINT_URL_REKOGNITION: url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudformationUrl,
      AWS_ENDPOINT_URL_SSM: ssmUrl,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventsUrl,
      AWS_ENDPOINT_URL_SQS: sqsUrl,
    });
    delete process.env.AWS_SESSION_TOKEN;
    this.restore.push(() => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    });
    this.clock.install();
    this.restore.push(() => this.clock.uninstall());
    this.restore.push(scaleTimers(1000, this.clock));
    if (!this.options.verbose) {
      const log = console.log;
      console.log = () => undefined;
      this.restore.push(() => {
        console.log = log;
      });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.handlers = require(HANDLER_BUNDLE);
    this.newStack();
    return this;
  }

  /** A fresh CloudFormation stack (another stack id) talking to the same provider code and endpoint. */
  newStack(stackName = 'WidgetsStack', stackUuid?: string): CloudFormationEmulator {
    this.cfn = new CloudFormationEmulator(this.clock, this.handlers, this.options.provider ?? PROVIDER_AS_DEPLOYED, stackName, stackUuid);
    this.cfn.install();
    this.stacks.register(this.cfn);
    return this.cfn;
  }

  async stop(): Promise<void> {
    for (const r of this.restore.reverse()) r();
    this.restore = [];
    await this.sim.close();
    await this.stacks.close();
    await this.ssm.close();
    await this.events.close();
    await this.sqs.close();
  }

  /** A project with one version, returning the version ARN. */
  model(versionName = 'widgets.v1', status = 'TRAINING_COMPLETED', project = 'widgets'): string {
    const projectArn = this.projectArn(project) ?? this.sim.addProject(project);
    return this.sim.addVersion(projectArn, versionName, status);
  }

  private projectArn(name: string): string | undefined {
    const out = this.sim.call('DescribeProjects', { ProjectNames: [name] }).body as { ProjectDescriptions: { ProjectArn: string }[] };
    this.sim.calls.pop();
    return out.ProjectDescriptions[0]?.ProjectArn;
  }
}

/** The properties the construct writes for a model. */
export function props(versionArn: string, min: number, max?: number, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ProjectVersionArn: versionArn,
    MinInferenceUnits: String(min),
    MaxInferenceUnits: max === undefined ? undefined : String(max),
    RemovalPolicy: 'destroy',
    TimeoutSeconds: '2700',
    ...extra,
  };
}

/** The reason of a FAILED answer without the framework's stack trace and log pointer. */
export function reasonOf(answer: CfnAnswer | undefined): string {
  return (answer?.Reason ?? '').split('\n')[0];
}
