// The AWS SDK clients of the handlers, each created once and reused across invocations (as Lambda recommends: their
// connections stay open). One per configuration the environment gives, which in a Lambda function never changes
// (and in the tests changes with each local endpoint).
const clients = new Map<string, unknown>();

/** The client of a service (`REKOGNITION`, `CLOUDFORMATION`: the suffix of its AWS_ENDPOINT_URL_* variable). */
export function cachedClient<T>(service: string, create: () => T): T {
  const env = process.env;
  const key = [service, env[`AWS_ENDPOINT_URL_${service}`], env.AWS_ENDPOINT_URL, env.AWS_MAX_ATTEMPTS, env.AWS_RETRY_MODE, env.AWS_REGION].join('|');
  let client = clients.get(key) as T | undefined;
  if (!client) {
    client = create();
    clients.set(key, client);
  }
  return client;
}
