// A local Amazon SQS for tests: GetQueueAttributes, SendMessage, ReceiveMessage and DeleteMessage over the wire
// protocol @aws-sdk/client-sqs 3.1142.0 speaks (awsJson1_0: POST /, `x-amz-target: AmazonSQS.<Operation>`,
// `content-type: application/x-amz-json-1.0`), on loopback, every call authorized first (as SQS does) against the
// identity that signed it, on the queue's ARN. Messages follow the virtual clock: a delayed message becomes visible
// after its delay, a received one is in flight until its visibility timeout ends or it is deleted.
import { LoopbackServer, serveOnLoopback } from './loopback-server';
import { accessKeyOf, Authorizer } from './rekognition-simulator';

interface Message {
  readonly id: string;
  readonly body: string;
  /** Not visible before this instant (a delay, or a receive's visibility timeout). */
  visibleAt: number;
  /** Whether it has been received (in flight while not visible) or is still delayed. */
  received: boolean;
  receipt?: string;
}

/** The queue's ARN from its URL: `https://sqs.<region>.<suffix>/<account>/<name>`. */
export function queueArnOf(url: string): string {
  const u = new URL(url);
  const region = u.hostname.split('.')[1];
  const [, account, name] = u.pathname.split('/');
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

const OPERATIONS: Record<string, string> = {
  'AmazonSQS.GetQueueAttributes': 'sqs:GetQueueAttributes',
  'AmazonSQS.SendMessage': 'sqs:SendMessage',
  'AmazonSQS.ReceiveMessage': 'sqs:ReceiveMessage',
  'AmazonSQS.DeleteMessage': 'sqs:DeleteMessage',
};

export class QueueService {
  /** Every call over HTTP: who (access key id), what, on which queue ARN, and how it ended. */
  public readonly calls: { at: number; action: string; queueArn: string; accessKeyId?: string; outcome: string }[] = [];
  public authorize?: Authorizer;
  private readonly queues = new Map<string, Message[]>();
  private server?: LoopbackServer;
  private seq = 0;

  constructor(private readonly clock: () => number) {}

  /** What CloudFormation does for an AWS::SQS::Queue: the queue exists (empty) from then on. */
  create(url: string): void {
    if (!this.queues.has(url)) this.queues.set(url, []);
  }

  /** DeleteQueue, as someone outside the stack may call it on a queue the model only imports. */
  remove(url: string): void {
    this.queues.delete(url);
  }

  /** The counts GetQueueAttributes answers with, now. */
  counts(url: string): { visible: number; inFlight: number; delayed: number } {
    const now = this.clock();
    const messages = this.queue(url);
    return {
      visible: messages.filter((m) => m.visibleAt <= now).length,
      inFlight: messages.filter((m) => m.visibleAt > now && m.received).length,
      delayed: messages.filter((m) => m.visibleAt > now && !m.received).length,
    };
  }

  send(url: string, body: string, delaySeconds = 0): string {
    const id = `m-${++this.seq}`;
    this.queue(url).push({ id, body, visibleAt: this.clock() + delaySeconds * 1000, received: false });
    return id;
  }

  /** Receives up to `max` visible messages, in flight for `visibilitySeconds`; returns their receipt handles. */
  receive(url: string, max = 1, visibilitySeconds = 30): { id: string; body: string; receipt: string }[] {
    const now = this.clock();
    return this.queue(url).filter((m) => m.visibleAt <= now).slice(0, max).map((m) => {
      m.visibleAt = now + visibilitySeconds * 1000;
      m.received = true;
      m.receipt = `r-${++this.seq}-${m.id}`;
      return { id: m.id, body: m.body, receipt: m.receipt };
    });
  }

  delete(url: string, receipt: string): void {
    const messages = this.queue(url);
    const i = messages.findIndex((m) => m.receipt === receipt);
    if (i >= 0) messages.splice(i, 1);
  }

  private queue(url: string): Message[] {
    const q = this.queues.get(url);
    if (!q) throw new QueueMissing(url);
    return q;
  }

  async listen(): Promise<string> {
    this.server = await serveOnLoopback(async (raw, req) => {
      const headers = { 'content-type': 'application/x-amz-json-1.0' };
      const error = (type: string, queryCode: string, message: string) => ({
        status: 400,
        // awsQueryCompatible: the SDK takes the error's code from this header when present.
        headers: { ...headers, 'x-amzn-query-error': `${queryCode};Sender` },
        body: JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message }),
      });
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = OPERATIONS[target];
      if (action === undefined) return error('InvalidAction', 'InvalidAction', `${target} is not emulated`);
      const input = JSON.parse(raw.toString('utf8') || '{}') as { QueueUrl?: string; MessageBody?: string; DelaySeconds?: number; MaxNumberOfMessages?: number; VisibilityTimeout?: number; ReceiptHandle?: string; AttributeNames?: string[] };
      const url = String(input.QueueUrl ?? '');
      let queueArn: string;
      try {
        queueArn = queueArnOf(url);
      } catch {
        return error('InvalidAddress', 'InvalidAddress', `The address ${url} is not valid for this endpoint.`);
      }
      const accessKeyId = accessKeyOf(req.headers.authorization);
      const denied = await this.authorize?.({ action, resource: queueArn, context: {} }, accessKeyId);
      this.calls.push({ at: this.clock(), action, queueArn, accessKeyId, outcome: denied === undefined ? 'allowed' : 'AccessDeniedException' });
      if (denied !== undefined) return { status: 400, headers: { ...headers, 'x-amzn-query-error': 'AccessDenied;Sender' }, body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: denied }) };
      if (!this.queues.has(url)) return error('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      switch (action) {
        case 'sqs:GetQueueAttributes': {
          const c = this.counts(url);
          const all: Record<string, string> = {
            ApproximateNumberOfMessages: String(c.visible),
            ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
            ApproximateNumberOfMessagesDelayed: String(c.delayed),
            QueueArn: queueArn,
          };
          const names = input.AttributeNames ?? [];
          const Attributes = Object.fromEntries(Object.entries(all).filter(([k]) => names.includes('All') || names.includes(k)));
          return { status: 200, headers, body: JSON.stringify({ Attributes }) };
        }
        case 'sqs:SendMessage':
          return { status: 200, headers, body: JSON.stringify({ MessageId: this.send(url, String(input.MessageBody ?? ''), input.DelaySeconds ?? 0), MD5OfMessageBody: '' }) };
        case 'sqs:ReceiveMessage': {
          const got = this.receive(url, input.MaxNumberOfMessages ?? 1, input.VisibilityTimeout ?? 30);
          return { status: 200, headers, body: JSON.stringify({ Messages: got.map((m) => ({ MessageId: m.id, Body: m.body, ReceiptHandle: m.receipt })) }) };
        }
        default:
          this.delete(url, String(input.ReceiptHandle ?? ''));
          return { status: 200, headers, body: '{}' };
      }
    });
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}

class QueueMissing extends Error {
  constructor(url: string) {
    super(`no queue ${url} in the test world (QueueService.create it first)`);
  }
}
