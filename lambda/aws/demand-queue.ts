// Reads a demand queue's message counts (SQS GetQueueAttributes): the only SQS call the handlers make, allowed on that
// one queue's ARN. It reads counts, never a message, so an encrypted queue needs no kms:Decrypt. The client honours
// AWS_ENDPOINT_URL_SQS and the functions' retry settings from the environment.
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { cachedClient } from './sdk-clients';
import type { QueueReading } from '../decisions/demand';

function client(): SQSClient {
  // The configured endpoint, not the queue URL's host: the same in AWS, and the stand-in's in the tests.
  return cachedClient('SQS', () => new SQSClient({ useQueueUrlAsEndpoint: false }));
}

const count = (value: string | undefined): number => {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

/** `sqs`: a client of the caller's (the command line's region and profile); the handlers' own by default. */
export async function readQueue(queueUrl: string, sqs: SQSClient = client()): Promise<QueueReading> {
  let out;
  try {
    out = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }));
  } catch (e) {
    // SQS is query-compatible: the SDK names a denial by its query code, AccessDenied. The decision functions know the
    // denial as AccessDeniedException (retried while IAM propagates a policy a deploy has just updated).
    if ((e as { name?: string }).name === 'AccessDenied') Object.assign(e as object, { name: 'AccessDeniedException' });
    throw e;
  }
  const a = out.Attributes ?? {};
  return { visible: count(a.ApproximateNumberOfMessages), inFlight: count(a.ApproximateNumberOfMessagesNotVisible), delayed: count(a.ApproximateNumberOfMessagesDelayed) };
}
