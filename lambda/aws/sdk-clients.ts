// The AWS SDK clients of the handlers, each created once and reused across invocations (as Lambda recommends: their
// connections stay open). One per configuration the environment gives, which in a Lambda function never changes
// (and in the tests changes with each local endpoint), and per region a caller names (a model's, which need not be
// the function's).
const clients = new Map<string, unknown>();

/**
 * The client of a service (`REKOGNITION`, `CLOUDFORMATION`: the suffix of its AWS_ENDPOINT_URL_* variable), for
 * `region` when given (`create` must then make a client of that region), else the function's own.
 */
export function cachedClient<T>(service: string, create: () => T, region?: string): T {
  const env = process.env;
  const key = [service, env[`AWS_ENDPOINT_URL_${service}`], env.AWS_ENDPOINT_URL, env.AWS_MAX_ATTEMPTS, env.AWS_RETRY_MODE, region ?? env.AWS_REGION].join('|');
  let client = clients.get(key) as T | undefined;
  if (!client) {
    client = create();
    clients.set(key, client);
  }
  return client;
}
