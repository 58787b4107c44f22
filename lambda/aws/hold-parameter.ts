// Reads a model's hold parameter (SSM Parameter Store): the only SSM call the handlers make, GetParameter on that one
// parameter's ARN. The client honours AWS_ENDPOINT_URL_SSM and the functions' retry settings from the environment.
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { cachedClient } from './sdk-clients';
import type { HoldReading, HoldVerdict } from '../decisions/hold';

function client(): SSMClient {
  return cachedClient('SSM', () => new SSMClient({}));
}

/** The parameter's value and when it was last written; undefined when it does not exist (no hold). */
/** `ssm`: a client of the caller's (the command line's region and profile); the handlers' own by default. */
export async function readHoldParameter(name: string, ssm: SSMClient = client()): Promise<HoldReading | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    const modified = out.Parameter?.LastModifiedDate;
    return { value: out.Parameter?.Value ?? '', modifiedAt: modified ? modified.getTime() : undefined };
  } catch (e) {
    if ((e as { name?: string }).name === 'ParameterNotFound') {
      console.log(JSON.stringify({ message: 'hold parameter not found: no hold', parameter: name }));
      return undefined;
    }
    throw e;
  }
}

/** One structured log line for a hold that is set but not used (malformed, expired, too long, units out of bounds). */
export function logIgnoredHold(verdict: HoldVerdict, model: string, parameter: string): void {
  if (verdict.kind !== 'ignored') return;
  console.log(JSON.stringify({
    message: 'hold ignored',
    model,
    parameter,
    problem: verdict.problem,
    reason: verdict.reason,
    ...(verdict.until !== undefined ? { until: new Date(verdict.until).toISOString() } : {}),
  }));
}
