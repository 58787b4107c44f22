// The command line's AWS clients, configured as the AWS CLI is: --region and --profile when given, else the SDK's own
// chain (AWS_REGION, AWS_PROFILE, the shared config and credentials files, SSO, instance roles), and the
// AWS_ENDPOINT_URL_* variables honoured. Throttling is retried by the SDK's adaptive mode, which also slows the
// client down to the rate the service accepts.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface AwsOptions {
  /** @default - the SDK's chain (AWS_REGION, the profile's region) */
  readonly region?: string;
  /** @default - the SDK's chain (AWS_PROFILE, else "default") */
  readonly profile?: string;
}

export interface AwsClients {
  readonly cloudformation: CloudFormationClient;
  /** The Rekognition client of a region (a model's, which need not be the stacks'). */
  rekognition(region?: string): RekognitionClient;
  readonly ssm: SSMClient;
  readonly sqs: SQSClient;
}

/** Attempts per call: enough to ride out a throttled burst while the adaptive mode slows down. */
const MAX_ATTEMPTS = 10;

export function awsClients(options: AwsOptions): AwsClients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'adaptive',
  };
  const rekognition = new Map<string, RekognitionClient>();
  return {
    cloudformation: new CloudFormationClient(common),
    rekognition: (region) => {
      const key = region ?? '';
      let client = rekognition.get(key);
      if (!client) {
        client = new RekognitionClient({ ...common, ...(region ? { region } : {}) });
        rekognition.set(key, client);
      }
      return client;
    },
    ssm: new SSMClient(common),
    // The configured endpoint, not the queue URL's host: the same in AWS, and a local endpoint's elsewhere.
    sqs: new SQSClient({ ...common, useQueueUrlAsEndpoint: false }),
  };
}

/** Runs `work` over `items` with at most `limit` calls in flight, keeping the order of the items. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
