// A local SSM Parameter Store for tests: GetParameter, PutParameter and DeleteParameter over the awsJson1_1 wire
// protocol on loopback, every call authorized first (as SSM does) against the identity that signed it.
// CloudFormation's AWS::SSM::Parameter resources write it (stack-deployment.ts); clients and operators read and write
// it with the real SDK.
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
  /** Every call over HTTP: who (access key id), what, on which parameter, and how it ended. */
  public readonly calls: { at: number; action: string; name: string; accessKeyId?: string; outcome: string }[] = [];
  private readonly values = new Map<string, { value: string; version: number; modifiedAt: number }>();
  private server?: LoopbackServer;
  /** When set, every call over HTTP is authorized first. */
  public authorize?: Authorizer;

  constructor(private readonly clock: () => number) {}

  /** What CloudFormation does for an AWS::SSM::Parameter: creates it, or writes a new version of it. */
  put(name: string, value: string): void {
    const old = this.values.get(name);
    if (old?.value === value) return;
    this.values.set(name, { value, version: (old?.version ?? 0) + 1, modifiedAt: this.clock() });
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
      const input = JSON.parse(raw.toString('utf8') || '{}') as { Name?: string; Value?: string; Overwrite?: boolean; Type?: string };
      const name = String(input.Name ?? '');
      const action = (<Record<string, string | undefined>>{ 'AmazonSSM.GetParameter': 'ssm:GetParameter', 'AmazonSSM.PutParameter': 'ssm:PutParameter', 'AmazonSSM.DeleteParameter': 'ssm:DeleteParameter' })[target];
      if (action === undefined) return error('InvalidAction', `${target} is not emulated`);
      const accessKeyId = accessKeyOf(req.headers.authorization);
      const denied = await this.authorize?.({ action, resource: parameterArn(name), context: {} }, accessKeyId);
      this.calls.push({ at: this.clock(), action, name, accessKeyId, outcome: denied === undefined ? 'allowed' : 'AccessDeniedException' });
      if (denied !== undefined) return error('AccessDeniedException', denied);
      const p = this.values.get(name);
      if (action === 'ssm:PutParameter') {
        // As SSM: an existing parameter is written only with Overwrite; a value is 1 to 4096 characters (standard tier).
        if (p && input.Overwrite !== true) return error('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
        if (!p && input.Type === undefined) return error('ValidationException', 'A parameter type is required when you create a parameter.');
        const value = String(input.Value ?? '');
        if (value.length < 1 || value.length > 4096) return error('ValidationException', 'Standard tier parameters support a maximum parameter value of 4096 characters.');
        this.values.set(name, { value, version: (p?.version ?? 0) + 1, modifiedAt: this.clock() });
        this.changes.push({ at: this.clock(), name, value });
        return { status: 200, headers, body: JSON.stringify({ Version: (p?.version ?? 0) + 1, Tier: 'Standard' }) };
      }
      if (!p) return error('ParameterNotFound', `Parameter ${name} not found.`);
      if (action === 'ssm:DeleteParameter') {
        this.delete(name);
        return { status: 200, headers, body: '{}' };
      }
      return {
        status: 200,
        headers,
        body: JSON.stringify({
          Parameter: { Name: name, Type: 'String', Value: p.value, Version: p.version, ARN: parameterArn(name), DataType: 'text', LastModifiedDate: p.modifiedAt / 1000 },
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
