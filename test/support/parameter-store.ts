// A local SSM Parameter Store for tests: GetParameter over the awsJson1_1 wire protocol on loopback, every call
// authorized first (as SSM does) against the identity that signed it. CloudFormation's AWS::SSM::Parameter resources
// write it (stack-deployment.ts); clients read it with the real SDK.
import { LoopbackServer, serveOnLoopback } from './loopback-server';
import { accessKeyOf, Authorizer } from './rekognition-simulator';

export interface ParameterChange {
  /** Virtual time of the write. */
  readonly at: number;
  readonly name: string;
  /** Undefined: deleted. */
  readonly value?: string;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** The ARN IAM authorizes a parameter's calls on: `parameter/<name without its leading slash>`. */
export function parameterArn(name: string): string {
  return `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name.replace(/^\//, '')}`;
}

export class ParameterStore {
  public readonly changes: ParameterChange[] = [];
  private readonly values = new Map<string, { value: string; version: number }>();
  private server?: LoopbackServer;
  /** When set, every call over HTTP is authorized first. */
  public authorize?: Authorizer;

  constructor(private readonly clock: () => number) {}

  /** What CloudFormation does for an AWS::SSM::Parameter: creates it, or writes a new version of it. */
  put(name: string, value: string): void {
    const old = this.values.get(name);
    if (old?.value === value) return;
    this.values.set(name, { value, version: (old?.version ?? 0) + 1 });
    this.changes.push({ at: this.clock(), name, value });
  }

  delete(name: string): void {
    if (!this.values.delete(name)) return;
    this.changes.push({ at: this.clock(), name });
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.value;
  }

  async listen(): Promise<string> {
    this.server = await serveOnLoopback(async (raw, req) => {
      const headers = { 'content-type': 'application/x-amz-json-1.1' };
      const error = (type: string, message: string) => ({ status: 400, headers: { ...headers, 'x-amzn-errortype': type }, body: JSON.stringify({ __type: type, message }) });
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'AmazonSSM.GetParameter') return error('InvalidAction', `${target} is not emulated`);
      const input = JSON.parse(raw.toString('utf8') || '{}') as { Name?: string };
      const name = String(input.Name ?? '');
      const denied = await this.authorize?.({ action: 'ssm:GetParameter', resource: parameterArn(name), context: {} }, accessKeyOf(req.headers.authorization));
      if (denied !== undefined) return error('AccessDeniedException', denied);
      const p = this.values.get(name);
      if (!p) return error('ParameterNotFound', `Parameter ${name} not found.`);
      return {
        status: 200,
        headers,
        body: JSON.stringify({
          Parameter: { Name: name, Type: 'String', Value: p.value, Version: p.version, ARN: parameterArn(name), DataType: 'text', LastModifiedDate: this.clock() / 1000 },
        }),
      };
    });
    return this.server.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }
}
